import { detailsOf, JumpgateError, type ErrorInfo } from '../../shared/model/errors';
import { jumpBoxKeyPath, type Profile } from '../../shared/model/profile';
import { ask, interactive } from './prompt';
import { CliFailure } from './session';

/**
 * The answers a first login asks for, the same for `jumpgate connect`, `exec` and `doctor`: the
 * key's passphrase (from --passphrase-env, or asked on a terminal) and the user's word on a host
 * key seen for the first time (--trust-host-key, or asked on a terminal).
 */

/** What a script is told when the key needs a passphrase and nobody can type one. */
export const PASSPHRASE_HINT = 'Run it on a terminal to be asked, use ssh-agent, or pass --passphrase-env VAR with the passphrase in $VAR.';

/** What a script is told when the jump box's host key is new and not vouched for. */
export function trustHostKeyHint(fingerprint: string): string {
  return `Verify the fingerprint with your administrator, then re-run with --trust-host-key ${fingerprint}`;
}

/**
 * The passphrase in the environment variable the user named, if any (kept in memory only). A
 * variable that was named but is unset or empty is a usage error saying so: asking for the
 * passphrase "with --passphrase-env" would send the user round in a circle.
 */
export function passphraseFromEnv(name: string | undefined, env: NodeJS.ProcessEnv = process.env): { passphrase: string; remember: false } | undefined {
  if (name === undefined) return undefined;
  const value = env[name];
  if (!value) {
    throw new CliFailure(
      new JumpgateError('PASSPHRASE_REQUIRED', `--passphrase-env names ${name}, but ${name} is ${value === undefined ? 'not set' : 'empty'} in this environment.`, {
        hint: `Set it first (for example: read -rs ${name} && export ${name}), or leave out --passphrase-env to be asked on a terminal.`,
      }).toInfo(),
      2,
    );
  }
  return { passphrase: value, remember: false };
}

/** Whether a passphrase error can be answered by asking on the terminal: not when the environment gave it, not without a terminal. */
export function canAskPassphrase(error: ErrorInfo | undefined, fromEnv: boolean): boolean {
  return (error?.code === 'PASSPHRASE_REQUIRED' || error?.code === 'BAD_PASSPHRASE') && interactive() && !fromEnv;
}

/** Ask for the key's passphrase on the terminal (saying first that the last one was wrong). */
export async function askPassphrase(profile: Profile, error: ErrorInfo): Promise<{ passphrase: string; remember: false }> {
  if (error.code === 'BAD_PASSPHRASE') process.stderr.write('That passphrase does not unlock the key.\n');
  return { passphrase: await ask(`Passphrase for ${jumpBoxKeyPath(profile) ?? 'the key'}: `, { hidden: true }), remember: false };
}

/** Whether the user vouches for a first-seen host key: named by --trust-host-key, or accepted on a terminal before `then` (connect, check again). */
export async function hostKeyTrusted(error: ErrorInfo, trustHostKey: string | undefined, then: string): Promise<boolean> {
  const fingerprint = detailsOf(error, 'HOST_KEY_UNKNOWN')?.fingerprint;
  if (fingerprint === undefined) return false;
  if (trustHostKey === fingerprint) return true;
  if (!interactive()) return false;
  process.stderr.write(`${error.message}\n`);
  return /^y(es)?$/i.test((await ask(`Trust this host key and ${then}? [y/N] `)).trim());
}
