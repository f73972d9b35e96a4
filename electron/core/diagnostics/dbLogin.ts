import type { AddressInfo, Socket } from 'node:net';
import type { ClientChannel } from 'ssh2';
import { JumpgateError } from '../../../shared/model/errors';
import type { DbCredentials } from '../aws/secrets';
import { isPasswordRejected, withRotationRetry } from '../aws/rotationRetry';
import { joinSocketAndChannel } from '../tunnels/forwarding';
import { closeListener, listenLocal, LOOPBACK } from '../tunnels/localListener';

export interface DbLoginOptions {
  family: 'mysql' | 'postgres';
  /** Where the jump box connects, for messages. */
  where: { host: string; port: number };
  /** A fresh channel to the database through the jump box, per driver connection. */
  openChannel: () => Promise<ClientChannel>;
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
  // Loaded for a doctor's login check only: a tunnel never needs a database driver (issue #17's process weight).
  const { default: mysql } = await import('mysql2/promise');
  const connection = await mysql.createConnection({
    host: LOOPBACK,
    port,
    user: credentials.username,
    password: credentials.password,
    ...(database ? { database } : {}),
    connectTimeout: timeoutMs,
  });
  await connection.end();
}

async function loginPostgres(port: number, credentials: DbCredentials, database: string | undefined, timeoutMs: number): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    host: LOOPBACK,
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

/**
 * A loopback listener on an ephemeral port whose connections each get a fresh
 * channel: the tunnel engine's own listener and socket-channel join, for one login.
 */
async function startRelay(openChannel: () => Promise<ClientChannel>): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const counters = { bytesIn: 0, bytesOut: 0 };
  const server = await listenLocal(0, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // Until the channel exists, a client error must not crash the process.
    socket.on('error', () => socket.destroy());
    openChannel().then(
      (channel) => void joinSocketAndChannel(socket, channel, counters),
      () => socket.destroy(),
    );
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await closeListener(server);
    },
  };
}
