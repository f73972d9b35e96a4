import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../e2e/rig/failure';
import { peerPath, peersAvailable } from '../../../e2e/rig/peers';
import { generateKey } from './keyGenerator';
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
});
