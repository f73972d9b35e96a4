import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, jumpHostFor, trustSshd, isOpen, type EngineUnderTest } from '../../../e2e/rig/engine';
import { failure } from '../../../e2e/rig/failure';
import { makeOpenSshKey, type RigKey } from '../../../e2e/rig/keys';
import { peersAvailable } from '../../../e2e/rig/peers';
import { SshdPeer } from '../../../e2e/rig/sshd';
import { EventWaiters } from '../../../e2e/rig/waitFor';
import { roundTrip, startEchoServer, type TcpPeer } from '../../../e2e/rig/tcpPeers';
import { pickPort } from '../../../e2e/rig/daemon';
import { ShellSessions, type ShellEvent } from './shellSessions';

describe.skipIf(!peersAvailable('sshd', 'ssh-keygen'))('shells on the jump box over the pooled connection', () => {
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let key: RigKey;
  let engine: EngineUnderTest;
  let shells: ShellSessions;
  const events: ShellEvent[] = [];
  const waiters = new EventWaiters();
  const waitFor = <T>(read: () => T | undefined, what: string): Promise<T> => waiters.until(read, what);

  /** All the shell's output so far. */
  function outputOf(shellId: string): string {
    return events.flatMap((event) => (event.kind === 'output' && event.shellId === shellId ? [event.data] : [])).join('');
  }

  beforeAll(async () => {
    engine = startEngine();
    key = await makeOpenSshKey(engine.dir, { type: 'ed25519', format: 'openssh' });
    [sshd, echo] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startEchoServer()]);
    await trustSshd(engine.knownHosts, sshd);
    shells = new ShellSessions(engine.pool, (event) => {
      events.push(event);
      waiters.notify();
    });
  });

  afterAll(async () => {
    await shells?.dispose();
    await engine?.dispose();
    await Promise.all([sshd?.dispose(), echo?.close()]);
  });

  it('runs commands in a terminal on the connection the tunnel uses, resizes, and leaves the tunnel open when it exits', async () => {
    const localPort = await pickPort();
    const jumpHost = jumpHostFor(sshd, key.privatePath);
    await engine.manager.start({ id: 't', jumpHost, remoteHost: '127.0.0.1', remotePort: echo.port, localPort });
    const shellId = await shells.open(jumpHost, { cols: 80, rows: 24 });
    expect(sshd.connectionCount()).toBe(1);
    expect(engine.pool.size).toBe(1);

    // Arithmetic the shell has to do, so an echo of our own input cannot pass for its answer.
    shells.write(shellId, 'echo "jumpgate-$((6 * 7))"\n');
    await waitFor(() => (outputOf(shellId).includes('jumpgate-42') ? true : undefined), 'the echo');
    shells.resize(shellId, { cols: 123, rows: 31 });
    shells.write(shellId, 'stty size\n');
    await waitFor(() => (outputOf(shellId).includes('31 123') ? true : undefined), 'the new size');
    // A multi-byte character split across SSH packets still arrives whole.
    shells.write(shellId, "printf '\\342\\234\\223 done\\n'\n");
    await waitFor(() => (outputOf(shellId).includes('✓ done') ? true : undefined), 'the UTF-8 output');

    shells.write(shellId, 'exit 3\n');
    const exit = await waitFor(() => events.find((event) => event.kind === 'exit' && event.shellId === shellId), 'the exit');
    expect(exit).toMatchObject({ kind: 'exit', exitCode: 3 });
    expect(shells.size).toBe(0);
    // The tunnel did not notice.
    expect(isOpen(engine.manager.get('t')?.state ?? { status: 'idle' })).toBe(true);
    expect(await roundTrip(localPort, 'still here')).toBe('still here');
    expect(engine.pool.size).toBe(1);
    await engine.manager.stop('t');
  });

  it('closing a shell releases its hold on the connection; a closed shell refuses input', async () => {
    const jumpHost = jumpHostFor(sshd, key.privatePath);
    const shellId = await shells.open(jumpHost, { cols: 80, rows: 24 });
    expect(engine.pool.size).toBe(1);
    await shells.close(shellId);
    await waitFor(() => events.find((event) => event.kind === 'exit' && event.shellId === shellId), 'the exit after close');
    expect(engine.pool.size).toBe(0);
    const error = await failure(Promise.resolve().then(() => shells.write(shellId, 'ls\n')));
    expect(error).toMatchObject({ code: 'BAD_REQUEST', message: 'That shell is closed.' });
  });

  it('an unknown host key refuses the shell as it refuses a tunnel', async () => {
    const stranger = await SshdPeer.start({ authorizedKeys: [key.publicKey] });
    try {
      const error = await failure(shells.open(jumpHostFor(stranger, key.privatePath), { cols: 80, rows: 24 }));
      expect(error.code).toBe('HOST_KEY_UNKNOWN');
      expect(shells.size).toBe(0);
      expect(engine.pool.size).toBe(0);
    } finally {
      await stranger.dispose();
    }
  });
});
