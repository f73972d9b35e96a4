import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserServer } from 'playwright-core';
import { launchChromiumServer } from './browser';
import { pickPortsForSharedRig } from './daemon';
import { startMariaDbServer, startPostgresServer, type DatabaseAddress, type DatabaseServer } from './databases';
import { HostKeyStock, type HostKeyType } from './hostKeyStock';
import { resetMoto, startMotoServer, type MotoAddress } from './moto';
import { PeerPool, type Pooled } from './peerPool';
import { RendererBuild } from './rendererBuild';

/**
 * The run's shared rig, living in vitest's main process (started by
 * e2e/rig/globalSetup.ts). Test files, each in its own worker process, ask it
 * over loopback HTTP (e2e/rig/sharedRig.ts) for what is costly to start and
 * safe to share:
 *
 * - lease/moto, lease/mariadb, lease/postgres: a server for that file alone,
 *   reset to as-new when it is given back (release/<id>), then lent again;
 * - renderer: the app built once for the run;
 * - chromium: the WebSocket endpoint of the run's one Chromium;
 * - hostkey/<type>/<holder>: an sshd host key from the run's stock (hostKeyStock.ts).
 *
 * Everything it starts, it stops in close(), by the handles it started them with.
 */
export interface RigBroker {
  readonly url: string;
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function motoPooled(): Promise<Pooled<MotoAddress>> {
  return startMotoServer().then((moto) => ({
    info: { endpoint: moto.endpoint, port: moto.port },
    reset: () => resetMoto(moto.endpoint),
    stop: () => moto.dispose(),
  }));
}

function databasePooled(start: () => Promise<DatabaseServer>): () => Promise<Pooled<DatabaseAddress>> {
  return async () => {
    const { dispose, reset, pid: _pid, ...info } = await start();
    return { info, reset, stop: dispose };
  };
}

function isHostKeyType(type: string | undefined): type is HostKeyType {
  return type === 'ed25519' || type === 'rsa' || type === 'ecdsa';
}

export async function startRigBroker(): Promise<RigBroker> {
  // The databases and moto started here must not take a port a test worker picked and has not bound yet.
  pickPortsForSharedRig();
  const pools: Record<string, PeerPool<unknown>> = {
    moto: new PeerPool<MotoAddress>(motoPooled),
    mariadb: new PeerPool<DatabaseAddress>(databasePooled(startMariaDbServer)),
    postgres: new PeerPool<DatabaseAddress>(databasePooled(startPostgresServer)),
  };
  const leases = new Map<string, { pool: PeerPool<unknown>; peer: Pooled<unknown> }>();
  let leaseCount = 0;
  const build = new RendererBuild(ROOT);
  let chromium: Promise<BrowserServer> | undefined;
  const hostKeyDir = mkdtempSync(join(tmpdir(), 'jumpgate-hostkeys-'));
  const hostKeys = new HostKeyStock(hostKeyDir);

  function chromiumServer(): Promise<BrowserServer> {
    if (!chromium) {
      const launching = launchChromiumServer();
      chromium = launching;
      // A crashed or failed browser is started again on the next request.
      launching.then(
        (server) => server.on('close', () => chromium === launching && (chromium = undefined)),
        () => chromium === launching && (chromium = undefined),
      );
    }
    return chromium;
  }

  async function handle(path: string): Promise<unknown> {
    const [verb, arg, holder] = path.split('/');
    if (verb === 'lease' && arg && pools[arg]) {
      const pool = pools[arg];
      const peer = await pool.take();
      const id = `${arg}-${++leaseCount}`;
      leases.set(id, { pool, peer });
      return { id, info: peer.info };
    }
    if (verb === 'release' && arg) {
      const lease = leases.get(arg);
      if (!lease) throw new Error(`no lease ${arg}`);
      leases.delete(arg);
      lease.pool.give(lease.peer);
      return null;
    }
    if (verb === 'renderer') return build.rendererDir();
    if (verb === 'hostkey' && isHostKeyType(arg) && holder) return hostKeys.next(arg, holder);
    if (verb === 'chromium') return { wsEndpoint: (await chromiumServer()).wsEndpoint() };
    throw new Error(`unknown request ${path}`);
  }

  const token = randomBytes(16).toString('hex');
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const prefix = `/${token}/`;
    const reply = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(body));
    };
    if (request.method !== 'POST' || !request.url?.startsWith(prefix)) return reply(404, { ok: false, error: 'not found' });
    handle(request.url.slice(prefix.length)).then(
      (value) => reply(200, { ok: true, value }),
      (error: unknown) => reply(200, { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/${token}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Peers a crashed file never gave back are stopped with the rest.
      await Promise.allSettled(Object.values(pools).map((pool) => pool.close()));
      const browser = await chromium?.catch(() => undefined);
      if (browser) await browser.close().catch(() => browser.kill());
      await build.dispose();
      rmSync(hostKeyDir, { recursive: true, force: true });
      const started = Object.entries(pools).map(([kind, pool]) => `${pool.started} ${kind}`);
      console.info(`shared rig: ${leaseCount} leases served by ${started.join(', ')}${browser ? ', 1 chromium' : ''}`);
    },
  };
}
