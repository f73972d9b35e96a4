import { spawn } from 'node:child_process';
import { engineFamily } from '../../../shared/model/profile';
import { buildConnectionStrings } from '../../core/secrets/connectionStrings';
import { secretEncodings } from '../secretEncodings';
import { SecretMask } from '../secretMask';
import { CliFailure, findProfile, findTargets, unwrap, type CliSession } from '../session';
import { openTarget, type ConnectOptions } from './connect';

export interface ExecOptions extends ConnectOptions {
  target?: string;
  /** Commander turns --no-masking into masking: false. */
  masking: boolean;
}

/**
 * `jumpgate exec <profile> -- <command...>`: open the tunnel, fetch the current
 * password, run the command with DATABASE_URL and the engine's own variables,
 * mask the password in its output, close the tunnel and exit with its code.
 */
export async function exec(session: CliSession, profileName: string, command: string[], options: ExecOptions): Promise<number> {
  if (command.length === 0) {
    throw new CliFailure({ code: 'BAD_REQUEST', message: 'No command to run.', hint: 'Put the command after --, e.g. jumpgate exec prod -- npx prisma migrate deploy' }, 2);
  }
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const profile = findProfile(profiles, profileName);
  const targets = findTargets(profile, options.target ? [options.target] : []);
  if (targets.length !== 1) {
    throw new CliFailure(
      { code: 'BAD_REQUEST', message: `Profile "${profile.id}" has ${targets.length} targets; say which one.`, hint: `Add --target with one of: ${profile.targets.map((target) => target.id).join(', ')}.` },
      2,
    );
  }
  const target = targets[0] as (typeof targets)[number];
  const entry = await openTarget(session, profile, target.id, options);
  const { username, password } = unwrap(await session.invoke('secrets:revealPassword', { profileId: profile.id, targetId: target.id, purpose: 'exec' }));
  const strings = buildConnectionStrings({
    family: engineFamily(target.engine),
    port: entry.endpoint.localPort,
    username,
    password,
    ...(target.database ? { database: target.database } : {}),
  });

  const [program, ...args] = command as [string, ...string[]];
  const child = spawn(program, args, {
    env: { ...process.env, ...strings.env },
    stdio: ['inherit', options.masking ? 'pipe' : 'inherit', options.masking ? 'pipe' : 'inherit'],
  });
  if (options.masking) {
    // The password in every form tools print it in: raw, URL, form, JSON, base64 (and Basic auth), hex.
    const secrets = secretEncodings(password, username);
    child.stdout?.pipe(new SecretMask(secrets)).pipe(process.stdout);
    child.stderr?.pipe(new SecretMask(secrets)).pipe(process.stderr);
  }
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(new CliFailure({ code: 'BAD_REQUEST', message: `Could not run ${program}: ${error.code ?? error.message}.`, hint: 'Check the command name and your PATH.' })),
      );
      child.once('close', (code, signal) => resolve(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
    });
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    unwrap(await session.invoke('tunnels:stop', { profileId: profile.id, targetId: target.id }));
  }
}
