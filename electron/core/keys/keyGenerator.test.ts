import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../e2e/rig/failure';
import { parsableKeyPair } from '../../../e2e/rig/keys';
import { peerPath, peersAvailable } from '../../../e2e/rig/peers';
import ssh2 from 'ssh2';
import { generateKey, type KeyPairText } from './keyGenerator';
import { loadPrivateKeyFile } from '../ssh/keyLoader';

const run = promisify(execFile);
const PASSPHRASE = 'first lögin ✓ 2026';

describe.skipIf(!peersAvailable('ssh-keygen'))('generating SSH keys', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jumpgate-keygen-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes an encrypted ed25519 key that OpenSSH opens with the passphrase, private 0600, public with its comment', async () => {
    const key = await generateKey({ type: 'ed25519', path: join(dir, 'keys', 'id_ed25519'), passphrase: PASSPHRASE, comment: 'alice@laptop' });
    expect((await stat(key.privatePath)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'keys'))).mode & 0o777).toBe(0o700);
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ alice@laptop$/);
    expect((await readFile(key.publicPath, 'utf8')).trim()).toBe(key.publicKey);
    expect(await readFile(key.privatePath, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);

    // ssh-keygen derives the same public key from the private file, given the passphrase, and the same fingerprint.
    const { stdout } = await run(peerPath('ssh-keygen'), ['-y', '-P', PASSPHRASE, '-f', key.privatePath]);
    expect(stdout.trim().split(' ').slice(0, 2)).toEqual(key.publicKey.split(' ').slice(0, 2));
    const listed = await run(peerPath('ssh-keygen'), ['-l', '-f', key.publicPath]);
    expect(listed.stdout).toContain(key.fingerprint);

    // Without the passphrase it is locked, for OpenSSH and for us.
    await expect(run(peerPath('ssh-keygen'), ['-y', '-P', 'wrong', '-f', key.privatePath])).rejects.toThrow();
    expect((await failure(loadPrivateKeyFile(key.privatePath, { passphrase: 'wrong' }))).code).toBe('BAD_PASSPHRASE');
  });

  it('writes an RSA-4096 key without a passphrase when none is given', async () => {
    const key = await generateKey({ type: 'rsa', path: join(dir, 'id_rsa'), comment: 'ci@build' });
    const { stdout } = await run(peerPath('ssh-keygen'), ['-l', '-f', key.privatePath]);
    expect(stdout).toMatch(/^4096 SHA256:\S+ .*\(RSA\)/);
    expect((await loadPrivateKeyFile(key.privatePath)).type).toBe('ssh-rsa');
  });

  it('never overwrites an existing key or leaves half a pair', async () => {
    const path = join(dir, 'taken');
    await writeFile(path, 'the key someone already uses\n', { mode: 0o600 });
    const error = await failure(generateKey({ type: 'ed25519', path, comment: 'x' }));
    expect(error.code).toBe('KEY_EXISTS');
    expect(error.hint).toMatch(/another file name/);
    expect(await readFile(path, 'utf8')).toBe('the key someone already uses\n');

    // A stray .pub beside a free private path: the private key written first is taken back.
    const lonely = join(dir, 'lonely');
    await writeFile(`${lonely}.pub`, 'old public key\n');
    expect((await failure(generateKey({ type: 'ed25519', path: lonely, comment: 'x' }))).code).toBe('KEY_EXISTS');
    await expect(stat(lonely)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(`${lonely}.pub`, 'utf8')).toBe('old public key\n');
  });

  describe('a bad draw from the generator', () => {
    // ssh2's own generator makes one such pair in about 256 (mscdex/ssh2#1390): its public key lost a leading zero byte.
    let broken: KeyPairText;
    beforeAll(() => {
      for (let i = 0; i < 20_000 && !broken; i++) {
        const pair = ssh2.utils.generateKeyPairSync('ed25519');
        if (ssh2.utils.parseKey(pair.public) instanceof Error) broken = pair;
      }
      expect(broken, 'no over-stripped ed25519 key in 20,000 draws: has ssh2 fixed its keygen?').toBeDefined();
    });

    it('is drawn again before anything is written, and the key that lands loads', async () => {
      const draws: KeyPairText[] = [broken];
      let calls = 0;
      const key = await generateKey({ type: 'ed25519', path: join(dir, 'redrawn'), comment: 'bob@desk' }, async () => {
        calls += 1;
        return draws.shift() ?? ssh2.utils.generateKeyPairSync('ed25519', { comment: 'bob@desk' });
      });
      expect(calls).toBe(2);
      expect(await readFile(key.privatePath, 'utf8')).not.toBe(broken.private);
      const { stdout } = await run(peerPath('ssh-keygen'), ['-y', '-f', key.privatePath]);
      expect(stdout.trim().split(' ').slice(0, 2)).toEqual(key.publicKey.split(' ').slice(0, 2));
    });

    it('fails with nothing on disk when every draw is bad', async () => {
      const path = join(dir, 'never');
      const error = await failure(generateKey({ type: 'ed25519', path, comment: 'x' }, async () => broken));
      expect(error.code).toBe('INTERNAL');
      expect(error.message).toMatch(/8 unreadable ed25519 keys in a row/);
      expect(error.hint).toMatch(/ssh-keygen/);
      await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(stat(`${path}.pub`)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('takes the pair back when the private key written does not load', async () => {
      // ssh2's own generator draws an unreadable public key about once in 256 (the bug above): the
      // test needs a pair whose public half is fine and whose private half it then truncates.
      const good = parsableKeyPair('ed25519');
      const truncated = { public: good.public, private: good.private.replace(/\n[^\n]+\n-----END/, '\n-----END') };
      const path = join(dir, 'truncated');
      expect((await failure(generateKey({ type: 'ed25519', path, comment: 'x' }, async () => truncated))).code).toBe('KEY_UNREADABLE');
      await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(stat(`${path}.pub`)).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });
});
