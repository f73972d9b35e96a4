import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  type CreateDBInstanceCommandInput,
  type RDSClient,
} from '@aws-sdk/client-rds';

/** An RDS client as awsClients.ts hands it out: made on its first send. */
type RdsSender = Pick<RDSClient, 'send'>;
import { beforeEach, describe, expect, it } from 'vitest';
import type { MotoPeer } from '../../../e2e/rig/moto';
import { motoForSuite } from '../../../e2e/rig/motoSuite';
import { peersAvailable } from '../../../e2e/rig/peers';
import { JumpgateError } from '../../../shared/model/errors';
import { createAwsClients, type AwsClients } from './awsClients';
import { discoverDatabases, proposeLocalPorts, resolveEndpoint } from './rdsDiscovery';

/** Seed one instance through the SDK, the way a console user would create it. */
async function createInstance(rds: RdsSender, input: Partial<CreateDBInstanceCommandInput> & { DBInstanceIdentifier: string; Engine: string }) {
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceClass: 'db.t3.micro',
      // moto 5.2.5 has no default MariaDB version (CreateDBInstance answers 500 without one).
      ...(input.Engine === 'mariadb' ? { EngineVersion: '10.6.14' } : {}),
      ...(input.DBClusterIdentifier ? {} : { AllocatedStorage: 20, MasterUsername: 'admin', ManageMasterUserPassword: true }),
      ...input,
    }),
  );
}

async function createAuroraCluster(rds: RdsSender, identifier: string, engine: 'aurora-mysql' | 'aurora-postgresql', members: string[]) {
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: identifier,
      Engine: engine,
      MasterUsername: 'clusteradmin',
      ManageMasterUserPassword: true,
      DatabaseName: 'orders',
    }),
  );
  // The first member created becomes the writer, the rest readers.
  for (const member of members) {
    await createInstance(rds, { DBInstanceIdentifier: member, Engine: engine, DBInstanceClass: 'db.r6g.large', DBClusterIdentifier: identifier });
  }
}

