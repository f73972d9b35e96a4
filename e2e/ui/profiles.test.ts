import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../shared/model/profile';
import { createDispatcher } from '../../electron/core/dispatcher';
import { ProfileStore } from '../../electron/core/profiles/profileStore';
import { createJumpgate } from '../../electron/core/service';
import { startWebHost } from '../../electron/host/webHost';
import { peersAvailable } from '../rig/peers';
import { ProfileEditorPage } from './profileEditorPage';
import { startServedUi, type ServedUi } from './uiRig';

const SSH_CONFIG = `
Host bastion-prod
  HostName bastion.example.com
  User ec2-user
  Port 2222
  IdentityFile ~/.ssh/prod.ppk
  ProxyJump ops@gateway.example.com

Host *
  ServerAliveInterval 30
`;

/** Managing profiles in the browser UI: nothing here connects, so no jump box is needed. */
describe.skipIf(!peersAvailable('chromium'))('profiles in the browser UI', () => {
  let served: ServedUi;
  let configDir: string;

  const profiles = async (): Promise<Profile[]> => (await served.jumpgate.handlers['profiles:list']({})).profiles;
  const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Profiles' });

  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'jumpgate-sshconfig-'));
    writeFileSync(join(configDir, 'config'), SSH_CONFIG);
    served = await startServedUi({ deps: { sshConfigPath: join(configDir, 'config') } });
  }, 120_000);

  afterAll(async () => {
    await served?.dispose();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('imports a host from ~/.ssh/config, saves it with a target, edits, duplicates and deletes the copy after confirming', async () => {
    const page = await served.browser.newPage({ viewport: { width: 1200, height: 900 } });
    const editor = new ProfileEditorPage(page);
    await page.goto(served.host.url);
    await sidebar(page).getByRole('button', { name: 'Import from SSH config' }).click();
    const row = page.getByRole('row', { name: /bastion-prod/ });
    expect(await row.getByRole('cell').first().textContent()).toBe('ec2-user@bastion.example.com:2222 via gateway.example.com · key ' + join(homedir(), '.ssh/prod.ppk'));
    // "Host *" holds defaults, not a host: it is not offered.
    expect(await page.getByRole('button', { name: /^Create profile from/ }).count()).toBe(1);
    await row.getByRole('button', { name: 'Create profile from bastion-prod' }).click();

    const form = editor.form();
    expect(await form.getByLabel('Profile name', { exact: true }).inputValue()).toBe('bastion-prod');
    expect(await form.getByLabel('Jump host', { exact: true }).inputValue()).toBe('bastion.example.com');
    expect(await form.getByLabel('SSH port', { exact: true }).inputValue()).toBe('2222');
    expect(await form.getByLabel('ProxyJump (optional)', { exact: true }).inputValue()).toBe('ops@gateway.example.com');
    const target = await editor.addTarget('MySQL');
    await editor.fillTarget(target, { name: 'Orders', remoteHost: 'orders.internal', remotePort: 3306 });
    await editor.save();
    await page.getByRole('heading', { level: 2, name: 'bastion-prod' }).waitFor();
    const imported = (await profiles()).find((profile) => profile.id === 'bastion-prod');
    expect(imported?.jumpHost).toMatchObject({ host: 'bastion.example.com', port: 2222, user: 'ec2-user', via: [{ host: 'gateway.example.com', user: 'ops', port: 22 }] });
    // The example holds 13306, so the new MySQL target was proposed the next port.
    expect(imported?.targets).toMatchObject([{ id: 'orders', localPort: 13307, remote: { kind: 'host', host: 'orders.internal', port: 3306 } }]);

    // Edit: a new name keeps the id (open tunnels and team files still match); a typo is caught before saving.
    await page.getByRole('button', { name: 'Edit profile' }).click();
    await form.getByLabel('Profile name', { exact: true }).fill('Bastion (prod)');
    await editor.target(1).getByLabel('Local port', { exact: true }).fill('80');
    await editor.save();
    expect(await editor.fieldError(editor.target(1), 'Local port')).toBe('Too small: expected number to be >=1024.');
    await editor.target(1).getByLabel('Local port', { exact: true }).fill('23306');
    expect(await editor.fieldError(editor.target(1), 'Local port')).toBeNull();
    await editor.save();
    await page.getByRole('heading', { level: 2, name: 'Bastion (prod)' }).waitFor();
    expect((await profiles()).find((profile) => profile.id === 'bastion-prod')).toMatchObject({ name: 'Bastion (prod)', targets: [{ localPort: 23306 }] });

    // Duplicate under a new name, then select the copy.
    await page.getByRole('button', { name: 'Duplicate profile' }).click();
    const duplicate = page.getByRole('dialog', { name: 'Duplicate Bastion (prod)' });
    expect(await duplicate.getByLabel('Name of the copy').inputValue()).toBe('Bastion (prod) (copy)');
    await duplicate.getByRole('button', { name: 'Duplicate' }).click();
    await page.getByRole('heading', { level: 2, name: 'Bastion (prod) (copy)' }).waitFor();
    // The copy listens on its own port, next to the original's, so both can be open at once.
    expect((await profiles()).find((profile) => profile.id === 'bastion-prod-copy')).toMatchObject({ targets: [{ localPort: 23307 }] });

    // Delete asks first; Escape and Cancel leave the profile alone.
    await page.getByRole('button', { name: 'Delete profile' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete profile Bastion (prod) (copy)?' });
    await confirm.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Delete profile' }).click();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect((await profiles()).map((profile) => profile.id)).toContain('bastion-prod-copy');
    await page.getByRole('button', { name: 'Delete profile' }).click();
    await confirm.getByRole('button', { name: 'Delete Bastion (prod) (copy)' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted Bastion (prod) (copy).' }).waitFor();
    expect((await profiles()).map((profile) => profile.id)).not.toContain('bastion-prod-copy');
    expect(await sidebar(page).getByRole('button', { name: 'Bastion (prod) (copy)' }).count()).toBe(0);
  });

  it('exports a team file and imports a changed copy only after showing what it adds and changes', async () => {
    const page = await served.browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(served.host.url);
    await sidebar(page).getByRole('button', { name: 'Export team file' }).click();
    const exported = JSON.parse(await page.getByLabel('Team file contents').inputValue()) as { profiles: Profile[] };
    expect(exported.profiles.map((profile) => profile.id).sort()).toEqual((await profiles()).map((profile) => profile.id).sort());

    // A colleague's version: the example's jump host moved, and a staging profile is new.
    const [first] = exported.profiles as [Profile];
    const theirs = {
      ...exported,
      profiles: [{ ...first, jumpHost: { ...first.jumpHost, host: 'bastion.new.example.com' } }, { ...first, id: 'staging', name: 'Staging' }],
    };
    await sidebar(page).getByRole('button', { name: 'Import team file' }).click();
    const teamFile = page.getByLabel('Team file', { exact: true });
    await teamFile.fill('{"not": "a team file"}');
    await page.getByRole('button', { name: 'Preview import' }).click();
    await page.getByRole('alert').filter({ hasText: 'The team file cannot be imported' }).waitFor();

    await teamFile.fill(JSON.stringify(theirs));
    await page.getByRole('button', { name: 'Preview import' }).click();
    const preview = page.getByRole('region', { name: 'Import preview' });
    expect(await preview.getByRole('listitem').allTextContents()).toEqual(['Adds Staging', `Changes ${first.name}: jumpHost`]);
    // Previewing wrote nothing.
    expect((await profiles()).find((profile) => profile.id === first.id)?.jumpHost.host).toBe(first.jumpHost.host);

    await preview.getByRole('button', { name: 'Import 2 profile(s)' }).click();
    await sidebar(page).getByRole('button', { name: 'Staging' }).waitFor();
    expect((await profiles()).find((profile) => profile.id === first.id)?.jumpHost.host).toBe('bastion.new.example.com');
  });

  it('refuses the second of two windows saving the same profile, shows the conflict by the form, and loses nothing', async () => {
    const created = await served.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'shared-prod',
        name: 'Shared prod',
        jumpHost: { host: 'bastion.shared.example.com', port: 22, user: 'ec2-user', auth: { kind: 'agent' } },
        targets: [{ id: 'orders', name: 'Orders', engine: 'mysql', remote: { kind: 'host', host: 'orders.internal', port: 3306 }, localPort: 33306 }],
      },
    });
    const [windowA, windowB] = await Promise.all([served.browser.newPage({ viewport: { width: 1200, height: 900 } }), served.browser.newPage({ viewport: { width: 1200, height: 900 } })]);
    const [editorA, editorB] = [new ProfileEditorPage(windowA), new ProfileEditorPage(windowB)];
    for (const page of [windowA, windowB]) {
      await page.goto(served.host.url);
      await sidebar(page).getByRole('button', { name: 'Shared prod' }).click();
      await page.getByRole('button', { name: 'Edit profile' }).click();
      await new ProfileEditorPage(page).form().waitFor();
    }

    // Window A renames and saves first.
    await editorA.form().getByLabel('Profile name', { exact: true }).fill('Shared prod (renamed in A)');
    await editorA.save();
    await windowA.getByRole('heading', { level: 2, name: 'Shared prod (renamed in A)', exact: true }).waitFor();

    // Window B, still on the version it opened, moves the target's port and saves: refused, said beside the form.
    await editorB.target(1).getByLabel('Local port', { exact: true }).fill('33307');
    await editorB.save();
    const conflict = windowB.getByRole('alert', { name: 'Saved elsewhere' });
    await conflict.waitFor();
    // Named as it is now saved, with what changed since this window opened it.
    expect(await conflict.textContent()).toContain('The profile "Shared prod (renamed in A)" was changed elsewhere since you opened it (changed: name).');
    expect(await conflict.textContent()).toContain('PROFILES_CONFLICT');
    // Nothing lost: A's rename is saved, B's edit was not written over it and is still in B's form.
    const saved = (await profiles()).find((profile) => profile.id === 'shared-prod');
    expect(saved).toMatchObject({ name: 'Shared prod (renamed in A)', targets: [{ localPort: 33306 }] });
    expect(await editorB.target(1).getByLabel('Local port', { exact: true }).inputValue()).toBe('33307');

    // Reload: B's form shows A's version; B's change made again is saved on top of it.
    await conflict.getByRole('button', { name: 'Reload saved version' }).click();
    await conflict.waitFor({ state: 'detached' });
    expect(await editorB.form().getByLabel('Profile name', { exact: true }).inputValue()).toBe('Shared prod (renamed in A)');
    expect(await editorB.target(1).getByLabel('Local port', { exact: true }).inputValue()).toBe('33306');
    await editorB.target(1).getByLabel('Local port', { exact: true }).fill('33307');
    await editorB.save();
    await windowB.getByRole('heading', { level: 2, name: 'Shared prod (renamed in A)', exact: true }).waitFor();
    const both = (await profiles()).find((profile) => profile.id === 'shared-prod');
    expect(both).toMatchObject({ name: 'Shared prod (renamed in A)', targets: [{ localPort: 33307 }] });
    const { revisions } = await served.jumpgate.handlers['profiles:list']({});
    expect(revisions['shared-prod']).toBeGreaterThan(created.revision + 1);
    await Promise.all([windowA.close(), windowB.close()]);
  });

  it('refuses a window\'s save after the CLI changed the profile in the same data folder, and the window shows the CLI\'s change', async () => {
    const { profile } = await served.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'cli-edited',
        name: 'CLI edited',
        jumpHost: { host: 'bastion.cli.example.com', port: 22, user: 'ec2-user', auth: { kind: 'agent' } },
        targets: [],
      },
    });
    const page = await served.browser.newPage({ viewport: { width: 1200, height: 900 } });
    const editor = new ProfileEditorPage(page);
    await page.goto(served.host.url);
    await sidebar(page).getByRole('button', { name: profile.name }).click();
    await page.getByRole('button', { name: 'Edit profile' }).click();
    await editor.form().waitFor();

    // Another process (as the jumpgate CLI is) writes the same profiles.json.
    const cli = new ProfileStore({ path: join(served.dataDir, 'profiles.json') });
    await cli.load();
    await cli.update('cli-edited', cli.revisionOf('cli-edited'), (saved) => ({ ...saved, jumpHost: { ...saved.jumpHost, host: 'bastion.rebuilt.example.com' } }));

    await editor.form().getByLabel('Profile name', { exact: true }).fill('CLI edited (window)');
    await editor.save();
    const conflict = page.getByRole('alert', { name: 'Saved elsewhere' });
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('(changed: jump host)');
    expect((await profiles()).find((entry) => entry.id === 'cli-edited')).toMatchObject({ name: 'CLI edited', jumpHost: { host: 'bastion.rebuilt.example.com' } });
    await conflict.getByRole('button', { name: 'Reload saved version' }).click();
    await conflict.waitFor({ state: 'detached' });
    expect(await editor.form().getByLabel('Jump host', { exact: true }).inputValue()).toBe('bastion.rebuilt.example.com');
    await page.close();
  });

  it('switches to the dark theme and keeps it after a reload', async () => {
    const page = await served.browser.newPage();
    await page.goto(served.host.url);
    // Strings, not functions: the node-side tsconfig has no DOM types.
    const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    await page.getByLabel('Theme').selectOption('light');
    const light = await background();
    await page.getByLabel('Theme').selectOption('dark');
    expect(await page.evaluate<string | undefined>('document.documentElement.dataset.theme')).toBe('dark');
    expect(await background()).not.toBe(light);
    await page.reload();
    await sidebar(page).waitFor();
    expect(await page.getByLabel('Theme').inputValue()).toBe('dark');
    expect(await background()).not.toBe(light);

    // jumpgate serve restarted: a new port is a new origin whose page storage is empty; the service kept the choice.
    const restarted = await createJumpgate({ dataDir: served.dataDir, version: 'test' });
    const host = await startWebHost({ jumpgate: restarted, dispatch: createDispatcher(restarted.handlers), staticDir: served.staticDir });
    try {
      const fresh = await served.browser.newPage();
      expect(new URL(host.url).origin).not.toBe(new URL(served.host.url).origin);
      await fresh.goto(host.url);
      await sidebar(fresh).waitFor();
      await fresh.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
      expect(await fresh.getByLabel('Theme').inputValue()).toBe('dark');
      await fresh.close();
    } finally {
      await host.close();
      await restarted.dispose();
    }

    // Another window follows a change made in this one.
    const other = await served.browser.newPage();
    await other.goto(served.host.url);
    await sidebar(other).waitFor();
    await page.getByLabel('Theme').selectOption('light');
    await other.locator('html[data-theme="light"]').waitFor({ state: 'attached' });
    expect(await other.getByLabel('Theme').inputValue()).toBe('light');
    await other.close();
    await page.close();
  });

  it('offers to remove the example profile so a new profile gets the usual ports, shows the id the CLI takes, and asks before dropping typed changes', async () => {
    // A first run of its own: the example profile and nothing else.
    const fresh = await startServedUi();
    const profiles = async (): Promise<Profile[]> => (await fresh.jumpgate.handlers['profiles:list']({})).profiles;
    const context = await fresh.browser.newContext({ viewport: { width: 1200, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(fresh.host.url).origin });
    const page = await context.newPage();
    const editor = new ProfileEditorPage(page);
    await page.goto(fresh.host.url);
    expect((await profiles()).map((profile) => profile.id)).toEqual(['example-production']);

    await page.getByRole('button', { name: 'New profile' }).click();
    await editor.fillJumpBox({ name: 'Orders prod', host: 'bastion.orders.example.com', port: 22, user: 'ec2-user', keyPath: '~/.ssh/id_ed25519' });
    const mysql = await editor.addTarget('MySQL');
    await editor.fillTarget(mysql, { name: 'Orders', remoteHost: 'orders.internal', remotePort: 3306 });
    const postgres = await editor.addTarget('PostgreSQL');
    await editor.fillTarget(postgres, { name: 'Ledger', remoteHost: 'ledger.internal', remotePort: 5432 });
    const held = page.getByRole('note', { name: 'Ports held by the example profile' });
    expect(await held.textContent()).toContain('13306 and 15432, the usual ports for these databases, are held by the example profile');
    expect(await mysql.getByLabel('Local port', { exact: true }).inputValue()).not.toBe('13306');
    await held.getByRole('button', { name: 'Remove the example profile and use 13306, 15432' }).click();
    await held.waitFor({ state: 'detached' });
    // The example goes first, then the draft takes its ports: wait for the field, not the note alone.
    await page.waitForFunction((input) => (input as { value?: string } | null)?.value === '13306', await mysql.getByLabel('Local port', { exact: true }).elementHandle());
    expect(await mysql.getByLabel('Local port', { exact: true }).inputValue()).toBe('13306');
    expect(await postgres.getByLabel('Local port', { exact: true }).inputValue()).toBe('15432');
    await editor.save();
    await page.getByRole('heading', { level: 2, name: 'Orders prod' }).waitFor();
    const saved = (await profiles()).find((profile) => profile.id === 'orders-prod');
    expect(saved?.targets.map((target) => target.localPort)).toEqual([13306, 15432]);
    expect((await profiles()).map((profile) => profile.id)).not.toContain('example-production');

    // The id the CLI takes, copied as it is.
    expect(await page.getByLabel('Profile id', { exact: true }).textContent()).toBe('orders-prod');
    await page.getByRole('button', { name: 'Copy profile id' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied the profile id orders-prod: jumpgate connect orders-prod' }).waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe('orders-prod');

    // Cancel on an untouched form leaves at once; on a changed one it asks, and "Keep editing" keeps what was typed.
    await page.getByRole('button', { name: 'Edit profile' }).click();
    await editor.form().getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { level: 2, name: 'Orders prod' }).waitFor();
    await page.getByRole('button', { name: 'Edit profile' }).click();
    await editor.form().getByLabel('Profile name', { exact: true }).fill('Orders production');
    await editor.form().getByRole('button', { name: 'Cancel' }).click();
    const discard = page.getByRole('alertdialog', { name: 'Discard your changes?' });
    await discard.getByRole('button', { name: 'Keep editing' }).click();
    await discard.waitFor({ state: 'detached' });
    expect(await editor.form().getByLabel('Profile name', { exact: true }).inputValue()).toBe('Orders production');
    await editor.form().getByRole('button', { name: 'Cancel' }).click();
    await discard.getByRole('button', { name: 'Discard changes' }).click();
    await page.getByRole('heading', { level: 2, name: 'Orders prod' }).waitFor();
    expect((await profiles()).find((profile) => profile.id === 'orders-prod')?.name).toBe('Orders prod');
    await context.close();
    await fresh.dispose();
  });

  it('a PuTTY user picks Pageant as the SSH agent (#15): the socket field goes, the choice is saved, shown and kept on edit', async () => {
    const page = await served.browser.newPage({ viewport: { width: 1200, height: 900 } });
    const editor = new ProfileEditorPage(page);
    await page.goto(served.host.url);
    await page.getByRole('button', { name: 'New profile' }).click();
    const form = editor.form();
    await editor.fillJumpBox({ name: 'Pageant user', host: 'bastion.putty.example.com', port: 22, user: 'ec2-user', keyPath: 'C:\\Keys\\prod.ppk' });
    await form.getByRole('radio', { name: 'SSH agent' }).check();
    const agent = form.getByLabel('Agent', { exact: true });
    expect(await agent.inputValue()).toBe('');
    await form.getByLabel('Agent socket (optional)', { exact: true }).fill('/tmp/typed-before-choosing');
    await agent.selectOption({ label: 'Pageant (PuTTY, Windows)' });
    await form.getByLabel('Agent socket (optional)', { exact: true }).waitFor({ state: 'detached' });
    const target = await editor.addTarget('MySQL');
    await editor.fillTarget(target, { name: 'Orders', remoteHost: 'orders.internal', remotePort: 3306 });
    await editor.save();
    await page.getByRole('heading', { level: 2, name: 'Pageant user' }).waitFor();
    expect((await profiles()).find((profile) => profile.id === 'pageant-user')?.jumpHost.auth).toEqual({ kind: 'agent', agent: 'pageant' });
    await page.getByText('ec2-user@bastion.putty.example.com:22 · Pageant · AWS', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Edit profile' }).click();
    expect(await editor.form().getByLabel('Agent', { exact: true }).inputValue()).toBe('pageant');
    await page.close();
  });

  it('offers the system file dialog for the key where the host has one (the desktop app), and the typed path where it has not', async () => {
    // The browser mode: no dialog, so no button, and the channel says why.
    const plain = await served.browser.newPage();
    await plain.goto(served.host.url);
    await plain.getByRole('button', { name: 'New profile' }).click();
    await new ProfileEditorPage(plain).form().waitFor();
    expect(await plain.getByRole('button', { name: 'Choose the private key file' }).count()).toBe(0);
    await expect(served.jumpgate.handlers['keys:pickFile']({})).rejects.toMatchObject({ code: 'FILE_PICKER_UNAVAILABLE' });
    await plain.close();

    // The desktop app's dialog stands in as a double (the Electron binary cannot run here): a choice, then a cancel.
    const answers: Array<string | undefined> = ['/home/me/keys/prod.ppk', undefined];
    const asked: Array<string | undefined> = [];
    const desktop = await startServedUi({
      deps: {
        pickKeyFile: async (startIn) => {
          asked.push(startIn);
          return answers.shift();
        },
      },
    });
    try {
      const page = await desktop.browser.newPage();
      const editor = new ProfileEditorPage(page);
      await page.goto(desktop.host.url);
      await page.getByRole('button', { name: 'New profile' }).click();
      const keyPath = editor.form().getByLabel('Private key path', { exact: true });
      await keyPath.fill('~/.ssh');
      await page.getByRole('button', { name: 'Choose the private key file' }).click();
      await page.locator('input[value="/home/me/keys/prod.ppk"]').waitFor();
      expect(await keyPath.inputValue()).toBe('/home/me/keys/prod.ppk');
      await page.getByRole('button', { name: 'Choose the private key file' }).click();
      // Cancelled: the dialog was asked again (from the chosen file), and the field keeps its path.
      await expect.poll(() => asked.length).toBe(2);
      expect(asked).toEqual(['~/.ssh', '/home/me/keys/prod.ppk']);
      expect(await keyPath.inputValue()).toBe('/home/me/keys/prod.ppk');
      await page.close();
    } finally {
      await desktop.dispose();
    }
  });
});
