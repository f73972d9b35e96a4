import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';

/** An RDS client as awsClients.ts hands it out: made on its first send. */
type RdsSender = Pick<RDSClient, 'send'>;
import { beforeEach, describe, expect, it } from 'vitest';
import { failure } from '../../../e2e/rig/failure';
import type { MotoPeer } from '../../../e2e/rig/moto';
import { motoForSuite } from '../../../e2e/rig/motoSuite';
import { peersAvailable } from '../../../e2e/rig/peers';
import type { DbRemote } from '../../../shared/model/profile';
import { createAwsClients, type AwsClients } from './awsClients';
import { AwsGateway, AwsGatewayPool, DEFAULT_LISTING_TTL_MS } from './awsGateway';

const REGION = 'eu-west-2';

/** The saved target of the "orders" instance, with its RDS-managed password. */
const ORDERS = {
  name: 'Orders',
  remote: { kind: 'rds', identifier: 'orders', endpoint: 'instance' },
  secret: { kind: 'rds-managed' },
} as const;

/**
 * Counts the region listings a client makes: DescribeDBInstances without an
 * identifier (the paginated "everything" read). Reads of one named instance
 * (resolveEndpoint, a restore's polling) are other questions and not counted.
 */
function countListings(rds: RdsSender): { readonly count: number } {
  const counter = { count: 0 };
  const send = rds.send.bind(rds);
  // The client awsClients.ts hands out is the one every module sends through: counting its sends counts theirs.
  rds.send = ((command: { input: { DBInstanceIdentifier?: string } }, ...rest: unknown[]) => {
    if (command instanceof DescribeDBInstancesCommand && !command.input.DBInstanceIdentifier) counter.count += 1;
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as RdsSender['send'];
  return counter;
}

/** An injected clock for the cache and the restore's polling: sleeping moves it on, nothing waits. */
function fakeClock() {
  let time = 1_000_000;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    sleep: async (ms: number) => {
      time += ms;
    },
  };
}

describe('AwsGateway without AWS', () => {
  const gateway = new AwsGateway({ region: REGION });

  it('names the jump box groups from the profile, or says which setting is missing', async () => {
    await expect(gateway.jumpBoxGroups({ name: 'Prod', aws: { securityGroupId: 'sg-0abc12345' } })).resolves.toEqual(['sg-0abc12345']);
    const error = await failure(gateway.jumpBoxGroups({ name: 'Prod', aws: {} }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toBe('Profile "Prod" does not say which security group guards the jump box.');
    expect(error.hint).toContain('sg-...');
  });

  it('resolves a host target to itself without asking AWS', async () => {
    await expect(gateway.resolveEndpoint({ kind: 'host', host: 'db.internal', port: 3306 })).resolves.toEqual({ host: 'db.internal', port: 3306 });
  });

  it('keeps one gateway per AWS profile and region', () => {
    const pool = new AwsGatewayPool();
    expect(pool.for({ region: REGION })).toBe(pool.for({ region: REGION }));
    expect(pool.for({ region: REGION, profile: 'prod' })).not.toBe(pool.for({ region: REGION }));
    expect(pool.for({ region: 'eu-west-1' }).scope).toEqual({ region: 'eu-west-1' });
  });
});

describe.skipIf(!peersAvailable('moto_server'))('AwsGateway against moto', () => {
  const motoPeer = motoForSuite();
  let moto: MotoPeer;
  let seed: AwsClients;
  let clock: ReturnType<typeof fakeClock>;
  let gateway: AwsGateway;
  let listings: { readonly count: number };

  beforeEach(async () => {
    moto = motoPeer();
    // Seeding goes through clients of its own, so only the gateway's reads are counted.
    seed = createAwsClients({ region: REGION }, { endpoint: moto.endpoint, credentials: moto.credentials });
    await createInstance('orders', 'postgres');
    await seed.rds().send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders', DBSnapshotIdentifier: 'orders-before-migration' }));
    clock = fakeClock();
    gateway = new AwsGateway({ region: REGION }, { environment: { endpoint: moto.endpoint, credentials: moto.credentials }, now: clock.now });
    listings = countListings(gateway.clients.rds());
  });

  async function createInstance(identifier: string, engine: string, extra: { DBClusterIdentifier?: string } = {}) {
    await seed.rds().send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: identifier,
        Engine: engine,
        DBInstanceClass: extra.DBClusterIdentifier ? 'db.r6g.large' : 'db.t3.micro',
        ...(extra.DBClusterIdentifier ? extra : { AllocatedStorage: 20, MasterUsername: 'admin', ManageMasterUserPassword: true }),
      }),
    );
  }

  it('one click (copy the password, then list the snapshots of the same target) lists the region once', async () => {
    const credentials = await gateway.credentialsFor(ORDERS);
    const snapshots = await gateway.snapshotsOf(ORDERS);

    expect(credentials.username).toBe('admin');
    expect(credentials.password.length).toBeGreaterThan(0);
    expect(snapshots.map((snapshot) => snapshot.identifier)).toContain('orders-before-migration');
    expect(listings.count).toBe(1);
  });

  it('requests of one click that arrive together share a single read', async () => {
    const [credentials, snapshots] = await Promise.all([gateway.credentialsFor(ORDERS), gateway.snapshotsOf(ORDERS)]);
    expect(credentials.username).toBe('admin');
    expect(snapshots).not.toHaveLength(0);
    expect(listings.count).toBe(1);
  });

  it('reads the region again once the listing is older than the TTL', async () => {
    await gateway.credentialsFor(ORDERS);
    clock.advance(DEFAULT_LISTING_TTL_MS - 1);
    await gateway.snapshotsOf(ORDERS);
    expect(listings.count).toBe(1);
    clock.advance(1);
    await gateway.snapshotsOf(ORDERS);
    expect(listings.count).toBe(2);
  });

  it('a restore drops the listing (the next lookup reads the region again and sees the copy); so does deleting the copy', async () => {
    await gateway.credentialsFor(ORDERS);
    expect(listings.count).toBe(1);

    const phases: string[] = [];
    // The restore polls on a clock of its own: the cache's clock stays within the TTL throughout.
    const poll = fakeClock();
    const copy = await gateway.restoreSnapshot({
      snapshot: { kind: 'instance', identifier: 'orders-before-migration' },
      newIdentifier: 'orders-copy',
      onProgress: (event) => phases.push(event.phase),
      sleep: poll.sleep,
      now: poll.now,
    });
    expect(copy.identifier).toBe('orders-copy');
    expect(phases).toEqual(['requested', 'available']);
    // The restore's own polling reads the copy by name, which is not a listing.
    expect(listings.count).toBe(1);

    // Within the TTL of the first read, yet read again: the restore changed the region.
    await gateway.snapshotsOf(ORDERS);
    expect(listings.count).toBe(2);
    const copyTarget: DbRemote = { kind: 'rds', identifier: 'orders-copy', endpoint: 'instance' };
    expect(await gateway.databaseBehind(copyTarget)).toMatchObject({ kind: 'instance', identifier: 'orders-copy' });
    expect(listings.count).toBe(2);

    await gateway.deleteRestoredCopy({ identifier: 'orders-copy', confirmIdentifier: 'orders-copy', sleep: poll.sleep, now: poll.now });
    await gateway.credentialsFor(ORDERS);
    expect(listings.count).toBe(3);
  });

  it('what the user asks to see is read anew and serves the lookups that follow', async () => {
    await gateway.credentialsFor(ORDERS);
    const discovered = await gateway.discoverDatabases();
    expect(discovered.databases.map((db) => db.identifier)).toEqual(['orders']);
    expect(listings.count).toBe(2);
    await gateway.snapshotsOf(ORDERS);
    expect(listings.count).toBe(2);

    await gateway.restoredCopies();
    expect(listings.count).toBe(3);
    await gateway.credentialsFor(ORDERS);
    expect(listings.count).toBe(3);
  });

  it('a database created after the listing is still found: a miss reads the region once more', async () => {
    await gateway.credentialsFor(ORDERS);
    await createInstance('billing', 'mysql');
    expect(await gateway.databaseBehind({ kind: 'rds', identifier: 'billing', endpoint: 'instance' })).toMatchObject({ identifier: 'billing' });
    expect(listings.count).toBe(2);
  });

  it('finds the database behind a target by identifier, by cluster member, and by endpoint host', async () => {
    await seed.rds().send(
      new CreateDBClusterCommand({ DBClusterIdentifier: 'ledger', Engine: 'aurora-postgresql', MasterUsername: 'app', ManageMasterUserPassword: true }),
    );
    await createInstance('ledger-1', 'aurora-postgresql', { DBClusterIdentifier: 'ledger' });
    await createInstance('ledger-2', 'aurora-postgresql', { DBClusterIdentifier: 'ledger' });
    const cluster = (await seed.rds().send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'ledger' }))).DBClusters?.[0];
    const member = (await seed.rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'ledger-2' }))).DBInstances?.[0];
    const orders = (await seed.rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'orders' }))).DBInstances?.[0];
    const host = (name: string | undefined): DbRemote => ({ kind: 'host', host: name ?? 'missing', port: 5432 });

    const byMember = await gateway.databaseBehind({ kind: 'rds', identifier: 'ledger-2', endpoint: 'instance' });
    expect(byMember).toMatchObject({ kind: 'cluster', identifier: 'ledger' });
    expect(await gateway.databaseBehind(host(cluster?.ReaderEndpoint))).toMatchObject({ identifier: 'ledger' });
    expect(await gateway.databaseBehind(host(member?.Endpoint?.Address))).toMatchObject({ identifier: 'ledger' });
    expect(await gateway.databaseBehind(host(orders?.Endpoint?.Address))).toMatchObject({ kind: 'instance', identifier: 'orders' });
    expect(await gateway.linkedSecretArn({ kind: 'rds', identifier: 'ledger', endpoint: 'cluster-writer' })).toBe(cluster?.MasterUserSecret?.SecretArn);
    expect(listings.count).toBe(1);

    const error = await failure(gateway.snapshotsOf({ name: 'Nowhere', remote: host('db.elsewhere.example') }));
    expect(error.code).toBe('AWS_NOT_FOUND');
    expect(error.message).toBe(`No RDS database in ${REGION} matches target "Nowhere".`);
  });

  it('does not keep a failed read: the next request asks AWS again', async () => {
    let calls = 0;
    // Credentials that fail once (an SSO token refreshed in between), then load.
    const flaky = new AwsGateway(
      { region: REGION },
      {
        environment: {
          endpoint: moto.endpoint,
          credentials: async () => {
            calls += 1;
            if (calls === 1) throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
            return moto.credentials;
          },
        },
        now: clock.now,
      },
    );
    const flakyListings = countListings(flaky.clients.rds());
    const error = await failure(flaky.databaseBehind(ORDERS.remote));
    expect(error.code).toBe('AWS_CREDENTIALS_MISSING');
    expect(await flaky.databaseBehind(ORDERS.remote)).toMatchObject({ identifier: 'orders' });
    expect(flakyListings.count).toBe(2);
  });
});
