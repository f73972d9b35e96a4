import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickPort } from '../rig/daemon';
import { peersAvailable } from '../rig/peers';
import { AwsScreensPage } from './awsScreensPage';
import { ProfilePage } from './profilePage';
import { startServedUi, type ServedUi } from './uiRig';

/**
 * Issue #13: one cause (AWS out of reach here) fails both of the Rollback screen's lookups;
 * the screen says it once, not the same error twice. AWS is a server that hangs up on every connection.
 */
describe.skipIf(!peersAvailable('chromium'))('the Rollback screen when AWS cannot be reached', () => {
  let served: ServedUi;
  let unreachable: Server;

  beforeAll(async () => {
    // "AWS" hangs up on every connection: out of reach the same way each time (a merely closed port could be taken by another test meanwhile).
    unreachable = createServer((socket) => socket.destroy());
    await new Promise<void>((done) => unreachable.listen(0, '127.0.0.1', done));
    const { port } = unreachable.address() as AddressInfo;
    served = await startServedUi({ deps: { aws: { endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example' } } } });
    await served.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'prod',
        name: 'Prod',
        jumpHost: { host: '127.0.0.1', port: 22, user: 'ec2-user', auth: { kind: 'agent' } },
        aws: { region: 'eu-west-2' },
        targets: [{ id: 'orders', name: 'Orders', engine: 'mysql', remote: { kind: 'rds', identifier: 'orders-mysql', endpoint: 'instance' }, localPort: await pickPort() }],
      },
    });
  }, 120_000);

  afterAll(async () => {
    await served?.dispose();
    await new Promise((done) => unreachable?.close(done));
  });

  it('shows the error of both lookups once', async () => {
    const profile = new ProfilePage(await served.browser.newPage());
    const screens = new AwsScreensPage(profile.page);
    await profile.open(served.host.url, 'Prod');
    const panel = await screens.openTab('Rollback');

    await screens.button('List snapshots').click();
    const alert = panel.getByRole('alert');
    await alert.first().waitFor({ timeout: 30_000 });
    const code = (await alert.first().locator('code').textContent()) ?? '';
    expect(code).toMatch(/^[A-Z_]+$/);

    await screens.button('Find restored copies').click();
    await panel.getByRole('status', { name: 'Restored copies found' }).filter({ hasText: `Could not look for restored copies: the same problem as above (${code}).` }).waitFor({ timeout: 30_000 });
    expect(await alert.count()).toBe(1);
    await profile.page.close();
  });
});
