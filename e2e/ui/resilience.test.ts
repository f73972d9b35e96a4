import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../electron/core/dispatcher';
import { createJumpgate, type Jumpgate } from '../../electron/core/service';
import { startWebHost, type WebHost } from '../../electron/host/webHost';
import { launchChromium } from '../rig/browser';
import { pickPort } from '../rig/daemon';
import { trustSshd } from '../rig/engine';
import { makeOpenSshKey } from '../rig/keys';
import { peersAvailable } from '../rig/peers';
import { SshdPeer } from '../rig/sshd';
import { roundTrip, startEchoServer, type TcpPeer } from '../rig/tcpPeers';
import { KnownHostsStore } from '../../electron/core/ssh/knownHosts';
import { ProfilePage } from './profilePage';

describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen'))('the UI when things go wrong', () => {
  let dir: string;
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let jumpgate: Jumpgate;
  let host: WebHost;
  let browser: Browser;
  let localPort: number;
  let clashPort: number;
  let blocker: Server;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs']);
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-ui-resilience-'));
    const key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh' });
    [sshd, echo] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startEchoServer()]);
    // Short keepalive and backoff so a lost jump box is noticed and retried within a second.
    jumpgate = await createJumpgate({
      dataDir: join(dir, 'data'),
      version: 'test',
      pool: { keepalive: { intervalMs: 300, countMax: 2 }, readyTimeoutMs: 2000, backoff: { baseMs: 100, capMs: 1500, jitter: 0.2 } },
    });
    await trustSshd(new KnownHostsStore(join(dir, 'data', 'known_hosts')), sshd);
    localPort = await pickPort();
    clashPort = await pickPort();
    blocker = createServer();
    await new Promise<void>((done) => blocker.listen(clashPort, '127.0.0.1', done));
    await jumpgate.handlers['profiles:save']({
      profile: {
        id: 'rig',
        name: 'Rig box',
        jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
        targets: [
          { id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort },
          { id: 'clash', name: 'Clash', engine: 'postgres', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort: clashPort },
        ],
      },
    });
    host = await startWebHost({ jumpgate, dispatch: createDispatcher(jumpgate.handlers), staticDir: resolve('dist/renderer') });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await jumpgate?.dispose();
    blocker?.close();
    await Promise.all([sshd?.dispose(), echo?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows reconnecting with a countdown when the jump box is lost, then open again on the same port', async () => {
    const page = new ProfilePage(await browser.newPage());
    await page.open(host.url, 'Rig box');
    await page.connect('Echo');
    await page.waitForStatus('Echo', /^open for/);

    await sshd.stop();
    const reconnecting = await page.waitForStatus('Echo', /^reconnecting \(attempt \d+, next in \d+ s\)/);
    expect(reconnecting).toMatch(/jump box/i);
    await sshd.restart();
    await page.waitForStatus('Echo', /^open for/);
    expect(await page.page.getByText(`127.0.0.1:${localPort}`).count()).toBe(1);
    expect(await roundTrip(localPort, 'back again')).toBe('back again');
  });

  it('explains a port clash with the holder and a free port', async () => {
    const page = new ProfilePage(await browser.newPage());
    await page.open(host.url, 'Rig box');
    await page.connect('Clash');
    const alert = page.page.getByRole('alert').filter({ hasText: `Local port ${clashPort} is already in use` });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(new RegExp(`PID ${process.pid}.*is free\\.PORT_IN_USE`));
  });

  it('refuses a changed host key in red, with what it means', async () => {
    await jumpgate.handlers['tunnels:stopProfile']({ profileId: 'rig' });
    await sshd.regenerateHostKeys();
    await sshd.restart();
    const page = new ProfilePage(await browser.newPage());
    await page.open(host.url, 'Rig box');
    await page.connect('Echo');
    const refusal = page.page.getByRole('alertdialog', { name: "The jump box's identity has changed: connection refused" });
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/Do not connect/);
    expect(await page.status('Echo').textContent()).toMatch(/^failed: The jump box .* presented/);
  });
});
