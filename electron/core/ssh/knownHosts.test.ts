import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostKeyFromBlob, judgeHostKey, knownHostsName, KnownHostsStore, sshFingerprint, type HostKey } from './knownHosts';

function fakeKey(type: string): HostKey {
  const name = Buffer.from(type);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(name.length);
  return hostKeyFromBlob(Buffer.concat([header, name, randomBytes(32)]));
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
    const fresh = fakeKey('ssh-ed25519');
    await store.pin('h', 22, old);
    await store.pin('h', 22, fresh);
    expect(await store.keysFor('h', 22)).toHaveLength(2);
    await store.pin('h', 22, fresh, { replace: true });
    const found = await store.keysFor('h', 22);
    expect(found).toHaveLength(1);
    expect(found[0]?.blob.equals(fresh.blob)).toBe(true);
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
