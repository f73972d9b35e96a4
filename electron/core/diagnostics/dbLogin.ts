import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { JumpgateError } from '../../../shared/model/errors';
import type { DbCredentials } from '../aws/secrets';
import { isPasswordRejected, withRotationRetry } from '../aws/rotationRetry';

export interface DbLoginOptions {
  family: 'mysql' | 'postgres';
  /** Where the jump box connects, for messages. */
  where: { host: string; port: number };
  /** A fresh channel to the database through the jump box, per driver connection. */
  openChannel: () => Promise<Duplex>;
  /** Reads Secrets Manager each time it is called (the rotation retry needs a fresh read). */
  fetchCredentials: () => Promise<DbCredentials>;
  /** The target's database name, if the profile names one. */
  database?: string;
  timeoutMs: number;
}

/**
 * Log in to the database through the jump box with the password Secrets Manager
 * holds now, then leave: the doctor's proof that what Jumpgate copies will work.
 * A login rejected during a rotation is retried once with a fresh read
 * (withRotationRetry). The driver talks to a loopback listener on an ephemeral
 * port that forwards to a channel, exactly as a user's client talks to a tunnel.
 * The password is passed to the driver and nowhere else; messages name the user only.
 */
export async function checkDbLogin(options: DbLoginOptions): Promise<string> {
  const relay = await startRelay(options.openChannel);
  let refetched = false;
  try {
    const user = await withRotationRetry(
      options.fetchCredentials,
      async (credentials) => {
        const database = options.database ?? credentials.dbname;
        await (options.family === 'mysql' ? loginMysql : loginPostgres)(relay.port, credentials, database, options.timeoutMs);
        return credentials.username;
      },
      { onRefetch: () => (refetched = true) },
    );
    return `logged in as ${user}${refetched ? ' (the first password was rejected; the secret had just been rotated)' : ''}`;
  } catch (error) {
    throw describeLoginError(error, options.where);
  } finally {
    await relay.close();
  }
}

async function loginMysql(port: number, credentials: DbCredentials, database: string | undefined, timeoutMs: number): Promise<void> {
  const connection = await mysql.createConnection({
    host: '127.0.0.1',
    port,
    user: credentials.username,
    password: credentials.password,
    ...(database ? { database } : {}),
    connectTimeout: timeoutMs,
  });
  await connection.end();
}

async function loginPostgres(port: number, credentials: DbCredentials, database: string | undefined, timeoutMs: number): Promise<void> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: credentials.username,
    password: credentials.password,
    // Without a name PostgreSQL looks for a database named after the user; RDS always has "postgres".
    database: database ?? 'postgres',
    connectionTimeoutMillis: timeoutMs,
  });
  try {
    await client.connect();
  } finally {
    await client.end().catch(() => undefined);
  }
}

function describeLoginError(error: unknown, where: { host: string; port: number }): JumpgateError {
  if (error instanceof JumpgateError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (isPasswordRejected(error)) {
    return new JumpgateError('DB_LOGIN_FAILED', `The database at ${where.host}:${where.port} rejected the user and password from Secrets Manager (read twice).`, {
      hint: "The secret and the database disagree: check the secret's username, and in Secrets Manager whether the last rotation finished (a failed rotation leaves a new password in the secret that the database never got).",
      cause: error,
    });
  }
  return new JumpgateError('DB_LOGIN_FAILED', `Logging in to the database at ${where.host}:${where.port} failed: ${reason}.`, {
    hint: "Check the target's database name and user; the network path is fine (the previous steps passed).",
    cause: error,
  });
}

/** A loopback listener on an ephemeral port whose connections each get a fresh channel. */
async function startRelay(openChannel: () => Promise<Duplex>): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    openChannel().then(
      (channel) => {
        channel.on('error', () => socket.destroy());
        channel.once('close', () => socket.destroy());
        socket.once('close', () => channel.destroy());
        socket.pipe(channel).pipe(socket);
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
