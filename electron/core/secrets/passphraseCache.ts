import { JumpgateError, toErrorInfo, type ErrorInfo } from '../../../shared/model/errors';
import { jumpBoxKeyPath, type Profile } from '../../../shared/model/profile';
import { passphraseAccount, type Keychain } from './keychain';

/** A passphrase the user typed for the profile's key, and whether to keep it in the OS keychain. */
export interface Unlock {
  passphrase: string;
  remember: boolean;
}

/** What an action run with a typed passphrase gave, and why the passphrase was not remembered when asked to be. */
export interface Unlocked<T> {
  value: T;
  /** The keychain refused to store it (locked, not running): the login worked, the user will be asked again next time. */
  notRemembered?: ErrorInfo;
}

/**
 * SSH key passphrases. Those given in this session live only in memory; the OS
 * keychain holds one only when the user asked for it and only once it has proved
 * right. The pool asks `passphraseFor` whenever it loads an encrypted key.
 */
export class PassphraseCache {
  private readonly session = new Map<string, string>();

  constructor(private readonly keychain: Keychain | undefined) {}

  /** What unlocks `keyPath`: typed this session, else remembered in the keychain (a locked keychain counts as nothing). */
  readonly passphraseFor = async (keyPath: string): Promise<string | undefined> =>
    this.session.get(keyPath) ?? (await this.keychain?.get(passphraseAccount(keyPath)).catch(() => undefined));

  /**
   * Run something that logs in to the profile's jump box with a passphrase the
   * user just typed: kept for the session, stored in the keychain only if asked
   * and only after the login worked, dropped if it was wrong. A keychain that
   * refuses to store it does not undo the login: the refusal comes back beside the result.
   */
  async withUnlock<T>(profile: Profile, unlock: Unlock | undefined, action: () => Promise<T>): Promise<Unlocked<T>> {
    return this.withUnlockJudged(profile, unlock, action, () => 'right');
  }

  /**
   * The same for an action that reports rather than throws (the doctor: a wrong passphrase is
   * one failed step of its report). `judge` reads from the result whether the key opened with
   * the passphrase ('right': kept, and remembered if asked), refused it ('wrong': dropped), or
   * was never tried ('untried': kept for the session, not remembered).
   */
  async withUnlockJudged<T>(profile: Profile, unlock: Unlock | undefined, action: () => Promise<T>, judge: (value: T) => 'right' | 'wrong' | 'untried'): Promise<Unlocked<T>> {
    const keyPath = jumpBoxKeyPath(profile);
    if (unlock && keyPath) this.session.set(keyPath, unlock.passphrase);
    let value: T;
    try {
      value = await action();
    } catch (error) {
      if (keyPath && error instanceof JumpgateError && error.code === 'BAD_PASSPHRASE') this.session.delete(keyPath);
      throw error;
    }
    const verdict = judge(value);
    if (verdict === 'wrong' && keyPath) this.session.delete(keyPath);
    if (verdict !== 'right' || !unlock?.remember || !keyPath) return { value };
    if (!this.keychain) {
      return { value, notRemembered: { code: 'KEYCHAIN_UNAVAILABLE', message: 'This Jumpgate has no system keychain to remember the passphrase in.' } };
    }
    try {
      await this.keychain.set(passphraseAccount(keyPath), unlock.passphrase);
      return { value };
    } catch (error) {
      return { value, notRemembered: toErrorInfo(error) };
    }
  }

  /** Forget the key's passphrase here and in the keychain; true if either held it. */
  async forget(keyPath: string): Promise<boolean> {
    const inMemory = this.session.delete(keyPath);
    const inKeychain = this.keychain ? await this.keychain.delete(passphraseAccount(keyPath)) : false;
    return inMemory || inKeychain;
  }

  clear(): void {
    this.session.clear();
  }
}
