import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { startDaemon, withFreePort, type Daemon } from './daemon';
import { peerPath } from './peers';
import { leasePeer, rigBrokerUrl } from './sharedRig';

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

/** A server the rig started itself, with the admin access to put it back as it was when new. */
export interface DatabaseServer extends DatabasePeer {
  readonly pid: number;
  /** Back to a just-started server: sessions ended, `appdb` empty, the app user's password the rig's. */
  reset(): Promise<void>;
}

/** What the shared rig hands a test file: a DatabasePeer without its dispose. */
export type DatabaseAddress = Omit<DatabasePeer, 'dispose'>;

/**
 * A database server for this test file alone. In a vitest run the shared rig
 * lends one (reused across files, reset in between: see DatabaseServer.reset),
 * which saves an initdb/mariadb-install-db per file; elsewhere a private server.
 */
export function startMariaDb(): Promise<DatabasePeer> {
  return rigBrokerUrl() ? leaseDatabase('mariadb') : startMariaDbServer();
}

export function startPostgres(): Promise<DatabasePeer> {
  return rigBrokerUrl() ? leaseDatabase('postgres') : startPostgresServer();
}

async function leaseDatabase(engine: DatabasePeer['engine']): Promise<DatabasePeer> {
  const lease = await leasePeer<DatabaseAddress>(engine);
  return { ...lease.info, dispose: () => lease.release() };
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
export async function startMariaDbServer(): Promise<DatabaseServer> {
  const dir = mkdtempSync(join(tmpdir(), 'jumpgate-mariadb-'));
  const dataDir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  // Its own temporary directory: the bootstrap keeps temporary tables as files there, and with the
  // shared /tmp one bootstrap failed under load ("Could not remove temporary table '/tmp/#sql-temptable-...'",
  // then "Unknown table 'mysql.tmp_proxies_priv'"), failing a whole test file's set-up.
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const userArgs = isRoot() ? ['--user=root'] : [];
  let daemon: Daemon | undefined;
  try {
    await run(peerPath('mariadb-install-db'), [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--tmpdir=${tmp}`,
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
          `--tmpdir=${tmp}`,
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
    await mariaDbAdmin(socket, async (admin) => {
      await admin.query(`CREATE DATABASE ${APP_DATABASE}`);
      await admin.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [APP_USER, APP_PASSWORD]);
      await admin.query(`GRANT ALL ON ${APP_DATABASE}.* TO ?@'%'`, [APP_USER]);
    });
    const started = daemon;
    return {
      pid: started?.pid ?? -1,
      reset: () => mariaDbAdmin(socket, resetMariaDb),
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

async function mariaDbAdmin(socket: string, work: (admin: mysql.Connection) => Promise<void>): Promise<void> {
  const admin = await mysql.createConnection({ socketPath: socket, user: 'root' });
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}

/** What mariadb-install-db made besides the rig's own database and user; a reset keeps these. */
const MARIADB_SYSTEM_DATABASES = ['mysql', 'information_schema', 'performance_schema', 'sys'];
const MARIADB_SYSTEM_USERS = ['root', 'mysql', 'mariadb.sys', 'PUBLIC', ''];

async function resetMariaDb(admin: mysql.Connection): Promise<void> {
  // End every client session but this one (a tunnel a test left open, say); server threads have no user.
  const [sessions] = await admin.query<mysql.RowDataPacket[]>(
    "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND USER NOT IN ('system user', 'event_scheduler', '')",
  );
  for (const { ID } of sessions) {
    await admin.query('KILL ?', [ID]).catch(() => undefined); // it may have ended meanwhile
  }
  const [databases] = await admin.query<mysql.RowDataPacket[]>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA');
  for (const { name } of databases) {
    if (!MARIADB_SYSTEM_DATABASES.includes(name)) await admin.query(`DROP DATABASE \`${String(name).replace(/`/g, '``')}\``);
  }
  const [users] = await admin.query<mysql.RowDataPacket[]>('SELECT User AS user, Host AS host FROM mysql.user');
  for (const { user, host } of users) {
    if (!MARIADB_SYSTEM_USERS.includes(user) && user !== APP_USER) await admin.query('DROP USER ?@?', [user, host]);
  }
  await admin.query(`CREATE DATABASE ${APP_DATABASE}`);
  await admin.query(`ALTER USER ?@'%' IDENTIFIED BY ?`, [APP_USER, APP_PASSWORD]);
  await admin.query('FLUSH HOSTS');
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
export async function startPostgresServer(): Promise<DatabaseServer> {
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
    const admin = { host: dir, port, user: superuser };
    await postgresAdmin(admin, async (client) => {
      await client.query(`CREATE ROLE ${APP_USER} LOGIN PASSWORD ${client.escapeLiteral(APP_PASSWORD)}`);
      await client.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_USER}`);
    });
    const started = daemon;
    return {
      pid: started?.pid ?? -1,
      reset: () => postgresAdmin(admin, (client) => resetPostgres(client, superuser)),
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

interface PostgresAdmin {
  /** The socket directory: the superuser logs in over the Unix socket (trust), never TCP. */
  host: string;
  port: number;
  user: string;
}

async function postgresAdmin(admin: PostgresAdmin, work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ ...admin, database: 'postgres' });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

async function resetPostgres(client: pg.Client, superuser: string): Promise<void> {
  await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'");
  const databases = await client.query<{ name: string }>("SELECT datname AS name FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')");
  for (const { name } of databases.rows) await client.query(`DROP DATABASE ${client.escapeIdentifier(name)} WITH (FORCE)`);
  const roles = await client.query<{ name: string }>("SELECT rolname AS name FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' AND rolname NOT IN ($1, $2)", [superuser, APP_USER]);
  for (const { name } of roles.rows) {
    await client.query(`DROP OWNED BY ${client.escapeIdentifier(name)}`);
    await client.query(`DROP ROLE ${client.escapeIdentifier(name)}`);
  }
  // A rotation test changes the app user's password; settings may have been set on it too.
  await client.query(`ALTER ROLE ${APP_USER} RESET ALL`);
  await client.query(`ALTER ROLE ${APP_USER} PASSWORD ${client.escapeLiteral(APP_PASSWORD)}`);
  await client.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_USER}`);
}