/** Counts the commands a client sends (the paginator sends one per page), so pagination is observed, not assumed. */
function countRequests(rds: RdsSender): Map<string, number> {
  const counts = new Map<string, number>();
  const send = rds.send.bind(rds);
  // The client awsClients.ts hands out is the one every module sends through: counting its sends counts theirs.
  rds.send = ((command: object, ...rest: unknown[]) => {
    const name = command.constructor.name;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as RdsSender['send'];
  return counts;
}

describe.skipIf(!peersAvailable('moto_server'))('RDS discovery against moto', () => {
  const motoPeer = motoForSuite();
  let moto: MotoPeer;
  let clients: AwsClients;

  beforeEach(async () => {
    moto = motoPeer();
    // Fresh clients per test: a middleware added by one test must not count another's calls.
    clients = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials });
  });

  it('finds MySQL, PostgreSQL and MariaDB instances and an Aurora MySQL cluster with its endpoints and linked secrets', async () => {
    const rds = clients.rds();
    await createInstance(rds, { DBInstanceIdentifier: 'billing-mysql', Engine: 'mysql', DBName: 'billing' });
    await createInstance(rds, { DBInstanceIdentifier: 'reports-pg', Engine: 'postgres', DBName: 'reports', MasterUsername: 'pgadmin' });
    await createInstance(rds, {
      DBInstanceIdentifier: 'legacy-maria',
      Engine: 'mariadb',
      ManageMasterUserPassword: false,
      MasterUserPassword: 'not-managed-1',
    });
    await createInstance(rds, { DBInstanceIdentifier: 'erp-oracle', Engine: 'oracle-ee', LicenseModel: 'bring-your-own-license' });
    await createAuroraCluster(rds, 'orders', 'aurora-mysql', ['orders-1', 'orders-2']);

    const result = await discoverDatabases(clients);

    expect(result.region).toBe('eu-west-2');
    expect(result.lookedIn).toEqual(['eu-west-2']);
    expect(result.note).toBeUndefined();
    expect(result.databases.map((db) => [db.kind, db.identifier, db.engine])).toEqual([
      ['instance', 'billing-mysql', 'mysql'],
      ['instance', 'legacy-maria', 'mariadb'],
      ['cluster', 'orders', 'aurora-mysql'],
      ['instance', 'reports-pg', 'postgres'],
    ]);
    // Members are reached through the cluster, not listed as targets of their own.
    expect(result.databases.some((db) => db.identifier.startsWith('orders-'))).toBe(false);
    expect(result.unsupported).toEqual([{ kind: 'instance', identifier: 'erp-oracle', engine: 'oracle-ee' }]);

    const byId = new Map(result.databases.map((db) => [db.identifier, db]));
    const mysql = byId.get('billing-mysql');
    expect(mysql).toMatchObject({
      status: 'available',
      masterUsername: 'admin',
      dbName: 'billing',
      endpoint: { host: expect.stringMatching(/^billing-mysql\..+\.eu-west-2\.rds\.amazonaws\.com$/), port: 3306 },
      secretArn: expect.stringMatching(/^arn:aws:secretsmanager:eu-west-2:\d{12}:secret:rds!db-/),
    });
    expect(mysql?.engineVersion).toBeTruthy();
    expect(byId.get('reports-pg')).toMatchObject({ endpoint: { port: 5432 }, masterUsername: 'pgadmin', dbName: 'reports' });
    expect(byId.get('reports-pg')?.secretArn).toContain('secret:rds!db-');
    // Not RDS-managed: no linked secret to offer.
    expect(byId.get('legacy-maria')?.secretArn).toBeUndefined();

    const cluster = byId.get('orders');
    expect(cluster).toMatchObject({
      kind: 'cluster',
      status: 'available',
      masterUsername: 'clusteradmin',
      dbName: 'orders',
      endpoint: { host: expect.stringMatching(/^orders\.cluster-[a-z0-9]+\.eu-west-2\.rds\.amazonaws\.com$/), port: 3306 },
      readerEndpoint: { host: expect.stringMatching(/^orders\.cluster-ro-[a-z0-9]+\.eu-west-2\.rds\.amazonaws\.com$/), port: 3306 },
      secretArn: expect.stringMatching(/secret:rds!cluster-/),
    });
    expect(cluster?.members).toEqual([
      { identifier: 'orders-1', writer: true, status: 'available', endpoint: { host: expect.stringMatching(/^orders-1\./), port: 3306 } },
      { identifier: 'orders-2', writer: false, status: 'available', endpoint: { host: expect.stringMatching(/^orders-2\./), port: 3306 } },
    ]);
  });

  it('returns all 120 instances across pages, following the Marker through the SDK paginator', async () => {
    const rds = clients.rds();
    const identifiers = Array.from({ length: 120 }, (_, index) => `db-${String(index).padStart(3, '0')}`);
    for (const [index, identifier] of identifiers.entries()) {
      const engine = index % 2 === 0 ? 'mysql' : 'postgres';
      await createInstance(rds, {
        DBInstanceIdentifier: identifier,
        Engine: engine,
        ManageMasterUserPassword: false,
        MasterUserPassword: 'seed-only-1',
      });
    }
    const counts = countRequests(rds);

    // RDS's smallest page (MaxRecords 20): moto honours it, so this takes 6 pages.
    const small = await discoverDatabases(clients, { pageSize: 20 });
    expect(small.databases.map((db) => db.identifier)).toEqual(identifiers);
    expect(counts.get('DescribeDBInstancesCommand')).toBe(6);

    // The server's default page (100) still needs a second page for 120.
    counts.clear();
    const byDefault = await discoverDatabases(clients);
    expect(byDefault.databases).toHaveLength(120);
    expect(counts.get('DescribeDBInstancesCommand')).toBe(2);
    // 60 of each family: ports run 13306..13365 and 15432..15491 without gaps.
    const ports = byDefault.databases.map((db) => db.proposedLocalPort).sort((a, b) => a - b);
    expect(ports[0]).toBe(13306);
    expect(ports[59]).toBe(13365);
    expect(ports[60]).toBe(15432);
    expect(ports[119]).toBe(15491);
  });

  it('in the wrong region returns none, says where it looked and names the region that has them', async () => {
    const ireland = clients.rds('eu-west-1');
    await createInstance(ireland, { DBInstanceIdentifier: 'shop-mysql', Engine: 'mysql' });
    await createAuroraCluster(ireland, 'shop-aurora', 'aurora-postgresql', ['shop-aurora-1']);
    await createInstance(clients.rds('us-east-1'), { DBInstanceIdentifier: 'us-pg', Engine: 'postgres' });

    const result = await discoverDatabases(clients, { scanRegions: ['eu-west-1', 'us-east-1', 'eu-central-1'] });

    expect(result.databases).toEqual([]);
    expect(result.region).toBe('eu-west-2');
    expect(result.lookedIn).toEqual(['eu-west-2', 'eu-west-1', 'us-east-1', 'eu-central-1']);
    expect(result.foundIn).toEqual([
      { region: 'eu-west-1', count: 2 },
      { region: 'us-east-1', count: 1 },
    ]);
    expect(result.notChecked).toEqual([]);
    expect(result.note).toBe(
      'No RDS databases in eu-west-2 (looked in eu-west-2, eu-west-1, us-east-1, eu-central-1). Databases found in: eu-west-1 (2), us-east-1 (1).',
    );

    // The default scan list covers the common EU/US regions.
    const defaults = await discoverDatabases(clients);
    expect(defaults.lookedIn[0]).toBe('eu-west-2');
    expect(defaults.lookedIn).toEqual(expect.arrayContaining(['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2']));
    expect(defaults.foundIn.map((entry) => entry.region)).toEqual(['eu-west-1', 'us-east-1']);

    // The same call in the right region finds them.
    const right = await discoverDatabases(clients, { region: 'eu-west-1' });
    expect(right.databases.map((db) => db.identifier)).toEqual(['shop-aurora', 'shop-mysql']);
    expect(right.lookedIn).toEqual(['eu-west-1']);
  });

  it('says plainly when no region has any, and when the scan is turned off', async () => {
    await createInstance(clients.rds(), { DBInstanceIdentifier: 'mssql', Engine: 'sqlserver-ex', LicenseModel: 'license-included' });

    const none = await discoverDatabases(clients, { scanRegions: ['eu-west-1'] });
    expect(none.lookedIn).toEqual(['eu-west-2', 'eu-west-1']);
    expect(none.foundIn).toEqual([]);
    expect(none.note).toBe(
      'No RDS databases in eu-west-2 (looked in eu-west-2, eu-west-1). 1 database(s) with engines Jumpgate cannot tunnel to were skipped (sqlserver-ex). Check the region and AWS profile of this Jumpgate profile.',
    );

    const unscanned = await discoverDatabases(clients, { scanRegions: false });
    expect(unscanned.lookedIn).toEqual(['eu-west-2']);
    expect(unscanned.note).toMatch(/^No RDS databases in eu-west-2 \(looked in eu-west-2\)\./);
  });

  it('proposes local ports by family in identifier order, skipping taken ones, and filters by engine', async () => {
    const rds = clients.rds();
    await createInstance(rds, { DBInstanceIdentifier: 'c-mysql', Engine: 'mysql' });
    await createInstance(rds, { DBInstanceIdentifier: 'a-maria', Engine: 'mariadb' });
    await createInstance(rds, { DBInstanceIdentifier: 'b-pg', Engine: 'postgres' });
    await createAuroraCluster(rds, 'd-aurora-pg', 'aurora-postgresql', ['d-aurora-pg-1']);
    await createAuroraCluster(rds, 'e-aurora-my', 'aurora-mysql', ['e-aurora-my-1']);

    const plain = await discoverDatabases(clients);
    expect(plain.databases.map((db) => [db.identifier, db.proposedLocalPort])).toEqual([
      ['a-maria', 13306],
      ['b-pg', 15432],
      ['c-mysql', 13307],
      ['d-aurora-pg', 15433],
      ['e-aurora-my', 13308],
    ]);

    const taken = await discoverDatabases(clients, { takenPorts: [13306, 13308, 15432] });
    expect(taken.databases.map((db) => [db.identifier, db.proposedLocalPort])).toEqual([
      ['a-maria', 13307],
      ['b-pg', 15433],
      ['c-mysql', 13309],
      ['d-aurora-pg', 15434],
      ['e-aurora-my', 13310],
    ]);

    const pgOnly = await discoverDatabases(clients, { engines: ['postgres', 'aurora-postgresql'] });
    expect(pgOnly.databases.map((db) => db.identifier)).toEqual(['b-pg', 'd-aurora-pg']);
    // A cluster filtered out takes its members with it.
    expect(pgOnly.databases.some((db) => db.identifier.startsWith('e-aurora-my'))).toBe(false);
  });

  it('proposeLocalPorts is stable and never hands out the same port twice', () => {
    const proposal = proposeLocalPorts(
      [{ engine: 'mysql' as const }, { engine: 'aurora-mysql' as const }, { engine: 'postgres' as const }],
      new Set([13307]),
    );
    expect(proposal.map((entry) => entry.proposedLocalPort)).toEqual([13306, 13308, 15432]);
  });

  it('resolves instance, cluster writer and cluster reader endpoints at connect time', async () => {
    const rds = clients.rds();
    await createInstance(rds, { DBInstanceIdentifier: 'billing-mysql', Engine: 'mysql' });
    await createAuroraCluster(rds, 'orders', 'aurora-postgresql', ['orders-1', 'orders-2']);

    const instance = await resolveEndpoint(clients, { identifier: 'billing-mysql', endpoint: 'instance' });
    expect(instance).toEqual({ host: expect.stringMatching(/^billing-mysql\..+\.rds\.amazonaws\.com$/), port: 3306 });

    const writer = await resolveEndpoint(clients, { identifier: 'orders', endpoint: 'cluster-writer' });
    expect(writer).toEqual({ host: expect.stringMatching(/^orders\.cluster-[a-z0-9]+\./), port: 5432 });
    const reader = await resolveEndpoint(clients, { identifier: 'orders', endpoint: 'cluster-reader' });
    expect(reader).toEqual({ host: expect.stringMatching(/^orders\.cluster-ro-[a-z0-9]+\./), port: 5432 });

    // A member can still be reached directly as an instance.
    const member = await resolveEndpoint(clients, { identifier: 'orders-2', endpoint: 'instance' });
    expect(member.host).toMatch(/^orders-2\./);
  });

  it('answers AWS_NOT_FOUND with a hint when the identifier does not exist (or is the other kind)', async () => {
    const rds = clients.rds();
    await createInstance(rds, { DBInstanceIdentifier: 'billing-mysql', Engine: 'mysql' });
    await createAuroraCluster(rds, 'orders', 'aurora-mysql', ['orders-1']);

    const missing = await resolveEndpoint(clients, { identifier: 'gone-db', endpoint: 'instance' }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(JumpgateError);
    expect(missing).toMatchObject({
      code: 'AWS_NOT_FOUND',
      message: 'There is no RDS instance "gone-db" in eu-west-2.',
      hint: 'Check the identifier and the region (eu-west-2) of this profile, or discover the databases again.',
    });

    const missingCluster = await resolveEndpoint(clients, { identifier: 'gone-cluster', endpoint: 'cluster-reader' }).catch((error: unknown) => error);
    expect(missingCluster).toMatchObject({ code: 'AWS_NOT_FOUND', message: 'There is no RDS cluster "gone-cluster" in eu-west-2.' });

    const clusterAsInstance = await resolveEndpoint(clients, { identifier: 'orders', endpoint: 'instance' }).catch((error: unknown) => error);
    expect(clusterAsInstance).toMatchObject({
      code: 'AWS_NOT_FOUND',
      hint: '"orders" is a cluster: set this target\'s endpoint to the cluster writer or reader.',
    });

    const instanceAsCluster = await resolveEndpoint(clients, { identifier: 'billing-mysql', endpoint: 'cluster-writer' }).catch((error: unknown) => error);
    expect(instanceAsCluster).toMatchObject({
      code: 'AWS_NOT_FOUND',
      hint: '"billing-mysql" is an instance, not a cluster: set this target\'s endpoint to the instance endpoint.',
    });

    // Right identifier, wrong region.
    const elsewhere = await resolveEndpoint(clients, { identifier: 'billing-mysql', endpoint: 'instance' }, { region: 'eu-west-1' }).catch(
      (error: unknown) => error,
    );
    expect(elsewhere).toMatchObject({ code: 'AWS_NOT_FOUND', message: 'There is no RDS instance "billing-mysql" in eu-west-1.' });
  });
});
