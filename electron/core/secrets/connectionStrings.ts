import { JumpgateError } from '../../../shared/model/errors';

/** What a connection string is built from: the local end of a tunnel and the credentials. */
export interface ConnectionStringInput {
  family: 'mysql' | 'postgres';
  /** The tunnel's listener; '127.0.0.1' unless given (IPv6 literals are bracketed). */
  host?: string;
  port: number;
  username: string;
  password: string;
  database?: string;
}

/**
 * `mysql` and `mariadb` clients read MYSQL_HOST, MYSQL_TCP_PORT and MYSQL_PWD.
 * MYSQL_USER and MYSQL_DATABASE are the convention of container images and
 * twelve-factor apps; the mysql command-line client itself does not read them.
 */
export interface MysqlEnv {
  DATABASE_URL: string;
  MYSQL_HOST: string;
  MYSQL_TCP_PORT: string;
  MYSQL_PWD: string;
  MYSQL_USER: string;
  MYSQL_DATABASE?: string;
}

/** libpq's variables (psql, pg_dump, most drivers) plus DATABASE_URL. */
export interface PostgresEnv {
  DATABASE_URL: string;
  PGHOST: string;
  PGPORT: string;
  PGUSER: string;
  PGPASSWORD: string;
  PGDATABASE?: string;
}

interface CommonStrings {
  /** The engine's URL: the same as mysqlUrl or postgresUrl. */
  url: string;
  /**
   * Prisma's DATABASE_URL. The engine URL unchanged: Prisma's PostgreSQL default
   * schema is already `public` (https://www.prisma.io/docs/orm/reference/connection-urls),
   * and `?schema=` would make the same string unusable with psql/libpq, which
   * reject unknown URI parameters.
   */
  prismaDatabaseUrl: string;
  /** JDBC URL with user and password as query parameters (Connector/J, PgJDBC). */
  jdbc: string;
}

export type ConnectionStrings =
  | (CommonStrings & { family: 'mysql'; mysqlUrl: string; env: MysqlEnv })
  | (CommonStrings & { family: 'postgres'; postgresUrl: string; env: PostgresEnv });

/**
 * Percent-encode every octet except RFC 3986 "unreserved" (A-Z a-z 0-9 - . _ ~).
 * encodeURIComponent leaves `!'()*` alone; they are legal sub-delims in userinfo,
 * but some parsers split on them (Connector/J reads `(key=value)` host syntax)
 * and they break URLs pasted into a shell, so they are encoded too. Every
 * decoder (WHATWG URL + decodeURIComponent, libpq, Java's URLDecoder, Rust's
 * url crate) turns the result back into exactly the input; `+` is always %2B,
 * so form-style decoders cannot mistake it for a space.
 */
export function encodeUriComponentStrict(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A lone UTF-16 surrogate has no UTF-8 form, so no URL can carry it (encodeURIComponent throws). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkText(field: 'username' | 'database' | 'password', value: string): void {
  if (!LONE_SURROGATE.test(value)) return;
  // Never quote the value: for the password that would leak it.
  if (field === 'password') {
    throw new JumpgateError('SECRET_MALFORMED', 'The password contains an invalid Unicode character and cannot be put into a connection string.', {
      hint: 'Copy the password itself instead, or rotate it to one that is valid UTF-8 text.',
    });
  }
  throw new JumpgateError('BAD_REQUEST', `The ${field} contains an invalid Unicode character.`);
}

function hostPart(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Every form a user pastes into a client for the tunnel's local end, with user,
 * password and database percent-encoded so any character round-trips.
 * The result holds the password: hand it to the clipboard or a child process's
 * environment, never to a log.
 */
export function buildConnectionStrings(input: ConnectionStringInput): ConnectionStrings {
  const host = input.host ?? '127.0.0.1';
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) {
    throw new JumpgateError('BAD_REQUEST', `Port ${input.port} is not a TCP port.`);
  }
  if (input.username.length === 0) throw new JumpgateError('BAD_REQUEST', 'A username is needed for a connection string.');
  checkText('username', input.username);
  checkText('password', input.password);
  if (input.database !== undefined) checkText('database', input.database);

  const user = encodeUriComponentStrict(input.username);
  const password = encodeUriComponentStrict(input.password);
  const database = input.database ? encodeUriComponentStrict(input.database) : undefined;
  const authority = `${hostPart(host)}:${input.port}`;
  const path = database ? `/${database}` : '';
  const credentials = `${user}${input.password.length > 0 ? `:${password}` : ''}@`;
  // JDBC drivers want a path even without a database ("/" then the query).
  const jdbcQuery = `?user=${user}&password=${password}`;

  if (input.family === 'mysql') {
    const url = `mysql://${credentials}${authority}${path}`;
    const env: MysqlEnv = {
      DATABASE_URL: url,
      MYSQL_HOST: host,
      MYSQL_TCP_PORT: String(input.port),
      MYSQL_PWD: input.password,
      MYSQL_USER: input.username,
    };
    if (input.database) env.MYSQL_DATABASE = input.database;
    return {
      family: 'mysql',
      url,
      mysqlUrl: url,
      prismaDatabaseUrl: url,
      jdbc: `jdbc:mysql://${authority}/${database ?? ''}${jdbcQuery}`,
      env,
    };
  }
  const url = `postgresql://${credentials}${authority}${path}`;
  const env: PostgresEnv = {
    DATABASE_URL: url,
    PGHOST: host,
    PGPORT: String(input.port),
    PGUSER: input.username,
    PGPASSWORD: input.password,
  };
  if (input.database) env.PGDATABASE = input.database;
  return {
    family: 'postgres',
    url,
    postgresUrl: url,
    prismaDatabaseUrl: url,
    jdbc: `jdbc:postgresql://${authority}/${database ?? ''}${jdbcQuery}`,
    env,
  };
}
