import { startRigBroker } from './rigBroker';
import { RIG_BROKER_ENV } from './sharedRig';

/**
 * vitest globalSetup: one shared rig per run (see rigBroker.ts). Its address
 * goes into the environment here, before the first test worker is forked, so
 * every worker inherits it. The teardown stops every peer the rig started.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const broker = await startRigBroker();
  process.env[RIG_BROKER_ENV] = broker.url;
  return async () => {
    delete process.env[RIG_BROKER_ENV];
    await broker.close();
  };
}
