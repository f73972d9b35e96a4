import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnownHostsStore } from '../../electron/core/ssh/knownHosts';
import { pickPort } from '../rig/daemon';
import { trustSshd } from '../rig/engine';
import { peersAvailable } from '../rig/peers';
import { roundTrip } from '../rig/tcpPeers';
import { ProfilePage } from './profilePage';
import { saveEchoProfile, startUiRig, type UiRig } from './uiRig';

describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen'))('the UI when things go wrong', () => {
  let rig: UiRig;
  let localPort: number;
  let clashPort: number;
  let blocker: Server;

  beforeAll(async () => {
    // Short keepalive and backoff so a lost jump box is noticed and retried within a second.
    rig = await startUiRig({ deps: { pool: { keepalive: { intervalMs: 300, countMax: 2 }, readyTimeoutMs: 2000, backoff: { baseMs: 100, capMs: 1500, jitter: 0.2 } } } });
    await trustSshd(new KnownHostsStore(join(rig.dir, 'data', 'known_hosts')), rig.sshd);
    localPort = await pickPort();
    clashPort = await pickPort();
    blocker = createServer();
    await new Promise<void>((done) => blocker.listen(clashPort, '127.0.0.1', done));
    const { sshd, echo } = rig;
    await rig.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'rig',
        name: 'Rig box',
        jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: rig.keyPath } },
        targets: [
          { id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort },
          { id: 'clash', name: 'Clash', engine: 'postgres', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort: clashPort },
        ],
      },
    });
  }, 120_000);

  afterAll(async () => {
    blocker?.close();
    await rig?.dispose();
  });

  it('shows reconnecting with a countdown when the jump box is lost, then open again on the same port', async () => {
    const page = new ProfilePage(await rig.browser.newPage());
    await page.open(rig.host.url, 'Rig box');
    await page.connect('Echo');
    await page.waitForStatus('Echo', /^open for/);

    await rig.sshd.stop();
    const reconnecting = await page.waitForStatus('Echo', /^reconnecting \(attempt \d+, next in \d+ s\)/);
    expect(reconnecting).toMatch(/jump box/i);
    await rig.sshd.restart();
    await page.waitForStatus('Echo', /^open for/);
    expect(await page.page.getByText(`127.0.0.1:${localPort}`).count()).toBe(1);
    expect(await roundTrip(localPort, 'back again')).toBe('back again');
  });

  it('explains a port clash with the holder and a free port', async () => {
    const page = new ProfilePage(await rig.browser.newPage());
    await page.open(rig.host.url, 'Rig box');
    await page.connect('Clash');
    const alert = page.page.getByRole('alert').filter({ hasText: `Local port ${clashPort} is already in use` });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(new RegExp(`PID ${process.pid}.*is free\\.PORT_IN_USE`));
    // The error is the row's, not the page's.
    expect(await page.page.getByRole('row', { name: 'Error of Clash' }).getByRole('alert').count()).toBe(1);
  });

  it('moves a clashing target to the free port the error names, with one click, and connects it there', async () => {
    const page = new ProfilePage(await rig.browser.newPage());
    await page.open(rig.host.url, 'Rig box');
    await page.connect('Clash');
    const rowError = page.page.getByRole('row', { name: 'Error of Clash' });
    const use = rowError.getByRole('button', { name: /^Use port \d+$/ });
    await use.waitFor();
    const freePort = Number(/\d+$/.exec((await use.textContent()) ?? '')?.[0]);
    expect(freePort).toBeGreaterThan(clashPort);
    await use.click();
    await page.waitForStatus('Clash', /^open for/);
    await rowError.waitFor({ state: 'detached' });
    expect(await page.page.getByText(`127.0.0.1:${freePort}`).count()).toBe(1);
    const saved = await rig.jumpgate.handlers['profiles:get']({ id: 'rig' });
    expect(saved.targets.find((target) => target.id === 'clash')?.localPort).toBe(freePort);
    expect(await roundTrip(freePort, 'moved')).toBe('moved');
    await page.disconnect('Clash');
    await page.waitForStatus('Clash', /^stopped$/);
    // Back where the tests after this one expect it.
    await rig.jumpgate.handlers['profiles:updateTarget']({
      profileId: 'rig',
      revision: (await rig.jumpgate.handlers['profiles:list']({})).revisions.rig ?? 0,
      target: { ...saved.targets.find((target) => target.id === 'clash')!, localPort: clashPort },
    });
    await page.page.close();
  });

  it('lets the user dismiss an error, puts it away when they move to another screen, and never shows it beside a later success', async () => {
    const page = new ProfilePage(await rig.browser.newPage());
    await page.open(rig.host.url, 'Rig box');
    const clash = page.page.getByRole('alert').filter({ hasText: `Local port ${clashPort} is already in use` });

    await page.connect('Clash');
    await clash.waitFor();
    await clash.getByRole('button', { name: 'Dismiss' }).click();
    await clash.waitFor({ state: 'detached' });

    await page.connect('Clash');
    await clash.waitFor();
    await page.page.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: 'Keys' }).click();
    await clash.waitFor({ state: 'detached' });
    await page.profileButton('Rig box').click();
    expect(await clash.count()).toBe(0);

    // The port is freed: the same connect succeeds, and no old error is left to contradict it.
    await page.connect('Clash');
    await clash.waitFor();
    await new Promise<void>((done) => blocker.close(() => done()));
    await page.connect('Clash');
    await page.waitForStatus('Clash', /^open for/);
    expect(await clash.count()).toBe(0);
    await page.disconnect('Clash');
    await page.waitForStatus('Clash', /^stopped$/);
    await page.page.close();
  });

  it('refuses a changed host key in red, with what it means', async () => {
    await rig.jumpgate.handlers['tunnels:stopProfile']({ profileId: 'rig' });
    await rig.sshd.regenerateHostKeys();
    await rig.sshd.restart();
    const page = new ProfilePage(await rig.browser.newPage());
    await page.open(rig.host.url, 'Rig box');
    await page.connect('Echo');
    const refusal = page.page.getByRole('alertdialog', { name: "The jump box's identity has changed: connection refused" });
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/Do not connect/);
    expect(await page.status('Echo').textContent()).toMatch(/^failed: The jump box .* presented/);
    // The picture puts it on the jump box, in red, not on the databases behind it.
    const route = page.page.getByRole('group', { name: 'Route to the databases' });
    expect(await route.getByRole('img', { name: /^Jump box: broken \(The jump box .* presented/ }).count()).toBe(1);
    expect(await route.getByRole('img', { name: /^Jump box to Echo: / }).getAttribute('aria-label')).not.toMatch(/broken/);
  });
});

describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen'))('Retry now while a tunnel waits out a long backoff', () => {
  let rig: UiRig;
  let localPort: number;

  beforeAll(async () => {
    // A backoff of a minute: without "Retry now" the tunnel would stay down well past this test's waits.
    rig = await startUiRig({ deps: { pool: { keepalive: { intervalMs: 300, countMax: 2 }, readyTimeoutMs: 2000, backoff: { baseMs: 60_000, capMs: 60_000, jitter: 0 } } } });
    await trustSshd(new KnownHostsStore(join(rig.dataDir, 'known_hosts')), rig.sshd);
    localPort = await pickPort();
    await saveEchoProfile(rig, { id: 'slow', name: 'Slow backoff', localPort, options: { reconnectCapSeconds: 60 } });
  }, 120_000);

  afterAll(async () => {
    await rig?.dispose();
  });

  it('reconnects at once when the user asks, instead of in a minute', async () => {
    const page = new ProfilePage(await rig.browser.newPage());
    await page.open(rig.host.url, 'Slow backoff');
    await page.connect('Echo');
    await page.waitForStatus('Echo', /^open for/);

    await rig.sshd.stop();
    // Attempt 1 is the immediate retry ("next in 0 s", shown for as long as that attempt takes on a
    // loaded machine); the long backoff starts when it fails.
    const waiting = await page.waitForStatus('Echo', /^reconnecting \(attempt [2-9]\d*, next in \d+ s\)/);
    expect(Number(/next in (\d+) s/.exec(waiting)?.[1])).toBeGreaterThan(30);
    await rig.sshd.restart();
    await page.button('Retry Echo now').click();
    // Well inside the minute the backoff would have waited.
    await page.waitForStatus('Echo', /^open for/);
    expect(await roundTrip(localPort, 'retried')).toBe('retried');
    expect(await page.button('Retry Echo now').count()).toBe(0);
    await page.page.close();
  }, 60_000);
});
