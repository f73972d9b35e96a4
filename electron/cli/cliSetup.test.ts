import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDBClusterCommand, CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../e2e/rig/cliProcess';
import { pickPort } from '../../e2e/rig/daemon';
import { startMariaDb, type DatabasePeer } from '../../e2e/rig/databases';
import { makeOpenSshKey, type RigKey } from '../../e2e/rig/keys';
import { startMoto, type MotoPeer } from '../../e2e/rig/moto';
import { peersAvailable } from '../../e2e/rig/peers';
import { SshdPeer } from '../../e2e/rig/sshd';
import type { DbTarget, Profile } from '../../shared/model/profile';
import { createAwsClients, type AwsClients } from '../core/aws/awsClients';

// What a user's command does with what jumpgate exec put in its environment: SELECT 1 over DATABASE_URL.
const SELECT_ONE = `require('mysql2/promise').createConnection(process.env.DATABASE_URL).then(async (c) => { const [r] = await c.query('SELECT 1 AS one'); console.log('rows', JSON.stringify(r)); await c.end(); })`;

/**
 * A new user with only the `jumpgate` command (issue #18): from an empty data folder to a query
 * through the jump box, and the region's RDS databases added as targets, against the real sshd,
 * MariaDB and moto.
 */
describe.skipIf(!peersAvailable('sshd', 'ssh-keygen', 'mariadbd', 'moto_server'))('a set-up with jumpgate commands alone', () => {
  let dir: string;
  let key: RigKey;
  let sshd: SshdPeer;
  let maria: DatabasePeer;
  let moto: MotoPeer;
  let clients: AwsClients;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-cli-setup-'));
    key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    [sshd, maria, moto] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startMariaDb(), startMoto()]);
    clients = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials });
    await clients.secrets().send(new CreateSecretCommand({ Name: 'shop/maria', SecretString: JSON.stringify({ username: maria.user, password: maria.password }) }));
    // The AWS CLI's own variables point the SDK at moto; the data folder does not exist yet.
    env = {
      JUMPGATE_DATA_DIR: join(dir, 'data'),
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      SSH_AUTH_SOCK: '',
    };
  }, 120_000);

  afterAll(async () => {
    await Promise.all([sshd?.dispose(), maria?.dispose(), moto?.dispose()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const savedProfile = (id: string): Profile | undefined =>
    (JSON.parse(readFileSync(join(env.JUMPGATE_DATA_DIR ?? '', 'profiles.json'), 'utf8')) as { profiles: Profile[] }).profiles.find((profile) => profile.id === id);

  it('goes from an empty data folder to a query through the jump box: profile add, target add, exec', async () => {
    const added = await runCli(['profile', 'add', 'Shop', '--jump', `${sshd.user}@${sshd.host}:${sshd.port}`, '--key', key.privatePath], env);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    // A port of the rig's choosing: the convention's 13306 may be held by another test on this machine (cliProfile.test.ts covers the convention).
    const localPort = await pickPort();
    const target = await runCli(
      ['profile', 'target', 'add', 'shop', 'Orders', '--engine', 'mariadb', '--host', `${maria.host}:${maria.port}`, '--database', maria.database, '--secret', 'shop/maria', '--port', String(localPort)],
      env,
    );
    expect(target.stderr).toBe('');
    expect(target.code).toBe(0);

    const fingerprint = sshd.hostKeys[0]?.fingerprint ?? '';
    const run = await runCli(['exec', 'shop', '--target', 'orders', '--trust-host-key', fingerprint, '--', process.execPath, '-e', SELECT_ONE], env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('rows [{"one":1}]\n');
    expect(run.code).toBe(0);
  });

  it('discover lists the RDS databases of the region and --add makes targets of them, once, on the conventional ports', async () => {
    const rds = clients.rds();
    await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: 'billing-mysql', Engine: 'mysql', DBInstanceClass: 'db.t3.micro', AllocatedStorage: 20, MasterUsername: 'admin', ManageMasterUserPassword: true, DBName: 'billing' }));
    await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: 'reports-pg', Engine: 'postgres', DBInstanceClass: 'db.t3.micro', AllocatedStorage: 20, MasterUsername: 'pgadmin', MasterUserPassword: 'seed-only-1' }));
    await rds.send(new CreateDBClusterCommand({ DBClusterIdentifier: 'ledger', Engine: 'aurora-postgresql', MasterUsername: 'clusteradmin', ManageMasterUserPassword: true, DatabaseName: 'ledger' }));
    // The first member is the writer, the second a reader: the cluster has a reader endpoint.
    for (const member of ['ledger-1', 'ledger-2']) {
      await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: member, Engine: 'aurora-postgresql', DBInstanceClass: 'db.r6g.large', DBClusterIdentifier: 'ledger' }));
    }
    const profile = await runCli(['profile', 'add', 'Finance', '--jump', `${sshd.user}@${sshd.host}:${sshd.port}`, '--key', key.privatePath], env);
    expect(profile.code).toBe(0);

    const listed = await runCli(['discover', 'finance', '--json'], env);
    expect(listed.stderr).toBe('');
    const report = JSON.parse(listed.stdout) as { profileId: string; region: string; databases: Array<{ identifier: string; endpointKind: string; engine: string; endpoint?: string; targetId?: string; addedTargetId?: string }> };
    expect(report.profileId).toBe('finance');
    expect(report.region).toBe('eu-west-2');
    expect(report.databases.map((db) => [db.identifier, db.endpointKind, db.engine])).toEqual([
      ['billing-mysql', 'instance', 'mysql'],
      ['ledger', 'cluster-writer', 'aurora-postgresql'],
      ['ledger', 'cluster-reader', 'aurora-postgresql'],
      ['reports-pg', 'instance', 'postgres'],
    ]);
    expect(report.databases[0]?.endpoint).toMatch(/^billing-mysql\..+\.eu-west-2\.rds\.amazonaws\.com:3306$/);
    expect(report.databases.some((db) => db.targetId !== undefined || db.addedTargetId !== undefined)).toBe(false);
    expect(savedProfile('finance')?.targets).toEqual([]);

    const added = await runCli(['discover', 'Finance', '--add'], env);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/billing-mysql .* added as target billing-mysql on 127\.0\.0\.1:13307/);
    const targets = savedProfile('finance')?.targets ?? [];
    // The example profile of the first run holds 13306 and 15432; each new target takes the next free port of its family.
    expect(targets).toEqual<DbTarget[]>([
      { id: 'billing-mysql', name: 'billing-mysql', engine: 'mysql', remote: { kind: 'rds', identifier: 'billing-mysql', endpoint: 'instance' }, localPort: 13307, database: 'billing', username: 'admin', secret: { kind: 'rds-managed' } },
      { id: 'ledger', name: 'ledger', engine: 'aurora-postgresql', remote: { kind: 'rds', identifier: 'ledger', endpoint: 'cluster-writer' }, localPort: 15433, database: 'ledger', username: 'clusteradmin', secret: { kind: 'rds-managed' } },
      { id: 'ledger-reader', name: 'ledger (reader)', engine: 'aurora-postgresql', remote: { kind: 'rds', identifier: 'ledger', endpoint: 'cluster-reader' }, localPort: 15434, database: 'ledger', username: 'clusteradmin', secret: { kind: 'rds-managed' } },
      // Not RDS-managed: no linked secret, so the password is typed.
      { id: 'reports-pg', name: 'reports-pg', engine: 'postgres', remote: { kind: 'rds', identifier: 'reports-pg', endpoint: 'instance' }, localPort: 15435, username: 'pgadmin', secret: { kind: 'none' } },
    ]);

    // Again: every database is a target already, so nothing is added and nothing written.
    const before = readFileSync(join(env.JUMPGATE_DATA_DIR ?? '', 'profiles.json'), 'utf8');
    const again = await runCli(['discover', 'finance', '--add', '--json'], env);
    const second = JSON.parse(again.stdout) as { databases: Array<{ targetId?: string; addedTargetId?: string }> };
    expect(second.databases.map((db) => db.targetId)).toEqual(['billing-mysql', 'ledger', 'ledger-reader', 'reports-pg']);
    expect(second.databases.some((db) => db.addedTargetId !== undefined)).toBe(false);
    expect(readFileSync(join(env.JUMPGATE_DATA_DIR ?? '', 'profiles.json'), 'utf8')).toBe(before);
  });

  it('discover says what is wrong when AWS refuses or the region is not one, and adds nothing', async () => {
    expect((await runCli(['profile', 'add', 'No creds', '--jump', `${sshd.user}@${sshd.host}:${sshd.port}`, '--agent'], env)).code).toBe(0);
    const before = readFileSync(join(env.JUMPGATE_DATA_DIR ?? '', 'profiles.json'), 'utf8');
    const denied = await runCli(['discover', 'no-creds', '--add'], { ...env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'no-such-profile', AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^error AWS_CREDENTIALS_\w+: /);
    expect(denied.stderr).toMatch(/\n {2}hint: \S/);
    expect(readFileSync(join(env.JUMPGATE_DATA_DIR ?? '', 'profiles.json'), 'utf8')).toBe(before);

    const badRegion = await runCli(['discover', 'no-creds', '--region', 'mars-1'], env);
    expect(badRegion.code).toBe(2);
    expect(badRegion.stderr).toMatch(/^error BAD_REQUEST: --region mars-1 is not an AWS region\.\n {2}hint: Give a region such as eu-west-2/);
  });
});
