import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { CreateSecurityGroupCommand, DescribeSecurityGroupRulesCommand } from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand, CreateDBSnapshotCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualScheduler, TestClipboard } from '../../e2e/rig/clipboardDouble';
import { startMariaDb, type DatabasePeer } from '../../e2e/rig/databases';
import { pickPort } from '../../e2e/rig/daemon';
import { makeOpenSshKey } from '../../e2e/rig/keys';
import { startMoto, type MotoPeer } from '../../e2e/rig/moto';
import { peersAvailable } from '../../e2e/rig/peers';
import { findSecretOnDisk } from '../../e2e/rig/secretScan';
import { SshdPeer } from '../../e2e/rig/sshd';
import type { JumpgateBridge } from '../../shared/bridge';
import type { Reply } from '../../shared/contract';
import { createAwsClients } from './aws/awsClients';
import { createDispatcher, invokerFor } from './dispatcher';
import { createJumpgate, type Jumpgate } from './service';
import { detailsOf } from '../../shared/model/errors';

function value<T>(reply: Reply<T>): T {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.value;
}

describe.skipIf(!peersAvailable('moto_server', 'sshd', 'mariadbd'))('service with AWS (moto), sshd and MariaDB', () => {
  let dir: string;
  let moto: MotoPeer;
  let sshd: SshdPeer;
  let maria: DatabasePeer;
  let jumpgate: Jumpgate;
  let invoke: JumpgateBridge['invoke'];
  const clipboard = new TestClipboard();
  const scheduler = new ManualScheduler();
  let localPort: number;
  let publicIp = '81.2.3.4';
  let checkIp: Server;
  let groupId: string;
  let clients: ReturnType<typeof createAwsClients>;

  beforeAll(async () => {
    // The "what is my IP" service, answered locally: the test decides the user's address.
    checkIp = createServer((_request, response) => response.end(`${publicIp}\n`));
    await new Promise<void>((resolve) => checkIp.listen(0, '127.0.0.1', resolve));
    const checkIpAddress = checkIp.address();
    const publicIpUrl = `http://127.0.0.1:${typeof checkIpAddress === 'object' && checkIpAddress ? checkIpAddress.port : 0}/`;
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-aws-service-'));
    const key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    [moto, sshd, maria] = await Promise.all([startMoto(), SshdPeer.start({ authorizedKeys: [key.publicKey] }), startMariaDb()]);
    const aws = { endpoint: moto.endpoint, credentials: moto.credentials };
    clients = createAwsClients({ region: 'eu-west-2' }, aws);
    groupId =
      (await clients.ec2().send(new CreateSecurityGroupCommand({ GroupName: 'bastion-ssh', Description: 'jump box' }))).GroupId ?? '';
    // The production shape: an RDS instance with its linked secret, and a named secret for the rig's database.
    await clients.rds().send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'orders-mysql',
        Engine: 'mysql',
        DBInstanceClass: 'db.t3.micro',
        MasterUsername: 'admin',
        ManageMasterUserPassword: true,
        AllocatedStorage: 20,
      }),
    );
    await clients.secrets().send(
      new CreateSecretCommand({ Name: 'prod/orders/app', SecretString: JSON.stringify({ username: maria.user, password: maria.password, dbname: maria.database }) }),
    );
    await clients.secrets().send(new CreateSecretCommand({ Name: 'prod/broken', SecretString: '{"username": "x", "password": "MARKER-7f3a' }));

    let clock = 0;
    jumpgate = await createJumpgate({
      dataDir: join(dir, 'data'),
      version: 'test',
      aws,
      clipboard,
      scheduler,
      publicIpUrl,
      // Restores poll every 15 s in the app; here the clock jumps instead of waiting.
      restorePolling: { pollIntervalMs: 15_000, now: () => clock, sleep: async (ms) => void (clock += ms) },
    });
    invoke = invokerFor(createDispatcher(jumpgate.handlers));
    localPort = await pickPort();
    value(
      await invoke('profiles:save', {
        profile: {
          id: 'prod',
          name: 'Prod',
          jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
          aws: { region: 'eu-west-2', securityGroupId: groupId },
          targets: [
            {
              id: 'app',
              name: 'App DB',
              engine: 'mariadb',
              remote: { kind: 'host', host: maria.host, port: maria.port },
              localPort,
              database: maria.database,
              secret: { kind: 'secrets-manager', secretId: 'prod/orders/app' },
            },
            { id: 'orders', name: 'Orders', engine: 'mysql', remote: { kind: 'rds', identifier: 'orders-mysql' }, localPort: await pickPort(), secret: { kind: 'rds-managed' } },
            { id: 'ghost', name: 'Ghost', engine: 'mysql', remote: { kind: 'rds', identifier: 'no-such-db' }, localPort: await pickPort() },
            { id: 'broken', name: 'Broken', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: 1 }, localPort: await pickPort(), username: 'x', secret: { kind: 'secrets-manager', secretId: 'prod/broken' } },
          ],
        },
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await jumpgate?.dispose();
    await Promise.all([moto?.dispose(), sshd?.dispose(), maria?.dispose(), new Promise((resolve) => checkIp?.close(resolve))]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('knows who the AWS credentials are and discovers the RDS instance with a proposed port', async () => {
    expect(value(await invoke('aws:whoami', { profileId: 'prod' })).account).toMatch(/^\d{12}$/);
    const found = value(await invoke('aws:listDatabases', { profileId: 'prod' }));
    const orders = found.databases.find((db) => db.identifier === 'orders-mysql');
    expect(orders).toMatchObject({ kind: 'instance', engine: 'mysql' });
    expect(orders?.secretArn).toMatch(/^arn:aws:secretsmanager:eu-west-2:/);
    // 13306 is free in this profile's set of ports only if no target already uses it.
    expect(orders?.proposedLocalPort).toBeGreaterThanOrEqual(13306);
  });

  it('copies the password, lets the user log in through the tunnel with it, and clears the clipboard after 30 s', async () => {
    const pending = value(await invoke('secrets:copyPassword', { profileId: 'prod', targetId: 'app' }));
    expect(pending.label).toBe('Password for Prod / App DB');
    expect(pending.clearsAt).toBe(scheduler.now() + 30_000);
    expect(clipboard.text).toBe(maria.password);

    const started = await invoke('tunnels:start', { profileId: 'prod', targetId: 'app' });
    const details = !started.ok ? detailsOf(started.error, 'HOST_KEY_UNKNOWN') : undefined;
    if (!started.ok && started.error.code === 'HOST_KEY_UNKNOWN') {
      value(await invoke('hostKeys:trust', { host: String(details?.host), port: Number(details?.port), publicKey: String(details?.publicKey) }));
      value(await invoke('tunnels:start', { profileId: 'prod', targetId: 'app' }));
    }
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: localPort, user: maria.user, password: clipboard.text, database: maria.database });
    const [rows] = await connection.query('SELECT CURRENT_USER() AS who');
    await connection.end();
    expect((rows as Array<{ who: string }>)[0]?.who).toMatch(/^jumpgate_app@/);

    scheduler.advance(29_000);
    await Promise.resolve();
    expect(clipboard.text).toBe(maria.password);
    scheduler.advance(1_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(clipboard.text).toBe('');
  });

  it('does not clear what the user copied after us', async () => {
    value(await invoke('secrets:copyPassword', { profileId: 'prod', targetId: 'app', clearAfterSeconds: 10 }));
    clipboard.text = 'something the user copied';
    scheduler.advance(10_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(clipboard.text).toBe('something the user copied');
  });

  it('copies a Prisma DATABASE_URL that logs in through the tunnel', async () => {
    value(await invoke('secrets:copyConnectionString', { profileId: 'prod', targetId: 'app', format: 'prisma' }));
    const url = new URL(clipboard.text);
    expect(url.protocol).toBe('mysql:');
    expect(url.host).toBe(`127.0.0.1:${localPort}`);
    const connection = await mysql.createConnection(clipboard.text);
    const [rows] = await connection.query('SELECT DATABASE() AS db');
    await connection.end();
    expect((rows as Array<{ db: string }>)[0]?.db).toBe(maria.database);
    value(await invoke('secrets:clearClipboard', {}));
    expect(clipboard.text).toBe('');
  });

  it('reads the RDS-managed linked secret of an instance', async () => {
    const revealed = value(await invoke('secrets:revealPassword', { profileId: 'prod', targetId: 'orders' }));
    expect(revealed.username).toBeTruthy();
    expect(revealed.password.length).toBeGreaterThan(4);
  });

  it('answers a malformed secret with SECRET_MALFORMED and never echoes it', async () => {
    const reply = await invoke('secrets:revealPassword', { profileId: 'prod', targetId: 'broken' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'SECRET_MALFORMED' } });
    expect(JSON.stringify(reply)).not.toContain('MARKER-7f3a');
  });

  it('resolves an RDS target at connect time and reports an unknown identifier plainly', async () => {
    const reply = await invoke('tunnels:start', { profileId: 'prod', targetId: 'ghost' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'AWS_NOT_FOUND' } });
    expect(!reply.ok && reply.error.message).toContain('no-such-db');
  });

  it('allows my IP on port 22, replaces the rule when my IP changes, and removes it', async () => {
    expect(value(await invoke('aws:checkAccess', { profileId: 'prod' }))).toMatchObject({ ip: '81.2.3.4', allowed: false });
    expect(value(await invoke('aws:allowMyIp', { profileId: 'prod', label: 'home' }))).toMatchObject({ ip: '81.2.3.4', outcome: 'added' });
    expect(value(await invoke('aws:checkAccess', { profileId: 'prod' }))).toMatchObject({ allowed: true, matchingRule: { cidr: '81.2.3.4/32' } });

    publicIp = '81.2.3.99';
    expect(value(await invoke('aws:checkAccess', { profileId: 'prod' }))).toMatchObject({ ip: '81.2.3.99', allowed: false });
    const replaced = value(await invoke('aws:allowMyIp', { profileId: 'prod', label: 'home' }));
    expect(replaced).toMatchObject({ outcome: 'replaced', rule: { cidr: '81.2.3.99/32' } });
    const rules = await clients.ec2().send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
    const ours = (rules.SecurityGroupRules ?? []).filter((rule) => !rule.IsEgress && rule.Description === replaced.rule.description);
    expect(ours.map((rule) => rule.CidrIpv4)).toEqual(['81.2.3.99/32']);

    expect(value(await invoke('aws:removeMyIp', { profileId: 'prod', label: 'home' })).revoked).toHaveLength(1);
    expect(value(await invoke('aws:checkAccess', { profileId: 'prod' })).allowed).toBe(false);
  });

  it('uses the IP the user gives instead of the lookup, refuses one that is not public, and says so in the audit log', async () => {
    const ourRules = async () =>
      ((await clients.ec2().send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }))).SecurityGroupRules ?? [])
        // "Jumpgate: <os user> typed [<STS user id>]" (issue #17)
        .filter((rule) => !rule.IsEgress && / typed \[[^\]]+\]$/.test(rule.Description ?? ''))
        .map((rule) => rule.CidrIpv4);

    // The lookup answers 81.2.3.x; the given address wins, for the check and the rule.
    expect(value(await invoke('aws:checkAccess', { profileId: 'prod', ip: ' 81.2.3.77 ' }))).toMatchObject({ ip: '81.2.3.77', allowed: false });
    expect(value(await invoke('aws:allowMyIp', { profileId: 'prod', label: 'typed', ip: '81.2.3.77' }))).toMatchObject({ ip: '81.2.3.77', outcome: 'added' });
    expect(await ourRules()).toEqual(['81.2.3.77/32']);
    expect(value(await invoke('aws:checkAccess', { profileId: 'prod', ip: '81.2.3.77' }))).toMatchObject({ allowed: true, matchingRule: { cidr: '81.2.3.77/32' } });

    // Checked again by the service, whatever a front end did: the rule is left as it was.
    for (const [ip, kind] of [['10.0.0.5', 'private'], ['127.0.0.1', 'loopback'], ['169.254.169.254', 'link-local'], ['239.1.2.3', 'multicast'], ['240.0.0.1', 'reserved'], ['81.2.3.0/24', 'not-ipv4']] as const) {
      const refused = await invoke('aws:allowMyIp', { profileId: 'prod', label: 'typed', ip });
      expect(refused, ip).toMatchObject({ ok: false, error: { code: 'PUBLIC_IP_INVALID', details: { given: ip, kind } } });
      expect(!refused.ok && refused.error.hint).toContain('public IPv4 address AWS sees for you');
      expect(await invoke('aws:checkAccess', { profileId: 'prod', ip }), ip).toMatchObject({ ok: false, error: { code: 'PUBLIC_IP_INVALID' } });
    }
    expect(await ourRules()).toEqual(['81.2.3.77/32']);

    expect(value(await invoke('aws:removeMyIp', { profileId: 'prod', label: 'typed' })).revoked).toHaveLength(1);
    const lines = value(await invoke('audit:list', {})).filter((entry) => entry.kind === 'ip-allowed').map((entry) => entry.detail);
    expect(lines.find((line) => line.startsWith('81.2.3.77'))).toMatch(/^81\.2\.3\.77 \(given by the user\) on port \d+ of sg-\w+: added$/);
    // An address from the lookup is not said to be given.
    expect(lines.filter((line) => line.startsWith('81.2.3.4 ') || line.startsWith('81.2.3.99 ')).every((line) => !line.includes('given'))).toBe(true);
  });

  it('restores a snapshot to a new instance with progress events, leaving the source as it was', async () => {
    await clients.rds().send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-mysql', DBSnapshotIdentifier: 'orders-before-migration' }));
    const snapshots = value(await invoke('aws:listSnapshots', { profileId: 'prod', targetId: 'orders' }));
    expect(snapshots.map((snapshot) => snapshot.identifier)).toContain('orders-before-migration');
    const sourceBefore = (await clients.rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'orders-mysql' }))).DBInstances?.[0];

    const progress: string[] = [];
    const stop = jumpgate.subscribe((channel, payload) => {
      if (channel === 'aws:restoreProgress') progress.push((payload as { phase: string }).phase);
    });
    const restored = value(
      await invoke('aws:restoreSnapshot', {
        profileId: 'prod',
        targetId: 'orders',
        snapshot: { kind: 'instance', identifier: 'orders-before-migration' },
        newIdentifier: 'orders-rollback-1',
      }),
    );
    stop();
    expect(restored).toMatchObject({ identifier: 'orders-rollback-1', sourceIdentifier: 'orders-mysql' });
    expect(restored.endpoint.host).toContain('orders-rollback-1');
    expect(progress[0]).toBe('requested');
    expect(progress.at(-1)).toBe('available');

    const sourceAfter = (await clients.rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'orders-mysql' }))).DBInstances?.[0];
    expect(sourceAfter?.Endpoint).toEqual(sourceBefore?.Endpoint);
    expect(sourceAfter?.DBInstanceStatus).toBe(sourceBefore?.DBInstanceStatus);

    const refused = await invoke('aws:deleteRestored', { profileId: 'prod', identifier: 'orders-rollback-1', confirmIdentifier: 'orders-rollback' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const sourceRefused = await invoke('aws:deleteRestored', { profileId: 'prod', identifier: 'orders-mysql', confirmIdentifier: 'orders-mysql' });
    expect(sourceRefused).toMatchObject({ ok: false });
    expect(value(await invoke('aws:deleteRestored', { profileId: 'prod', identifier: 'orders-rollback-1', confirmIdentifier: 'orders-rollback-1' })).deleted).toEqual([
      { kind: 'instance', identifier: 'orders-rollback-1' },
    ]);
  });

  it('leaves the password nowhere in the app data directory', async () => {
    value(await invoke('tunnels:stopProfile', { profileId: 'prod' }));
    expect(await findSecretOnDisk(join(dir, 'data'), maria.password)).toEqual([]);
  });
});
