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

/** A passphrase given for one key: absent `keyPath` is the jump host's own key. */
export interface KeyUnlock {
  passphrase: string;
  remember: false;
  keyPath?: string;
}

/**
 * --passphrase-env's passphrase as the answer for every key of the route that asks, each by its
 * path: a ProxyJump route's outer hops may have keys of their own, and it answered only the jump
 * host's. A key may be answered twice (it can ask again once another hop's key is unlocked),
 * never more, so a script never loops; a wrong one ends with the core's BAD_PASSPHRASE.
 */
export class EnvPassphraseAnswers {
  private readonly given = new Map<string | undefined, number>();

  constructor(
    private readonly profile: Profile,
    private readonly fromEnv: { passphrase: string; remember: false } | undefined,
  ) {}

  /** Whether --passphrase-env was given (then the terminal is never asked). */
  get present(): boolean {
    return this.fromEnv !== undefined;
  }

  /** The answer sent with the first try: for the jump host's own key. */
  first(): KeyUnlock | undefined {
    if (!this.fromEnv) return undefined;
    this.given.set(jumpBoxKeyPath(this.profile), 1);
    return this.fromEnv;
  }

  /** The answer to a PASSPHRASE_REQUIRED about a key not yet answered twice, if the environment has one. */
  answer(error: ErrorInfo | undefined): KeyUnlock | undefined {
    if (!this.fromEnv || error?.code !== 'PASSPHRASE_REQUIRED') return undefined;
    const keyPath = lockedKeyPath(this.profile, error);
    const times = this.given.get(keyPath) ?? 0;
    if (times >= 2) return undefined;
    this.given.set(keyPath, times + 1);
    return { ...this.fromEnv, ...(keyPath ? { keyPath } : {}) };
  }
}

/** Whether a passphrase error can be answered by asking on the terminal: not when the environment gave it, not without a terminal. */
export function canAskPassphrase(error: ErrorInfo | undefined, fromEnv: boolean): boolean {
  return (error?.code === 'PASSPHRASE_REQUIRED' || error?.code === 'BAD_PASSPHRASE') && interactive() && !fromEnv;
}

/**
 * The key a passphrase question is about: the one the error names (with ProxyJump each hop may
 * have its own key, issue #17), else the jump host's.
 */
export function lockedKeyPath(profile: Profile, error: ErrorInfo): string | undefined {
  const named = error.code === 'PASSPHRASE_REQUIRED' || error.code === 'BAD_PASSPHRASE' ? error.details?.keyPath : undefined;
  return named ?? jumpBoxKeyPath(profile);
}

/** Ask on the terminal for the passphrase of the key the error names (saying first that the last one was wrong); the answer is for that key. */
export async function askPassphrase(profile: Profile, error: ErrorInfo): Promise<KeyUnlock> {
  const keyPath = lockedKeyPath(profile, error);
  if (error.code === 'BAD_PASSPHRASE') process.stderr.write(`That passphrase does not unlock ${keyPath ?? 'the key'}.\n`);
  const passphrase = await ask(`Passphrase for ${keyPath ?? 'the key'}: `, { hidden: true });
  return { passphrase, remember: false, ...(keyPath ? { keyPath } : {}) };
}

/** How many passphrases a command asks for, per key, on a terminal before it gives up with BAD_PASSPHRASE (as ssh does). */
export const PASSPHRASE_TRIES = 3;

/** What a command says after the last wrong passphrase it asked for. */
export function tooManyWrongPassphrases(profile: Profile, error: ErrorInfo): CliFailure {
  return new CliFailure({
    code: 'BAD_PASSPHRASE',
    ...(error.code === 'BAD_PASSPHRASE' && error.details ? { details: error.details } : {}),
    message: `${PASSPHRASE_TRIES} passphrases were tried and none unlocks ${lockedKeyPath(profile, error) ?? 'the key'}.`,
    hint: 'Check which key the profile uses (jumpgate ls --json), or that it is the passphrase you gave PuTTYgen / ssh-keygen; then run the command again.',
  });
}

/**
 * Whether the user vouches for a first-seen host key: named by --trust-host-key, or accepted on a
 * terminal before `then` (connect, check again). A --trust-host-key that names another key is
 * refused, saying so and showing the server's: it is exactly the case the flag guards against.
 */
export async function hostKeyTrusted(error: ErrorInfo, trustHostKey: string | undefined, then: string): Promise<boolean> {
  const fingerprint = detailsOf(error, 'HOST_KEY_UNKNOWN')?.fingerprint;
  if (fingerprint === undefined) return false;
  if (trustHostKey === fingerprint) return true;
  if (trustHostKey !== undefined) {
    throw new CliFailure({
      ...error,
      message: `The jump box presented ${fingerprint}, not the ${trustHostKey} given with --trust-host-key.`,
      hint: 'Do not connect until you know why: compare the jump box\'s fingerprint with your administrator again (a rebuilt jump box has a new key; an unexpected one may be someone in between).',
    });
  }
  if (!interactive()) return false;
  process.stderr.write(`${error.message}\n`);
  return /^y(es)?$/i.test((await ask(`Trust this host key and ${then}? [y/N] `)).trim());
}
