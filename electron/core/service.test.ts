import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pickPort } from '../../e2e/rig/daemon';
import { makePuttyKey } from '../../e2e/rig/keys';
import { peersAvailable } from '../../e2e/rig/peers';
import { SshdPeer } from '../../e2e/rig/sshd';
import { roundTrip, startEchoServer, type TcpPeer } from '../../e2e/rig/tcpPeers';
import type { EventChannel } from '../../shared/channels';
import type { Reply } from '../../shared/contract';
import type { JumpgateBridge } from '../../shared/bridge';
import { createDispatcher, invokerFor } from './dispatcher';
import { createJumpgate, type Jumpgate } from './service';
import { detailsOf } from '../../shared/model/errors';

function value<T>(reply: Reply<T>): T {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.value;
}

describe.skipIf(!peersAvailable('sshd', 'puttygen'))('the service through the dispatcher, on a real sshd', () => {
  let keyDir: string;
  let key: { privatePath: string; publicKey: string };
  const passphrase = 'tr0ub4dor&3';
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let dataDir: string;
  let jumpgate: Jumpgate;
  let dispatch: JumpgateBridge['invoke'];
  let events: Array<{ channel: EventChannel; payload: unknown }>;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jumpgate-keys-'));
    key = await makePuttyKey(keyDir, { type: 'ed25519', ppkVersion: 3, passphrase });
    [sshd, echo] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startEchoServer()]);
  });
  afterAll(async () => {
    await Promise.all([sshd?.dispose(), echo?.close()]);
    rmSync(keyDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'jumpgate-data-'));
    jumpgate = await createJumpgate({ dataDir, version: 'test' });
    dispatch = invokerFor(createDispatcher(jumpgate.handlers));
    events = [];
    jumpgate.subscribe((channel, payload) => events.push({ channel, payload }));
  });
  afterEach(async () => {
    await jumpgate.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function saveProfile(ports: [number, number]): Promise<void> {
    value(
      await dispatch('profiles:save', {
        profile: {
          id: 'rig',
          name: 'Rig',
          jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
          targets: [
            { id: 'a', name: 'Echo A', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort: ports[0] },
            { id: 'b', name: 'Echo B', engine: 'postgres', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort: ports[1] },
          ],
        },
      }),
    );
  }

  it('walks a new user through passphrase, host key and connect, then disconnect', async () => {
    const ports: [number, number] = [await pickPort(), await pickPort()];
    await saveProfile(ports);
    expect(events.filter((event) => event.channel === 'profiles:changed')).toHaveLength(1);

    // The key is encrypted: the UI must ask.
    const locked = await dispatch('tunnels:start', { profileId: 'rig', targetId: 'a' });
    expect(locked).toMatchObject({ ok: false, error: { code: 'PASSPHRASE_REQUIRED' } });
    const wrong = await dispatch('tunnels:start', { profileId: 'rig', targetId: 'a', unlock: { passphrase: 'nope' } });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'BAD_PASSPHRASE' } });

    // First contact with the jump box: its fingerprint comes back for the user to confirm.
    const unknown = await dispatch('tunnels:start', { profileId: 'rig', targetId: 'a', unlock: { passphrase } });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'HOST_KEY_UNKNOWN' } });
    const details = !unknown.ok ? detailsOf(unknown.error, 'HOST_KEY_UNKNOWN') : undefined;
    expect(sshd.hostKeys.map((hostKey) => hostKey.fingerprint)).toContain(details?.fingerprint);
    const trusted = value(
      await dispatch('hostKeys:trust', { host: String(details?.host), port: Number(details?.port), publicKey: String(details?.publicKey) }),
    );
    expect(trusted.fingerprint).toBe(details?.fingerprint);

    // The passphrase given earlier is still in memory for this session; both targets share one connection.
    const subscribedSeq = value(await dispatch('tunnels:snapshot', {})).seq;
    const entries = value(await dispatch('tunnels:startProfile', { profileId: 'rig' }));
    expect(entries.map((entry) => [entry.id, entry.state.status, entry.endpoint.localPort])).toEqual([
      ['rig/a', 'open', ports[0]],
      ['rig/b', 'open', ports[1]],
    ]);
    expect(sshd.connectionCount()).toBe(1);
    expect(await roundTrip(ports[0], 'via a')).toBe('via a');
    expect(await roundTrip(ports[1], 'via b')).toBe('via b');

    const stateEvents = events.filter((event) => event.channel === 'tunnels:state') as Array<{ payload: { seq: number; tunnelId: string } }>;
    expect(stateEvents.every((event) => event.payload.seq > 0)).toBe(true);
    expect(stateEvents.filter((event) => event.payload.seq > subscribedSeq).map((event) => event.payload.tunnelId)).toEqual(
      expect.arrayContaining(['rig/a', 'rig/b']),
    );

    value(await dispatch('tunnels:stopProfile', { profileId: 'rig' }));
    const snapshot = value(await dispatch('tunnels:snapshot', {}));
    expect(snapshot.tunnels.map((entry) => entry.state.status)).toEqual(['stopped', 'stopped']);
  });

  it('answers unknown profiles and targets with the names that exist', async () => {
    await saveProfile([await pickPort(), await pickPort()]);
    const noProfile = await dispatch('tunnels:start', { profileId: 'nope', targetId: 'a' });
    expect(noProfile).toMatchObject({ ok: false, error: { code: 'PROFILE_NOT_FOUND' } });
    expect(!noProfile.ok && noProfile.error.hint).toMatch(/rig/);
    const noTarget = await dispatch('tunnels:start', { profileId: 'rig', targetId: 'zzz' });
    expect(noTarget).toMatchObject({ ok: false, error: { code: 'TARGET_NOT_FOUND' } });
    expect(!noTarget.ok && noTarget.error.hint).toMatch(/a, b/);
  });
});
