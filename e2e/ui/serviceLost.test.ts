import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../electron/core/dispatcher';
import { createJumpgate, type Jumpgate } from '../../electron/core/service';
import { KnownHostsStore } from '../../electron/core/ssh/knownHosts';
import { startWebHost, type WebHost } from '../../electron/host/webHost';
import { pickPort } from '../rig/daemon';
import { trustSshd } from '../rig/engine';
import { peersAvailable } from '../rig/peers';
import { roundTrip } from '../rig/tcpPeers';
import { ProfilePage } from './profilePage';
import { saveEchoProfile, startUiRig, type UiRig } from './uiRig';

/**
 * The page and the service it speaks to are separate programs: `jumpgate serve`
 * can stop or crash under an open page. The page must say so at once, never show
 * a tunnel that died with it as open, and come back by itself with fresh state.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen'))('the UI when the service goes away', () => {
  let rig: UiRig;
  let localPort: number;
  let second: { jumpgate: Jumpgate; host: WebHost } | undefined;

  beforeAll(async () => {
    rig = await startUiRig();
    await trustSshd(new KnownHostsStore(join(rig.dataDir, 'known_hosts')), rig.sshd);
    localPort = await pickPort();
    await saveEchoProfile(rig, { id: 'rig', name: 'Rig box', localPort });
  }, 120_000);

  afterAll(async () => {
    await second?.host.close();
    await second?.jumpgate.dispose();
    await rig?.dispose();
  });

  it('says at once that the service is gone, stops showing the dead tunnel as open, and resyncs when it is back', async () => {
    const page = new ProfilePage(await rig.browser.newPage());
    await page.open(rig.host.url, 'Rig box');
    await page.connect('Echo');
    await page.waitForStatus('Echo', /^open for/);
    expect(await roundTrip(localPort, 'before')).toBe('before');

    // `jumpgate serve` goes away, and its tunnels with it.
    const { port, token } = rig.host;
    await rig.host.close();
    await rig.jumpgate.dispose();
    await expect(roundTrip(localPort, 'after')).rejects.toThrow();

    // Without a click: one banner, and the row no longer claims the tunnel is open.
    await page.page.getByRole('alert', { name: 'Disconnected from Jumpgate' }).waitFor();
    await page.waitForStatus('Echo', /^unknown: not connected to Jumpgate$/);
    expect(await page.page.getByText(/open for/).count()).toBe(0);
    expect(await page.page.getByRole('alert', { name: 'Disconnected from Jumpgate' }).textContent()).toContain('Tunnel states shown here are not current.');

    // The service comes back on the same address (same data, same token): the page reconnects by
    // itself and shows the new service's truth, a tunnel that is not open.
    const jumpgate = await createJumpgate({ dataDir: rig.dataDir, version: 'test' });
    const host = await startWebHost({ jumpgate, dispatch: createDispatcher(jumpgate.handlers), staticDir: rig.staticDir, port, token });
    second = { jumpgate, host };
    await page.page.getByRole('alert', { name: 'Disconnected from Jumpgate' }).waitFor({ state: 'detached' });
    await page.waitForStatus('Echo', /^idle$/);
    expect(await page.button('Connect Echo').isEnabled()).toBe(true);

    // And it is the new service the page now drives: connecting opens the port again.
    await page.connect('Echo');
    await page.waitForStatus('Echo', /^open for/);
    expect(await roundTrip(localPort, 'again')).toBe('again');
    await page.page.close();
  });
});
