import { createConnection } from 'node:net';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMariaDb, startPostgres, type DatabasePeer } from './databases';
import { peersAvailable } from './peers';
import { SshdPeer } from './sshd';

// The rig itself must be trustworthy before any engine test leans on it.
describe.skipIf(!peersAvailable('sshd', 'ssh-keygen', 'mariadbd', 'postgres', 'initdb'))('test rig', () => {
  let sshd: SshdPeer;
  let maria: DatabasePeer;
  let postgres: DatabasePeer;

  beforeAll(async () => {
    [sshd, maria, postgres] = await Promise.all([SshdPeer.start({ authorizedKeys: [] }), startMariaDb(), startPostgres()]);
  });
  afterAll(async () => {
    await Promise.all([sshd?.dispose(), maria?.dispose(), postgres?.dispose()]);
  });

  it('sshd greets with an OpenSSH banner on its random port', async () => {
    const banner = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: sshd.host, port: sshd.port });
      socket.once('data', (data) => {
        resolve(data.toString('utf8'));
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(banner).toMatch(/^SSH-2\.0-OpenSSH_/);
    expect(sshd.hostKeys.map((key) => key.type)).toEqual(['ed25519', 'rsa']);
    expect(sshd.hostKeys[0]?.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('MariaDB accepts the app user with its password over TCP', async () => {
    const connection = await mysql.createConnection({
      host: maria.host,
      port: maria.port,
      user: maria.user,
      password: maria.password,
      database: maria.database,
    });
    const [rows] = await connection.query('SELECT DATABASE() AS db, 40 + 2 AS answer');
    await connection.end();
    expect(rows).toEqual([{ db: 'appdb', answer: 42 }]);
  });

  it('MariaDB refuses a wrong password', async () => {
    await expect(
      mysql.createConnection({ host: maria.host, port: maria.port, user: maria.user, password: 'nope' }),
    ).rejects.toThrow(/Access denied/);
  });

  it('PostgreSQL accepts the app user with scram over TCP', async () => {
    const client = new pg.Client({
      host: postgres.host,
      port: postgres.port,
      user: postgres.user,
      password: postgres.password,
      database: postgres.database,
    });
    await client.connect();
    const result = await client.query('SELECT current_database() AS db, current_user AS who');
    await client.end();
    expect(result.rows).toEqual([{ db: 'appdb', who: 'jumpgate_app' }]);
  });

  it('sshd restarts on the same port and freezes on demand', async () => {
    const port = sshd.port;
    const before = sshd.pid;
    await sshd.restart();
    expect(sshd.port).toBe(port);
    expect(sshd.pid).not.toBe(before);
    expect(sshd.running).toBe(true);
  });
});
