import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickPort } from '../../../e2e/rig/daemon';
import { trustSshd } from '../../../e2e/rig/engine';
import { peersAvailable } from '../../../e2e/rig/peers';
import { SshdPeer } from '../../../e2e/rig/sshd';
import { roundTrip, startEchoServer, type TcpPeer } from '../../../e2e/rig/tcpPeers';
import type { JumpgateBridge } from '../../../shared/bridge';
import type { Reply } from '../../../shared/contract';
import { createDispatcher, invokerFor } from '../dispatcher';
import { createJumpgate, type Jumpgate } from '../service';
import { KnownHostsStore } from '../ssh/knownHosts';
import { defaultIdentity } from './defaultIdentity';

function value<T>(reply: Reply<T>): T {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.value;
}

describe('the key a new login uses by default (issue #16)', () => {
  let sshDir: string;
  beforeAll(() => {
    sshDir = mkdtempSync(join(tmpdir(), 'jumpgate-default-key-'));
  });
  afterAll(() => rmSync(sshDir, { recursive: true, force: true }));

  it('takes the key made in Jumpgate, else the first of OpenSSH default identities, else the agent', async () => {
    expect(await defaultIdentity(undefined, sshDir)).toEqual({ source: 'agent' });
    // A directory where a key would be is not a key.
    mkdirSync(join(sshDir, 'id_ed25519'));
    writeFileSync(join(sshDir, 'id_rsa'), 'key');
    expect(await defaultIdentity(undefined, sshDir)).toEqual({ keyPath: join(sshDir, 'id_rsa'), source: 'found' });
    writeFileSync(join(sshDir, 'id_ecdsa'), 'key');
    expect(await defaultIdentity(undefined, sshDir)).toEqual({ keyPath: join(sshDir, 'id_ecdsa'), source: 'found' });
    writeFileSync(join(sshDir, 'jumpgate_ed25519'), 'key');
    expect(await defaultIdentity(undefined, sshDir)).toEqual({ keyPath: join(sshDir, 'jumpgate_ed25519'), source: 'found' });
    // The key made in Jumpgate comes first while its file is there; once gone, the defaults again.
    const made = join(sshDir, 'work_key');
    writeFileSync(made, 'key');
    expect(await defaultIdentity(made, sshDir)).toEqual({ keyPath: made, source: 'created' });
    rmSync(made);
    expect(await defaultIdentity(made, sshDir)).toEqual({ keyPath: join(sshDir, 'jumpgate_ed25519'), source: 'found' });
  });
});

describe.skipIf(!peersAvailable('sshd'))('a key made in Jumpgate, then a connect with it (issue #16)', () => {
  const passphrase = 'first day at work';
  let dir: string;
  let sshd: SshdPeer;
  let echo: TcpPeer;
  const opened: Jumpgate[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-made-key-'));
    [sshd, echo] = await Promise.all([SshdPeer.start({ authorizedKeys: [] }), startEchoServer()]);
  });
  afterAll(async () => {
    for (const jumpgate of opened) await jumpgate.dispose();
    await Promise.all([sshd?.dispose(), echo?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(name: string): Promise<{ invoke: JumpgateBridge['invoke']; dataDir: string }> {
    const dataDir = join(dir, name);
    const jumpgate = await createJumpgate({ dataDir, version: 'test' });
    opened.push(jumpgate);
    await trustSshd(new KnownHostsStore(join(dataDir, 'known_hosts')), sshd);
    return { invoke: invokerFor(createDispatcher(jumpgate.handlers)), dataDir };
  }

  async function saveProfile(invoke: JumpgateBridge['invoke'], keyPath: string, localPort: number): Promise<void> {
    value(
      await invoke('profiles:save', {
        profile: {
          id: 'rig',
          name: 'Rig',
          jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath } },
          targets: [{ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort }],
        },
      }),
    );
  }

  it('connects without asking the passphrase just set, and remembers the key as the default login', async () => {
    const { invoke } = await open('made');
    const keyPath = join(dir, 'ssh', 'jumpgate_ed25519');
    const made = value(await invoke('keys:generate', { type: 'ed25519', path: keyPath, passphrase, comment: 'starter@jumpgate' }));
    sshd.authorize(made.publicKey);
    expect(value(await invoke('keys:defaultIdentity', {}))).toEqual({ keyPath: made.privatePath, source: 'created' });

    const localPort = await pickPort();
    await saveProfile(invoke, made.privatePath, localPort);
    // No PASSPHRASE_REQUIRED: the passphrase typed (twice) when the key was made unlocks it.
    const entry = value(await invoke('tunnels:start', { profileId: 'rig', targetId: 'echo' }));
    expect(entry.state.status).toBe('open');
    expect(await roundTrip(localPort, 'made here')).toBe('made here');
    value(await invoke('tunnels:stop', { profileId: 'rig', targetId: 'echo' }));

    // The key is remembered as the default login across a restart (settings.json), the passphrase is not:
    // memory only, so another session asks, and nothing went to a keychain (there is none here).
    const { invoke: restarted } = await open('made');
    expect(value(await restarted('keys:defaultIdentity', {}))).toEqual({ keyPath: made.privatePath, source: 'created' });
    const { invoke: later } = await open('later');
    await saveProfile(later, made.privatePath, await pickPort());
    expect(await later('tunnels:start', { profileId: 'rig', targetId: 'echo' })).toMatchObject({ ok: false, error: { code: 'PASSPHRASE_REQUIRED' } });
  });

  // The Keys form writes the full path; a profile (the example, a team's, one typed) says ~/.ssh/...: one key.
  it('knows the passphrase when the profile names the key as ~/.ssh/... and it was made under the full path', async () => {
    const homeBefore = process.env.HOME;
    process.env.HOME = join(dir, 'home');
    try {
      const { invoke } = await open('tilde');
      const made = value(await invoke('keys:generate', { type: 'ed25519', path: join(dir, 'home', '.ssh', 'team_ed25519'), passphrase, comment: 'starter@jumpgate' }));
      sshd.authorize(made.publicKey);
      const localPort = await pickPort();
      await saveProfile(invoke, '~/.ssh/team_ed25519', localPort);
      const entry = value(await invoke('tunnels:start', { profileId: 'rig', targetId: 'echo' }));
      expect(entry.state.status).toBe('open');
      expect(await roundTrip(localPort, 'one key, two spellings')).toBe('one key, two spellings');
      value(await invoke('tunnels:stop', { profileId: 'rig', targetId: 'echo' }));
    } finally {
      if (homeBefore === undefined) delete process.env.HOME;
      else process.env.HOME = homeBefore;
    }
  });
});
