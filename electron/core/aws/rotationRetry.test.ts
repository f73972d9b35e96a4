import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMariaDb, startPostgres, type DatabasePeer } from '../../../e2e/rig/databases';
import { startMoto, type MotoPeer } from '../../../e2e/rig/moto';
import { peersAvailable } from '../../../e2e/rig/peers';
import { buildConnectionStrings } from '../secrets/connectionStrings';
import { createAwsClients } from './awsClients';
import { isPasswordRejected, withRotationRetry } from './rotationRetry';
import { fetchDbCredentials, type DbCredentials } from './secrets';

/** A fetch that hands out the given credentials in order, counting calls. */
function sequence(...all: DbCredentials[]): { fetch: () => Promise<DbCredentials>; calls: () => number } {
  let calls = 0;
  return {
    fetch: async () => {
      const next = all[Math.min(calls, all.length - 1)];
      calls++;
      if (!next) throw new Error('no credentials');
      return next;
    },
    calls: () => calls,
  };
}

describe('isPasswordRejected', () => {
  it('recognises MySQL 1045 and PostgreSQL 28P01, also when wrapped in a cause', () => {
    expect(isPasswordRejected({ errno: 1045, code: 'ER_ACCESS_DENIED_ERROR' })).toBe(true);
    expect(isPasswordRejected({ code: '28P01' })).toBe(true);
    expect(isPasswordRejected(new Error('tunnel attempt failed', { cause: { code: '28P01' } }))).toBe(true);
  });

  it('does not count other failures: network, unknown database, pg_hba, plain values', () => {
    expect(isPasswordRejected({ code: 'ECONNREFUSED' })).toBe(false);
    expect(isPasswordRejected({ errno: 1044, code: 'ER_DBACCESS_DENIED_ERROR' })).toBe(false);
    expect(isPasswordRejected({ code: '3D000' })).toBe(false);
    expect(isPasswordRejected({ code: '28000' })).toBe(false);
    expect(isPasswordRejected('28P01')).toBe(false);
    expect(isPasswordRejected(undefined)).toBe(false);
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    expect(isPasswordRejected(loop)).toBe(false);
  });
});

interface Engine {
  name: string;
  peers: Parameters<typeof peersAvailable>;
  start: () => Promise<DatabasePeer>;
  /** Log in with these credentials and say who we are. */
  login: (db: DatabasePeer, credentials: DbCredentials) => Promise<string>;
  /** The database's side of a rotation: the account gets a new password. */
  rotate: (db: DatabasePeer, from: string, to: string) => Promise<void>;
}

const ENGINES: Engine[] = [
  {
    name: 'MariaDB',
    peers: ['mariadbd', 'mariadb-install-db'],
    start: startMariaDb,
    login: async (db, credentials) => {
      const strings = buildConnectionStrings({ family: 'mysql', port: db.port, username: credentials.username, password: credentials.password, database: db.database });
      const connection = await mysql.createConnection(strings.url);
      try {
        const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT CURRENT_USER() AS who');
        return String(rows[0]?.who);
      } finally {
        await connection.end();
      }
    },
    rotate: async (db, from, to) => {
      const connection = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: from });
      try {
        await connection.query('SET PASSWORD = PASSWORD(?)', [to]);
      } finally {
        await connection.end();
      }
    },
  },
  {
    name: 'PostgreSQL',
    peers: ['postgres', 'initdb'],
    start: startPostgres,
    login: async (db, credentials) => {
      const strings = buildConnectionStrings({ family: 'postgres', port: db.port, username: credentials.username, password: credentials.password, database: db.database });
      const client = new pg.Client({ connectionString: strings.url });
      await client.connect();
      try {
        const result = await client.query<{ who: string }>('SELECT current_user AS who');
        return String(result.rows[0]?.who);
      } finally {
        await client.end();
      }
    },
    rotate: async (db, from, to) => {
      const client = new pg.Client({ host: db.host, port: db.port, user: db.user, password: from, database: db.database });
      await client.connect();
      try {
        await client.query(`ALTER ROLE CURRENT_USER PASSWORD ${client.escapeLiteral(to)}`);
      } finally {
        await client.end();
      }
    },
  },
];

