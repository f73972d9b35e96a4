import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickPort } from '../rig/daemon';
import { makeOpenSshKey } from '../rig/keys';
import { peersAvailable } from '../rig/peers';
import { ProfilePage } from './profilePage';
import { startUiRig, type UiRig } from './uiRig';

const PASSPHRASE = 'shell before tunnels ✓';

/**
 * The Shell tab as the first thing a user opens: it asks what a login needs on
 * its own (the key's passphrase, a first-seen host key) and refuses a changed
 * host key the way Connect does. Chromium against the rig's real sshd.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen'))('logging in from the Shell tab', () => {
  let rig: UiRig;
  let page: Page;
  let profile: ProfilePage;

  beforeAll(async () => {
    rig = await startUiRig({ userKey: (dir) => makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh', passphrase: PASSPHRASE }) });
    await rig.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'box',
        name: 'Box',
        jumpHost: { host: rig.sshd.host, port: rig.sshd.port, user: rig.sshd.user, auth: { kind: 'key', keyPath: rig.keyPath } },
        targets: [{ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: rig.echo.port }, localPort: await pickPort() }],
      },
    });
    page = await rig.browser.newPage();
    profile = new ProfilePage(page);
  }, 120_000);

  afterAll(async () => {
    await rig?.dispose();
  });

  const shellStatus = () => page.getByRole('status', { name: 'Shell status' });

  it('asks for the passphrase (again when wrong), then to trust the host key, then opens a shell and no tunnel', async () => {
    await profile.open(rig.host.url, 'Box');
    await page.getByRole('tab', { name: 'Shell' }).click();
    await page.getByRole('button', { name: 'Open shell' }).click();

    const unlock = profile.passphraseDialog();
    await unlock.getByText(`Passphrase for ${rig.keyPath}`).waitFor();
    // Cancel leaves everything as it was.
    await unlock.getByRole('button', { name: 'Cancel' }).click();
    await unlock.waitFor({ state: 'detached' });
    expect(await shellStatus().textContent()).toMatch(/^No shell open/);

    await page.getByRole('button', { name: 'Open shell' }).click();
    await profile.unlockWith('not the passphrase');
    await unlock.getByText('That passphrase does not unlock the key.').waitFor();
    await profile.unlockWith(PASSPHRASE);
    expect(rig.sshd.hostKeys.map((hostKey) => hostKey.fingerprint)).toContain(await profile.trustHostKey());

    await shellStatus().filter({ hasText: `Connected to ${rig.sshd.user}@${rig.sshd.host}` }).waitFor();
    await page.keyboard.type('echo "shell-$((40 + 2))"\n');
    await page.getByRole('region', { name: 'Terminal' }).locator('.xterm-rows').filter({ hasText: 'shell-42' }).waitFor();
    expect(rig.sshd.connectionCount()).toBe(1);

    // A shell is not a tunnel: the target was never connected.
    await page.getByRole('tab', { name: 'Targets' }).click();
    expect(await profile.status('Echo').textContent()).toBe('idle');
  });

  it('refuses a changed host key in red, without offering to trust it', async () => {
    await page.getByRole('tab', { name: 'Shell' }).click();
    await page.getByRole('button', { name: 'Close shell' }).click();
    await shellStatus().filter({ hasText: 'The shell ended' }).waitFor();
    await rig.sshd.regenerateHostKeys();
    await rig.sshd.restart();

    await page.getByRole('button', { name: 'Open a new shell' }).click();
    const refusal = page.getByRole('alertdialog', { name: "The jump box's identity has changed: connection refused" });
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/Do not connect/);
    expect(await profile.hostKeyDialog().count()).toBe(0);
    await refusal.getByRole('button', { name: 'Close' }).click();
    await refusal.waitFor({ state: 'detached' });
    expect(await shellStatus().textContent()).toMatch(/^The shell ended/);
    // The refused login's sshd session ends once the client has hung up.
    await expect.poll(() => rig.sshd.connectionCount()).toBe(0);
  });
});
