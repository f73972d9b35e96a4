import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsableKeyPair } from '../../../e2e/rig/keys';
import type { JumpgateBridge } from '../../../shared/bridge';
import { createDispatcher, invokerFor } from '../dispatcher';
import { createJumpgate, type Jumpgate } from '../service';
import { ProfileStore } from '../profiles/profileStore';
import { makeOpenSshKey } from '../../../e2e/rig/keys';
import { peersAvailable } from '../../../e2e/rig/peers';
import { SshdPeer } from '../../../e2e/rig/sshd';
import { closedPort } from '../../../e2e/rig/tcpPeers';
import { afterAll, beforeAll } from 'vitest';

function ed25519Base64(): string {
  return parsableKeyPair('ed25519').public.split(' ')[1] ?? '';
}

/** A blob naming `type` whose body is not such a key. */
function junkBase64(type: string): string {
  const name = Buffer.from(type);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(name.length);
  return Buffer.concat([header, name, Buffer.from([0, 0, 0, 32]), randomBytes(32)]).toString('base64');
}

describe('hostKeys:trust through the dispatcher', () => {
  let dataDir: string;
  let jumpgate: Jumpgate;
  let dispatch: JumpgateBridge['invoke'];
  let knownHostsPath: string;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'jumpgate-trust-'));
    knownHostsPath = join(dataDir, 'known_hosts');
    jumpgate = await createJumpgate({ dataDir, version: 'test' });
    dispatch = invokerFor(createDispatcher(jumpgate.handlers));
  });
  afterEach(async () => {
    await jumpgate.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Issue #17: a host with a newline wrote an extra line, a lasting pin of any key for any host.
  it.each([
    ['a newline in the host', { host: `jump.internal\n* ssh-ed25519 ${ed25519Base64()}`, port: 22, publicKey: ed25519Base64() }],
    ['a comma in the host', { host: 'jump.internal,*', port: 22, publicKey: ed25519Base64() }],
    ['a key of an unknown type', { host: 'jump.internal', port: 22, publicKey: junkBase64('ssh-foo') }],
    ['a blob too short to name a type', { host: 'jump.internal', port: 22, publicKey: Buffer.from('AAAAAAAAAAAAAAAAAAAA').toString('base64') }],
  ])('refuses %s at the contract with BAD_REQUEST and writes nothing', async (_what, request) => {
    const reply = await dispatch('hostKeys:trust', request);
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(existsSync(knownHostsPath)).toBe(false);
  });

  it('refuses a blob that names a known type but is not such a key, with a hint, and writes nothing', async () => {
    const reply = await dispatch('hostKeys:trust', { host: 'jump.internal', port: 22, publicKey: junkBase64('ssh-rsa') });
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', hint: expect.stringMatching(/exactly as Jumpgate presented it/) } });
    expect(existsSync(knownHostsPath)).toBe(false);
  });

  // Issue #17: two trusts at once lost one while both reported success (and were audited).
  it('keeps every key of twenty trusts sent at once, each reported trusted', async () => {
    const keys = Array.from({ length: 20 }, () => ed25519Base64());
    const replies = await Promise.all(keys.map((publicKey, index) => dispatch('hostKeys:trust', { host: `jump-${index}.internal`, port: 2200, publicKey })));
    // The refused ones, if any, with their errors: what went wrong shows in the failure itself.
    expect(replies.filter((reply) => !reply.ok)).toEqual([]);
    const lines = readFileSync(knownHostsPath, 'utf8').trim().split('\n');
    expect(lines.sort()).toEqual(keys.map((publicKey, index) => `[jump-${index}.internal]:2200 ssh-ed25519 ${publicKey}`).sort());
  });
});

/** The dispatcher's answer: the value, or the test fails with the coded error it got. */
function value<T>(reply: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.value;
}

