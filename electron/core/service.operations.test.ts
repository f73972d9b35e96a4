import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../e2e/rig/clipboardDouble';
import { pickPort } from '../../e2e/rig/daemon';
import { trustSshd } from '../../e2e/rig/engine';
import { makeOpenSshKey } from '../../e2e/rig/keys';
import { peersAvailable } from '../../e2e/rig/peers';
import { listeningPorts } from '../../e2e/rig/procfs';
import { SshdPeer } from '../../e2e/rig/sshd';
import { EventWaiters } from '../../e2e/rig/waitFor';
import { roundTrip, startEchoServer, type TcpPeer } from '../../e2e/rig/tcpPeers';
import type { EventOf, Reply } from '../../shared/contract';
import type { JumpgateBridge } from '../../shared/bridge';
import { createDispatcher, invokerFor } from './dispatcher';
import { createJumpgate, type Jumpgate } from './service';
import { KnownHostsStore } from './ssh/knownHosts';

function value<T>(reply: Reply<T>): T {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.value;
}

/** Shells, idle auto-close and the audit log, through the dispatcher as every front end reaches them. */
describe.skipIf(!peersAvailable('sshd', 'ssh-keygen'))('the service: shell, idle auto-close, audit log', () => {
  let dir: string;
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let jumpgate: Jumpgate;
  let invoke: JumpgateBridge['invoke'];
  const scheduler = new ManualScheduler(() => Date.now());
  const shellEvents: Array<EventOf<'shell:output'> | EventOf<'shell:exit'>> = [];
  const tunnelEvents: Array<EventOf<'tunnels:state'>> = [];
  const waiters = new EventWaiters();
  const until = <T>(read: () => T | undefined, what: string): Promise<T> => waiters.until(read, what);
  let localPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-ops-'));
    const key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    [sshd, echo] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startEchoServer()]);
    const dataDir = join(dir, 'data');
    jumpgate = await createJumpgate({ dataDir, version: 'test', scheduler });
    await trustSshd(new KnownHostsStore(join(dataDir, 'known_hosts')), sshd);
    jumpgate.subscribe((channel, payload) => {
      if (channel === 'shell:output' || channel === 'shell:exit') shellEvents.push(payload as EventOf<'shell:output'>);
      if (channel === 'tunnels:state') tunnelEvents.push(payload as EventOf<'tunnels:state'>);
      waiters.notify();
    });
    invoke = invokerFor(createDispatcher(jumpgate.handlers));
    localPort = await pickPort();
    value(
      await invoke('profiles:save', {
        profile: {
          id: 'rig',
          name: 'Rig',
          jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
          targets: [{ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort }],
          options: { idleAutoCloseMinutes: 2 },
        },
      }),
    );
  });

  afterAll(async () => {
    await jumpgate?.dispose();
    await Promise.all([sshd?.dispose(), echo?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens a shell beside an open tunnel, runs a command, and closes it without touching the tunnel', async () => {
    value(await invoke('tunnels:start', { profileId: 'rig', targetId: 'echo' }));
    const { shellId } = value(await invoke('shell:open', { profileId: 'rig', cols: 100, rows: 30 }));
    expect(sshd.connectionCount()).toBe(1);
    value(await invoke('shell:input', { shellId, data: 'echo "sum=$((20 + 22))"\n' }));
    const output = () => shellEvents.flatMap((event) => ('data' in event && event.shellId === shellId ? [event.data] : [])).join('');
    await until(() => (output().includes('sum=42') ? true : undefined), 'the shell output');
    value(await invoke('shell:close', { shellId }));
    await until(() => shellEvents.find((event) => !('data' in event) && event.shellId === shellId), 'the exit event');
    // Garbage and a closed shell are refused with a code, not a crash.
    expect(await invoke('shell:input', { shellId, data: 'ls\n' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await invoke('shell:input', { shellId: 'not-a-uuid', data: 'ls\n' } as never)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await roundTrip(localPort, 'tunnel still open')).toBe('tunnel still open');
  });

  it('closes a tunnel left idle for the profile limit, counting from the last client', async () => {
    expect(await roundTrip(localPort, 'a client came and went')).toBe('a client came and went');
    // The engine reports when the last client left; the countdown runs on the test's clock.
    const idle = await until(() => {
      const state = tunnelEvents.at(-1)?.state;
      return state?.status === 'open' && state.idleSince !== undefined && state.activeConnections === 0 ? state : undefined;
    }, 'an idle open state');
    expect(idle.status).toBe('open');
    scheduler.advance(119_000);
    expect(listeningPorts().has(localPort)).toBe(true);
    scheduler.advance(2_000);
    await until(() => (tunnelEvents.at(-1)?.state.status === 'stopped' ? true : undefined), 'the idle close');
    expect(listeningPorts().has(localPort)).toBe(false);
  });

  it('keeps an audit log of what was done, newest first, readable only by the user and without secrets', async () => {
    const entries = value(await invoke('audit:list', {}));
    expect(entries.map((entry) => entry.kind).reverse()).toEqual(['tunnel-opened', 'shell-opened', 'shell-closed', 'tunnel-idle-closed']);
    expect(entries.at(-1)?.detail).toBe(`Rig / Echo: 127.0.0.1:${localPort} -> 127.0.0.1:${echo.port} via ${sshd.user}@${sshd.host}:${sshd.port}`);
    expect(entries[0]).toMatchObject({ profileId: 'rig', targetId: 'echo', detail: 'Rig / Echo: no client for 2 min' });
    expect(value(await invoke('audit:list', { limit: 1 }))).toHaveLength(1);
    // A failed request leaves no line.
    await invoke('tunnels:start', { profileId: 'rig', targetId: 'nope' });
    expect(value(await invoke('audit:list', {}))).toHaveLength(4);
    expect(readFileSync(join(dir, 'data', 'audit.log'), 'utf8').trim().split('\n')).toHaveLength(4);
  });
});
