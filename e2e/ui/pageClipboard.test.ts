import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../electron/core/aws/awsClients';
import { launchChromium } from '../rig/browser';
import { pickPort } from '../rig/daemon';
import { startMoto, type MotoPeer } from '../rig/moto';
import { peersAvailable } from '../rig/peers';
import { ProfilePage } from './profilePage';
import { startUiRig, type UiRig } from './uiRig';

// URL metacharacters, so a connection string that does not encode them is caught; fresh per run.
const SECRET = `Pw:@/?#%&=+ ${randomBytes(6).toString('base64url')}`;
const CLEARS_IN = /This page clears it in \d+ s: keep this tab open until then\./;

/**
 * Issue #13, copying what tools want, in the browser mode where the service has no clipboard
 * (jumpgate serve without xclip): the page copies the password with the browser's clipboard,
 * counts down and clears it if it still holds it, and says so honestly when the browser does
 * not let it read the clipboard. Host and port copy as `127.0.0.1:PORT`; a Prisma
 * DATABASE_URL can be revealed. The clipboard is Chromium's own (a private browser: the run's
 * shared one has one clipboard for every test file); the page's clock is Playwright's.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen', 'moto_server'))('copying in the browser mode without a service clipboard', () => {
  let rig: UiRig;
  let moto: MotoPeer;
  let browser: Browser;
  let localPort: number;

  beforeAll(async () => {
    moto = await startMoto();
    const aws = { endpoint: moto.endpoint, credentials: moto.credentials };
    await createAwsClients({ region: 'eu-west-2' }, aws)
      .secrets()
      .send(new CreateSecretCommand({ Name: 'prod/app', SecretString: JSON.stringify({ username: 'app', password: SECRET, dbname: 'orders' }) }));
    // No clipboard in deps: the service answers CLIPBOARD_UNAVAILABLE, as jumpgate serve does on a machine without one.
    rig = await startUiRig({ deps: { aws } });
    browser = await launchChromium();
    localPort = await pickPort();
    await rig.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'box',
        name: 'Box',
        jumpHost: { host: rig.sshd.host, port: rig.sshd.port, user: rig.sshd.user, auth: { kind: 'key', keyPath: rig.keyPath } },
        aws: { region: 'eu-west-2' },
        targets: [
          {
            id: 'app',
            name: 'App',
            engine: 'mysql',
            remote: { kind: 'host', host: '127.0.0.1', port: rig.echo.port },
            localPort,
            username: 'app',
            database: 'orders',
            secret: { kind: 'secrets-manager', secretId: 'prod/app' },
          },
        ],
      },
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await rig?.dispose();
    await moto?.dispose();
  });

  async function openPage(context: BrowserContext): Promise<{ page: Page; profile: ProfilePage }> {
    const page = await context.newPage();
    // The page's timers run on Playwright's clock, so 30 s pass when the test says so.
    await page.clock.install();
    const profile = new ProfilePage(page);
    await profile.open(rig.host.url, 'Box');
    return { page, profile };
  }
  const readClipboard = (page: Page): Promise<string> => page.evaluate<string>('navigator.clipboard.readText()');
  const origin = (): string => new URL(rig.host.url).origin;

  it('copies the password with the page clipboard, counts down and clears it; leaves what the user copied since', async () => {
    const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: origin() });
    const { page, profile } = await openPage(context);

    await profile.button('Copy password for App').click();
    const banner = profile.clipboardBanner();
    await banner.filter({ hasText: 'Password for Box / App is on the clipboard.' }).filter({ hasText: CLEARS_IN }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await readClipboard(page)).toBe(SECRET);
    await page.clock.fastForward(31_000);
    await banner.filter({ hasText: 'Clipboard cleared: Password for Box / App is no longer on it.' }).waitFor();
    expect(await readClipboard(page)).toBe('');

    // Copied again, then the user copies something of their own: the clear leaves it alone.
    await profile.button('Copy password for App').click();
    await banner.filter({ hasText: CLEARS_IN }).waitFor();
    expect(await readClipboard(page)).toBe(SECRET);
    await page.evaluate("navigator.clipboard.writeText('SELECT 1; -- mine')");
    await page.clock.fastForward(31_000);
    await banner.filter({ hasText: 'Clipboard cleared' }).waitFor();
    expect(await readClipboard(page)).toBe('SELECT 1; -- mine');

    // The audit log says who copied, and the password is in neither the page nor the log.
    const audit = readFileSync(join(rig.dataDir, 'audit.log'), 'utf8');
    const copied = audit
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; detail: string })
      .filter((entry) => entry.kind === 'password-copied');
    expect(copied.map((entry) => entry.detail)).toEqual(['Password for Box / App (copied by the browser page, which clears it)', 'Password for Box / App (copied by the browser page, which clears it)']);
    expect(audit).not.toContain(SECRET);
    expect(await page.content()).not.toContain(SECRET);
    await context.close();
  });

  it('says the password may still be there when the browser will not let the page read the clipboard, and clears it when asked', async () => {
    // Writing allowed, reading not (the browser's default for a page that never asked).
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-write'], { origin: origin() });
    const { page, profile } = await openPage(context);

    await profile.page.getByLabel('Connection string format for App').selectOption('prisma');
    await profile.button('Copy connection string for App').click();
    const banner = profile.clipboardBanner();
    await banner.filter({ hasText: 'Prisma DATABASE_URL for Box / App is on the clipboard.' }).waitFor();
    await page.clock.fastForward(31_000);
    await banner.filter({ hasText: /^Prisma DATABASE_URL for Box \/ App may still be on the clipboard: the browser did not let this page read the clipboard \(.+\), so it was left alone/ }).waitFor();
    // It really is still there (read with the permission granted now, by the test).
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: origin() });
    const onClipboard = await readClipboard(page);
    expect(decodeURIComponent(new URL(onClipboard).password)).toBe(SECRET);

    await context.clearPermissions();
    await context.grantPermissions(['clipboard-write'], { origin: origin() });
    await banner.getByRole('button', { name: 'Clear clipboard now' }).click();
    await banner.filter({ hasText: 'Clipboard cleared: Prisma DATABASE_URL for Box / App is no longer on it.' }).waitFor();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: origin() });
    expect(await readClipboard(page)).toBe('');
    await context.close();
  });

  it('copies host and port as a host field takes them, the user and database apart, and reveals the Prisma DATABASE_URL', async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: origin() });
    const { page, profile } = await openPage(context);

    await profile.button('Copy host and port for App').click();
    await page.getByRole('status').filter({ hasText: `Copied host:port 127.0.0.1:${localPort}.` }).waitFor();
    expect(await readClipboard(page)).toBe(`127.0.0.1:${localPort}`);
    await profile.button('Copy user name for App').click();
    await page.getByRole('status').filter({ hasText: 'Copied user name app.' }).waitFor();
    expect(await readClipboard(page)).toBe('app');
    await profile.button('Copy database name for App').click();
    await page.getByRole('status').filter({ hasText: 'Copied database name orders.' }).waitFor();
    expect(await readClipboard(page)).toBe('orders');

    await page.getByLabel('Connection string format for App').selectOption('prisma');
    await profile.button('Reveal connection string for App').click();
    const shown = (await page.getByLabel('Connection string of App').textContent()) ?? '';
    const match = /^DATABASE_URL="(.+)"$/.exec(shown);
    expect(match).not.toBeNull();
    const url = new URL(match?.[1] ?? '');
    expect([url.protocol, url.hostname, url.port, url.pathname, decodeURIComponent(url.username), decodeURIComponent(url.password)]).toEqual([
      'mysql:',
      '127.0.0.1',
      String(localPort),
      '/orders',
      'app',
      SECRET,
    ]);
    await profile.button('Hide connection string for App').click();
    expect(await page.getByLabel('Connection string of App').count()).toBe(0);
    expect(await page.content()).not.toContain(encodeURIComponent(SECRET));
    await context.close();
  });
});
