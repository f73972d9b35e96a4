import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecurityGroupCommand } from '@aws-sdk/client-ec2';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCliEnv, saveProfiles, seedDbSecret, trustJumpBox } from '../../e2e/rig/cliData';
import { runCli, spawnCli, waitForLine } from '../../e2e/rig/cliProcess';
import { startMariaDb, startPostgres, type DatabasePeer } from '../../e2e/rig/databases';
import { pickPort } from '../../e2e/rig/daemon';
import { makeOpenSshKey } from '../../e2e/rig/keys';
import { startMoto, type MotoPeer } from '../../e2e/rig/moto';
import { peersAvailable } from '../../e2e/rig/peers';
import { listeningPorts } from '../../e2e/rig/procfs';
import { SshdPeer } from '../../e2e/rig/sshd';
import { createAwsClients } from '../core/aws/awsClients';


// The child a user would run: connect with what jumpgate exec put in the environment, SELECT 1, print the URL.
const MYSQL_CHILD = `require('mysql2/promise').createConnection(process.env.DATABASE_URL).then(async (c) => { const [r] = await c.query('SELECT 1 AS one'); console.log('rows', JSON.stringify(r), 'url', process.env.DATABASE_URL, 'pwd', process.env.MYSQL_PWD); await c.end(); })`;
const PG_CHILD = `const { Client } = require('pg'); const c = new Client({ connectionString: process.env.DATABASE_URL }); c.connect().then(async () => { const r = await c.query('SELECT 1 AS one'); console.error('rows', JSON.stringify(r.rows), 'pw', process.env.PGPASSWORD); await c.end(); process.exit(Number(process.env.EXIT_WITH || 0)); })`;

