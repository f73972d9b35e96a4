import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../electron/core/dispatcher';
import { createJumpgate, type Jumpgate } from '../../electron/core/service';
import { startWebHost, type WebHost } from '../../electron/host/webHost';
import { launchChromium } from '../rig/browser';
import { pickPort } from '../rig/daemon';
import { makeOpenSshKey } from '../rig/keys';
import { peersAvailable } from '../rig/peers';
import { listeningPorts } from '../rig/procfs';
import { SshdPeer } from '../rig/sshd';
import { roundTrip, startEchoServer, type TcpPeer } from '../rig/tcpPeers';
import { ProfilePage } from './profilePage';

describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen'))('the UI in Chromium through jumpgate serve', () => {
  let dir: string;
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let jumpgate: Jumpgate;
  let host: WebHost;
  let browser: Browser;
  let localPort: number;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs']);
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-ui-'));
    const key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    [sshd, echo] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startEchoServer()]);
    jumpgate = await createJumpgate({ dataDir: join(dir, 'data'), version: 'test' });
    localPort = await pickPort();
    await jumpgate.handlers['profiles:save']({
      profile: {
        id: 'rig',
        name: 'Rig box',
        jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
        targets: [{ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort }],
      },
    });
    host = await startWebHost({ jumpgate, dispatch: createDispatcher(jumpgate.handlers), staticDir: resolve('dist/renderer') });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await jumpgate?.dispose();
    await Promise.all([sshd?.dispose(), echo?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects a target after the user trusts the host key, shows it open, forwards, and disconnects', async () => {
    const page = new ProfilePage(await browser.newPage({ viewport: { width: 1100, height: 560 } }));
    await page.open(host.url, 'Rig box');
    expect(await page.status('Echo').textContent()).toBe('idle');

    await page.connect('Echo');
    const dialog = page.hostKeyDialog();
    await dialog.waitFor();
    const fingerprint = await dialog.getByLabel('Host key fingerprint').textContent();
    expect(sshd.hostKeys.map((hostKey) => hostKey.fingerprint)).toContain(fingerprint);
    await dialog.getByRole('button', { name: 'Trust and connect' }).click();

    expect(await page.waitForStatus('Echo', /^open for/)).toMatch(/0 client\(s\)/);
    expect(await roundTrip(localPort, 'from the browser test')).toBe('from the browser test');
    await page.page.getByRole('button', { name: 'status open' }).waitFor();
    // The byte counters are live: the echo's 21 bytes each way show up with the next stats event.
    expect(await page.waitForStatus('Echo', /in 21 B · out 21 B/)).toMatch(/^open for \d+ s/);
    // UPDATE_SCREENSHOTS=1 refreshes the README's picture; otherwise the file stays in the temp dir.
    await page.page.screenshot({ path: process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots/profile.png' : join(dir, 'profile.png') });

    await page.disconnect('Echo');
    await page.waitForStatus('Echo', /^stopped$/);
    expect(listeningPorts().has(localPort)).toBe(false);
  });
});
