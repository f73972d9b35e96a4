import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickPort } from '../rig/daemon';
import { makePuttyKey } from '../rig/keys';
import { peersAvailable } from '../rig/peers';
import { roundTrip } from '../rig/tcpPeers';
import { ProfileEditorPage } from './profileEditorPage';
import { ProfilePage } from './profilePage';
import { startUiRig, type UiRig } from './uiRig';
import { screenshot } from './screenshots';

const PASSPHRASE = 'first day at work ✓';

/** The Keys tool and the Shell tab in Chromium, against the rig's real sshd. */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen', 'puttygen'))('keys and the jump box shell in the browser UI', () => {
  let rig: UiRig;
  let page: Page;
  let localPort: number;
  let newKeyPath: string;

  beforeAll(async () => {
    rig = await startUiRig();
    localPort = await pickPort();
    // The new starter's profile exists (from a team file, say) but their key does not yet.
    await rig.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'prod',
        name: 'Prod',
        jumpHost: { host: rig.sshd.host, port: rig.sshd.port, user: rig.sshd.user, auth: { kind: 'key', keyPath: join(rig.dir, 'not-created-yet') } },
        targets: [{ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: rig.echo.port }, localPort }],
      },
    });
    const context = await rig.browser.newContext({ viewport: { width: 1200, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(rig.host.url).origin });
    page = await context.newPage();
    await page.goto(rig.host.url);
  }, 120_000);

  afterAll(async () => {
    await rig?.dispose();
  });

  it('creates a passphrase-protected ed25519 key, hands over its full public line, and logs in with it once authorized', async () => {
    await page.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: 'Keys' }).click();
    const form = page.getByRole('form', { name: 'Create a key' });
    newKeyPath = join(rig.dir, 'new-keys', 'id_ed25519');
    await form.getByLabel('Save the private key as').fill(newKeyPath);
    await form.getByLabel('Comment').fill('new.starter@laptop');
    await form.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await form.getByLabel('Passphrase again').fill('a typo');
    expect(await form.getByText('The two passphrases differ.').count()).toBe(1);
    expect(await form.getByRole('button', { name: 'Create key' }).isDisabled()).toBe(true);
    await form.getByLabel('Passphrase again').fill(PASSPHRASE);
    await form.getByRole('button', { name: 'Create key' }).click();

    const card = page.getByRole('region', { name: 'Your new key' });
    const publicKey = await card.getByLabel("Public key to send to the jump box's administrator").inputValue();
    expect(publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ new\.starter@laptop$/);
    expect(readFileSync(`${newKeyPath}.pub`, 'utf8').trim()).toBe(publicKey);
    expect(statSync(newKeyPath).mode & 0o777).toBe(0o600);
    await card.getByRole('button', { name: 'Copy public key' }).click();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(publicKey);
    await screenshot(page, 'keys');

    // The same path again is refused, and the key is kept.
    await form.getByLabel('Passphrase', { exact: true }).fill('');
    await form.getByLabel('Passphrase again').fill('');
    await form.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('alert').filter({ hasText: `There is already a file at ${newKeyPath}` }).waitFor();
    expect(readFileSync(`${newKeyPath}.pub`, 'utf8').trim()).toBe(publicKey);

    // The administrator adds the line; the new starter points the profile at the key and connects.
    appendFileSync(join(rig.sshd.dir, 'authorized_keys'), `${publicKey}\n`);
    await card.getByLabel('Profile to use this key in').selectOption('prod');
    await card.getByRole('button', { name: 'Use key' }).click();
    await page.getByRole('status').filter({ hasText: `Prod now logs in with ${newKeyPath}.` }).waitFor();

    const profile = new ProfilePage(page);
    await profile.open(rig.host.url, 'Prod');
    await profile.connect('Echo');
    // No passphrase question: the one set (twice) when the key was made is kept for this session (issue #16).
    await profile.trustHostKey();
    await profile.waitForStatus('Echo', /^open for/);
    expect(await profile.passphraseDialog().count()).toBe(0);
    expect(await roundTrip(localPort, 'logged in with the new key')).toBe('logged in with the new key');
  });

  it('opens an existing PuTTY key after asking for its passphrase', async () => {
    const ppk = await makePuttyKey(rig.dir, { type: 'ed25519', ppkVersion: 3, passphrase: 'putty pass', comment: 'old-putty-key' });
    await page.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: 'Keys' }).click();
    const form = page.getByRole('form', { name: 'Open an existing key' });
    await form.getByLabel('Private key file').fill(ppk.privatePath);
    await form.getByRole('button', { name: 'Open key' }).click();
    await form.getByLabel('Key passphrase').fill('putty pass');
    await form.getByRole('button', { name: 'Open key' }).click();
    const card = page.getByRole('region', { name: 'The key you opened' });
    await card.getByText('PuTTY .ppk v3, protected by a passphrase').waitFor();
    expect(await card.getByLabel("Public key to send to the jump box's administrator").inputValue()).toBe(`${ppk.publicKey.split(' ').slice(0, 2).join(' ')} old-putty-key`);
  });

  it('runs commands in a terminal over the same SSH connection, follows the window size, and leaves the tunnel open when closed', async () => {
    const profile = new ProfilePage(page);
    await profile.open(rig.host.url, 'Prod');
    await page.getByRole('tab', { name: 'Shell' }).click();
    await page.getByRole('button', { name: 'Open shell' }).click();
    await page.getByRole('status', { name: 'Shell status' }).filter({ hasText: 'Connected to' }).waitFor();
    // The tunnel is still open from the first test: the shell rides the same connection.
    expect(rig.sshd.connectionCount()).toBe(1);

    const screen = page.getByRole('region', { name: 'Terminal' }).locator('.xterm-rows');
    await page.keyboard.type('echo "$((6 * 7))-from-the-shell"\n');
    await screen.filter({ hasText: '42-from-the-shell' }).waitFor();
    await screenshot(page, 'shell');
    await page.keyboard.type('stty size\n');
    const sizeBefore = await waitForSize(page);
    await page.setViewportSize({ width: 900, height: 700 });
    await page.keyboard.type('clear; stty size\n');
    const sizeAfter = await waitForSize(page, sizeBefore);
    expect(sizeAfter[1]).toBeLessThan(sizeBefore[1]);

    await page.getByRole('button', { name: 'Close shell' }).click();
    await page.getByRole('status', { name: 'Shell status' }).filter({ hasText: 'The shell ended' }).waitFor();
    expect(await roundTrip(localPort, 'tunnel untouched')).toBe('tunnel untouched');
    await page.getByRole('tab', { name: 'Targets' }).click();
    expect(await profile.waitForStatus('Echo', /^open for/)).toMatch(/^open/);
  });

  it('says so when a save changes a tunnel that is open, and the tunnel keeps its old port until reconnected', async () => {
    const profile = new ProfilePage(page);
    await profile.open(rig.host.url, 'Prod');
    await profile.waitForStatus('Echo', /^open for/);
    const editor = new ProfileEditorPage(page);
    await profile.button('Edit profile').click();
    const newPort = await pickPort();
    await editor.target(1).getByLabel('Local port', { exact: true }).fill(String(newPort));
    await editor.save();
    await page.getByRole('status').filter({ hasText: 'Saved Prod. Open tunnels keep their old settings until you disconnect and connect them again.' }).waitFor();
    expect(await roundTrip(localPort, 'old port still serves')).toBe('old port still serves');
  });
});

/** The last "rows cols" line `stty size` printed on the terminal, once it differs from `other`. */
async function waitForSize(page: Page, other?: [number, number]): Promise<[number, number]> {
  const screen = page.getByRole('region', { name: 'Terminal' }).locator('.xterm-rows');
  let found: [number, number] | undefined;
  await expect
    .poll(async () => {
      const lines = (await screen.innerText()).split('\n').map((line) => line.trim());
      const sizes = lines.filter((line) => /^\d+ \d+$/.test(line)).map((line) => line.split(' ').map(Number) as [number, number]);
      found = sizes.at(-1);
      return found !== undefined && (!other || found.join() !== other.join());
    }, { timeout: 15_000 })
    .toBe(true);
  return found as [number, number];
}
