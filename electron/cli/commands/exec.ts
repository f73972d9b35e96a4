import { engineFamily, type DbTarget, type Profile } from '../../../shared/model/profile';
import { buildConnectionStrings } from '../../core/secrets/connectionStrings';
import { secretEncodings } from '../secretEncodings';
import { SecretMask } from '../secretMask';
import { CliFailure, findProfile, findTargets, unwrap, type CliSession } from '../session';
import type { ChildSpec } from '../exec/childSpec';
import { runWithPipes } from '../exec/pipedChild';
import { credentialsFor, parsePasswordEnv, parseWithTargets } from '../exec/targetCredentials';
import { loadNodePty, runOnTerminal } from '../exec/terminalChild';
import { openTarget, type ConnectOptions } from './connect';

export interface ExecOptions extends ConnectOptions {
  target?: string;
  /** Commander turns --no-masking into masking: false. */
  masking: boolean;
  /** Commander turns --no-tty into tty: false: pipes even on a terminal. */
  tty: boolean;
  /** --with NAME=target, repeatable. */
  with: string[];
  /** --password-env VAR or NAME=VAR, repeatable. */
  passwordEnv: string[];
}

/** A target exec opened: its variables (prefixed for --with ones) and the password to mask. */
interface OpenedTarget {
  target: DbTarget;
  env: Record<string, string>;
  username: string;
  password: string;
}

/**
 * `jumpgate exec <profile> -- <command...>`: open the tunnel (and one per --with), fetch the
 * current passwords, run the command with DATABASE_URL and the engine's own variables, mask
 * the passwords in its output, close the tunnels and exit with its status.
 */
export async function exec(session: CliSession, profileName: string, command: string[], options: ExecOptions): Promise<number> {
  if (command.length === 0) {
    throw new CliFailure({ code: 'BAD_REQUEST', message: 'No command to run.', hint: 'Put the command after --, e.g. jumpgate exec prod -- npx prisma migrate deploy' }, 2);
  }
  const extras = parseWithTargets(options.with);
  const passwordEnv = parsePasswordEnv(options.passwordEnv);
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  const profile = findProfile(profiles, profileName);
  const targets = findTargets(profile, options.target ? [options.target] : []);
  if (targets.length !== 1) {
    throw new CliFailure(
      { code: 'BAD_REQUEST', message: `Profile "${profile.id}" has ${targets.length} targets; say which one.`, hint: `Add --target with one of: ${profile.targets.map((target) => target.id).join(', ')}.` },
      2,
    );
  }
  const main = targets[0] as DbTarget;
  const wanted = [{ prefix: '', target: main }, ...extras.map((extra) => ({ prefix: extra.prefix, target: findTargets(profile, [extra.target])[0] as DbTarget }))];
  const twice = wanted.find((entry, index) => wanted.findIndex((other) => other.target.id === entry.target.id) !== index);
  if (twice) {
    throw new CliFailure({ code: 'BAD_REQUEST', message: `Target "${twice.target.id}" is named twice.`, hint: 'Each --with names another target of the profile than --target and the other --with.' }, 2);
  }

  const opened: OpenedTarget[] = [];
  try {
    for (const { prefix, target } of wanted) {
      opened.push(await openForExec(session, profile, target, prefix, passwordEnv.get(prefix) ?? passwordEnv.get(target.id.toUpperCase()), options));
    }
    const [program, ...args] = command as [string, ...string[]];
    // Every password in every form tools print it in: raw, URL, form, JSON, base64 (and Basic auth), hex.
    const secrets = opened.flatMap(({ password, username }) => secretEncodings(password, username));
    const spec: ChildSpec = {
      program,
      args,
      env: { ...process.env, ...Object.assign({}, ...opened.map((entry) => entry.env)) },
      createMask: options.masking ? () => new SecretMask(secrets) : undefined,
    };
    return await runChild(spec, options);
  } finally {
    // Opened ones are closed however the command or an open ended.
    for (const { target } of opened.reverse()) await session.invoke('tunnels:stop', { profileId: profile.id, targetId: target.id });
  }
}

async function openForExec(session: CliSession, profile: Profile, target: DbTarget, prefix: string, passwordEnv: string | undefined, options: ExecOptions): Promise<OpenedTarget> {
  const entry = await openTarget(session, profile, target.id, options);
  let credentials: { username: string; password: string };
  try {
    credentials = await credentialsFor(session, profile, target, passwordEnv, prefix ? `${prefix.toLowerCase()}=VAR` : 'VAR');
  } catch (error) {
    await session.invoke('tunnels:stop', { profileId: profile.id, targetId: target.id });
    throw error;
  }
  const { username, password } = credentials;
  const strings = buildConnectionStrings({
    family: engineFamily(target.engine),
    port: entry.endpoint.localPort,
    username,
    password,
    ...(target.database ? { database: target.database } : {}),
  });
  const env = Object.entries(strings.env).filter((pair): pair is [string, string] => pair[1] !== undefined);
  return { target, username, password, env: Object.fromEntries(env.map(([key, value]) => [prefix ? `${prefix}_${key}` : key, value])) };
}

/**
 * On a terminal with masking, the child gets a pseudo-terminal (an interactive client works as
 * if typed at the prompt); everywhere else pipes, or exec's own terminal when nothing is masked.
 */
async function runChild(spec: ChildSpec, options: ExecOptions): Promise<number> {
  const wantTerminal = options.tty && spec.createMask !== undefined && process.stdin.isTTY && process.stdout.isTTY;
  if (!wantTerminal) return runWithPipes(spec);
  const pty = await loadNodePty();
  if (pty instanceof Error) {
    process.stderr.write(`warning: no pseudo-terminal for the command (node-pty: ${pty.message}); it runs on pipes, so interactive clients print batch output. --no-masking gives it this terminal.\n`);
    return runWithPipes(spec);
  }
  return runOnTerminal(pty, spec);
}
