import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickPort } from '../rig/daemon';
import { peersAvailable } from '../rig/peers';
import { listeningPorts } from '../rig/procfs';
import { roundTrip } from '../rig/tcpPeers';
import { ProfilePage } from './profilePage';
import { saveEchoProfile, startUiRig, type UiRig } from './uiRig';

describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen'))('the UI in Chromium through jumpgate serve', () => {
  let rig: UiRig;
  let localPort: number;

  beforeAll(async () => {
    rig = await startUiRig();
    localPort = await pickPort();
    await saveEchoProfile(rig, { id: 'rig', name: 'Rig box', localPort, options: { idleAutoCloseMinutes: 30 } });
  }, 120_000);

  afterAll(async () => {
    await rig?.dispose();
  });

  it('connects a target after the user trusts the host key, shows it open, forwards, and disconnects', async () => {
    const page = new ProfilePage(await rig.browser.newPage({ viewport: { width: 1100, height: 560 } }));
    await page.open(rig.host.url, 'Rig box');
    expect(await page.status('Echo').textContent()).toBe('idle');
    // The route picture: nothing checked yet, so every hop is grey, not green.
    const route = page.page.getByRole('group', { name: 'Route to the databases' });
    expect(await route.getByRole('img').evaluateAll((hops) => hops.map((hop) => hop.getAttribute('aria-label')))).toEqual([
      'This computer to the jump box: not checked (not checked yet)',
      'This computer: not checked (not checked yet)',
      'Jump box: not checked (not checked yet)',
      'Jump box to Echo: not checked (not checked yet)',
      'Echo: not checked (not checked yet)',
    ]);

    await page.connect('Echo');
    expect(rig.sshd.hostKeys.map((hostKey) => hostKey.fingerprint)).toContain(await page.trustHostKey());

    expect(await page.waitForStatus('Echo', /^open for/)).toMatch(/0 client\(s\)/);
    expect(await roundTrip(localPort, 'from the browser test')).toBe('from the browser test');
    await page.page.getByRole('button', { name: 'status open' }).waitFor();
    // The byte counters are live: the echo's 21 bytes each way show up with the next stats event.
    expect(await page.waitForStatus('Echo', /in 21 B · out 21 B/)).toMatch(/^open for \d+ s/);
    // The open tunnel turns the route green up to the database's door (its greeting is the doctor's to check).
    expect(await route.getByRole('img').evaluateAll((hops) => hops.map((hop) => hop.getAttribute('aria-label')))).toEqual([
      'This computer to the jump box: working (tunnel open)',
      'This computer: working (tunnel open)',
      'Jump box: working (tunnel open)',
      'Jump box to Echo: working (tunnel open)',
      'Echo: not checked (not checked yet)',
    ]);
    // The last minute's throughput is drawn from the same counters: 42 bytes passed, so its peak is not zero.
    const sparkline = page.page.getByRole('img', { name: /^Throughput of Echo, last minute: now \d+ B\/s, peak [1-9]\d* B\/s$/ });
    await sparkline.waitFor();
    const heights = (await sparkline.locator('polyline').getAttribute('points'))?.split(' ').map((point) => Number(point.split(',')[1])) ?? [];
    expect(heights).toHaveLength(60);
    expect(Math.min(...heights)).toBeLessThan(Math.max(...heights));
    // The client has gone: the profile's 30-minute idle limit counts down (the service's test closes one).
    const idle = await page.page.getByLabel('Idle close of Echo').textContent();
    expect(idle).toMatch(/^No client: closes in (30:00|29:[0-5]\d) unless one connects$/);
    // UPDATE_SCREENSHOTS=1 refreshes the README's picture; otherwise the file stays in the temp dir.
    await page.page.screenshot({ path: process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots/profile.png' : join(rig.dir, 'profile.png') });

    await page.disconnect('Echo');
    await page.waitForStatus('Echo', /^stopped$/);
    expect(listeningPorts().has(localPort)).toBe(false);
  });
});