describe('hostKeys:list and hostKeys:forget through the dispatcher', () => {
  let dataDir: string;
  let jumpgate: Jumpgate;
  let dispatch: JumpgateBridge['invoke'];

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'jumpgate-pins-'));
    jumpgate = await createJumpgate({ dataDir, version: 'test' });
    dispatch = invokerFor(createDispatcher(jumpgate.handlers));
  });
  afterEach(async () => {
    await jumpgate.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['a newline in the host', { host: 'jump.internal\n*', port: 22 }],
    ['a comma in the host', { host: 'jump.internal,*', port: 22 }],
    ['a wildcard host', { host: '*', port: 22 }],
    ['an empty host', { host: '', port: 22 }],
    ['port 0', { host: 'jump.internal', port: 0 }],
    ['port 65536', { host: 'jump.internal', port: 65536 }],
    ['a fractional port', { host: 'jump.internal', port: 22.5 }],
    ['a port as text', { host: 'jump.internal', port: '22' }],
  ])('refuses %s with BAD_REQUEST, for list and forget alike', async (_what, request) => {
    for (const channel of ['hostKeys:list', 'hostKeys:forget'] as const) {
      const reply = await dispatch(channel, request as never);
      expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(existsSync(join(dataDir, 'known_hosts'))).toBe(false);
  });

  it('lists the pins of one host:port with fingerprints and the file, and forget removes them, audited with the fingerprints', async () => {
    const [mine, other] = [ed25519Base64(), ed25519Base64()];
    const { fingerprint } = value(await dispatch('hostKeys:trust', { host: 'jump.internal', port: 2200, publicKey: mine }));
    value(await dispatch('hostKeys:trust', { host: 'other.internal', port: 22, publicKey: other }));
    const listed = value(await dispatch('hostKeys:list', { host: 'jump.internal', port: 2200 }));
    expect(listed).toEqual({ knownHostsPath: join(dataDir, 'known_hosts'), name: '[jump.internal]:2200', pinned: [{ keyType: 'ssh-ed25519', fingerprint, publicKey: mine }], revoked: [] });
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);

    const forgotten = value(await dispatch('hostKeys:forget', { host: 'jump.internal', port: 2200 }));
    expect(forgotten.removed).toEqual([{ keyType: 'ssh-ed25519', fingerprint, publicKey: mine }]);
    expect(value(await dispatch('hostKeys:list', { host: 'jump.internal', port: 2200 })).pinned).toEqual([]);
    expect(value(await dispatch('hostKeys:list', { host: 'other.internal', port: 22 })).pinned).toHaveLength(1);
    const audit = value(await dispatch('audit:list', {}));
    expect(audit[0]).toMatchObject({ kind: 'host-key-forgotten', detail: `jump.internal:2200: removed ssh-ed25519 ${fingerprint} from ${join(dataDir, 'known_hosts')}` });

    // Forgetting again removes nothing and leaves no audit line.
    expect(value(await dispatch('hostKeys:forget', { host: 'jump.internal', port: 2200 })).removed).toEqual([]);
    expect(value(await dispatch('audit:list', {})).filter((entry) => entry.kind === 'host-key-forgotten')).toHaveLength(1);
  });
});

