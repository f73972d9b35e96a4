import { homedir } from 'node:os';
import path from 'node:path';
import type * as KeyringBinding from '@napi-rs/keyring';
import { JumpgateError } from '../../../shared/model/errors';

/**
 * The OS keychain, as the service sees it. Injected, so the service never knows
 * which platform store is behind it; the tests use the real one on a private bus.
 * It is used only for secrets the user asked Jumpgate to remember.
 */
export interface Keychain {
  /** The secret stored for `account`, or undefined when there is none. */
  get(account: string): Promise<string | undefined>;
  /** Store (or replace) the secret for `account`. */
  set(account: string, secret: string): Promise<void>;
  /** Remove the secret for `account`; true if something was deleted, false if there was nothing. */
  delete(account: string): Promise<boolean>;
}

export interface OsKeychainOptions {
  /** The service name every entry is filed under; 'jumpgate' unless a test wants its own. */
  service?: string;
}

/**
 * On Linux the binding silently falls back to the kernel keyutils keyring when no
 * Secret Service answers. That store lives in kernel memory and is gone after a
 * reboot, so a user who asked us to remember a passphrase would find it forgotten
 * with no explanation. Pinning the Secret Service turns that into an error we can
 * explain. The option is ignored on macOS and Windows.
 */
const ENTRY_OPTIONS: KeyringBinding.EntryOptions = { linux: { store: 'secret-service' } };

type Binding = typeof KeyringBinding;
let binding: Promise<Binding> | undefined;

/**
 * Loaded on first use, not at import: the keychain is opt-in, and a platform
 * without a prebuilt binding must not stop the app from starting.
 */
function loadBinding(): Promise<Binding> {
  binding ??= import('@napi-rs/keyring');
  return binding;
}

/**
 * The keychain of the machine we run on: macOS Keychain, Windows Credential
 * Manager, or the freedesktop Secret Service (gnome-keyring, KWallet) on Linux.
 *
 * On Linux the session bus address is read from DBUS_SESSION_BUS_ADDRESS the first
 * time the process connects and then kept by libdbus for the life of the process;
 * setting the variable later has no effect.
 *
 * Every failure is a JumpgateError; no message ever contains the secret, and
 * nothing here logs.
 */
export function createOsKeychain(options: OsKeychainOptions = {}): Keychain {
  const service = options.service ?? 'jumpgate';
  const platform = process.platform;

  async function withEntry<T>(
    account: string,
    operation: (entry: KeyringBinding.AsyncEntry) => Promise<T>,
    secret?: string,
  ): Promise<T> {
    let AsyncEntry: Binding['AsyncEntry'];
    try {
      ({ AsyncEntry } = await loadBinding());
    } catch (error) {
      throw unavailable(platform, reasonOf(error, secret));
    }
    try {
      // The constructor connects to the store (on Linux, to the session bus), so it throws too.
      return await operation(new AsyncEntry(service, account, ENTRY_OPTIONS));
    } catch (error) {
      throw translate(platform, error, secret);
    }
  }

  return {
    get: (account) => withEntry(account, async (entry) => (await entry.getPassword()) ?? undefined),
    set: (account, secret) => withEntry(account, (entry) => entry.setPassword(secret), secret),
    delete: (account) => withEntry(account, (entry) => entry.deleteCredential()),
  };
}

/** The keychain account for an SSH key's passphrase: one per key file, however its path was written. */
export function passphraseAccount(keyPath: string): string {
  if (keyPath.trim() === '') throw new JumpgateError('BAD_REQUEST', 'A key path is needed to look up its passphrase.');
  const expanded = keyPath === '~' ? homedir() : /^~[/\\]/.test(keyPath) ? path.join(homedir(), keyPath.slice(2)) : keyPath;
  const absolute = path.resolve(expanded);
  // Windows paths are case-insensitive: C:\Keys\a.ppk and c:\keys\A.ppk are one file.
  return `ssh-key-passphrase:${process.platform === 'win32' ? absolute.toLowerCase() : absolute}`;
}

/** The keychain account for a jump host password, in the same user@host:port form as the connection pool's key. */
export function jumpHostPasswordAccount(user: string, host: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new JumpgateError('BAD_REQUEST', `${port} is not a valid SSH port.`, { hint: 'Use a port from 1 to 65535 (usually 22).' });
  }
  if (user === '' || host.trim() === '') throw new JumpgateError('BAD_REQUEST', 'A user and a host are needed to look up a jump host password.');
  // Host names are case-insensitive; an IPv6 literal is bracketed so its colons cannot be mistaken for the port's.
  const name = host.trim().toLowerCase();
  return `jump-host-password:${user}@${name.includes(':') ? `[${name}]` : name}:${port}`;
}

interface PlatformWords {
  /** The store's name in a sentence. */
  store: string;
  /** Why it is unavailable, in the user's terms. */
  unavailable: string;
  hint: string;
}

const OPT_OUT = 'or stop saving secrets in the keychain and type them when asked.';

function wordsFor(platform: NodeJS.Platform): PlatformWords {
  switch (platform) {
    case 'darwin':
      return {
        store: 'the macOS Keychain',
        unavailable: 'The macOS Keychain is locked or Jumpgate was denied access to it.',
        hint: `Unlock the login keychain in Keychain Access and allow Jumpgate when macOS asks, then try again; ${OPT_OUT}`,
      };
    case 'win32':
      return {
        store: 'the Windows Credential Manager',
        unavailable: 'The Windows Credential Manager could not be reached.',
        hint: `Check that you are signed in to a normal Windows session (not a service account), then try again; ${OPT_OUT}`,
      };
    default:
      return {
        store: 'the Secret Service',
        unavailable: 'The system keychain is unavailable: the Secret Service (gnome-keyring or KWallet) is not running or is locked.',
        hint:
          'Start and unlock gnome-keyring or KWallet in your desktop session and try again ' +
          '(if Jumpgate was started outside that session, without DBUS_SESSION_BUS_ADDRESS, restart it from inside); ' +
          OPT_OUT,
      };
  }
}

function unavailable(platform: NodeJS.Platform, reason: string): JumpgateError {
  const words = wordsFor(platform);
  return new JumpgateError('KEYCHAIN_UNAVAILABLE', words.unavailable, { hint: words.hint, details: { reason } });
}

/**
 * keyring-rs reports a store it cannot reach as a platform failure (no bus, no
 * Secret Service on it, D-Bus timeout) or as no storage access (locked, unlock
 * prompt dismissed, access denied). Anything else (an ambiguous entry written by
 * another program, a value over the platform's size limit) is not about
 * availability and keeps its own words.
 */
const UNREACHABLE = /^(Platform failure|Couldn't access platform storage)\b/i;

function translate(platform: NodeJS.Platform, error: unknown, secret: string | undefined): JumpgateError {
  const reason = reasonOf(error, secret);
  if (UNREACHABLE.test(reason)) return unavailable(platform, reason);
  return new JumpgateError('INTERNAL', `${capitalize(wordsFor(platform).store)} refused the request: ${reason}`, {
    details: { reason },
  });
}

/**
 * The library's own words, for diagnostics. They describe the store, not the
 * value, but the secret is masked anyway in case a platform ever echoes it. The
 * original error is deliberately not kept as `cause`, so nothing unmasked travels on.
 */
function reasonOf(error: unknown, secret: string | undefined): string {
  const text = error instanceof Error ? error.message : String(error);
  return secret ? text.split(secret).join('[secret]') : text;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
