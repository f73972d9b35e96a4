import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMariaDb, startPostgres, type DatabasePeer } from '../../../e2e/rig/databases';
import { isOpen, jumpHostFor, startEngine, trustSshd, type EngineUnderTest } from '../../../e2e/rig/engine';
import { makeOpenSshKey } from '../../../e2e/rig/keys';
import { peersAvailable } from '../../../e2e/rig/peers';
import { listeningPorts } from '../../../e2e/rig/procfs';
import { SshdPeer } from '../../../e2e/rig/sshd';
import { closedPort, roundTrip, startEchoServer, type TcpPeer } from '../../../e2e/rig/tcpPeers';
import { detailsOf, JumpgateError } from '../../../shared/model/errors';
import type { JumpHost } from '../../../shared/model/jumpHost';
import { pickPort } from '../../../e2e/rig/daemon';

const available = peersAvailable('sshd', 'ssh-keygen', 'mariadbd', 'mariadb-install-db', 'postgres', 'initdb');

describe.skipIf(!available)('TunnelManager through a real sshd', () => {
  let keyDir: string;
  let sshd: SshdPeer;
  let maria: DatabasePeer;
  let postgres: DatabasePeer;
  let echo: TcpPeer;
  let jumpHost: JumpHost;
  let engine: EngineUnderTest;
  let publicKey: string;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jumpgate-keys-'));
    const key = await makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh' });
    publicKey = key.publicKey;
    [sshd, maria, postgres, echo] = await Promise.all([
      SshdPeer.start({ authorizedKeys: [key.publicKey] }),
      startMariaDb(),
      startPostgres(),
      startEchoServer(),
    ]);
    jumpHost = jumpHostFor(sshd, key.privatePath);
  });

  afterAll(async () => {
    await Promise.all([sshd?.dispose(), maria?.dispose(), postgres?.dispose(), echo?.close()]);
    rmSync(keyDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await engine?.dispose();
  });

  async function freshEngine(): Promise<EngineUnderTest> {
    engine = startEngine({ pool: { keepalive: { intervalMs: 1000, countMax: 3 } } });
    await trustSshd(engine.knownHosts, sshd);
    return engine;
  }

  it('runs a MySQL and a PostgreSQL query at the same time over one SSH connection', async () => {
    const { manager, pool } = await freshEngine();
    const [mysqlPort, pgPort] = [await pickPort(), await pickPort()];
    const [mysqlTunnel, pgTunnel] = await Promise.all([
      manager.start({ id: 'mysql', jumpHost, remoteHost: maria.host, remotePort: maria.port, localPort: mysqlPort }),
      manager.start({ id: 'pg', jumpHost, remoteHost: postgres.host, remotePort: postgres.port, localPort: pgPort }),
    ]);
    expect(mysqlTunnel.state.status).toBe('open');
    expect(pgTunnel.state.status).toBe('open');

    const mysqlConnection = await mysql.createConnection({
      host: '127.0.0.1',
      port: mysqlPort,
      user: maria.user,
      password: maria.password,
      database: maria.database,
    });
    const pgClient = new pg.Client({
      host: '127.0.0.1',
      port: pgPort,
      user: postgres.user,
      password: postgres.password,
      database: postgres.database,
    });
    await pgClient.connect();
    const [[mysqlRows], pgResult] = await Promise.all([
      mysqlConnection.query('SELECT VERSION() AS version, 6 * 7 AS answer'),
      pgClient.query('SELECT version() AS version, 6 * 7 AS answer'),
    ]);
    expect((mysqlRows as Array<{ version: string; answer: number }>)[0]).toMatchObject({ answer: 42 });
    expect((mysqlRows as Array<{ version: string }>)[0]?.version).toMatch(/MariaDB/);
    expect(pgResult.rows[0]).toMatchObject({ answer: 42 });
    expect(pgResult.rows[0].version).toMatch(/PostgreSQL/);

    // One pooled SSH connection, and sshd agrees: exactly one client connection.
    expect(pool.size).toBe(1);
    expect(sshd.connectionCount()).toBe(1);
    const mysqlState = manager.get('mysql')?.state;
    expect(mysqlState && isOpen(mysqlState) && mysqlState.activeConnections).toBe(1);
    expect(mysqlState && isOpen(mysqlState) && mysqlState.bytesIn).toBeGreaterThan(0);

    await Promise.all([mysqlConnection.end(), pgClient.end()]);
  });

  it('binds 127.0.0.1 only, frees the port on stop and releases the jump host', async () => {
    const { manager, pool } = await freshEngine();
    const localPort = await pickPort();
    await manager.start({ id: 'echo', jumpHost, remoteHost: '127.0.0.1', remotePort: echo.port, localPort });
    expect(listeningPorts().has(localPort)).toBe(true);
    // Not reachable on another local address: the listener is loopback-only.
    const otherAddress = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.2', port: localPort });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(otherAddress).toBe('ECONNREFUSED');
    await manager.stop('echo');
    expect(manager.get('echo')?.state.status).toBe('stopped');
    expect(listeningPorts().has(localPort)).toBe(false);
    expect(pool.size).toBe(0);
  });

  it('reports PORT_IN_USE with the holder and the next free port', async () => {
    const { manager } = await freshEngine();
    const blocker: Server = createServer();
    const port = await pickPort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const error = await manager
        .start({ id: 'taken', jumpHost, remoteHost: '127.0.0.1', remotePort: echo.port, localPort: port })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(JumpgateError);
      const coded = error as JumpgateError;
      expect(coded.code).toBe('PORT_IN_USE');
      expect(coded.message).toContain(`PID ${process.pid}`);
      expect(detailsOf(coded, 'PORT_IN_USE')?.suggestedPort).toBeGreaterThan(port);
      expect(coded.hint).toMatch(new RegExp(`${detailsOf(coded, 'PORT_IN_USE')?.suggestedPort as number} is free`));
      expect(manager.get('taken')?.state).toMatchObject({ status: 'failed', error: { code: 'PORT_IN_USE' } });
    } finally {
      blocker.close();
    }
  });

  it('reports ENDPOINT_UNREACHABLE when the jump box cannot reach the target', async () => {
    const { manager, pool } = await freshEngine();
    const deadPort = await closedPort();
    const localPort = await pickPort();
    const error = (await manager
      .start({ id: 'dead', jumpHost, remoteHost: '127.0.0.1', remotePort: deadPort, localPort })
      .catch((caught: unknown) => caught)) as JumpgateError;
    expect(error.code).toBe('ENDPOINT_UNREACHABLE');
    expect(error.message).toContain(`127.0.0.1:${deadPort}`);
    expect(error.hint).toMatch(/jump box is fine.*security group/);
    // The port is not left bound and the connection is not kept for nothing.
    expect(listeningPorts().has(localPort)).toBe(false);
    expect(pool.size).toBe(0);
  });

  it('moves 200 concurrent connections of 5 MB each, byte-exact both ways', async () => {
    const { manager } = await freshEngine();
    const localPort = await pickPort();
    await manager.start({ id: 'bulk', jumpHost, remoteHost: '127.0.0.1', remotePort: echo.port, localPort });
    const size = 5 * 1024 * 1024;
    const base = randomBytes(size);
    const receivedBefore = echo.bytesReceived;

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, index) => {
        // Each connection sends a different rotation of the same random block.
        const offset = (index * 26_209) % size;
        const head = base.subarray(offset);
        const tail = base.subarray(0, offset);
        const sent = createHash('sha256').update(head).update(tail).digest('hex');
        return new Promise<{ sent: string; received: string; bytes: number }>((resolve, reject) => {
          const hash = createHash('sha256');
          let bytes = 0;
          const socket = connect({ host: '127.0.0.1', port: localPort }, () => {
            socket.write(head);
            socket.end(tail);
          });
          socket.on('data', (chunk: Buffer) => {
            hash.update(chunk);
            bytes += chunk.length;
          });
          socket.once('end', () => resolve({ sent, received: hash.digest('hex'), bytes }));
          socket.once('error', reject);
        });
      }),
    );

    for (const result of results) {
      expect(result.bytes).toBe(size);
      expect(result.received).toBe(result.sent);
    }
    expect(echo.bytesReceived - receivedBefore).toBe(200 * size);
    const state = manager.get('bulk')?.state;
    expect(state && isOpen(state) ? state.bytesOut : 0).toBe(200 * size);
    expect(state && isOpen(state) ? state.totalConnections : 0).toBe(200);
  });

  it('holds a client that connects while the tunnel is still starting, then serves it', async () => {
    const { manager, waitForTunnel } = await freshEngine();
    const localPort = await pickPort();
    const starting = manager.start({ id: 'early', jumpHost, remoteHost: '127.0.0.1', remotePort: echo.port, localPort });
    await waitForTunnel('early', (state) => state.status === 'connecting', 'port bound');
    const reply = roundTrip(localPort, 'early bird');
    await starting;
    expect(await reply).toBe('early bird');
  });

  // Each step after login is a round trip, 50-150 ms to a jump box abroad (issue #14).
  it("opens a waiting client's channel alongside the endpoint check, not a round trip after it", async () => {
    const debugBox = await SshdPeer.start({ authorizedKeys: [publicKey], extraConfig: ['LogLevel DEBUG2'] });
    try {
      const { manager, waitForTunnel, knownHosts } = await freshEngine();
      await trustSshd(knownHosts, debugBox);
      const localPort = await pickPort();
      const starting = manager.start({ id: 'early', jumpHost: { ...jumpHost, port: debugBox.port }, remoteHost: '127.0.0.1', remotePort: echo.port, localPort });
      await waitForTunnel('early', (state) => state.status === 'connecting', 'port bound');
      const reply = roundTrip(localPort, 'early bird');
      await starting;
      expect(await reply).toBe('early bird');
      // The jump box had both channel requests (the check's and the client's) before the check's channel was ended (its EOF).
      const log = await debugBox.untilLogged(/(server_request_direct_tcpip[^]*){2}/);
      const requests = [...log.matchAll(/server_request_direct_tcpip/g)].map((match) => match.index);
      const firstEnded = log.search(/channel \d+: rcvd (eof|close)/);
      expect(requests).toHaveLength(2);
      expect(firstEnded === -1 || requests[1]! < firstEnded).toBe(true);
    } finally {
      await debugBox.dispose();
    }
  });

  it('closes a client waiting at start when the endpoint turns out unreachable, and fails the tunnel', async () => {
    const { manager, waitForTunnel, pool } = await freshEngine();
    const [deadPort, localPort] = [await closedPort(), await pickPort()];
    const starting = manager.start({ id: 'dead-early', jumpHost, remoteHost: '127.0.0.1', remotePort: deadPort, localPort }).catch((caught: unknown) => caught);
    await waitForTunnel('dead-early', (state) => state.status === 'connecting', 'port bound');
    const reply = roundTrip(localPort, 'anyone there?').catch((error: NodeJS.ErrnoException) => error.code ?? 'error');
    expect(((await starting) as JumpgateError).code).toBe('ENDPOINT_UNREACHABLE');
    // Closed, never answered: a reset or an empty end, not a reply.
    expect(['', 'ECONNRESET']).toContain(await reply);
    expect(listeningPorts().has(localPort)).toBe(false);
    expect(pool.size).toBe(0);
  });

  it('numbers events so a snapshot plus later events gives the current state', async () => {
    const { manager, events } = await freshEngine();
    const localPort = await pickPort();
    await manager.start({ id: 'seq', jumpHost, remoteHost: '127.0.0.1', remotePort: echo.port, localPort });
    const snapshot = manager.snapshot();
    await manager.stop('seq');
    const seqs = events.map((event) => event.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const after = events.filter((event) => event.seq > snapshot.seq);
    expect(after.at(-1)?.state.status).toBe('stopped');
    expect(events.filter((event) => event.tunnelId === 'seq').map((event) => event.state.status)).toEqual([
      'connecting',
      'open',
      'stopped',
    ]);
  });
});
