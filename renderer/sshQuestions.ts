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
  | {
      kind: 'passphrase';
      /** The key to unlock, as the prompt names it. */
      keyPath: string;
      wrong: boolean;
      /** The key file the error named (a ProxyJump hop's own key, issue #17): the answer is sent for it. */
      answersFor?: string;
    };

/** A typed passphrase, for the key the question named (absent: the jump host's own key), kept in the keychain if `remember`. */
export interface Unlock {
  passphrase: string;
  remember: boolean;
  keyPath?: string;
}

/** The answer to a passphrase question, addressed to the key it asked about. */
export function unlockFor(question: Extract<SshQuestion, { kind: 'passphrase' }>, passphrase: string, remember: boolean): Unlock {
  return { passphrase, remember, ...(question.answersFor ? { keyPath: question.answersFor } : {}) };
}

/** The question an error of `profile`'s login raises, or undefined when it is an error to show as it is. */
export function sshQuestionFor(error: ErrorInfo, profile: Pick<Profile, 'jumpHost'> | undefined): SshQuestion | undefined {
  if (error.code === 'HOST_KEY_UNKNOWN') return { kind: 'hostKey', error };
  if (error.code === 'HOST_KEY_MISMATCH') return { kind: 'mismatch', error };
  if (error.code === 'PASSPHRASE_REQUIRED' || error.code === 'BAD_PASSPHRASE') {
    const named = error.details?.keyPath;
    return {
      kind: 'passphrase',
      keyPath: named ?? (profile && jumpBoxKeyPath(profile)) ?? 'the SSH agent',
      wrong: error.code === 'BAD_PASSPHRASE',
      ...(named ? { answersFor: named } : {}),
    };
  }
  return undefined;
}

