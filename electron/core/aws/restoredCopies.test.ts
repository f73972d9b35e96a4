import { CreateDBInstanceCommand, CreateDBSnapshotCommand } from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoPeer } from '../../../e2e/rig/moto';
import { peersAvailable } from '../../../e2e/rig/peers';
import { createAwsClients, type AwsClients } from './awsClients';
import { findRestoredCopies } from './restoredCopies';
import { deleteRestoredCopy, restoreSnapshot } from './snapshots';

const REGION = 'eu-west-2';
/** Restores poll RDS every 15 s; here the clock jumps instead of waiting. */
const instantPolling = () => {
  let time = 0;
  return { now: () => time, sleep: async (ms: number) => void (time += ms) };
};

describe.skipIf(!peersAvailable('moto_server'))('finding copies Jumpgate restored (moto)', () => {
  let moto: MotoPeer;
  let clients: AwsClients;

  beforeAll(async () => {
    moto = await startMoto();
    clients = createAwsClients({ region: REGION }, { endpoint: moto.endpoint, credentials: moto.credentials });
    await clients.rds().send(
      new CreateDBInstanceCommand({ DBInstanceIdentifier: 'orders-mysql', Engine: 'mysql', DBInstanceClass: 'db.t3.micro', MasterUsername: 'admin', MasterUserPassword: 'not-used-1', AllocatedStorage: 20 }),
    );
    await clients.rds().send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders-mysql', DBSnapshotIdentifier: 'orders-before-migration' }));
  });

  afterAll(async () => {
    await moto?.dispose();
  });

  it('lists only tagged copies, with the database they came from, and forgets one once deleted', async () => {
    expect(await findRestoredCopies(clients)).toEqual([]);
    await restoreSnapshot(clients, { snapshot: { kind: 'instance', identifier: 'orders-before-migration' }, newIdentifier: 'orders-rollback-1', ...instantPolling() });

    const found = await findRestoredCopies(clients);
    // The production instance is not tagged, so it is not offered for deletion.
    expect(found.map((copy) => copy.identifier)).toEqual(['orders-rollback-1']);
    expect(found[0]).toMatchObject({
      kind: 'instance',
      snapshotIdentifier: 'orders-before-migration',
      sourceIdentifier: 'orders-mysql',
      engine: 'mysql',
      status: 'available',
      endpoint: { host: expect.stringContaining('orders-rollback-1'), port: expect.any(Number) },
    });

    await deleteRestoredCopy(clients, { identifier: 'orders-rollback-1', confirmIdentifier: 'orders-rollback-1', ...instantPolling() });
    expect((await findRestoredCopies(clients)).filter((copy) => copy.status !== 'deleting').map((copy) => copy.identifier)).toEqual([]);
  });
});
