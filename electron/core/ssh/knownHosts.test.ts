import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsableKeyPair } from '../../../e2e/rig/keys';
import type { JumpgateError } from '../../../shared/model/errors';
import { hostKeyFromBlob, judgeHostKey, knownHostsName, KnownHostsStore, sshFingerprint, type HostKey } from './knownHosts';

/** A real public key of `type` (the store checks that a pinned blob parses), as its SSH wire blob. */
function fakeKey(type: 'ssh-ed25519' | 'ssh-rsa' | 'ecdsa-sha2-nistp256'): HostKey {
  const pair = parsableKeyPair(type === 'ssh-rsa' ? 'rsa' : type === 'ssh-ed25519' ? 'ed25519' : 'ecdsa');
  return hostKeyFromBlob(Buffer.from(pair.public.split(' ')[1] ?? '', 'base64'));
}

/** A blob that names `type` but whose body is not such a key. */
function junkBlob(type: string, body: Buffer = randomBytes(32)): Buffer {
  const name = Buffer.from(type);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(name.length);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([header, name, length, body]);
}

describe('KnownHostsStore', () => {
  let dir: string;
  let store: KnownHostsStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-kh-'));
    store = new KnownHostsStore(join(dir, 'nested', 'known_hosts'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names hosts the way OpenSSH does', () => {
    expect(knownHostsName('bastion.example.com', 22)).toBe('bastion.example.com');
    expect(knownHostsName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });

  it('pins a key in OpenSSH format with 0600 permissions and finds it again', async () => {
    const key = fakeKey('ssh-ed25519');
    expect(await store.keysFor('10.0.0.5', 2222)).toEqual([]);
    await store.pin('10.0.0.5', 2222, key);
    await store.pin('10.0.0.5', 2222, key); // idempotent
    const text = readFileSync(store.path, 'utf8');
    expect(text).toBe(`[10.0.0.5]:2222 ssh-ed25519 ${key.blob.toString('base64')}\n`);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    const found = await store.keysFor('10.0.0.5', 2222);
    expect(found).toHaveLength(1);
    expect(found[0]?.blob.equals(key.blob)).toBe(true);
    expect(await store.keysFor('10.0.0.5', 22)).toEqual([]);
  });

  it('reads hashed entries written by HashKnownHosts', async () => {
    const key = fakeKey('ssh-rsa');
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[jump.internal]:2200').digest();
    writeFileSync(store.path.replace('nested/', ''), '');
    store = new KnownHostsStore(join(dir, 'known_hosts'));
    writeFileSync(
      store.path,
      `# comment\n@cert-authority *.internal ssh-ed25519 AAAA\n|1|${salt.toString('base64')}|${hash.toString('base64')} ssh-rsa ${key.blob.toString('base64')}\n`,
    );
    const found = await store.keysFor('jump.internal', 2200);
    expect(found.map((entry) => entry.type)).toEqual(['ssh-rsa']);
    expect(await store.keysFor('other.internal', 2200)).toEqual([]);
  });

  it('replaces earlier keys only when asked', async () => {
    const old = fakeKey('ssh-ed25519');
    // A host's keys of several types sit side by side (a same-type second key is the mismatch case, below).
    const fresh = fakeKey('ssh-rsa');
    await store.pin('h', 22, old);
    await store.pin('h', 22, fresh);
    expect(await store.keysFor('h', 22)).toHaveLength(2);
    await store.pin('h', 22, fresh, { replace: true });
    const found = await store.keysFor('h', 22);
    expect(found).toHaveLength(1);
    expect(found[0]?.blob.equals(fresh.blob)).toBe(true);
  });

  // Issue #18: after a rebuilt jump box, forgetting its pin must not touch anything else in the file.
  it('forgets only the pins of one host:port (plain, in a host list, hashed) and keeps every other line as it was', async () => {
    store = new KnownHostsStore(join(dir, 'known_hosts'));
    const [mine, hashedMine, shared, other, revoked] = [fakeKey('ssh-ed25519'), fakeKey('ssh-rsa'), fakeKey('ecdsa-sha2-nistp256'), fakeKey('ssh-ed25519'), fakeKey('ssh-ed25519')];
    const b64 = (key: HostKey) => key.blob.toString('base64');
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[jump.internal]:2200').digest('base64')}`;
    const otherSalt = randomBytes(20);
    const hashedOther = `|1|${otherSalt.toString('base64')}|${createHmac('sha1', otherSalt).update('jump.internal').digest('base64')}`;
    const before = [
      '# the team bastions',
      `[jump.internal]:2200 ssh-ed25519 ${b64(mine)}`,
      `other.internal ssh-ed25519 ${b64(other)}`,
      '',
      `${hashed} ssh-rsa ${b64(hashedMine)}`,
      `${hashedOther} ssh-ed25519 ${b64(other)}`,
      `alias.internal,[jump.internal]:2200 ecdsa-sha2-nistp256 ${b64(shared)} a comment`,
      `jump.internal ssh-ed25519 ${b64(other)}`,
      `@revoked [jump.internal]:2200 ssh-ed25519 ${b64(revoked)}`,
      '',
    ].join('\n');
    writeFileSync(store.path, before);

    const removed = await store.forget('jump.internal', 2200);
    expect(removed.map((key) => [key.type, sshFingerprint(key.blob)])).toEqual([
      ['ssh-ed25519', sshFingerprint(mine.blob)],
      ['ssh-rsa', sshFingerprint(hashedMine.blob)],
      ['ecdsa-sha2-nistp256', sshFingerprint(shared.blob)],
    ]);
    expect(readFileSync(store.path, 'utf8')).toBe(
      [
        '# the team bastions',
        `other.internal ssh-ed25519 ${b64(other)}`,
        '',
        `${hashedOther} ssh-ed25519 ${b64(other)}`,
        `alias.internal ecdsa-sha2-nistp256 ${b64(shared)} a comment`,
        `jump.internal ssh-ed25519 ${b64(other)}`,
        `@revoked [jump.internal]:2200 ssh-ed25519 ${b64(revoked)}`,
        '',
      ].join('\n'),
    );
    expect(await store.keysFor('jump.internal', 2200)).toEqual([]);
    expect((await store.knownFor('jump.internal', 2200)).revoked).toHaveLength(1);
    expect(await store.keysFor('alias.internal', 22)).toHaveLength(1);
    expect(await store.keysFor('jump.internal', 22)).toHaveLength(2);

    // Nothing left to forget: nothing removed, the file not rewritten.
    const untouched = readFileSync(store.path, 'utf8');
    expect(await store.forget('jump.internal', 2200)).toEqual([]);
    expect(readFileSync(store.path, 'utf8')).toBe(untouched);
  });

  it('forgets nothing, and creates no file, where there is no known_hosts yet', async () => {
    expect(await store.forget('jump.internal', 22)).toEqual([]);
    expect(() => readFileSync(store.path)).toThrow(/ENOENT/);
  });

  // Issue #17: a host with a newline wrote an extra line, a lasting pin of any key for any host.
  it.each([
    ['a newline in the host', 'h\n* ssh-ed25519 AAAA', 22],
    ['a space in the host', 'h other', 22],
    ['a comma in the host', 'a,b', 22],
    ['a wildcard host', '*', 22],
    ['a hashed-looking host', '|1|abc|def', 22],
    ['a marker host', '@revoked', 22],
    ['an empty host', '', 22],
    ['port 0', 'h', 0],
    ['port 70000', 'h', 70000],
    ['a fractional port', 'h', 22.5],
  ])('refuses to pin with %s and leaves the file as it was', async (_what, host, port) => {
    const good = fakeKey('ssh-ed25519');
    await store.pin('h', 22, good);
    const before = readFileSync(store.path, 'utf8');
    const error = (await store.pin(host, port, fakeKey('ssh-ed25519')).catch((caught: unknown) => caught)) as JumpgateError;
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.hint).toBeTruthy();
    expect(readFileSync(store.path, 'utf8')).toBe(before);
  });

  it.each([
    ['an unknown key type', () => hostKeyFromBlob(junkBlob('ssh-foo'))],
    ['an ed25519 blob of the wrong length', () => hostKeyFromBlob(junkBlob('ssh-ed25519', randomBytes(31)))],
    ['an rsa blob that is random bytes', () => hostKeyFromBlob(junkBlob('ssh-rsa'))],
    ['a type that is not the blob\'s', () => ({ ...fakeKey('ssh-ed25519'), type: 'ssh-rsa' })],
    ['a type with a space', () => ({ ...fakeKey('ssh-ed25519'), type: 'ssh-ed25519 x' })],
  ])('refuses to pin %s', async (_what, makeKey) => {
    const error = (await store.pin('h', 22, makeKey()).catch((caught: unknown) => caught)) as JumpgateError;
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.hint).toBeTruthy();
    expect(await store.keysFor('h', 22)).toEqual([]);
  });

  // Issue #17: with a fixed temp name and no queue, two pins at once lost one while both reported success.
  it('keeps every one of many pins made at once, from one store and from two on the same file', async () => {
    const other = new KnownHostsStore(store.path);
    const hosts = Array.from({ length: 20 }, (_, index) => `host-${index}.internal`);
    const keys = hosts.map(() => fakeKey('ssh-ed25519'));
    await Promise.all(hosts.map((host, index) => (index % 2 === 0 ? store : other).pin(host, 22, keys[index]!)));
    for (const [index, host] of hosts.entries()) {
      const found = await store.keysFor(host, 22);
      expect(found.map((key) => key.blob.toString('base64'))).toEqual([keys[index]!.blob.toString('base64')]);
    }
    expect(readFileSync(store.path, 'utf8').trim().split('\n')).toHaveLength(20);
  });

  it('honours @revoked lines: a revoked key is judged revoked even when it is also pinned', async () => {
    const revoked = fakeKey('ssh-ed25519');
    // Another type: a second key of the same type is refused without `replace` (the mismatch guard).
    const fine = fakeKey('ecdsa-sha2-nistp256');
    await store.pin('jump.internal', 2200, revoked);
    await store.pin('jump.internal', 2200, fine);
    writeFileSync(store.path, readFileSync(store.path, 'utf8') + `@revoked * ssh-ed25519 ${revoked.blob.toString('base64')}\n`);
    const known = await store.knownFor('jump.internal', 2200);
    expect(known.pinned).toHaveLength(2);
    expect(judgeHostKey(known.pinned, revoked, known.revoked)).toBe('revoked');
    expect(judgeHostKey(known.pinned, fine, known.revoked)).toBe('trusted');
    // Revoked for a named host only; a negated pattern exempts a host.
    writeFileSync(store.path, `@revoked [jump.internal]:2200,!other ${fine.type} ${fine.blob.toString('base64')}\n`);
    const there = await store.knownFor('jump.internal', 2200);
    expect(judgeHostKey(there.pinned, fine, there.revoked)).toBe('revoked');
    const elsewhere = await store.knownFor('jump.internal', 22);
    expect(judgeHostKey(elsewhere.pinned, fine, elsewhere.revoked)).toBe('unknown');
    // A revoked key cannot be pinned again.
    const error = (await store.pin('jump.internal', 2200, fine).catch((caught: unknown) => caught)) as JumpgateError;
    expect(error.code).toBe('HOST_KEY_REVOKED');
  });

  it('refuses a second key of the same type for a host unless replacing (the HOST_KEY_MISMATCH case), and keeps other types beside it', async () => {
    const first = fakeKey('ssh-ed25519');
    const rebuilt = fakeKey('ssh-ed25519');
    await store.pin('jump.internal', 22, first);
    const before = readFileSync(store.path, 'utf8');
    const error = (await store.pin('jump.internal', 22, rebuilt).catch((caught: unknown) => caught)) as JumpgateError;
    expect(error.code).toBe('HOST_KEY_MISMATCH');
    expect(error.message).toContain(sshFingerprint(first.blob));
    expect(readFileSync(store.path, 'utf8')).toBe(before);
    // Another type, and the same key again, are fine; replace swaps the pin.
    await store.pin('jump.internal', 22, fakeKey('ssh-rsa'));
    await store.pin('jump.internal', 22, first);
    expect(await store.keysFor('jump.internal', 22)).toHaveLength(2);
    await store.pin('jump.internal', 22, rebuilt, { replace: true });
    expect((await store.keysFor('jump.internal', 22)).map((key) => key.blob.toString('base64'))).toEqual([rebuilt.blob.toString('base64')]);
  });

  it('judges keys: unknown, trusted, mismatch', () => {
    const pinned = fakeKey('ssh-ed25519');
    expect(judgeHostKey([], pinned)).toBe('unknown');
    expect(judgeHostKey([pinned], hostKeyFromBlob(Buffer.from(pinned.blob)))).toBe('trusted');
    expect(judgeHostKey([pinned], fakeKey('ssh-ed25519'))).toBe('mismatch');
    expect(judgeHostKey([pinned], fakeKey('ssh-rsa'))).toBe('mismatch');
  });

  it('prints fingerprints like ssh-keygen -l', () => {
    // Format check on a well-formed blob: 'SHA256:' and 43 base64 characters, no padding.
    const name = Buffer.from('ssh-ed25519');
    const blob = Buffer.concat([Buffer.from([0, 0, 0, name.length]), name, Buffer.from([0, 0, 0, 32]), Buffer.alloc(32)]);
    expect(sshFingerprint(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(() => hostKeyFromBlob(Buffer.from([0, 0, 0, 99, 1]))).toThrow(/truncated/);
  });
});
