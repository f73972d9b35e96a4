/**
 * Keys that are slow, huge or not files (issue #17): the passphrase derivation is bounded and
 * runs off the main thread; key paths are read only when they are regular files, with a bound.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOpenSshKey, makePuttyKey } from '../../../e2e/rig/keys';
import type { RigKey } from '../../../e2e/rig/keys';
import { peersAvailable } from '../../../e2e/rig/peers';
import { JumpgateError } from '../../../shared/model/errors';
import { loadPrivateKeyFile, MAX_BCRYPT_ROUNDS, parsePrivateKey, readPublicKeyFile } from './keyLoader';
import { MAX_ARGON2_MEMORY_KIB, MAX_ARGON2_MEMORY_TIMES_PASSES } from './ppk';
import { SshReader, SshWriter } from './sshWire';

const run = promisify(execFile);
const PASSPHRASE = 'slow but fine 17';
const WRONG = 'not the passphrase';

async function caught(promise: Promise<unknown>): Promise<JumpgateError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(JumpgateError);
    return error as JumpgateError;
  }
  throw new Error('expected the key loader to throw');
}

/** The same OpenSSH key file with its bcrypt rounds replaced (the salt, cipher and keys kept). */
function withRounds(text: string, rounds: number): string {
  const body = Buffer.from(text.split('\n').filter((line) => line !== '' && !line.startsWith('-----')).join(''), 'base64');
  const reader = new SshReader(body);
  const magic = reader.readBytes(15);
  const cipher = reader.readString();
  const kdf = reader.readString();
  const options = new SshReader(reader.readString());
  const salt = options.readString();
  const rest = reader.readBytes(reader.remaining);
  const patched = new SshWriter()
    .raw(magic)
    .string(cipher)
    .string(kdf)
    .string(new SshWriter().string(salt).uint32(rounds).toBuffer())
    .raw(rest)
    .toBuffer();
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${patched.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/**
 * Counts timer ticks while `work` runs: a derivation on the main thread lets none fire.
 * (setInterval at 10 ms; the unlocks measured take hundreds of ms.)
 */
async function ticksDuring<T>(work: () => Promise<T>): Promise<{ ticks: number; ms: number; result: PromiseSettledResult<T> }> {
  let ticks = 0;
  const interval = setInterval(() => {
    ticks += 1;
  }, 10);
  const started = performance.now();
  const [result] = await Promise.allSettled([work()]);
  const ms = performance.now() - started;
  clearInterval(interval);
  return { ticks, ms, result: result! };
}

describe.skipIf(!peersAvailable('puttygen', 'ssh-keygen'))('key derivation cost (#17)', () => {
  let dir: string;
  let openssh100: RigKey;
  let ppkSlow: RigKey;
  let ppkDefault: RigKey;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jumpgate-kdf-'));
    // ssh-keygen -a 100: the usual "stronger" advice, 6x ssh-keygen's default of 16.
    openssh100 = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh', passphrase: PASSPHRASE, rounds: 100 });
    // Argon2 slow enough to watch (8 MiB x 150 passes, inside the bounds).
    ppkSlow = await makePuttyKey(dir, { type: 'ed25519', ppkVersion: 3, passphrase: PASSPHRASE, ppkParams: 'passes=150' });
    ppkDefault = await makePuttyKey(dir, { type: 'ed25519', ppkVersion: 3, passphrase: PASSPHRASE });
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('unlocks an ssh-keygen -a 100 key off the main thread: timers keep firing', async () => {
    const { ticks, ms, result } = await ticksDuring(() => loadPrivateKeyFile(openssh100.privatePath, { passphrase: PASSPHRASE }));
    if (result.status === 'rejected') throw result.reason;
    expect(result.value.publicKey.split(' ')[1]).toBe(openssh100.publicKey.split(' ')[1]);
    // On the main thread: 0 or 1 tick in ~2 s. Off it: about one every 10 ms (allow a loaded machine).
    expect(ticks).toBeGreaterThan(Math.min(20, ms / 40));
  });

  it('reports a wrong passphrase for a slow OpenSSH key as BAD_PASSPHRASE, still off the main thread', async () => {
    const { ticks, ms, result } = await ticksDuring(() => loadPrivateKeyFile(openssh100.privatePath, { passphrase: WRONG }));
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'BAD_PASSPHRASE' });
    expect(ticks).toBeGreaterThan(Math.min(20, ms / 40));
  });

  it('refuses 2^16 bcrypt rounds with the numbers, at once, before asking for a passphrase', async () => {
    const greedy = withRounds(await readFile(openssh100.privatePath, 'latin1'), 65536);
    for (const options of [{ passphrase: PASSPHRASE }, {}]) {
      const started = performance.now();
      const error = await caught(parsePrivateKey(greedy, { ...options, sourceName: 'greedy' }));
      expect(performance.now() - started).toBeLessThan(500);
      expect(error.code).toBe('KEY_KDF_TOO_EXPENSIVE');
      expect(error.message).toMatch(/65536 bcrypt rounds/);
      expect(error.message).toContain(String(MAX_BCRYPT_ROUNDS));
      expect(error.toInfo().details).toEqual({ format: 'openssh', kdf: 'bcrypt', rounds: 65536, maxRounds: MAX_BCRYPT_ROUNDS });
    }
    // Its public half needs no derivation, so the checklist can still show it.
    const path = join(dir, 'greedy-openssh');
    await writeFile(path, greedy, { mode: 0o600 });
    expect((await readPublicKeyFile(path)).publicKey.split(' ')[1]).toBe(openssh100.publicKey.split(' ')[1]);
  });

  it('unlocks a PPK v3 with slow Argon2 off the main thread, and a wrong passphrase is BAD_PASSPHRASE', async () => {
    const { ticks, ms, result } = await ticksDuring(() => loadPrivateKeyFile(ppkSlow.privatePath, { passphrase: PASSPHRASE }));
    if (result.status === 'rejected') throw result.reason;
    expect(result.value.publicKey.split(' ')[1]).toBe(ppkSlow.publicKey.split(' ')[1]);
    expect(ticks).toBeGreaterThan(Math.min(20, ms / 40));
    const wrong = await caught(loadPrivateKeyFile(ppkSlow.privatePath, { passphrase: WRONG }));
    expect(wrong.code).toBe('BAD_PASSPHRASE');
  });

  it("loads PuTTYgen's default Argon2 parameters", async () => {
    const text = await readFile(ppkDefault.privatePath, 'latin1');
    expect(text).toMatch(/^Argon2-Memory: 8192\r?$/m);
    const loaded = await loadPrivateKeyFile(ppkDefault.privatePath, { passphrase: PASSPHRASE });
    expect(loaded.publicKey.split(' ')[1]).toBe(ppkDefault.publicKey.split(' ')[1]);
  });

  it('refuses Argon2 memory or memory x passes above the bounds with the numbers, without running Argon2', async () => {
    const text = await readFile(ppkDefault.privatePath, 'latin1');
    const huge = [
      { memory: 1024 * 1024, passes: 3, why: /Argon2-Memory 1048576 KiB/ },
      { memory: 8192, passes: 1000, why: /8192 KiB x Argon2-Passes 1000 = 8192000/ },
    ];
    for (const { memory, passes, why } of huge) {
      const greedy = text.replace(/^Argon2-Memory: \d+/m, `Argon2-Memory: ${memory}`).replace(/^Argon2-Passes: \d+/m, `Argon2-Passes: ${passes}`);
      const started = performance.now();
      const error = await caught(parsePrivateKey(greedy, { passphrase: PASSPHRASE }));
      expect(performance.now() - started).toBeLessThan(500);
      expect(error.code).toBe('KEY_KDF_TOO_EXPENSIVE');
      expect(error.message).toMatch(why);
      expect(error.toInfo().details).toEqual({
        format: 'ppk3',
        kdf: 'argon2',
        memoryKiB: memory,
        passes,
        maxMemoryKiB: MAX_ARGON2_MEMORY_KIB,
        maxMemoryTimesPasses: MAX_ARGON2_MEMORY_TIMES_PASSES,
      });
    }
  });
});

