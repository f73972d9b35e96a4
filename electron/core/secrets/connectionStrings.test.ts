import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fc from 'fast-check';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMariaDb, startPostgres, type DatabasePeer } from '../../../e2e/rig/databases';
import { peerPath, peersAvailable } from '../../../e2e/rig/peers';
import { isJumpgateError } from '../../../shared/model/errors';
import { buildConnectionStrings, encodeUriComponentStrict, type ConnectionStringInput } from './connectionStrings';

const run = promisify(execFile);

/** Everything that means something in a URL, a query string, a shell, JSON or SQL, plus non-ASCII and an escape-lookalike. */
const NASTY_PASSWORD = `p@ss:w/rd?#%+ &=;!*'()"\\\`$[]{}|^<>,~%41%2F é€密码🔑`;
const NASTY_USER = `us@er:n/a#me?%+ 'é`;
const NASTY_DATABASE = `db/na#me?x%+ é`;

/** RFC 3986 unreserved plus percent-escapes: nothing a parser could take for a delimiter. */
const ONLY_UNRESERVED = /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/;

/** Split a query string the RFC 3986 way (no '+' as space) and decode each value. */
function queryParams(query: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of query.split('&')) {
    const [key = '', value = ''] = pair.split('=');
    params.set(decodeURIComponent(key), decodeURIComponent(value));
  }
  return params;
}

/** Parse a URL back and decode it as a client would. */
function parseBack(url: string): { scheme: string; user: string; password: string; host: string; port: number; database: string } {
  const parsed = new URL(url);
  return {
    scheme: parsed.protocol,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    host: parsed.hostname,
    port: Number(parsed.port),
    database: decodeURIComponent(parsed.pathname.slice(1)),
  };
}

/** JDBC: `jdbc:<subprotocol>://host:port/db?user=..&password=..`, decoded both RFC-style and form-style (Java's URLDecoder). */
function parseJdbc(jdbc: string): { subprotocol: string; host: string; port: number; database: string; user: string; password: string; formUser: string; formPassword: string } {
  const match = /^jdbc:(mysql|postgresql):\/\/([^/]+)\/([^?]*)\?(.*)$/.exec(jdbc);
  if (!match) throw new Error(`not a JDBC URL: ${jdbc.slice(0, 30)}`);
  const [, subprotocol = '', authority = '', database = '', query = ''] = match;
  const hostPort = new URL(`http://${authority}`);
  const params = queryParams(query);
  const form = new URLSearchParams(query);
  return {
    subprotocol,
    host: hostPort.hostname,
    port: Number(hostPort.port),
    database: decodeURIComponent(database),
    user: params.get('user') ?? '',
    password: params.get('password') ?? '',
    formUser: form.get('user') ?? '',
    formPassword: form.get('password') ?? '',
  };
}

function expectRoundTrip(input: ConnectionStringInput): void {
  const strings = buildConnectionStrings(input);
  const scheme = input.family === 'mysql' ? 'mysql:' : 'postgresql:';
  const engineUrl = strings.family === 'mysql' ? strings.mysqlUrl : strings.postgresUrl;
  for (const url of [strings.url, engineUrl, strings.prismaDatabaseUrl, strings.env.DATABASE_URL]) {
    const back = parseBack(url);
    expect(back.scheme).toBe(scheme);
    expect(back.user).toBe(input.username);
    expect(back.password).toBe(input.password);
    expect(back.port).toBe(input.port);
    expect(back.database).toBe(input.database ?? '');
  }
  const jdbc = parseJdbc(strings.jdbc);
  expect(jdbc.subprotocol).toBe(input.family === 'mysql' ? 'mysql' : 'postgresql');
  expect(jdbc.port).toBe(input.port);
  expect(jdbc.user).toBe(input.username);
  expect(jdbc.password).toBe(input.password);
  expect(jdbc.formUser).toBe(input.username);
  expect(jdbc.formPassword).toBe(input.password);
  expect(jdbc.database).toBe(input.database ?? '');
}

