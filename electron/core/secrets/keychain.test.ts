import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failure } from '../../../e2e/rig/failure';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SECRET_SERVICE_PEER_NAMES,
  secretToolLookup,
  startSecretService,
  type SecretServicePeer,
} from '../../../e2e/rig/secretService';
import { peersAvailable } from '../../../e2e/rig/peers';
import { createOsKeychain, jumpHostPasswordAccount, passphraseAccount, type Keychain } from './keychain';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');


describe('keychain account names', () => {
  it('files a passphrase under the absolute, normalized key path', () => {
    expect(passphraseAccount('/keys/../keys//prod.ppk')).toBe(`ssh-key-passphrase:${resolve('/keys/prod.ppk')}`);
    expect(passphraseAccount('keys/prod.ppk')).toBe(`ssh-key-passphrase:${resolve('keys/prod.ppk')}`);
    expect(passphraseAccount('~/.ssh/id_ed25519')).toBe(`ssh-key-passphrase:${join(homedir(), '.ssh', 'id_ed25519')}`);
  });

  it('refuses an empty key path instead of filing it under the working directory', () => {
    expect(() => passphraseAccount('  ')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('names a jump host password by user, host and port, with IPv6 bracketed', () => {
    expect(jumpHostPasswordAccount('ec2-user', 'Bastion.Example.com', 22)).toBe('jump-host-password:ec2-user@bastion.example.com:22');
    expect(jumpHostPasswordAccount('ops', '2001:db8::1', 2222)).toBe('jump-host-password:ops@[2001:db8::1]:2222');
    expect(jumpHostPasswordAccount('ops', 'h', 22)).not.toBe(jumpHostPasswordAccount('ops', 'h', 2222));
    expect(() => jumpHostPasswordAccount('ops', 'h', 0)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});

const onLinux = process.platform === 'linux';
if (!onLinux) console.warn('SKIP keychain tests against gnome-keyring: they need Linux and a D-Bus session bus');
const withSecretService = onLinux && peersAvailable(...SECRET_SERVICE_PEER_NAMES);

// libdbus reads DBUS_SESSION_BUS_ADDRESS once per process and keeps it, so this file
// points the process at the rig before its first keychain call and never re-points it.
// That relies on vitest's default 'forks' pool (a process per file, where process.env
// writes reach the C environment); under 'threads' the binding would not see it.
describe.skipIf(!withSecretService)('the OS keychain against a real gnome-keyring', () => {
  let secrets: SecretServicePeer;
  let keychain: Keychain;
  const savedAddress = process.env.DBUS_SESSION_BUS_ADDRESS;

  beforeAll(async () => {
    secrets = await startSecretService();
    process.env.DBUS_SESSION_BUS_ADDRESS = secrets.env.DBUS_SESSION_BUS_ADDRESS;
    keychain = createOsKeychain();
  });

  afterAll(async () => {
    if (savedAddress === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = savedAddress;
    await secrets?.dispose();
  });

  /** What another program sees in the Secret Service: keyring-rs files entries under 'service' and 'username'. */
  const lookup = (account: string) => secretToolLookup(secrets, { service: 'jumpgate', username: account });

  it('stores, reads and deletes a secret, and the Secret Service really holds it', async () => {
    const account = passphraseAccount('/keys/prod.ppk');
    await keychain.set(account, 'correct horse battery staple');

    expect(await keychain.get(account)).toBe('correct horse battery staple');
    expect(await lookup(account)).toBe('correct horse battery staple');

    expect(await keychain.delete(account)).toBe(true);
    expect(await keychain.get(account)).toBeUndefined();
    expect(await lookup(account)).toBeUndefined();
  });

  it('replaces a stored secret, and deletes it only once', async () => {
    const account = jumpHostPasswordAccount('ops', 'bastion.example.com', 22);
    await keychain.set(account, 'first');
    await keychain.set(account, 'second');
    expect(await keychain.get(account)).toBe('second');
    expect(await lookup(account)).toBe('second');
    expect(await keychain.delete(account)).toBe(true);
    expect(await keychain.delete(account)).toBe(false);
  });

  it('keeps unicode and long secrets intact', async () => {
    const unicode = 'pässwörd 🔑 密码 \u0301\ttab "quotes" \\ back\nslash';
    const long = Array.from({ length: 20_000 }, (_, i) => String.fromCharCode(33 + (i % 94))).join('') + '🔐'.repeat(1000);
    const cases = { unicode, long };
    for (const [name, secret] of Object.entries(cases)) {
      await keychain.set(`case:${name}`, secret);
      expect(await keychain.get(`case:${name}`), name).toBe(secret);
      expect(await lookup(`case:${name}`), name).toBe(secret);
      expect(await keychain.delete(`case:${name}`)).toBe(true);
    }
  });

  it('answers undefined for an account it never stored, and false when deleting one', async () => {
    expect(await keychain.get('never-stored')).toBeUndefined();
    expect(await keychain.delete('never-stored')).toBe(false);
  });

  it('keeps accounts and services apart', async () => {
    const a = passphraseAccount('/keys/a');
    const b = passphraseAccount('/keys/a.pub');
    const other = createOsKeychain({ service: 'jumpgate-other' });
    await keychain.set(a, 'secret-a');
    await keychain.set(b, 'secret-b');

    expect(await keychain.get(a)).toBe('secret-a');
    expect(await keychain.get(b)).toBe('secret-b');
    expect(await other.get(a)).toBeUndefined();
    expect(await other.delete(a)).toBe(false);

    expect(await keychain.delete(a)).toBe(true);
    expect(await keychain.get(b)).toBe('secret-b');
    expect(await lookup(b)).toBe('secret-b');
    expect(await keychain.delete(b)).toBe(true);
  });

  // Last: gnome-keyring cannot be unlocked again without a prompt (see SecretServicePeer.lock).
  it('reports a locked keyring as KEYCHAIN_UNAVAILABLE, never with the secret in it', async () => {
    await keychain.set('before-lock', 'kept');
    await secrets.lock();
    const secret = 'locked-out-secret-9f3b';

    // Thunks, not promises: a second call started early could reject before anyone awaits it.
    for (const attempt of [() => keychain.set('after-lock', secret), () => keychain.get('before-lock')]) {
      const error = await failure(attempt());
      expect(error.code).toBe('KEYCHAIN_UNAVAILABLE');
      expect(error.message).toMatch(/Secret Service \(gnome-keyring or KWallet\) is not running or is locked/);
      expect(error.hint).toMatch(/unlock/i);
      expect(JSON.stringify({ ...error.toInfo(), details: error.details })).not.toContain(secret);
    }
    // No prompt-less unlock exists: the item was not lost, the store just refused to hand it out.
    expect(await failure(keychain.delete('before-lock'))).toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
  });
});

interface ChildOutcome {
  code?: string;
  message?: string;
  hint?: string;
  details?: Record<string, unknown>;
  ok?: boolean;
}

/**
 * Runs the keychain in a fresh Node process with the given environment: the only way
 * to try a different bus address, since libdbus keeps the first one it read.
 */
function keychainInChild(env: NodeJS.ProcessEnv, secret: string): Promise<Record<'set' | 'get' | 'delete', ChildOutcome>> {
  const module = new URL('./keychain.ts', import.meta.url).href;
  const script = `
    const { createOsKeychain } = await import(${JSON.stringify(module)});
    const keychain = createOsKeychain();
    const attempts = {
      set: () => keychain.set('ssh-key-passphrase:/keys/prod.ppk', ${JSON.stringify(secret)}),
      get: () => keychain.get('ssh-key-passphrase:/keys/prod.ppk'),
      delete: () => keychain.delete('ssh-key-passphrase:/keys/prod.ppk'),
    };
    const outcome = {};
    for (const [name, attempt] of Object.entries(attempts)) {
      try {
        await attempt();
        outcome[name] = { ok: true };
      } catch (error) {
        outcome[name] = { code: error.code, message: error.message, hint: error.hint, details: error.details };
      }
    }
    process.stdout.write(JSON.stringify(outcome));
  `;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`keychain child exited with ${code}:\n${stderr}`));
      else resolvePromise(JSON.parse(stdout) as Record<'set' | 'get' | 'delete', ChildOutcome>);
    });
  });
}

/** A unix socket file whose listener is gone: what a crashed session bus leaves behind. */
function deadSocket(dir: string): Promise<string> {
  const path = join(dir, 'bus');
  const listenThenDie = `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['-e', listenThenDie], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolvePromise(path);
      else reject(new Error(`the socket holder exited on its own (${signal ?? _code}), not killed after listening`));
    });
  });
}

describe.skipIf(!onLinux)('the OS keychain with no Secret Service reachable', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-nobus-'));
    mkdirSync(join(dir, 'runtime'), { mode: 0o700 });
    mkdirSync(join(dir, 'dead'), { mode: 0o700 });
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // The child's environment is built from scratch: nothing may reach the developer's real
  // session bus (libdbus would otherwise find $XDG_RUNTIME_DIR/bus on its own).
  const isolated = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: dir,
    XDG_RUNTIME_DIR: join(dir, 'runtime'),
    ...extra,
  });

  const expectUnavailable = (outcome: Record<string, ChildOutcome>, secret: string): void => {
    for (const [name, result] of Object.entries(outcome)) {
      expect(result.code, name).toBe('KEYCHAIN_UNAVAILABLE');
      expect(result.message, name).toBe(
        'The system keychain is unavailable: the Secret Service (gnome-keyring or KWallet) is not running or is locked.',
      );
      expect(result.hint, name).toMatch(/gnome-keyring or KWallet/);
      expect(JSON.stringify(result), name).not.toContain(secret);
    }
  };

  it('fails with a coded error and a hint when the bus socket is dead', async () => {
    const secret = 'dead-bus-secret-51c2';
    const socket = await deadSocket(join(dir, 'dead'));
    const outcome = await keychainInChild(isolated({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}` }), secret);
    expectUnavailable(outcome, secret);
    // The bus itself failed, not a silent fallback to another store (the kernel keyring) that then failed.
    expect(outcome.set.details?.reason).toMatch(/Failed to connect to socket .*: Connection refused/);
  });

  it('fails the same way when the process has no session bus address at all', async () => {
    const secret = 'no-bus-secret-7e01';
    const outcome = await keychainInChild(isolated({}), secret);
    expectUnavailable(outcome, secret);
    expect(outcome.get.details?.reason).toMatch(/DBus error/);
  });
});