for (const engine of ENGINES) {
  describe.skipIf(!peersAvailable(...engine.peers))(`withRotationRetry against real ${engine.name}`, () => {
    let db: DatabasePeer;
    /** The password the account has now (each test rotates it). */
    let current: string;
    let rotations = 0;
    beforeAll(async () => {
      db = await engine.start();
      current = db.password;
    });
    afterAll(async () => {
      await db?.dispose();
    });

    async function rotate(): Promise<{ stale: string; fresh: string }> {
      const stale = current;
      const fresh = `rotated-${++rotations}-@:/?#%+ &'"\\é`;
      await engine.rotate(db, stale, fresh);
      current = fresh;
      return { stale, fresh };
    }

    it('a stale password is rejected, the refetched one logs in: two fetches, two attempts', async () => {
      const { stale, fresh } = await rotate();
      const credentials = sequence({ username: db.user, password: stale }, { username: db.user, password: fresh });
      let attempts = 0;
      let refetches = 0;
      const who = await withRotationRetry(
        credentials.fetch,
        (c) => {
          attempts++;
          return engine.login(db, c);
        },
        { onRefetch: () => refetches++ },
      );
      expect(who).toContain(db.user);
      expect(attempts).toBe(2);
      expect(credentials.calls()).toBe(2);
      expect(refetches).toBe(1);
    });

    it('right the first time: one fetch, one attempt', async () => {
      const credentials = sequence({ username: db.user, password: current });
      expect(await withRotationRetry(credentials.fetch, (c) => engine.login(db, c))).toContain(db.user);
      expect(credentials.calls()).toBe(1);
    });

    it('a second rejection propagates the driver error after exactly one retry', async () => {
      const credentials = sequence({ username: db.user, password: 'stale-one' }, { username: db.user, password: 'stale-two' });
      let attempts = 0;
      const error: unknown = await withRotationRetry(credentials.fetch, (c) => {
        attempts++;
        return engine.login(db, c);
      }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(isPasswordRejected(error)).toBe(true);
      expect(attempts).toBe(2);
      expect(credentials.calls()).toBe(2);
      expect(String(error)).not.toContain('stale-two');
    });

    it('the same password again is not retried: another login could only fail', async () => {
      const credentials = sequence({ username: db.user, password: 'wrong-and-unchanged' });
      let attempts = 0;
      const error: unknown = await withRotationRetry(credentials.fetch, (c) => {
        attempts++;
        return engine.login(db, c);
      }).catch((reason: unknown) => reason);
      expect(isPasswordRejected(error)).toBe(true);
      expect(credentials.calls()).toBe(2);
      expect(attempts).toBe(1);
    });

    it('any other failure (unreachable port) propagates at once, without a refetch', async () => {
      const credentials = sequence({ username: db.user, password: current });
      const error: unknown = await withRotationRetry(credentials.fetch, () =>
        engine.login({ ...db, port: 1, dispose: db.dispose }, { username: db.user, password: current }),
      ).catch((reason: unknown) => reason);
      expect((error as { code?: string }).code).toBe('ECONNREFUSED');
      expect(credentials.calls()).toBe(1);
    });
  });
}

describe.skipIf(!peersAvailable('moto_server', 'postgres', 'initdb'))('the rotation race end to end: Secrets Manager (moto) and PostgreSQL', () => {
  let moto: MotoPeer;
  let db: DatabasePeer;
  beforeAll(async () => {
    [moto, db] = await Promise.all([startMoto(), startPostgres()]);
  });
  afterAll(async () => {
    await Promise.all([moto?.dispose(), db?.dispose()]);
  });

  it('rotation lands between our fetch and our login: the login is rejected, the refetch reads the new AWSCURRENT and logs in', async () => {
    const clients = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials });
    const secretId = 'prod/pg/app';
    await clients.secrets().send(new CreateSecretCommand({ Name: secretId, SecretString: JSON.stringify({ username: db.user, password: db.password }) }));
    const rotated = 'after-rotation-@:/?#%+ &é';
    let fetches = 0;
    const fetch = async () => {
      const credentials = await fetchDbCredentials(clients, { kind: 'secrets-manager', secretId });
      if (++fetches === 1) {
        // The rotation Lambda runs now: it sets the new password on the database, then makes it AWSCURRENT.
        const admin = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
        await admin.connect();
        try {
          await admin.query(`ALTER ROLE CURRENT_USER PASSWORD ${admin.escapeLiteral(rotated)}`);
        } finally {
          await admin.end();
        }
        await clients.secrets().send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify({ username: db.user, password: rotated }) }));
      }
      return credentials;
    };
    const passwordsTried: string[] = [];
    const who = await withRotationRetry(fetch, async (credentials) => {
      passwordsTried.push(credentials.password === rotated ? 'new' : credentials.password === db.password ? 'old' : 'other');
      const strings = buildConnectionStrings({ family: 'postgres', port: db.port, username: credentials.username, password: credentials.password, database: db.database });
      const client = new pg.Client({ connectionString: strings.url });
      await client.connect();
      try {
        return (await client.query<{ who: string }>('SELECT current_user AS who')).rows[0]?.who;
      } finally {
        await client.end();
      }
    });
    expect(who).toBe(db.user);
    expect(passwordsTried).toEqual(['old', 'new']);
    expect(fetches).toBe(2);
  });
});
