import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../electron/core/aws/awsClients';
import { startMoto, type MotoPeer } from './moto';
import { peersAvailable } from './peers';

describe.skipIf(!peersAvailable('moto_server'))('moto rig', () => {
  let moto: MotoPeer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.dispose();
  });

  it('answers the real AWS SDK on its random loopback port', async () => {
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const clients = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials });
    const identity = await clients.sts().send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toMatch(/^\d{12}$/);
    expect(identity.Arn).toContain('arn:aws:');
  });
});
