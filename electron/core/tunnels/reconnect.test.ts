import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { pickPort } from '../../../e2e/rig/daemon';
import { jumpHostFor, startEngine, trustSshd, type EngineUnderTest } from '../../../e2e/rig/engine';
import { makeOpenSshKey } from '../../../e2e/rig/keys';
import { peersAvailable } from '../../../e2e/rig/peers';
import { openFdCount } from '../../../e2e/rig/procfs';
import { SshdPeer } from '../../../e2e/rig/sshd';
import { startRawReader } from '../../../e2e/rig/rawReader';
import { roundTrip, startEchoServer, startSourceServer, type TcpPeer } from '../../../e2e/rig/tcpPeers';
import type { JumpHost } from '../../../shared/model/jumpHost';
import { findPortHolder } from './portHolder';

/** How a TCP connection to 127.0.0.1:port fails (undefined when it connects). */
function connectError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}

function bindError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

describe.skipIf(!peersAvailable('sshd', 'ssh-keygen', 'python3'))('reconnect when the jump box goes away', () => {
  let keyDir: string;
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let jumpHost: JumpHost;
  let engine: EngineUnderTest;
  let localPort: number;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jumpgate-keys-'));
    const key = await makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh' });
    [sshd, echo] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startEchoServer()]);
    jumpHost = jumpHostFor(sshd, key.privatePath);
  });

  afterAll(async () => {
    await Promise.all([sshd?.dispose(), echo?.close()]);
    rmSync(keyDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    if (!sshd.running) await sshd.restart();
    engine = startEngine({
      pool: {
        // Short timings so a silent loss is noticed in about a second.
        keepalive: { intervalMs: 250, countMax: 2 },
        readyTimeoutMs: 1500,
        backoff: { baseMs: 50, capMs: 400, jitter: 0.2 },
      },
      manager: { holdTimeoutMs: 20_000 },
    });
    await trustSshd(engine.knownHosts, sshd);
    localPort = await pickPort();
    await engine.manager.start({ id: 'db', jumpHost, remoteHost: '127.0.0.1', remotePort: echo.port, localPort });
  });

  afterEach(async () => {
    sshd.thaw();
    await engine.dispose();
  });

  it('comes back open on the same port after the session is killed', async () => {
    expect(await roundTrip(localPort, 'before')).toBe('before');
    sshd.killSessions();
    const reconnecting = await engine.waitForTunnel('db', (state) => state.status === 'reconnecting', 'reconnecting');
    expect(reconnecting).toMatchObject({ status: 'reconnecting', localPort, lastError: { code: 'JUMP_HOST_LOST' } });
    const open = await engine.waitForTunnel('db', (state) => state.status === 'open', 'open again');
    expect(open).toMatchObject({ status: 'open', localPort });
    expect(await roundTrip(localPort, 'after')).toBe('after');
    expect((await findPortHolder(localPort))?.pid).toBe(process.pid);
  });

  it('notices a silent jump box (SIGSTOP) by keepalive and recovers after SIGCONT', async () => {
    sshd.freeze();
    const reconnecting = await engine.waitForTunnel('db', (state) => state.status === 'reconnecting', 'keepalive timeout');
    expect(reconnecting).toMatchObject({ lastError: { code: 'JUMP_HOST_LOST' } });
    expect(reconnecting.status === 'reconnecting' && reconnecting.lastError.message).toMatch(/stopped answering/);
    // While the box is frozen the port stays ours: nobody else can take it.
    expect(await bindError(localPort)).toBe('EADDRINUSE');
    sshd.thaw();
    await engine.waitForTunnel('db', (state) => state.status === 'open', 'open after thaw');
    expect(await roundTrip(localPort, 'thawed')).toBe('thawed');
  });

  it('resets the local client when the SSH session dies mid-stream, so a truncated stream is never taken for a complete one', async () => {
    // A 64 MiB download (a dump) read by a client that reads like mysqldump does: it stops after
    // 1 MiB, the jump box's session dies, and then it reads on to the end of what it is given.
    const source = await startSourceServer(64 * 1024 * 1024);
    const dumpPort = await pickPort();
    try {
      await engine.manager.start({ id: 'dump', jumpHost, remoteHost: '127.0.0.1', remotePort: source.port, localPort: dumpPort });
      const reader = startRawReader(dumpPort, 1024 * 1024);
      await reader.paused;
      sshd.killSessions();
      await engine.waitForTunnel('dump', (state) => state.status !== 'open', 'the session loss noticed');
      reader.resume();
      const cut = await reader.outcome;
      expect(cut.how).toBe('reset');
      expect(cut.bytes).toBeLessThan(64 * 1024 * 1024);
      // An orderly end stays an orderly end, with every byte.
      await engine.waitForTunnel('dump', (state) => state.status === 'open', 'open again');
      const whole = startRawReader(dumpPort, 0);
      whole.resume();
      expect(await whole.outcome).toEqual({ how: 'eof', bytes: 64 * 1024 * 1024 });
    } finally {
      await source.close();
    }
  });

  it('quits while the jump box is frozen: the tunnels close and the port is freed, not hung on a polite close', async () => {
    expect(await roundTrip(localPort, 'before')).toBe('before');
    sshd.freeze();
    // A liveness guard, not a speed target: before the fix this never resolved (FIN-WAIT-2 for minutes).
    const guard = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('dispose did not finish while the jump box was frozen')), 15_000).unref());
    await Promise.race([engine.dispose(), guard]);
    expect(await bindError(localPort)).toBeUndefined();
  });

  it('holds the port while sshd is down and lets a waiting client through when it is back', async () => {
    await sshd.stop();
    await engine.waitForTunnel(
      'db',
      (state) => state.status === 'reconnecting' && state.attempt >= 3,
      'several failed attempts',
    );
    expect(await bindError(localPort)).toBe('EADDRINUSE');
    // A client arriving now is held, not refused, and goes through once the box is back.
    const held = roundTrip(localPort, 'held');
    await sshd.restart();
    const restartedAt = performance.now();
    await engine.waitForTunnel('db', (state) => state.status === 'open', 'open after restart');
    const reconnectMs = performance.now() - restartedAt;
    expect(await held).toBe('held');
    console.info(`reconnect after sshd accepted again: ${reconnectMs.toFixed(1)} ms`);
  });

  it('keeps the backoff while clients wait, and serves every waiting client once an attempt succeeds', async () => {
    // A backoff long enough that any attempt before it ends was brought forward by something.
    const patient = startEngine({ pool: { keepalive: { intervalMs: 250, countMax: 2 }, readyTimeoutMs: 1500, backoff: { baseMs: 60_000, capMs: 60_000, jitter: 0 } }, manager: { holdTimeoutMs: 120_000 } });
    try {
      await trustSshd(patient.knownHosts, sshd);
      const port = await pickPort();
      await patient.manager.start({ id: 'patient', jumpHost, remoteHost: '127.0.0.1', remotePort: echo.port, localPort: port });
      await sshd.stop();
      // The drop, the immediate retry refused, and then the long wait.
      const waiting = await patient.waitForTunnel('patient', (state) => state.status === 'reconnecting' && state.attempt === 2, 'the backoff after a refused retry');
      // A burst of clients, as a connection pool retrying every second sends them.
      const clients = Array.from({ length: 20 }, (_, index) => roundTrip(port, `client ${index}`));
      await vi.waitFor(() => expect(patient.manager.snapshot().tunnels[0]?.state).toMatchObject({ activeConnections: 20 }), { timeout: 10_000, interval: 20 });
      // A refused connection of our own to the stopped port: an attempt the clients had started would have failed by now too.
      expect(await connectError(sshd.port)).toBe('ECONNREFUSED');
      const after = patient.manager.snapshot().tunnels[0]?.state;
      expect(after).toMatchObject({ status: 'reconnecting', attempt: 2 });
      expect(after?.status === 'reconnecting' && after.nextRetryAt).toBe(waiting.status === 'reconnecting' && waiting.nextRetryAt);
      // The box is back and the user retries: one attempt, and every held client gets through.
      await sshd.restart();
      patient.manager.retryNow('patient');
      expect(await Promise.all(clients)).toEqual(Array.from({ length: 20 }, (_, index) => `client ${index}`));
    } finally {
      await patient.dispose();
    }
  });

  it('survives 20 kill cycles with no stale listener and no leaked descriptor', async () => {
    // One warm-up cycle so lazily created handles (DNS, crypto) are already counted.
    sshd.killSessions();
    await engine.waitForTunnel('db', (state) => state.status === 'reconnecting', 'warm-up drop');
    await engine.waitForTunnel('db', (state) => state.status === 'open', 'warm-up open');
    expect(await roundTrip(localPort)).toBe('ping');
    const fdsBefore = openFdCount();

    for (let cycle = 1; cycle <= 20; cycle++) {
      sshd.killSessions();
      await engine.waitForTunnel('db', (state) => state.status === 'reconnecting', `drop ${cycle}`);
      await engine.waitForTunnel('db', (state) => state.status === 'open', `open ${cycle}`);
      expect(await roundTrip(localPort, `cycle ${cycle}`)).toBe(`cycle ${cycle}`);
    }

    expect(openFdCount()).toBe(fdsBefore);
    expect((await findPortHolder(localPort))?.pid).toBe(process.pid);
    expect(engine.pool.size).toBe(1);
    expect(sshd.connectionCount()).toBe(1);
    const snapshot = engine.manager.snapshot();
    expect(snapshot.tunnels).toHaveLength(1);
  });
});
