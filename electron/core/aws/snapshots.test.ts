import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIamUser, enforceIam, startMoto, type MotoPeer } from '../../../e2e/rig/moto';
import { failure } from '../../../e2e/rig/failure';
import { peersAvailable } from '../../../e2e/rig/peers';
import { JumpgateError } from '../../../shared/model/errors';
import { createAwsClients, type AwsClients } from './awsClients';
import {
  RESTORED_FROM_TAG,
  deleteRestoredCopy,
  listSnapshots,
  restoreSnapshot,
  validateDbIdentifier,
  type RestoreProgress,
} from './snapshots';

const REGION = 'eu-west-2';
const INTERVAL = 15_000;


/**
 * The injected clock: `sleep` returns at once and moves time forward, and runs
 * an optional step (a real call to moto) so a test can change the copy's state
 * between two polls.
 */
function fakeClock(steps: Array<() => Promise<unknown>> = []) {
  let time = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
      await steps[sleeps.length - 1]?.();
    },
  };
}

describe('validateDbIdentifier', () => {
  it('accepts RDS identifiers and lower-cases them', () => {
    expect(validateDbIdentifier('a')).toBe('a');
    expect(validateDbIdentifier('Orders-Restore-2')).toBe('orders-restore-2');
    expect(validateDbIdentifier(`a${'b'.repeat(62)}`)).toHaveLength(63);
  });

  it('refuses the rest with BAD_REQUEST naming the rule', () => {
    for (const bad of ['', '1orders', '-orders', 'orders--copy', 'orders-', 'orders_copy', 'orders copy', 'órders', `a${'b'.repeat(63)}`]) {
      let caught: unknown;
      try {
        validateDbIdentifier(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught, bad).toBeInstanceOf(JumpgateError);
      expect((caught as JumpgateError).code).toBe('BAD_REQUEST');
      expect((caught as JumpgateError).hint).toContain('starting with a letter');
    }
  });
});

describe.skipIf(!peersAvailable('moto_server'))('snapshots against moto', () => {
  let moto: MotoPeer;
  let clients: AwsClients;

  beforeAll(async () => {
    moto = await startMoto();
    clients = createAwsClients({ region: REGION }, { endpoint: moto.endpoint, credentials: moto.credentials });
    const rds = clients.rds();
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'orders',
        Engine: 'postgres',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        MasterUsername: 'app',
        MasterUserPassword: 'not-a-real-password-1',
        Tags: [{ Key: 'team', Value: 'payments' }],
      }),
    );
    await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders', DBSnapshotIdentifier: 'orders-before-migration' }));
    await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders', DBSnapshotIdentifier: 'orders-after-migration' }));
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'taken',
        Engine: 'mysql',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        MasterUsername: 'app',
        MasterUserPassword: 'not-a-real-password-2',
      }),
    );
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'ledger',
        Engine: 'aurora-postgresql',
        MasterUsername: 'app',
        MasterUserPassword: 'not-a-real-password-3',
      }),
    );
    await rds.send(
      new CreateDBInstanceCommand({ DBInstanceIdentifier: 'ledger-1', DBClusterIdentifier: 'ledger', Engine: 'aurora-postgresql', DBInstanceClass: 'db.r6g.large' }),
    );
    await rds.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: 'ledger', DBClusterSnapshotIdentifier: 'ledger-eod' }));
  });
  afterAll(async () => {
    await moto?.dispose();
  });

  async function instance(identifier: string) {
    return (await clients.rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }))).DBInstances?.[0];
  }

  async function instanceExists(identifier: string): Promise<boolean> {
    return instance(identifier).then(
      () => true,
      (error: { name?: string }) => {
        if (error.name === 'DBInstanceNotFoundFault') return false;
        throw error;
      },
    );
  }

  /** A description without the fields RDS recomputes on every read (LatestRestorableTime is "now"). */
  function settled<T extends object>(description: T | undefined): Partial<T> | undefined {
    if (!description) return undefined;
    const { LatestRestorableTime: _moving, ...rest } = description as T & { LatestRestorableTime?: unknown };
    return rest as Partial<T>;
  }

  async function cluster(identifier: string) {
    return (await clients.rds().send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }))).DBClusters?.[0];
  }

  it('lists the snapshots of an instance, newest first, with their facts', async () => {
    const snapshots = await listSnapshots(clients, { instanceIdentifier: 'orders' });
    const ids = snapshots.map((snapshot) => snapshot.identifier);
    expect(ids).toEqual(expect.arrayContaining(['orders-before-migration', 'orders-after-migration']));
    // moto also takes the automated snapshot RDS takes at creation.
    expect(snapshots.some((snapshot) => snapshot.type === 'automated')).toBe(true);
    const times = snapshots.map((snapshot) => Date.parse(snapshot.createdAt ?? ''));
    expect(times.every((time) => Number.isFinite(time))).toBe(true);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(snapshots.find((snapshot) => snapshot.identifier === 'orders-after-migration')).toMatchObject({
      kind: 'instance',
      sourceIdentifier: 'orders',
      status: 'available',
      engine: 'postgres',
      sizeGiB: 20,
      type: 'manual',
    });
    await expect(listSnapshots(clients, { instanceIdentifier: 'no-such-db' })).resolves.toEqual([]);
  });

  it('lists the snapshots of an Aurora cluster', async () => {
    const snapshots = await listSnapshots(clients, { clusterIdentifier: 'ledger' });
    expect(snapshots.find((snapshot) => snapshot.identifier === 'ledger-eod')).toMatchObject({
      kind: 'cluster',
      sourceIdentifier: 'ledger',
      status: 'available',
      engine: 'aurora-postgresql',
      type: 'manual',
    });
  });

  it('restores to a NEW instance, reports progress in order, and leaves the source unchanged', async () => {
    const sourceBefore = settled(await instance('orders'));
    const [snapshot] = (await listSnapshots(clients, { instanceIdentifier: 'orders' })).filter((item) => item.identifier === 'orders-after-migration');
    expect(snapshot).toBeDefined();
    const events: RestoreProgress[] = [];
    const clock = fakeClock();

    const copy = await restoreSnapshot(clients, {
      snapshot: snapshot!,
      newIdentifier: 'orders-rollback',
      onProgress: (event) => events.push(event),
      sleep: clock.sleep,
      now: clock.now,
    });

    expect(copy).toMatchObject({
      kind: 'instance',
      identifier: 'orders-rollback',
      instanceIdentifier: 'orders-rollback',
      snapshotIdentifier: 'orders-after-migration',
      sourceIdentifier: 'orders',
      engine: 'postgres',
      endpoint: { port: 5432 },
    });
    expect(copy.endpoint.host).toContain('orders-rollback');
    expect(events.map((event) => event.phase)).toEqual(['requested', 'available']);
    expect(events.at(-1)).toMatchObject({ phase: 'available', status: 'available', identifier: 'orders-rollback', endpoint: copy.endpoint });
    expect(events.map((event) => event.elapsedMs)).toEqual([0, INTERVAL]);
    expect(clock.sleeps).toEqual([INTERVAL]);

    const restored = await instance('orders-rollback');
    expect(restored?.DBInstanceStatus).toBe('available');
    // Jumpgate asks for PubliclyAccessible false; moto omits false flags, so only "not public" is checkable here.
    expect(restored?.PubliclyAccessible).not.toBe(true);
    expect(restored?.TagList).toContainEqual({ Key: RESTORED_FROM_TAG, Value: 'orders-after-migration' });
    expect(settled(await instance('orders'))).toEqual(sourceBefore);
  });

  it('keeps polling while the copy is not available, on the injected clock', async () => {
    const rds = clients.rds();
    const events: RestoreProgress[] = [];
    // Between polls, move the new copy through real states in moto: stopped, then available again.
    const clock = fakeClock([
      () => rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'orders-slow' })),
      () => Promise.resolve(),
      () => rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: 'orders-slow' })),
    ]);
    const copy = await restoreSnapshot(clients, {
      snapshot: { kind: 'instance', identifier: 'orders-before-migration' },
      newIdentifier: 'orders-slow',
      onProgress: (event) => events.push(event),
      pollIntervalMs: 5_000,
      sleep: clock.sleep,
      now: clock.now,
    });
    expect(events.map((event) => [event.phase, event.status, event.elapsedMs])).toEqual([
      ['requested', 'available', 0],
      ['creating', 'stopped', 5_000],
      ['creating', 'stopped', 10_000],
      ['available', 'available', 15_000],
    ]);
    expect(events.slice(0, -1).every((event) => event.endpoint === undefined)).toBe(true);
    expect(copy.endpoint).toEqual(events.at(-1)?.endpoint);
    expect(clock.sleeps).toEqual([5_000, 5_000, 5_000]);
  });

  it('stops waiting after the maximum duration with a coded error', async () => {
    const rds = clients.rds();
    const clock = fakeClock([() => rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'orders-stuck' }))]);
    const error = await failure(
      restoreSnapshot(clients, {
        snapshot: { kind: 'instance', identifier: 'orders-before-migration' },
        newIdentifier: 'orders-stuck',
        pollIntervalMs: 60_000,
        maxDurationMs: 150_000,
        sleep: clock.sleep,
        now: clock.now,
      }),
    );
    expect(error.code).toBe('AWS_REQUEST_FAILED');
    expect(error.message).toContain('still "stopped"');
    expect(error.hint).toContain('goes on in AWS');
    // 60 s + 60 s + the 30 s left, never past the maximum.
    expect(clock.sleeps).toEqual([60_000, 60_000, 30_000]);
  });

  it('restores an Aurora cluster snapshot to a new cluster with a writer instance', async () => {
    const sourceBefore = settled(await cluster('ledger'));
    const events: RestoreProgress[] = [];
    const clock = fakeClock();
    const copy = await restoreSnapshot(clients, {
      snapshot: { kind: 'cluster', identifier: 'ledger-eod' },
      newIdentifier: 'ledger-rollback',
      onProgress: (event) => events.push(event),
      sleep: clock.sleep,
      now: clock.now,
    });
    expect(copy).toMatchObject({
      kind: 'cluster',
      identifier: 'ledger-rollback',
      instanceIdentifier: 'ledger-rollback-instance-1',
      sourceIdentifier: 'ledger',
      engine: 'aurora-postgresql',
      endpoint: { port: 5432 },
    });
    expect(events.map((event) => event.phase)).toEqual(['requested', 'available']);
    expect(events[0]?.status).toBe('creating');

    const restoredCluster = await cluster('ledger-rollback');
    expect(restoredCluster?.TagList).toContainEqual({ Key: RESTORED_FROM_TAG, Value: 'ledger-eod' });
    expect(copy.endpoint.host).toBe(restoredCluster?.Endpoint);
    const writer = await instance('ledger-rollback-instance-1');
    expect(writer).toMatchObject({ DBClusterIdentifier: 'ledger-rollback', DBInstanceClass: 'db.r6g.large' });
    expect(writer?.TagList).toContainEqual({ Key: RESTORED_FROM_TAG, Value: 'ledger-eod' });
    expect(settled(await cluster('ledger'))).toEqual(sourceBefore);
  });

  it('refuses bad, source and existing identifiers without restoring anything', async () => {
    const snapshot = { kind: 'instance' as const, identifier: 'orders-before-migration' };
    for (const bad of ['orders--copy', '2orders', 'orders-', 'orders_copy', '']) {
      const error = await failure(restoreSnapshot(clients, { snapshot, newIdentifier: bad }));
      expect(error.code, bad).toBe('BAD_REQUEST');
      expect(error.hint).toContain('1-63 letters, digits or hyphens');
    }
    for (const source of ['orders', 'ORDERS']) {
      const error = await failure(restoreSnapshot(clients, { snapshot, newIdentifier: source }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toContain('the snapshot was taken of');
    }
    const taken = await failure(restoreSnapshot(clients, { snapshot, newIdentifier: 'taken' }));
    expect(taken.code).toBe('BAD_REQUEST');
    expect(taken.message).toContain('already exists');
    const clusterSource = await failure(restoreSnapshot(clients, { snapshot: { kind: 'cluster', identifier: 'ledger-eod' }, newIdentifier: 'ledger' }));
    expect(clusterSource.code).toBe('BAD_REQUEST');

    const missing = await failure(restoreSnapshot(clients, { snapshot: { kind: 'instance', identifier: 'no-such-snapshot' }, newIdentifier: 'orders-x' }));
    expect(missing.code).toBe('AWS_NOT_FOUND');
    expect(await instanceExists('orders-x')).toBe(false);
    expect((await instance('taken'))?.Engine).toBe('mysql');
  });

  it('deletes a restored copy only on the exact confirmation, and never a database it did not restore', async () => {
    const clock = fakeClock();
    await restoreSnapshot(clients, {
      snapshot: { kind: 'instance', identifier: 'orders-before-migration' },
      newIdentifier: 'orders-scratch',
      sleep: clock.sleep,
      now: clock.now,
    });

    for (const confirmIdentifier of ['', 'orders-scratch ', 'ORDERS-SCRATCH', 'orders']) {
      const error = await failure(deleteRestoredCopy(clients, { identifier: 'orders-scratch', confirmIdentifier }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.hint).toContain('orders-scratch');
    }
    expect(await instanceExists('orders-scratch')).toBe(true);

    // The source has no jumpgate tag: refused even when confirmed.
    const source = await failure(deleteRestoredCopy(clients, { identifier: 'orders', confirmIdentifier: 'orders' }));
    expect(source.code).toBe('BAD_REQUEST');
    expect(source.message).toContain('not restored by Jumpgate');
    expect(await instanceExists('orders')).toBe(true);
    const sourceCluster = await failure(deleteRestoredCopy(clients, { identifier: 'ledger', confirmIdentifier: 'ledger', kind: 'cluster' }));
    expect(sourceCluster.message).toContain('not restored by Jumpgate');

    await expect(deleteRestoredCopy(clients, { identifier: 'orders-scratch', confirmIdentifier: 'orders-scratch' })).resolves.toEqual({
      deleted: [{ kind: 'instance', identifier: 'orders-scratch' }],
    });
    expect(await instanceExists('orders-scratch')).toBe(false);
    expect(await instanceExists('orders')).toBe(true);

    const gone = await failure(deleteRestoredCopy(clients, { identifier: 'orders-scratch', confirmIdentifier: 'orders-scratch' }));
    expect(gone.code).toBe('AWS_NOT_FOUND');
  });

  it('deletes a restored Aurora copy with its instance', async () => {
    const clock = fakeClock();
    await restoreSnapshot(clients, {
      snapshot: { kind: 'cluster', identifier: 'ledger-eod' },
      newIdentifier: 'ledger-scratch',
      sleep: clock.sleep,
      now: clock.now,
    });
    const member = await failure(deleteRestoredCopy(clients, { identifier: 'ledger-scratch-instance-1', confirmIdentifier: 'ledger-scratch-instance-1' }));
    expect(member.hint).toContain('ledger-scratch');

    const result = await deleteRestoredCopy(clients, { identifier: 'ledger-scratch', confirmIdentifier: 'ledger-scratch', sleep: clock.sleep, now: clock.now });
    expect(result.deleted).toEqual([
      { kind: 'instance', identifier: 'ledger-scratch-instance-1' },
      { kind: 'cluster', identifier: 'ledger-scratch' },
    ]);
    expect(await instanceExists('ledger-scratch-instance-1')).toBe(false);
    await expect(cluster('ledger-scratch')).rejects.toMatchObject({ name: 'DBClusterNotFoundFault' });
    expect((await cluster('ledger'))?.Status).toBe('available');
  });

  describe('with IAM enforced by moto', () => {
    it('a denied restore is AWS_ACCESS_DENIED naming the action, and creates nothing', async () => {
      const reader = createAwsClients({ region: REGION }, { endpoint: moto.endpoint, credentials: await createIamUser(moto, 'reader', ['rds:Describe*']) });
      await enforceIam(moto, true);
      try {
        const error = await failure(
          restoreSnapshot(reader, { snapshot: { kind: 'instance', identifier: 'orders-before-migration' }, newIdentifier: 'orders-denied' }),
        );
        expect(error.code).toBe('AWS_ACCESS_DENIED');
        expect(error.message).toContain('rds:RestoreDBInstanceFromDBSnapshot');
        expect(error.hint).toContain('orders-before-migration as orders-denied');
      } finally {
        await enforceIam(moto, false);
      }
      expect(await instanceExists('orders-denied')).toBe(false);
    });
  });
});
