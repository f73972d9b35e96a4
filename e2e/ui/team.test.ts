import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJumpgate, type Jumpgate } from '../../electron/core/service';
import { KnownHostsStore } from '../../electron/core/ssh/knownHosts';
import { pickPort } from '../rig/daemon';
import { trustSshd } from '../rig/engine';
import { createIamUser, enforceIam, startMoto, type MotoPeer } from '../rig/moto';
import { peersAvailable } from '../rig/peers';
import { roundTrip } from '../rig/tcpPeers';
import { ProfilePage } from './profilePage';
import { screenshot } from './screenshots';
import { ChecklistPage } from './toolsPage';
import { startServedUi, startUiRig, type UiRig } from './uiRig';

const SOURCE = 'ssm:/jumpgate/acme';

/**
 * Issue #16 in the app: a new starter follows the team's profiles from the Team profiles page (the
 * administrator publishes from a service of their own, as their app or CLI would), sees what it
 * adds and the host keys it pins, connects without a host-key question, and later previews an
 * administrator's change and applies it.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'moto_server'))('following team profiles in the app', () => {
  let rig: UiRig;
  let moto: MotoPeer;
  let admin: Jumpgate;
  let localPort: number;

  beforeAll(async () => {
    moto = await startMoto();
    const aws = { endpoint: moto.endpoint, credentials: moto.credentials };
    rig = await startUiRig({ deps: { aws } });
    localPort = await pickPort();
    const adminDir = join(rig.dir, 'admin');
    admin = await createJumpgate({ dataDir: adminDir, version: 'test', aws });
    await admin.handlers['profiles:save']({
      profile: {
        id: 'prod',
        name: 'Production',
        jumpHost: { host: rig.sshd.host, port: rig.sshd.port, user: rig.sshd.user, auth: { kind: 'key', keyPath: '/home/admin/.ssh/admin_ed25519' } },
        targets: [{ id: 'echo', name: 'Echo', engine: 'mysql', remote: { kind: 'host', host: '127.0.0.1', port: rig.echo.port }, localPort }],
      },
    });
    await trustSshd(new KnownHostsStore(join(adminDir, 'known_hosts')), rig.sshd);
    await admin.handlers['team:publish']({ source: SOURCE, profileIds: ['prod'] });
  }, 180_000);

  afterAll(async () => {
    await admin?.dispose();
    await rig?.dispose();
    await moto?.dispose();
  });

  it('previews what following adds, follows, connects with no host-key question, then previews and applies a change', async () => {
    const page = new ProfilePage(await rig.browser.newPage({ viewport: { width: 1200, height: 900 } }));
    await page.page.goto(rig.host.url);
    // Before following, the checklist offers the step, and it leads to the Team profiles page.
    await page.page.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: 'New starter checklist' }).click();
    const step = page.page.getByRole('region', { name: 'Team profiles step' });
    expect(await step.textContent()).toContain('Does your team publish its profiles in AWS?');
    await step.getByRole('button', { name: "Follow the team's profiles" }).click();
    await page.page.getByRole('heading', { level: 2, name: 'Team profiles' }).waitFor();
    await page.page.getByLabel('Team source', { exact: true }).fill(SOURCE);
    await page.page.getByLabel('Your SSH key').fill(rig.keyPath);
    await page.page.getByRole('button', { name: 'Preview changes' }).click();

    const preview = page.page.getByRole('region', { name: `Changes from ${SOURCE}` });
    await preview.waitFor();
    const lines = await preview.getByRole('listitem').allTextContents();
    expect(lines[0]).toBe(`Adds Production (1 target, jump host ${rig.sshd.user}@${rig.sshd.host}:${rig.sshd.port})`);
    expect(lines.slice(1).sort()).toEqual(
      rig.sshd.hostKeys.map((key) => `Pins the host key of ${rig.sshd.host}:${rig.sshd.port}: ${key.publicKey.split(' ')[0]} ${key.fingerprint}`).sort(),
    );
    await screenshot(page.page, 'team');
    await preview.getByRole('button', { name: `Follow ${SOURCE}` }).click();
    await page.page.getByRole('status').filter({ hasText: `Following ${SOURCE} at version 1: Production. 2 host keys pinned as published.` }).waitFor();

    // The new starter checklist knows the followed profile: its step says so, and the host key item
    // passes on the first check, with no question (the key was pinned as published).
    const checklist = new ChecklistPage(page.page);
    await checklist.open('Production');
    expect(await page.page.getByRole('region', { name: 'Team profiles step' }).textContent()).toContain(`✓ Following ${SOURCE}, version 1: prod.`);
    await checklist.checkNow();
    expect(await checklist.stateOf('Host key pinned')).toBe('Passed');
    expect(await checklist.stateOf('SSH key created')).toBe('Passed');
    expect(await page.hostKeyDialog().count()).toBe(0);

    // The followed profile connects at once: no "Trust this jump box?" question, and bytes go through.
    await page.profileButton('Production').click();
    await page.connect('Echo');
    await page.waitForStatus('Echo', /^open for/);
    expect(await page.hostKeyDialog().count()).toBe(0);
    expect(await roundTrip(localPort, 'team tunnel')).toBe('team tunnel');
    await page.disconnect('Echo');
    await page.waitForStatus('Echo', /^stopped$/);

    // The Team page lists the source followed, at version 1.
    await page.page.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: 'Team profiles' }).click();
    const followed = page.page.getByRole('table', { name: 'Team sources followed' });
    const row = followed.getByRole('row', { name: new RegExp(SOURCE) });
    await row.filter({ hasText: 'prod' }).waitFor();
    expect(await row.getByRole('cell').nth(1).textContent()).toMatch(/^1 · fetched less than a minute ago$/);

    // The administrator points Echo elsewhere and publishes version 2.
    const { revisions } = await admin.handlers['profiles:list']({});
    const saved = await admin.handlers['profiles:get']({ id: 'prod' });
    await admin.handlers['profiles:updateTarget']({
      profileId: 'prod',
      revision: revisions.prod ?? 0,
      target: { ...(saved.targets[0] as (typeof saved.targets)[number]), remote: { kind: 'host', host: 'localhost', port: rig.echo.port } },
    });
    await admin.handlers['team:publish']({ source: SOURCE, profileIds: ['prod'], seenRevision: '1' });

    // The running service fetches what it follows (at start, then on its interval): the open page hears of
    // the waiting version by the team:changed event, with nothing applied yet.
    rig.jumpgate.watchTeamSources(3_600_000);
    await row.filter({ hasText: 'a newer version is not applied yet' }).waitFor();
    expect((await rig.jumpgate.handlers['profiles:get']({ id: 'prod' })).targets[0]?.remote).toMatchObject({ host: '127.0.0.1' });
    await followed.getByRole('button', { name: `Check ${SOURCE} for changes` }).click();
    await preview.getByRole('heading', { name: `${SOURCE}, version 2` }).waitFor();
    expect(await preview.getByRole('listitem').first().textContent()).toMatch(/^Changes Production: targets/);
    expect(await preview.getByRole('code').allTextContents()).toEqual([`~ echo: 127.0.0.1:${rig.echo.port} -> localhost:${rig.echo.port}`]);
    await preview.getByRole('button', { name: `Follow ${SOURCE}` }).click();
    await page.page.getByRole('status').filter({ hasText: `Following ${SOURCE} at version 2: Production.` }).waitFor();

    const after = await rig.jumpgate.handlers['profiles:get']({ id: 'prod' });
    expect(after.targets[0]?.remote).toEqual({ kind: 'host', host: 'localhost', port: rig.echo.port });
    expect(after.jumpHost.auth).toEqual({ kind: 'key', keyPath: rig.keyPath });
    await page.page.close();
  });

  it('publishes from the app after a preview, refuses a jump box with no pinned key, and never overwrites a version published meanwhile', async () => {
    const target = 'ssm:/jumpgate/from-app';
    const page = await rig.browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(rig.host.url);
    await page.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: 'Team profiles' }).click();
    const form = page.getByRole('form', { name: 'Publish to a team source' });
    await form.getByRole('checkbox', { name: 'Production', exact: true }).check();
    await form.getByLabel('Publish to').fill(target);
    await form.getByRole('button', { name: 'Preview publish' }).click();
    const preview = page.getByRole('region', { name: `Publishing to ${target}` });
    await preview.getByRole('heading', { name: `${target} (eu-west-2): nothing published yet` }).waitFor();
    expect((await preview.getByRole('listitem').allTextContents()).map((line) => line.replace(/:.*/, ''))).toEqual(['Adds Production (1 target, jump host root@127.0.0.1', 'Pins the host key of 127.0.0.1', 'Pins the host key of 127.0.0.1']);
    await preview.getByRole('button', { name: `Publish to ${target}` }).click();
    await page.getByRole('status').filter({ hasText: `Published ${target}, version 1.` }).waitFor();

    // The example profile's jump box was never pinned here: publishing it would leave the team asking.
    await form.getByRole('checkbox', { name: 'Example: production (edit me)' }).check();
    await form.getByRole('button', { name: 'Preview publish' }).click();
    const unpinned = page.getByRole('alert').filter({ hasText: 'TEAM_HOST_KEY_UNPINNED' });
    await unpinned.waitFor();
    expect(await unpinned.textContent()).toContain('No host key is pinned here for bastion.example.com:22');
    await form.getByRole('checkbox', { name: 'Example: production (edit me)' }).uncheck();

    // Previewed against version 1; the administrator publishes version 2 before this page confirms.
    await form.getByRole('button', { name: 'Preview publish' }).click();
    await preview.getByRole('heading', { name: `${target} (eu-west-2): now at version 1` }).waitFor();
    await admin.handlers['team:publish']({ source: target, profileIds: ['prod'], seenRevision: '1' });
    await preview.getByRole('button', { name: `Publish to ${target}` }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'TEAM_SOURCE_CONFLICT' });
    await refused.waitFor();
    expect(await refused.textContent()).toContain('you read version 1, it is at version 2 now); nothing was overwritten.');
    await page.close();
  });
  it('lists the teams published in the account, and says with its code why one it may not read cannot be previewed', async () => {
    // A new starter whose role may list /jumpgate but not read the parameters themselves.
    const listOnly = await createIamUser(moto, 'starter-list-only', ['sts:GetCallerIdentity', 'ssm:GetParametersByPath']);
    const starter = await startServedUi({ deps: { aws: { endpoint: moto.endpoint, credentials: listOnly } } });
    await enforceIam(moto, true);
    try {
      const page = await starter.browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(starter.host.url);
      await page.getByRole('navigation', { name: 'Profiles' }).getByRole('button', { name: 'Team profiles' }).click();
      // Two teams (the earlier tests published both): offered, neither previewed unasked.
      const found = page.getByRole('region', { name: 'Teams published in AWS' });
      await found.getByRole('heading', { name: 'Teams published in your AWS account (eu-west-2)' }).waitFor();
      expect(await found.getByRole('code').allTextContents()).toEqual(['ssm:/jumpgate/acme', 'ssm:/jumpgate/from-app']);
      expect(await page.getByRole('region', { name: /^Changes from / }).count()).toBe(0);

      await found.getByRole('button', { name: `Preview ${SOURCE}` }).click();
      const refused = page.getByRole('alert').filter({ hasText: 'AWS_ACCESS_DENIED' });
      await refused.waitFor();
      expect(await refused.textContent()).toMatch(/ssm:GetParameter on \/jumpgate\/acme \(region eu-west-2\)/);
      // The page is still there to type another source: nothing crashed, nothing was kept.
      expect(await page.getByLabel('Team source', { exact: true }).inputValue()).toBe(SOURCE);
      expect((await starter.jumpgate.handlers['team:status']({})).sources).toEqual([]);
      await page.close();
    } finally {
      await enforceIam(moto, false);
      await starter.dispose();
    }
  });
});
