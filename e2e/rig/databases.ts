import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { startDaemon, withFreePort, type Daemon } from './daemon';
import { peerPath } from './peers';

const run = promisify(execFile);

/** What a test needs to reach a database directly (no tunnel). */
export interface DatabasePeer {
  readonly engine: 'mariadb' | 'postgres';
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  dispose(): Promise<void>;
}

/** Credentials the rig creates; deliberately awkward characters so encoding bugs show. */
const APP_USER = 'jumpgate_app';
const APP_PASSWORD = 'p@ss:w/rd%#?1';
const APP_DATABASE = 'appdb';

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * MariaDB on 127.0.0.1 in a temp datadir, with database `appdb` and user
 * `jumpgate_app` (password auth). Root runs mariadbd with `--user=root`, which
 * mariadbd accepts only when asked explicitly.
 */
export async function startMariaDb(): Promise<DatabasePeer> {
  const dir = mkdtempSync(join(tmpdir(), 'jumpgate-mariadb-'));
  const dataDir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const userArgs = isRoot() ? ['--user=root'] : [];
  let daemon: Daemon | undefined;
  try {
    await run(peerPath('mariadb-install-db'), [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...userArgs,
    ]);
    const port = await withFreePort(async (candidate) => {
      daemon = await startDaemon(
        peerPath('mariadbd'),
        [
          '--no-defaults',
          `--datadir=${dataDir}`,
          `--socket=${socket}`,
          `--port=${candidate}`,
          '--bind-address=127.0.0.1',
          `--pid-file=${join(dir, 'mysqld.pid')}`,
          '--innodb-buffer-pool-size=16M',
          '--skip-log-bin',
          // Tunnels open many short connections in tests; do not let the host cache block 127.0.0.1.
          '--max-connect-errors=1000000',
          '--max-connections=1000',
          ...userArgs,
        ],
        { ready: /ready for connections/ },
      );
      return candidate;
    });
    const admin = await mysql.createConnection({ socketPath: socket, user: 'root' });
    try {
      await admin.query(`CREATE DATABASE ${APP_DATABASE}`);
      await admin.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [APP_USER, APP_PASSWORD]);
      await admin.query(`GRANT ALL ON ${APP_DATABASE}.* TO ?@'%'`, [APP_USER]);
    } finally {
      await admin.end();
    }
    const started = daemon;
    return {
      engine: 'mariadb',
      host: '127.0.0.1',
      port,
      database: APP_DATABASE,
      user: APP_USER,
      password: APP_PASSWORD,
      dispose: async () => {
        await started?.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** uid/gid of the `postgres` account: PostgreSQL refuses to run as root. */
async function postgresAccount(): Promise<{ uid: number; gid: number } | undefined> {
  if (!isRoot()) return undefined;
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('/usr/bin/id', ['-u', 'postgres']),
    run('/usr/bin/id', ['-g', 'postgres']),
  ]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/**
 * PostgreSQL on 127.0.0.1 in a temp cluster (scram-sha-256 over TCP), with
 * database `appdb` owned by `jumpgate_app`. As root it runs as the `postgres` account.
 */
export async function startPostgres(): Promise<DatabasePeer> {
  const account = await postgresAccount();
  const dir = mkdtempSync(join(tmpdir(), 'jumpgate-pg-'));
  if (account) chownSync(dir, account.uid, account.gid);
  const dataDir = join(dir, 'data');
  const superuser = account ? 'postgres' : userInfo().username;
  let daemon: Daemon | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        peerPath('initdb'),
        ['-D', dataDir, '-U', superuser, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync'],
        { uid: account?.uid, gid: account?.gid, env: { ...process.env, LC_ALL: 'C' } },
        (error) => (error ? reject(error) : resolve()),
      );
    });
    const port = await withFreePort(async (candidate) => {
      daemon = await startDaemon(
        peerPath('postgres'),
        [
          '-D', dataDir,
          '-p', String(candidate),
          '-k', dir,
          '-c', 'listen_addresses=127.0.0.1',
          '-c', 'fsync=off',
          '-c', 'max_connections=300',
          '-c', 'shared_buffers=16MB',
        ],
        { ready: /database system is ready to accept connections/, uid: account?.uid, gid: account?.gid },
      );
      return candidate;
    });
    const admin = new pg.Client({ host: dir, port, user: superuser, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${APP_USER} LOGIN PASSWORD '${APP_PASSWORD.replace(/'/g, "''")}'`);
      await admin.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_USER}`);
    } finally {
      await admin.end();
    }
    const started = daemon;
    return {
      engine: 'postgres',
      host: '127.0.0.1',
      port,
      database: APP_DATABASE,
      user: APP_USER,
      password: APP_PASSWORD,
      dispose: async () => {
        await started?.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
