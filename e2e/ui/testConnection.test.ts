import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickPort } from '../rig/daemon';
import { peersAvailable } from '../rig/peers';
import { ProfileEditorPage } from './profileEditorPage';
import { startUiRig, type UiRig } from './uiRig';

/** Each step's title and its Passed / Failed / Skipped, in order, as the form shows them. */
async function steps(page: Page): Promise<string[]> {
  const items = page.getByRole('region', { name: 'Connection test' }).getByRole('list', { name: 'Doctor checks' }).getByRole('listitem');
  return items.evaluateAll((elements) => elements.map((element) => `${element.querySelector('strong')?.textContent ?? ''}: ${element.querySelector('.check-status')?.textContent ?? ''}`));
}

/**
 * Issue #13, "Test connection" in the profile form, as database tools have it: the doctor's
 * steps for what the form holds, before it is saved, against the rig's real sshd.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen'))('Test connection in the profile form', () => {
  let rig: UiRig;

  beforeAll(async () => {
    rig = await startUiRig();
  }, 120_000);

  afterAll(async () => {
    await rig?.dispose();
  });

  it('checks the unsaved form through the jump box, asks about the host key on the way, and saves nothing', async () => {
    const page = await rig.browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const editor = new ProfileEditorPage(page);
    await page.goto(rig.host.url);
    const before = (await rig.jumpgate.handlers['profiles:list']({})).profiles.map((profile) => profile.id);

    await page.getByRole('button', { name: 'New profile' }).click();
    const test = page.getByRole('region', { name: 'Connection test' });
    // Nothing filled in yet: the form's own errors show, and nothing runs.
    await test.getByRole('button', { name: 'Test connection' }).click();
    await editor.form().getByLabel('Jump host', { exact: true }).and(page.locator('[aria-invalid="true"]')).waitFor();
    expect(await editor.fieldError(editor.form(), 'Jump host')).not.toBeNull();
    expect(await test.getByRole('list', { name: 'Doctor checks' }).count()).toBe(0);

    await editor.fillJumpBox({ name: 'Tested', host: rig.sshd.host, port: rig.sshd.port, user: rig.sshd.user, keyPath: rig.keyPath });
    const target = await editor.addTarget('MySQL');
    const closedPort = await pickPort();
    await editor.fillTarget(target, { name: 'Echo', remoteHost: '127.0.0.1', remotePort: closedPort });
    await test.getByRole('button', { name: 'Test connection' }).click();

    // A jump box met for the first time: Connect's question, then the checks go on.
    const hostKey = page.getByRole('dialog', { name: 'Trust this jump box?' });
    await hostKey.waitFor();
    expect(rig.sshd.hostKeys.map((key) => key.fingerprint)).toContain(await hostKey.getByLabel('Host key fingerprint').textContent());
    await hostKey.getByRole('button', { name: /^Trust and/ }).click();
    await test.getByRole('status').filter({ hasText: /failed: Jump box reaches the database/ }).waitFor({ timeout: 30_000 });
    expect(await steps(page)).toEqual(
      expect.arrayContaining(['SSH key readable: Passed', 'Jump box host key: Passed', 'SSH login: Passed', 'Jump box reaches the database: Failed']),
    );

    // Fixed in the form (the echo server's port), tested again: the forward passes now.
    await target.getByLabel('Remote port', { exact: true }).fill(String(rig.echo.port));
    await test.getByRole('button', { name: 'Test connection' }).click();
    await test.getByRole('listitem').filter({ hasText: 'Jump box reaches the database' }).filter({ hasText: 'Passed' }).waitFor({ timeout: 30_000 });

    // Nothing was saved by testing.
    expect((await rig.jumpgate.handlers['profiles:list']({})).profiles.map((profile) => profile.id)).toEqual(before);
    await page.close();
  });
});
