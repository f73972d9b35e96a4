import { join } from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { createAwsClients } from '../../electron/core/aws/awsClients';
import { ProfileStore } from '../../electron/core/profiles/profileStore';
import { KnownHostsStore } from '../../electron/core/ssh/knownHosts';
import { trustSshd } from './engine';
import type { MotoPeer } from './moto';
import type { SshdPeer } from './sshd';

/**
 * A Jumpgate data folder as a user would have it before running a command: profiles saved the
 * way the app saves them, the rig's jump box trusted, AWS pointed at moto by the AWS CLI's own
 * variables. One place for what the CLI tests and the benchmarks each wrote out by hand.
 */

/** Save profiles into `dataDir/profiles.json` through the real store (validated as the app validates them). */
export async function saveProfiles(dataDir: string, ...profiles: unknown[]): Promise<void> {
  const store = new ProfileStore({ path: join(dataDir, 'profiles.json') });
  await store.load();
  for (const profile of profiles) await store.upsert(profile);
}

/** Pin every host key of the rig's sshd in the data folder's known_hosts, as if the user had confirmed them. */
export function trustJumpBox(dataDir: string, sshd: SshdPeer): Promise<void> {
  return trustSshd(new KnownHostsStore(join(dataDir, 'known_hosts')), sshd);
}

/** The environment of a CLI run on `dataDir` whose AWS calls go to moto (no Jumpgate-specific test hook), no agent. */
export function awsCliEnv(moto: MotoPeer, dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    JUMPGATE_DATA_DIR: dataDir,
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    SSH_AUTH_SOCK: '',
    ...extra,
  };
}

/** A database secret in moto's Secrets Manager, as RDS and rotation lambdas write them. */
export async function seedDbSecret(moto: MotoPeer, name: string, secret: { username: string; password: string }, region = 'eu-west-2'): Promise<void> {
  const clients = createAwsClients({ region }, { endpoint: moto.endpoint, credentials: moto.credentials });
  await clients.secrets().send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(secret) }));
}
