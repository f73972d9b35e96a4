import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pickPort } from '../../../e2e/rig/daemon';
import { makeOpenSshKey, type RigKey } from '../../../e2e/rig/keys';
import { peersAvailable } from '../../../e2e/rig/peers';
import { SshdPeer } from '../../../e2e/rig/sshd';
import { roundTrip, startEchoServer, type TcpPeer } from '../../../e2e/rig/tcpPeers';
import type { JumpgateBridge } from '../../../shared/bridge';
import type { EventOf, Reply } from '../../../shared/contract';
import { trustRequestFor } from '../../../shared/model/hostKeyTrust';
import { createDispatcher, invokerFor } from '../dispatcher';
import { createJumpgate, type Jumpgate } from '../service';

function value<T>(reply: Reply<T>): T {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.value;
}

function refused(reply: Reply<unknown>): { code: string; message: string; hint?: string; details?: Record<string, unknown> } {
  if (reply.ok) throw new Error('expected a refusal');
  return reply.error;
}

/** The port accepts a connection (a tunnel's listener still holds it). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Profile changes as intents through the dispatcher, the way every front end
 * sends them: each one request, based on the revision the caller saw, refused
 * with PROFILES_CONFLICT when stale, announced with the new revisions.
 */
describe.skipIf(!peersAvailable('sshd'))('profile intents through the service', () => {
  let keyDir: string;
  let key: RigKey;
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let dataDir: string;
  let jumpgate: Jumpgate;
  let invoke: JumpgateBridge['invoke'];
  let changes: Array<EventOf<'profiles:changed'>>;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jumpgate-intent-keys-'));
    key = await makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh' });
    [sshd, echo] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startEchoServer()]);
  });
  afterAll(async () => {
    await Promise.all([sshd?.dispose(), echo?.close()]);
    rmSync(keyDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'jumpgate-intents-'));
    jumpgate = await createJumpgate({ dataDir, version: 'test' });
    invoke = invokerFor(createDispatcher(jumpgate.handlers));
    changes = [];
    jumpgate.on('profiles:changed', (event) => changes.push(event));
  });
  afterEach(async () => {
    await jumpgate.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function createRigProfile(localPort: number): Promise<number> {
    const saved = value(
      await invoke('profiles:save', {
        profile: {
          id: 'rig',
          name: 'Rig',
          jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'agent' } },
          targets: [{ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort }],
        },
      }),
    );
    return saved.revision;
  }

  it('applies each intent at the revision it names, and refuses the stale one naming what changed', async () => {
    const revision = await createRigProfile(await pickPort());
    const withKey = value(await invoke('profiles:attachKey', { profileId: 'rig', revision, keyPath: key.privatePath }));
    expect(withKey.profile.jumpHost.auth).toEqual({ kind: 'key', keyPath: key.privatePath });
    expect(withKey.revision).toBeGreaterThan(revision);

    // A second window still at `revision` renames: refused, and the key stays attached.
    const stale = refused(await invoke('profiles:rename', { profileId: 'rig', revision, name: 'Renamed' }));
    expect(stale.code).toBe('PROFILES_CONFLICT');
    expect(stale.message).toContain('changed: jump host');
    expect(stale.hint).toMatch(/Reload/);
    const onDisk = JSON.parse(readFileSync(join(dataDir, 'profiles.json'), 'utf8')) as { profiles: Array<{ id: string; name: string; jumpHost: { auth: unknown } }> };
    expect(onDisk.profiles.find((profile) => profile.id === 'rig')).toMatchObject({ name: 'Rig', jumpHost: { auth: { kind: 'key' } } });

    const renamed = value(await invoke('profiles:rename', { profileId: 'rig', revision: withKey.revision, name: 'Renamed' }));
    expect(renamed.profile).toMatchObject({ name: 'Renamed', jumpHost: { auth: { kind: 'key', keyPath: key.privatePath } } });
    // Every saved change reached subscribers with the whole set and the revision to write against next.
    expect(changes.map((event) => event.revisions.rig)).toEqual([revision, withKey.revision, renamed.revision]);
    expect(changes.at(-1)?.profiles.find((profile) => profile.id === 'rig')?.name).toBe('Renamed');
  });

  it('refuses a target on a port another profile uses, and a duplicate target id, writing nothing', async () => {
    const port = await pickPort();
    const revision = await createRigProfile(port);
    const list = value(await invoke('profiles:list', {}));
    const example = list.profiles.find((profile) => profile.id !== 'rig');
    if (!example) throw new Error('no example profile');
    const target = { id: 'clash', name: 'Clash', engine: 'postgres' as const, remote: { kind: 'host' as const, host: 'db', port: 5432 }, localPort: port };
    const clash = refused(await invoke('profiles:addTarget', { profileId: example.id, revision: list.revisions[example.id] ?? -1, target }));
    expect(clash).toMatchObject({ code: 'PROFILE_INVALID', message: `Local port ${port} is already used by profile Rig.` });
    const duplicate = refused(await invoke('profiles:addTarget', { profileId: 'rig', revision, target: { ...target, id: 'echo', localPort: port + 1 } }));
    expect(duplicate.code).toBe('PROFILE_INVALID');
    expect(value(await invoke('profiles:list', {})).revision).toBe(list.revision);
  });

  it('adds several targets in one write at one revision, or none of them when one is refused', async () => {
    const port = await pickPort();
    const revision = await createRigProfile(port);
    const target = (id: string, localPort: number) => ({ id, name: id, engine: 'postgres' as const, remote: { kind: 'host' as const, host: 'db', port: 5432 }, localPort });
    const before = readFileSync(join(dataDir, 'profiles.json'), 'utf8');
    // The second collides with the rig's own target: the first is not added either.
    const clash = refused(await invoke('profiles:addTargets', { profileId: 'rig', revision, targets: [target('a', port + 1), target('b', port)] }));
    expect(clash.code).toBe('PROFILE_INVALID');
    expect(readFileSync(join(dataDir, 'profiles.json'), 'utf8')).toBe(before);

    const added = value(await invoke('profiles:addTargets', { profileId: 'rig', revision, targets: [target('a', port + 1), target('b', port + 2)] }));
    expect(added.profile.targets.map((entry) => entry.id)).toEqual(['echo', 'a', 'b']);
    expect(added.revision).toBe(revision + 1);
    expect(refused(await invoke('profiles:addTargets', { profileId: 'rig', revision, targets: [target('c', port + 3)] })).code).toBe('PROFILES_CONFLICT');
  });

  it('removes a connected target in one request: its tunnel closes and its port is freed', async () => {
    const port = await pickPort();
    const revision = await createRigProfile(port);
    const attached = value(await invoke('profiles:attachKey', { profileId: 'rig', revision, keyPath: key.privatePath }));
    const first = await invoke('tunnels:start', { profileId: 'rig', targetId: 'echo' });
    if (!first.ok && first.error.code === 'HOST_KEY_UNKNOWN') value(await invoke('hostKeys:trust', trustRequestFor(first.error)));
    value(await invoke('tunnels:start', { profileId: 'rig', targetId: 'echo' }));
    expect(await roundTrip(port, 'through the tunnel')).toBe('through the tunnel');

    const stale = refused(await invoke('profiles:removeTarget', { profileId: 'rig', revision, targetId: 'echo' }));
    expect(stale.code).toBe('PROFILES_CONFLICT');
    // A refused removal closes nothing.
    expect(await roundTrip(port, 'still open')).toBe('still open');

    const removed = value(await invoke('profiles:removeTarget', { profileId: 'rig', revision: attached.revision, targetId: 'echo' }));
    expect(removed.profile.targets).toEqual([]);
    expect(await accepts(port)).toBe(false);
    const tunnel = value(await invoke('tunnels:snapshot', {})).tunnels.find((entry) => entry.id === 'rig/echo');
    expect(tunnel?.state.status).toBe('stopped');
  });

  it('makes a restored copy\'s target from its source in one request, once', async () => {
    const revision = value(
      await invoke('profiles:save', {
        profile: {
          id: 'prod',
          name: 'Production',
          jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'agent' } },
          targets: [
            {
              id: 'orders',
              name: 'Orders',
              engine: 'postgres',
              remote: { kind: 'rds', identifier: 'orders', endpoint: 'instance' },
              localPort: 25432,
              database: 'orders',
              username: 'app',
              secret: { kind: 'rds-managed' },
            },
          ],
        },
      }),
    ).revision;
    const added = value(await invoke('profiles:addRestoredCopyTarget', { profileId: 'prod', revision, identifier: 'Orders-Rollback', sourceTargetId: 'orders' }));
    const target = added.profile.targets.find((entry) => entry.id === added.targetId);
    expect(target).toMatchObject({
      name: 'orders-rollback (restored copy of Orders)',
      engine: 'postgres',
      remote: { kind: 'rds', identifier: 'orders-rollback', endpoint: 'instance' },
      database: 'orders',
      username: 'app',
      secret: { kind: 'rds-managed' },
    });
    // The next free port of the family that no profile uses (the example holds 15432).
    expect(target?.localPort).toBe(15433);
    const again = value(await invoke('profiles:addRestoredCopyTarget', { profileId: 'prod', revision: added.revision, identifier: 'orders-rollback', sourceTargetId: 'orders' }));
    expect(again.targetId).toBe(added.targetId);
    expect(again.profile.targets).toHaveLength(2);
    const unknownSource = refused(await invoke('profiles:addRestoredCopyTarget', { profileId: 'prod', revision: again.revision, identifier: 'other-copy', sourceTargetId: 'nope' }));
    expect(unknownSource.code).toBe('TARGET_NOT_FOUND');
  });
});