describe.skipIf(!peersAvailable('sshd', 'ssh-keygen'))('hostKeys:probe and hostKeys:trustPresented on a real sshd', () => {
  let dir: string;
  let sshd: SshdPeer;
  let keyPath: string;
  let jumpgate: Jumpgate;
  let dispatch: JumpgateBridge['invoke'];
  const fingerprintOf = (presented: { fingerprint: string } | undefined) => presented?.fingerprint ?? 'none presented';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-probe-'));
    const key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    keyPath = key.privatePath;
    sshd = await SshdPeer.start({ authorizedKeys: [key.publicKey], hostKeyTypes: ['ed25519'] });
    const store = new ProfileStore({ path: join(dir, 'data', 'profiles.json') });
    await store.load();
    const hop = { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key' as const, keyPath } };
    await store.upsert({ id: 'rig', name: 'Rig', jumpHost: { ...hop, via: [] } });
    // The same box reached through itself: a ProxyJump route of two hops on one sshd.
    await store.upsert({ id: 'twice', name: 'Twice', jumpHost: { ...hop, via: [hop] } });
    await store.upsert({ id: 'gone', name: 'Gone', jumpHost: { ...hop, port: await closedPort(), via: [] } });
    jumpgate = await createJumpgate({ dataDir: join(dir, 'data'), version: 'test', pool: { readyTimeoutMs: 5000 } });
    dispatch = invokerFor(createDispatcher(jumpgate.handlers));
  });
  afterAll(async () => {
    await jumpgate?.dispose();
    await sshd?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a malformed fingerprint, an unknown profile and a hop the route does not have', async () => {
    expect(await dispatch('hostKeys:trustPresented', { profileId: 'rig', fingerprint: 'SHA256:short' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await dispatch('hostKeys:trustPresented', { profileId: 'rig', fingerprint: sshd.hostKeys[0]!.fingerprint, hop: -1 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await dispatch('hostKeys:trustPresented', { profileId: 'rig', fingerprint: sshd.hostKeys[0]!.fingerprint, hop: 1 })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', details: { rule: 'hop' } },
    });
    expect(await dispatch('hostKeys:probe', { profileId: 'nobody' })).toMatchObject({ ok: false, error: { code: 'PROFILE_NOT_FOUND' } });
    expect(await dispatch('hostKeys:probe', { profileId: '' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('answers an unreachable jump box with its coded error, not a failure', async () => {
    const { hops } = value(await dispatch('hostKeys:probe', { profileId: 'gone' }));
    expect(hops).toHaveLength(1);
    expect(hops[0]?.presented).toBeUndefined();
    expect(hops[0]?.error?.code).toBe('JUMP_HOST_UNREACHABLE');
  });

  it('probes, refuses a wrong fingerprint naming both, pins the right one, and replaces a changed key only when asked', async () => {
    const first = sshd.hostKeys[0]!.fingerprint;
    const unknown = value(await dispatch('hostKeys:probe', { profileId: 'rig' })).hops;
    expect(unknown).toEqual([{ host: sshd.host, port: sshd.port, presented: expect.objectContaining({ keyType: 'ssh-ed25519', fingerprint: first }), verdict: 'unknown' }]);

    const wrong = sshd.hostKeys[0]!.fingerprint.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));
    const refused = await dispatch('hostKeys:trustPresented', { profileId: 'rig', fingerprint: wrong });
    expect(refused).toMatchObject({ ok: false, error: { code: 'HOST_KEY_NOT_CONFIRMED', details: { fingerprint: first, given: wrong } } });
    expect(!refused.ok && refused.error.message).toContain(first);
    expect(!refused.ok && refused.error.message).toContain(wrong);
    expect(value(await dispatch('hostKeys:list', { host: sshd.host, port: sshd.port })).pinned).toEqual([]);

    expect(value(await dispatch('hostKeys:trustPresented', { profileId: 'rig', fingerprint: first }))).toMatchObject({ outcome: 'pinned', pinned: { fingerprint: first }, replaced: [] });
    expect(value(await dispatch('hostKeys:probe', { profileId: 'rig' })).hops[0]?.verdict).toBe('trusted');
    expect(value(await dispatch('hostKeys:trustPresented', { profileId: 'rig', fingerprint: first })).outcome).toBe('unchanged');

    // The jump box is rebuilt on the same address.
    await sshd.regenerateHostKeys();
    await sshd.restart();
    const second = sshd.hostKeys[0]!.fingerprint;
    expect(second).not.toBe(first);
    const changed = value(await dispatch('hostKeys:probe', { profileId: 'rig' })).hops[0];
    expect([fingerprintOf(changed?.presented), changed?.verdict]).toEqual([second, 'mismatch']);
    const notReplaced = await dispatch('hostKeys:trustPresented', { profileId: 'rig', fingerprint: second });
    expect(notReplaced).toMatchObject({ ok: false, error: { code: 'HOST_KEY_MISMATCH', details: { fingerprint: second, expected: `ssh-ed25519 ${first}` } } });
    expect(!notReplaced.ok && notReplaced.error.hint).toContain(`jumpgate host-key trust rig --fingerprint ${second} --replace`);
    expect(value(await dispatch('hostKeys:list', { host: sshd.host, port: sshd.port })).pinned.map((key) => key.fingerprint)).toEqual([first]);

    const replaced = value(await dispatch('hostKeys:trustPresented', { profileId: 'rig', fingerprint: second, replace: true }));
    expect(replaced).toMatchObject({ outcome: 'replaced', pinned: { fingerprint: second }, replaced: [{ keyType: 'ssh-ed25519', fingerprint: first }] });
    expect(value(await dispatch('hostKeys:list', { host: sshd.host, port: sshd.port })).pinned.map((key) => key.fingerprint)).toEqual([second]);
    const trusted = value(await dispatch('audit:list', {})).filter((entry) => entry.kind === 'host-key-trusted');
    expect(trusted.map((entry) => entry.detail)).toEqual([
      `${sshd.host}:${sshd.port} ssh-ed25519 ${second} (replacing ssh-ed25519 ${first}) in ${join(dir, 'data', 'known_hosts')}`,
      `${sshd.host}:${sshd.port} ssh-ed25519 ${first} (confirmed by its fingerprint) in ${join(dir, 'data', 'known_hosts')}`,
    ]);
  });

  it('probes each hop of a ProxyJump route, the inner one through the outer, and says when the outer one stops the way', async () => {
    const current = sshd.hostKeys[0]!.fingerprint;
    value(await dispatch('hostKeys:forget', { host: sshd.host, port: sshd.port }));
    const blocked = value(await dispatch('hostKeys:probe', { profileId: 'twice' })).hops;
    expect(blocked[0]).toMatchObject({ verdict: 'unknown', presented: { fingerprint: current } });
    expect(blocked[1]?.error).toMatchObject({ code: 'JUMP_HOST_UNREACHABLE', message: expect.stringMatching(/was not reached: the hop before it, .* failed \(HOST_KEY_UNKNOWN: /) });

    value(await dispatch('hostKeys:trustPresented', { profileId: 'twice', hop: 0, fingerprint: current }));
    const through = value(await dispatch('hostKeys:probe', { profileId: 'twice' })).hops;
    expect(through.map((hop) => [hop.port, hop.verdict, fingerprintOf(hop.presented)])).toEqual([
      [sshd.port, 'trusted', current],
      [sshd.port, 'trusted', current],
    ]);
  });
});