describe.skipIf(process.platform === 'win32')('key paths that are not regular files (#17)', () => {
  let dir: string;
  const fifos: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jumpgate-keypath-'));
    // More FIFOs than libuv has pool threads (4): a blocking open of each would starve the pool.
    for (let i = 0; i < 6; i++) {
      const path = join(dir, `fifo-${i}`);
      await run('mkfifo', [path]);
      fifos.push(path);
    }
  });

  afterAll(async () => {
    // Had a reader blocked in open() (the old code), a writer's open releases it so the worker can exit.
    for (const path of fifos) {
      await open(path, constants.O_WRONLY | constants.O_NONBLOCK).then((handle) => handle.close(), () => undefined);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses /dev/zero as a key path at once, without reading it', async () => {
    const started = performance.now();
    const error = await caught(loadPrivateKeyFile('/dev/zero'));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.code).toBe('KEY_UNREADABLE');
    expect(error.message).toMatch(/not a regular file \(a device\)/);
    expect((await caught(readPublicKeyFile('/dev/zero'))).code).toBe('KEY_UNREADABLE');
  });

  it('refuses FIFOs as key paths at once, and other file requests meanwhile complete', async () => {
    const loads = fifos.map((path) => caught(loadPrivateKeyFile(path, { passphrase: PASSPHRASE })));
    // An unrelated request through the same thread pool.
    const other = join(dir, 'unrelated.txt');
    await writeFile(other, 'still served');
    expect(await readFile(other, 'utf8')).toBe('still served');
    for (const error of await Promise.all(loads)) {
      expect(error.code).toBe('KEY_UNREADABLE');
      expect(error.message).toMatch(/not a regular file \(a named pipe\)/);
    }
  }, 3000);
});