describe.skipIf(!peersAvailable('moto_server', 'sshd', 'mariadbd', 'postgres'))('jumpgate exec, password and allow-ip', () => {
  let dir: string;
  let moto: MotoPeer;
  let sshd: SshdPeer;
  let maria: DatabasePeer;
  let postgres: DatabasePeer;
  let checkIp: Server;
  let env: NodeJS.ProcessEnv;
  const ports: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-cli-aws-'));
    const key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    [moto, sshd, maria, postgres] = await Promise.all([startMoto(), SshdPeer.start({ authorizedKeys: [key.publicKey] }), startMariaDb(), startPostgres()]);
    checkIp = createServer((_request, response) => response.end('81.2.3.4\n'));
    await new Promise<void>((done) => checkIp.listen(0, '127.0.0.1', done));
    const address = checkIp.address();

    const clients = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials });
    await seedDbSecret(moto, 'app/mysql', { username: maria.user, password: maria.password });
    await seedDbSecret(moto, 'app/pg', { username: postgres.user, password: postgres.password });
    // A secret whose rotation never reached the database: its password is not the database's.
    await seedDbSecret(moto, 'app/stale', { username: maria.user, password: `${maria.password}-rotated` });
    const groupId = (await clients.ec2().send(new CreateSecurityGroupCommand({ GroupName: 'bastion', Description: 'jump box' }))).GroupId;

    const dataDir = join(dir, 'data');
    // The AWS CLI's own variables point the SDK at moto: no Jumpgate-specific test hook.
    env = awsCliEnv(moto, dataDir, { JUMPGATE_CHECKIP_URL: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/` });
    ports.push(await pickPort(), await pickPort());
    const stranger = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    const deadPort = await pickPort();
    await saveProfiles(dataDir, {
      id: 'prod',
      name: 'Prod',
      jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
      aws: { region: 'eu-west-2', securityGroupId: groupId },
      targets: [
        { id: 'orders', name: 'Orders', engine: 'mariadb', remote: { kind: 'host', host: maria.host, port: maria.port }, localPort: ports[0], database: maria.database, secret: { kind: 'secrets-manager', secretId: 'app/mysql' } },
        { id: 'reports', name: 'Reports', engine: 'postgres', remote: { kind: 'host', host: postgres.host, port: postgres.port }, localPort: ports[1], database: postgres.database, secret: { kind: 'secrets-manager', secretId: 'app/pg' } },
      ],
    }, {
      id: 'badkey',
      name: 'Bad key',
      jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: stranger.privatePath } },
      targets: [{ id: 'orders', name: 'Orders', engine: 'mariadb', remote: { kind: 'host', host: maria.host, port: maria.port }, localPort: await pickPort() }],
    }, {
      id: 'deadend',
      name: 'Dead end',
      jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
      targets: [{ id: 'gone', name: 'Gone', engine: 'postgres', remote: { kind: 'host', host: '127.0.0.1', port: deadPort }, localPort: await pickPort() }],
    }, {
      id: 'stale',
      name: 'Stale secret',
      jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
      aws: { region: 'eu-west-2' },
      targets: [{ id: 'orders', name: 'Orders', engine: 'mariadb', remote: { kind: 'host', host: maria.host, port: maria.port }, localPort: await pickPort(), database: maria.database, secret: { kind: 'secrets-manager', secretId: 'app/stale' } }],
    });
    await trustJumpBox(dataDir, sshd);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([moto?.dispose(), sshd?.dispose(), maria?.dispose(), postgres?.dispose(), new Promise((done) => checkIp?.close(done))]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a MariaDB client with DATABASE_URL through the tunnel and masks the password', async () => {
    const { code, stdout, stderr } = await runCli(['exec', 'prod', '--target', 'orders', '--', process.execPath, '-e', MYSQL_CHILD], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('rows [{"one":1}]');
    expect(stdout).toContain(`url mysql://${maria.user}:****@127.0.0.1:${ports[0]}/${maria.database}`);
    expect(stdout).toContain('pwd ****');
    expect(stdout).not.toContain(maria.password);
    expect(listeningPorts().has(ports[0] as number)).toBe(false);
  });

  it('runs a PostgreSQL client, passes its exit code through, and masks stderr too', async () => {
    const { code, stderr } = await runCli(['exec', 'prod', '--target', 'reports', '--', process.execPath, '-e', PG_CHILD], { ...env, EXIT_WITH: '3' });
    expect(code).toBe(3);
    expect(stderr).toContain('rows [{"one":1}]');
    expect(stderr).toContain('pw ****');
    expect(stderr).not.toContain(postgres.password);
  });

  it('shows the password with --no-masking (so masking is what hid it)', async () => {
    const { code, stdout } = await runCli(['exec', 'prod', '--target', 'orders', '--no-masking', '--', process.execPath, '-e', MYSQL_CHILD], env);
    expect(code).toBe(0);
    expect(stdout).toContain(`pwd ${maria.password}`);
  });

  it('connect opens the port, a real query works through it, and SIGINT frees it', async () => {
    const child = spawnCli(['connect', 'prod', 'orders'], env);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForLine(child, /^ready orders /);
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: ports[0], user: maria.user, password: maria.password, database: maria.database });
    const [rows] = await connection.query('SELECT 6 * 7 AS answer');
    await connection.end();
    expect(rows).toEqual([{ answer: 42 }]);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(listeningPorts().has(ports[0] as number)).toBe(false);
    // One line per state change, not one per counter refresh.
    expect(output.match(/ orders open on /g) ?? []).toHaveLength(1);
  });

  it('asks which target when there are several', async () => {
    const { code, stderr } = await runCli(['exec', 'prod', '--', 'true'], env);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--target with one of: orders, reports/);
  });

  it('prints the current password with --no-copy', async () => {
    const { code, stdout } = await runCli(['password', 'prod', 'reports', '--no-copy'], env);
    expect(code).toBe(0);
    expect(stdout).toBe(`${postgres.password}\n`);
    // Logged as what it was: printed, not "shown on screen"; exec runs are logged as used by a command.
    const audit = readFileSync(join(env.JUMPGATE_DATA_DIR ?? '', 'audit.log'), 'utf8');
    const entries = audit.trim().split('\n').map((line) => JSON.parse(line) as { kind: string; detail: string });
    expect(entries.at(-1)).toMatchObject({ kind: 'password-revealed', detail: expect.stringMatching(/printed by jumpgate password --no-copy$/) });
    expect(entries.filter((entry) => entry.kind === 'password-used').length).toBeGreaterThan(0);
    expect(entries.some((entry) => entry.detail.endsWith('shown on screen'))).toBe(false);
    expect(audit).not.toContain(postgres.password);
  });

  it('doctor points at the IP rule first, then passes every step once my IP is allowed', async () => {
    const blocked = await runCli(['doctor', 'prod', 'orders'], env);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toMatch(/✓ AWS credentials: arn:aws/);
    expect(blocked.stdout).toMatch(/✗ Your IP allowed on the jump box: Your IP 81\.2\.3\.4 is not allowed on port \d+ in sg-/);
    expect(blocked.stdout).toMatch(/IP_NOT_ALLOWED, hint: Allow it with/);
    expect(blocked.stdout).toMatch(/- Database answers: not reached/);

    expect((await runCli(['allow-ip', 'prod', '--label', 'doctor'], env)).code).toBe(0);
    const healthy = await runCli(['doctor', 'prod', 'orders', '--json'], env);
    expect(healthy.code).toBe(0);
    const report = JSON.parse(healthy.stdout) as { checks: Array<{ id: string; status: string; detail: string }>; firstFailure?: string };
    expect(report.firstFailure).toBeUndefined();
    expect(report.checks.map((check) => check.status)).toEqual(Array(10).fill('pass'));
    expect(report.checks.find((check) => check.id === 'db-greeting')?.detail).toMatch(/MySQL protocol 10, server .*MariaDB/);
    // The last step logged in with the password from Secrets Manager, through the jump box.
    expect(report.checks.at(-1)).toMatchObject({ id: 'db-login', detail: `logged in as ${maria.user}` });
    expect(healthy.stdout).not.toContain(maria.password);
    const pgReport = JSON.parse((await runCli(['doctor', 'prod', 'reports', '--json'], env)).stdout) as { checks: Array<{ id: string; detail: string }> };
    expect(pgReport.checks.find((check) => check.id === 'db-greeting')?.detail).toMatch(/^PostgreSQL answered/);
    expect(pgReport.checks.at(-1)).toMatchObject({ id: 'db-login', detail: `logged in as ${postgres.user}` });
    await runCli(['allow-ip', 'prod', '--remove', '--label', 'doctor'], env);
  });

  it('doctor points at the password when the secret holds one the database does not accept', async () => {
    const { code, stdout } = await runCli(['doctor', 'stale', '--json'], env);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { firstFailure?: string; checks: Array<{ id: string; status: string; error?: { code: string; message: string; hint?: string } }> };
    expect(report.firstFailure).toBe('db-login');
    expect(report.checks.find((check) => check.id === 'db-greeting')).toMatchObject({ status: 'pass' });
    const failure = report.checks.find((check) => check.id === 'db-login')?.error;
    expect(failure?.code).toBe('DB_LOGIN_FAILED');
    expect(failure?.message).toMatch(/rejected the user and password from Secrets Manager \(read twice\)/);
    expect(failure?.hint).toMatch(/whether the last rotation finished/);
    // Neither the stale password nor the real one is printed.
    expect(stdout).not.toContain(maria.password);
  });

  it('doctor points at the login when the key is not authorized', async () => {
    const { code, stdout } = await runCli(['doctor', 'badkey', '--json'], env);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { firstFailure?: string; checks: Array<{ id: string; error?: { code: string } }> };
    expect(report.firstFailure).toBe('auth');
    expect(report.checks.find((check) => check.id === 'auth')?.error?.code).toBe('AUTH_FAILED');
    expect(report.checks.find((check) => check.id === 'host-key')).toMatchObject({ status: 'pass' });
  });

  it('doctor points at the forward when the endpoint is unreachable', async () => {
    const { code, stdout } = await runCli(['doctor', 'deadend', '--json'], env);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { firstFailure?: string; checks: Array<{ id: string; status: string; error?: { code: string } }> };
    expect(report.firstFailure).toBe('forward');
    expect(report.checks.find((check) => check.id === 'forward')?.error?.code).toBe('ENDPOINT_UNREACHABLE');
    expect(report.checks.find((check) => check.id === 'aws-credentials')?.status).toBe('skip');
  });

  it('allows, checks and removes my IP on the jump box security group', async () => {
    expect((await runCli(['allow-ip', 'prod', '--check'], env)).code).toBe(1);
    const added = await runCli(['allow-ip', 'prod', '--label', 'ci'], env);
    expect(added.code).toBe(0);
    // The rule is on the jump box's SSH port (the rig's sshd), and the line says so.
    expect(added.stdout).toMatch(new RegExp(`^added: 81\\.2\\.3\\.4/32 on port ${sshd.port} in sg-`));
    const check = await runCli(['allow-ip', 'prod', '--check'], env);
    expect(check).toMatchObject({ code: 0 });
    expect(check.stdout).toContain(`81.2.3.4 is allowed on port ${sshd.port}`);
    const removed = await runCli(['allow-ip', 'prod', '--remove', '--label', 'ci'], env);
    expect(removed.stdout).toMatch(/^Removed 81\.2\.3\.4\/32/);
  });
});