describe('buildConnectionStrings', () => {
  const base = { port: 13306, username: NASTY_USER, password: NASTY_PASSWORD, database: NASTY_DATABASE };

  it('round-trips a password with @:/?#%+ & and quotes, backslash and unicode through every MySQL form', () => {
    expectRoundTrip({ family: 'mysql', ...base });
    const strings = buildConnectionStrings({ family: 'mysql', ...base });
    if (strings.family !== 'mysql') throw new Error('wrong family');
    expect(strings.mysqlUrl.startsWith('mysql://')).toBe(true);
    expect(strings.jdbc.startsWith('jdbc:mysql://127.0.0.1:13306/')).toBe(true);
    expect(strings.env).toEqual({
      DATABASE_URL: strings.mysqlUrl,
      MYSQL_HOST: '127.0.0.1',
      MYSQL_TCP_PORT: '13306',
      MYSQL_PWD: NASTY_PASSWORD,
      MYSQL_USER: NASTY_USER,
      MYSQL_DATABASE: NASTY_DATABASE,
    });
  });

  it('round-trips the same through every PostgreSQL form', () => {
    expectRoundTrip({ family: 'postgres', ...base, port: 15432 });
    const strings = buildConnectionStrings({ family: 'postgres', ...base, port: 15432 });
    if (strings.family !== 'postgres') throw new Error('wrong family');
    expect(strings.postgresUrl.startsWith('postgresql://')).toBe(true);
    expect(strings.jdbc.startsWith('jdbc:postgresql://127.0.0.1:15432/')).toBe(true);
    expect(strings.env).toEqual({
      DATABASE_URL: strings.postgresUrl,
      PGHOST: '127.0.0.1',
      PGPORT: '15432',
      PGUSER: NASTY_USER,
      PGPASSWORD: NASTY_PASSWORD,
      PGDATABASE: NASTY_DATABASE,
    });
  });

  it("Prisma's DATABASE_URL is the engine URL, without ?schema= (public is already Prisma's default)", () => {
    const strings = buildConnectionStrings({ family: 'postgres', port: 15432, username: 'u', password: 'p', database: 'app' });
    expect(strings.prismaDatabaseUrl).toBe('postgresql://u:p@127.0.0.1:15432/app');
    expect(strings.prismaDatabaseUrl).toBe(strings.url);
  });

  it('encodes user, password and database to RFC 3986 unreserved characters only, including !\'()*', () => {
    expect(encodeUriComponentStrict("!'()*")).toBe('%21%27%28%29%2A');
    expect(encodeUriComponentStrict('a+b c')).toBe('a%2Bb%20c');
    const strings = buildConnectionStrings({ family: 'mysql', ...base });
    const userinfo = /^mysql:\/\/([^@]*)@/.exec(strings.url)?.[1] ?? '';
    const [user = '', password = ''] = userinfo.split(':');
    expect(user).toMatch(ONLY_UNRESERVED);
    expect(password).toMatch(ONLY_UNRESERVED);
    expect(userinfo.split(':')).toHaveLength(2);
    expect(strings.url.split('/').slice(3).join('/')).toMatch(ONLY_UNRESERVED);
  });

  it('round-trips any Unicode string (property test)', () => {
    // Uniform code points almost never hit ASCII, so mix in ASCII (controls included) and the URL delimiters.
    const char = fc.oneof(
      fc.constantFrom(...`@:/?#%+ &=;!*'()"\\\`$[]{}|^<>,~`),
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    const text = fc.array(char, { minLength: 1, maxLength: 40 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(
        text,
        text,
        fc.constantFrom<'mysql' | 'postgres'>('mysql', 'postgres'),
        (username, password, family) => {
          expectRoundTrip({ family, port: 15432, username, password, database: 'app' });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves the database out when there is none', () => {
    const mysqlStrings = buildConnectionStrings({ family: 'mysql', port: 13306, username: 'u', password: 'p' });
    expect(mysqlStrings.url).toBe('mysql://u:p@127.0.0.1:13306');
    expect(mysqlStrings.jdbc).toBe('jdbc:mysql://127.0.0.1:13306/?user=u&password=p');
    expect('MYSQL_DATABASE' in mysqlStrings.env).toBe(false);
    const pgStrings = buildConnectionStrings({ family: 'postgres', port: 15432, username: 'u', password: 'p' });
    expect(pgStrings.url).toBe('postgresql://u:p@127.0.0.1:15432');
    expect('PGDATABASE' in pgStrings.env).toBe(false);
  });

  it('brackets an IPv6 listener in URLs but not in environment variables', () => {
    const strings = buildConnectionStrings({ family: 'postgres', host: '::1', port: 15432, username: 'u', password: 'p', database: 'd' });
    expect(strings.url).toBe('postgresql://u:p@[::1]:15432/d');
    expect(strings.jdbc).toBe('jdbc:postgresql://[::1]:15432/d?user=u&password=p');
    expect(strings.env).toMatchObject({ PGHOST: '::1' });
  });

  it('refuses a password that is not valid Unicode without quoting it', () => {
    let caught: unknown;
    try {
      buildConnectionStrings({ family: 'mysql', port: 13306, username: 'u', password: 'MARKER\uD800x' });
    } catch (error) {
      caught = error;
    }
    expect(isJumpgateError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'SECRET_MALFORMED' });
    expect(String(caught)).not.toContain('MARKER');
  });

  it('refuses a port that is not a TCP port', () => {
    expect(() => buildConnectionStrings({ family: 'mysql', port: 0, username: 'u', password: 'p' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});

/**
 * The command-line clients come with the servers' Debian packages
 * (mariadb-server -> mariadb-client, postgresql -> postgresql-client). In CI a
 * missing one is a failure, like any other peer.
 */

describe.skipIf(!peersAvailable('mariadbd', 'mariadb-install-db'))('the generated MySQL strings against real MariaDB', () => {
  let db: DatabasePeer;
  beforeAll(async () => {
    db = await startMariaDb();
  });
  afterAll(async () => {
    await db?.dispose();
  });

  async function currentUserVia(url: string): Promise<string> {
    const connection = await mysql.createConnection(url);
    try {
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT CURRENT_USER() AS who, DATABASE() AS db');
      return `${rows[0]?.who}/${rows[0]?.db}`;
    } finally {
      await connection.end();
    }
  }

  it("connects with mysql2 through the URL built from the rig's own password (which has @ : / % # ?)", async () => {
    const strings = buildConnectionStrings({ family: 'mysql', port: db.port, username: db.user, password: db.password, database: db.database });
    expect(await currentUserVia(strings.url)).toBe(`${db.user}@%/${db.database}`);
    expect(await currentUserVia(strings.prismaDatabaseUrl)).toBe(`${db.user}@%/${db.database}`);
  });

  it('after the user sets the full nasty password on itself, the URL and the environment variables both log in', async () => {
    const admin = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password });
    try {
      // Any account may change its own password; no admin privilege needed.
      await admin.query('SET PASSWORD = PASSWORD(?)', [NASTY_PASSWORD]);
    } finally {
      await admin.end();
    }
    const strings = buildConnectionStrings({ family: 'mysql', port: db.port, username: db.user, password: NASTY_PASSWORD, database: db.database });
    if (strings.family !== 'mysql') throw new Error('wrong family');
    expect(await currentUserVia(strings.mysqlUrl)).toBe(`${db.user}@%/${db.database}`);

    // The real mariadb client reads MYSQL_HOST, MYSQL_TCP_PORT and MYSQL_PWD (not MYSQL_USER: -u is passed).
    const client = peerPath('mariadb');
    if (!peersAvailable('mariadb')) return;
    const { stdout } = await run(client, ['--no-defaults', '--protocol=TCP', '-u', strings.env.MYSQL_USER, '-N', '-e', 'SELECT CURRENT_USER()', db.database], {
      env: { PATH: process.env.PATH, ...strings.env },
    });
    expect(stdout.trim()).toBe(`${db.user}@%`);
  });
});

describe.skipIf(!peersAvailable('postgres', 'initdb'))('the generated PostgreSQL strings against real PostgreSQL', () => {
  let db: DatabasePeer;
  beforeAll(async () => {
    db = await startPostgres();
  });
  afterAll(async () => {
    await db?.dispose();
  });

  async function currentUserVia(connectionString: string): Promise<string> {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      const result = await client.query<{ who: string; db: string }>('SELECT current_user AS who, current_database() AS db');
      return `${result.rows[0]?.who}/${result.rows[0]?.db}`;
    } finally {
      await client.end();
    }
  }

  it("connects with pg through the URL built from the rig's own password (which has @ : / % # ?)", async () => {
    const strings = buildConnectionStrings({ family: 'postgres', port: db.port, username: db.user, password: db.password, database: db.database });
    expect(await currentUserVia(strings.url)).toBe(`${db.user}/${db.database}`);
  });

  it('after the role sets the full nasty password on itself, pg, psql with the URL and psql with PG* variables all log in', async () => {
    const admin = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
    await admin.connect();
    try {
      // A role may change its own password without CREATEROLE. Utility statements take no parameters: quote it.
      await admin.query(`ALTER ROLE CURRENT_USER PASSWORD ${admin.escapeLiteral(NASTY_PASSWORD)}`);
    } finally {
      await admin.end();
    }
    const strings = buildConnectionStrings({ family: 'postgres', port: db.port, username: db.user, password: NASTY_PASSWORD, database: db.database });
    if (strings.family !== 'postgres') throw new Error('wrong family');
    expect(await currentUserVia(strings.postgresUrl)).toBe(`${db.user}/${db.database}`);

    const psql = peerPath('psql');
    if (!peersAvailable('psql')) return;
    expect(strings.postgresUrl).toContain('%40'); // the nasty password really is in the URL, encoded
    const clean = { PATH: process.env.PATH, LC_ALL: 'C.UTF-8' };
    // libpq's own URI parser.
    const viaUrl = await run(psql, ['-X', '-A', '-t', '-w', '-c', 'SELECT current_user', strings.postgresUrl], { env: clean });
    expect(viaUrl.stdout.trim()).toBe(db.user);
    // libpq's environment variables.
    const viaEnv = await run(psql, ['-X', '-A', '-t', '-w', '-c', 'SELECT current_database()'], { env: { ...clean, ...strings.env } });
    expect(viaEnv.stdout.trim()).toBe(db.database);
  });
});
