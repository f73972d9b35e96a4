import { JumpgateError } from '../../../shared/model/errors';
import { jumpBoxKeyPath, type Profile } from '../../../shared/model/profile';
import { passphraseAccount, type Keychain } from './keychain';

/** A passphrase the user typed for the profile's key, and whether to keep it in the OS keychain. */
export interface Unlock {
  passphrase: string;
  remember: boolean;
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
   * and only after the login worked, dropped if it was wrong.
   */
  async withUnlock<T>(profile: Profile, unlock: Unlock | undefined, action: () => Promise<T>): Promise<T> {
    const keyPath = jumpBoxKeyPath(profile);
    if (unlock && keyPath) this.session.set(keyPath, unlock.passphrase);
    try {
      const result = await action();
      if (unlock?.remember && keyPath && this.keychain) await this.keychain.set(passphraseAccount(keyPath), unlock.passphrase);
      return result;
    } catch (error) {
      if (keyPath && error instanceof JumpgateError && error.code === 'BAD_PASSPHRASE') this.session.delete(keyPath);
      throw error;
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
