import { detailsOf, JumpgateError, toErrorInfo, type ErrorInfo } from '../../../shared/model/errors';
import { jumpBoxKeyPath, routeKeyPaths, type Profile } from '../../../shared/model/profile';
import { sameFilePath } from '../platform/homePath';
import { passphraseAccount, type Keychain } from './keychain';

/** A passphrase the user typed for one of the profile's keys, and whether to keep it in the OS keychain. */
export interface Unlock {
  passphrase: string;
  remember: boolean;
  /** The key it is for, as the passphrase question named it; absent: the jump host's own key. */
  keyPath?: string | undefined;
}

/** Which of the route's keys an action showed to open with their passphrase, and which refused theirs (by path). */
export interface KeyVerdicts {
  opened: string[];
  refused: string[];
}

/** What an action run with a typed passphrase gave, and why the passphrase was not remembered when asked to be. */
export interface Unlocked<T> {
  value: T;
  /** The keychain refused to store it (locked, not running): the login worked, the user will be asked again next time. */
  notRemembered?: ErrorInfo;
}

/**
 * SSH key passphrases, each kept by its own key file's path (a ProxyJump route may have a key per
 * hop). Those given in this session live only in memory; the OS keychain holds one only when the
 * user asked for it and only once it has proved right. The pool asks `passphraseFor` whenever it
 * loads an encrypted key.
 */
export class PassphraseCache {
  /** By the file each key path names (sameFilePath): a key made as /home/u/.ssh/k and a profile's ~/.ssh/k are one key. */
  private readonly session = new Map<string, string>();
  /**
   * Passphrases typed with "remember" that have not proved right yet, by key path. Unlocking an
   * outer hop's key is followed by the question for the next hop's, so the login that proves the
   * first one right is a later call: it is stored then.
   */
  private readonly toRemember = new Map<string, string>();

  constructor(private readonly keychain: Keychain | undefined) {}

  /** What unlocks `keyPath`: typed this session, else remembered in the keychain (a locked keychain counts as nothing). */
  readonly passphraseFor = async (keyPath: string): Promise<string | undefined> =>
    this.session.get(sameFilePath(keyPath)) ?? (await this.keychain?.get(passphraseAccount(keyPath)).catch(() => undefined));

  /**
   * A passphrase the user has just set on a key Jumpgate made (typed twice, so known right), kept
   * for this session under each path the key is named by: the first connect with it does not ask
   * again (issue #16). Memory only; the keychain is for passphrases the user asks to be remembered.
   */
  rememberForSession(keyPaths: readonly string[], passphrase: string): void {
    for (const keyPath of keyPaths) this.session.set(sameFilePath(keyPath), passphrase);
  }

  /**
   * Run something that logs in to the profile's jump box with a passphrase the
   * user just typed: kept for the session, stored in the keychain only if asked
   * and only after the login worked, dropped if it was wrong. A keychain that
   * refuses to store it does not undo the login: the refusal comes back beside the result.
   */
  async withUnlock<T>(profile: Profile, unlock: Unlock | undefined, action: () => Promise<T>): Promise<Unlocked<T>> {
    // Having returned, the login went through: every key of the route opened.
    return this.withUnlockJudged(profile, unlock, action, () => ({ opened: routeKeyPaths(profile), refused: [] }));
  }

  /**
   * The same for an action that reports rather than throws (the doctor: a wrong passphrase is
   * one failed step of its report). `judge` reads from the result which keys opened (their
   * passphrases kept, and remembered if asked) and which refused theirs (dropped); a key in
   * neither was never tried (kept for the session, not remembered).
   */
  async withUnlockJudged<T>(profile: Profile, unlock: Unlock | undefined, action: () => Promise<T>, judge: (value: T) => KeyVerdicts): Promise<Unlocked<T>> {
    const keyPath = unlock?.keyPath ?? jumpBoxKeyPath(profile);
    if (unlock?.keyPath !== undefined && !routeKeyPaths(profile).includes(unlock.keyPath)) {
      // Only a key this profile logs in with is answered for: a request cannot plant passphrases for other files.
      throw new JumpgateError('BAD_REQUEST', `The passphrase is for ${unlock.keyPath}, which profile "${profile.name}" does not use.`, {
        hint: 'Answer the passphrase question for the key it names.',
      });
    }
    if (unlock && keyPath) {
      this.session.set(sameFilePath(keyPath), unlock.passphrase);
      if (unlock.remember) this.toRemember.set(keyPath, unlock.passphrase);
      else this.toRemember.delete(keyPath);
    }
    let value: T;
    try {
      value = await action();
    } catch (error) {
      // A wrong passphrase is dropped for the key the error names (the one that refused it).
      if (error instanceof JumpgateError && error.code === 'BAD_PASSPHRASE') this.drop(detailsOf(error, 'BAD_PASSPHRASE')?.keyPath ?? keyPath);
      throw error;
    }
    const { opened, refused } = judge(value);
    for (const path of refused) this.drop(path);
    const proven = opened.filter((path) => this.toRemember.has(path));
    if (proven.length === 0) return { value };
    if (!this.keychain) {
      return { value, notRemembered: { code: 'KEYCHAIN_UNAVAILABLE', message: 'This Jumpgate has no system keychain to remember the passphrase in.' } };
    }
    let notRemembered: ErrorInfo | undefined;
    for (const path of proven) {
      try {
        await this.keychain.set(passphraseAccount(path), this.toRemember.get(path) as string);
        this.toRemember.delete(path);
      } catch (error) {
        notRemembered ??= toErrorInfo(error);
      }
    }
    return notRemembered ? { value, notRemembered } : { value };
  }

  private drop(keyPath: string | undefined): void {
    if (keyPath === undefined) return;
    this.session.delete(sameFilePath(keyPath));
    this.toRemember.delete(keyPath);
  }

  /** Forget the key's passphrase here and in the keychain; true if either held it. */
  async forget(keyPath: string): Promise<boolean> {
    const inMemory = this.session.delete(sameFilePath(keyPath));
    const inKeychain = this.keychain ? await this.keychain.delete(passphraseAccount(keyPath)) : false;
    return inMemory || inKeychain;
  }

  clear(): void {
    this.session.clear();
    this.toRemember.clear();
  }
}
