import { JumpgateError } from '../../../shared/model/errors';
import type { DbTarget, Profile } from '../../../shared/model/profile';
import { ask, interactive } from '../prompt';
import { CliFailure, unwrap, type CliSession } from '../session';

/** One more target for `exec --with NAME=target`: its variables come out as NAME_DATABASE_URL, NAME_PGPASSWORD, ... */
export interface ExtraTarget {
  prefix: string;
  target: string;
}

/** `--with restored=orders-copy` (repeatable) as prefixes and target names; anything else is a usage error. */
export function parseWithTargets(values: readonly string[]): ExtraTarget[] {
  const seen = new Set<string>();
  return values.map((value) => {
    const match = /^([A-Za-z][A-Za-z0-9_]{0,31})=(\S+)$/.exec(value);
    if (!match) {
      throw new CliFailure({ code: 'BAD_REQUEST', message: `--with ${value} is not NAME=target.`, hint: 'For example --with restored=orders-copy (NAME: a letter, then letters, digits or _).' }, 2);
    }
    const prefix = (match[1] as string).toUpperCase();
    if (seen.has(prefix)) throw new CliFailure({ code: 'BAD_REQUEST', message: `--with names ${prefix} twice.`, hint: 'Give each extra target its own NAME.' }, 2);
    seen.add(prefix);
    return { prefix, target: match[2] as string };
  });
}

/**
 * `--password-env VAR` (the main target) or `--password-env NAME=VAR` (a --with target, or a
 * target by id): where a typed password comes from for targets with no secret in AWS.
 */
export function parsePasswordEnv(values: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const value of values) {
    const match = /^(?:([A-Za-z0-9_.-]+)=)?([A-Za-z_][A-Za-z0-9_]*)$/.exec(value);
    if (!match) throw new CliFailure({ code: 'BAD_REQUEST', message: `--password-env ${value} is not VAR or NAME=VAR.`, hint: 'For example --password-env DB_PASS, or --password-env restored=COPY_PASS for a --with target.' }, 2);
    names.set(match[1]?.toUpperCase() ?? '', match[2] as string);
  }
  return names;
}

/**
 * The user name and password for a target: the current one from Secrets Manager (audited as used
 * by exec), or, for a target with no secret there, typed by the user: from the environment
 * variable they named, or asked on the terminal without echo. Never stored.
 */
export async function credentialsFor(
  session: CliSession,
  profile: Profile,
  target: DbTarget,
  passwordEnv: string | undefined,
  /** How this target's --password-env is written (`VAR`, or `restored=VAR` for a --with target). */
  flagExample: string,
): Promise<{ username: string; password: string }> {
  if (target.secret.kind !== 'none') {
    return unwrap(await session.invoke('secrets:revealPassword', { profileId: profile.id, targetId: target.id, purpose: 'exec' }));
  }
  const username = target.username;
  if (!username) {
    throw new CliFailure(
      new JumpgateError('SECRET_NOT_FOUND', `Target "${target.id}" has no secret in AWS and no user name to log in with.`, {
        hint: `Set its user name (or a Secrets Manager secret) in the app or with jumpgate profile, then run it again.`,
      }).toInfo(),
      2,
    );
  }
  if (passwordEnv !== undefined) {
    const password = process.env[passwordEnv];
    if (!password) {
      throw new CliFailure(
        new JumpgateError('SECRET_NOT_FOUND', `--password-env names ${passwordEnv}, but ${passwordEnv} is ${password === undefined ? 'not set' : 'empty'} in this environment.`, {
          hint: `Set it first (for example: read -rs ${passwordEnv} && export ${passwordEnv}), or run on a terminal to be asked.`,
        }).toInfo(),
        2,
      );
    }
    return { username, password };
  }
  if (!interactive()) {
    throw new CliFailure(
      new JumpgateError('SECRET_NOT_FOUND', `Target "${target.id}" has no secret in AWS: its password is typed, and there is no terminal to ask on.`, {
        hint: `Pass --password-env ${flagExample} with the password in that variable, or run it on a terminal.`,
      }).toInfo(),
      2,
    );
  }
  const password = await ask(`Password for ${username} on ${target.name}: `, { hidden: true });
  if (password.length === 0) throw new CliFailure({ code: 'SECRET_NOT_FOUND', message: 'No password was typed.', hint: 'Run it again and type the password (it is not shown).' }, 2);
  return { username, password };
}
