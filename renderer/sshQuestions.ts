import type { ErrorInfo } from '../shared/model/errors';
import { jumpBoxKeyPath, type Profile } from '../shared/model/profile';

/**
 * What a failed SSH login asks of the user before a retry: trust a host key seen
 * for the first time, or type the key's passphrase. A changed host key is a
 * refusal, not a question: it is shown, never offered for trust.
 */
export type SshQuestion =
  | { kind: 'hostKey'; error: ErrorInfo }
  | { kind: 'mismatch'; error: ErrorInfo }
  | { kind: 'passphrase'; /** The key to unlock, as the prompt names it. */ keyPath: string; wrong: boolean };

/** The question an error of `profile`'s login raises, or undefined when it is an error to show as it is. */
export function sshQuestionFor(error: ErrorInfo, profile: Pick<Profile, 'jumpHost'> | undefined): SshQuestion | undefined {
  if (error.code === 'HOST_KEY_UNKNOWN') return { kind: 'hostKey', error };
  if (error.code === 'HOST_KEY_MISMATCH') return { kind: 'mismatch', error };
  if (error.code === 'PASSPHRASE_REQUIRED' || error.code === 'BAD_PASSPHRASE') {
    return { kind: 'passphrase', keyPath: (profile && jumpBoxKeyPath(profile)) ?? 'the SSH agent', wrong: error.code === 'BAD_PASSPHRASE' };
  }
  return undefined;
}

