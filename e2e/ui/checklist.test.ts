import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickPort } from '../rig/daemon';
import { startMariaDb, type DatabasePeer } from '../rig/databases';
import { startMoto, type MotoPeer } from '../rig/moto';
import { peersAvailable } from '../rig/peers';
import { fingerprintOf } from '../rig/sshd';
import { ChecklistPage } from './toolsPage';
import { screenshot } from './screenshots';
import { allowInMoto, createJumpBoxGroup, startPublicIpServer, type PublicIpServer } from './toolsRig';
import { startUiRig, type UiRig } from './uiRig';

const MY_IP = '81.2.3.4';
const ITEMS = ['AWS access works', 'SSH key created', 'Public key sent to the administrator', 'IP allowed on the jump box', 'Host key pinned', 'Database access tested'];

/**
 * Issue #6, the new starter checklist: every item except the user's own tick
 * is verified live against the real peers (moto's STS and security group, the
 * key file, sshd's host key, MariaDB's greeting through the jump box), and the
 * tick survives a reload, per profile.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen', 'mariadbd', 'moto_server'))('the new starter checklist', () => {
  let rig: UiRig;
  let moto: MotoPeer;
  let maria: DatabasePeer;
  let checkIp: PublicIpServer;
  let groupId: string;

  beforeAll(async () => {
    [moto, maria, checkIp] = await Promise.all([startMoto(), startMariaDb(), startPublicIpServer(MY_IP)]);
    rig = await startUiRig({ deps: { aws: { endpoint: moto.endpoint, credentials: moto.credentials }, publicIpUrl: checkIp.url } });
    groupId = await createJumpBoxGroup(moto, 'bastion-checklist');
    // A new starter: a key, a profile from the team, nothing pinned and no IP rule yet.
    await rig.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'starter',
        name: 'New starter',
        jumpHost: { host: rig.sshd.host, port: rig.sshd.port, user: rig.sshd.user, auth: { kind: 'key', keyPath: rig.keyPath } },
        aws: { region: 'eu-west-2', securityGroupId: groupId },
        targets: [{ id: 'orders', name: 'Orders', engine: 'mariadb', remote: { kind: 'host', host: maria.host, port: maria.port }, localPort: await pickPort() }],
      },
    });
  }, 180_000);

  afterAll(async () => {
    await rig?.dispose();
    await Promise.all([moto?.dispose(), maria?.dispose(), checkIp?.close()]);
  });

  it('checks each item live: the IP item passes once the rule is in moto, the host key is pinned from the list, and the tick survives a reload', async () => {
    const browserPage = await rig.browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const checklist = new ChecklistPage(browserPage);
    await browserPage.goto(rig.host.url);
    await checklist.open('New starter');
    expect(await checklist.progress().textContent()).toBe('0 of 6 done, not checked yet.');
    for (const title of ITEMS) expect(await checklist.stateOf(title)).toBe(title === 'Public key sent to the administrator' ? 'To do' : 'Not checked yet');
    expect(await checklist.keySent().isChecked()).toBe(false);

    // First check: AWS and the key are fine, the security group does not allow my IP, the rest waits for it.
    expect(await checklist.checkNow()).toMatch(/^2 of 6 done, checked at /);
    expect(await checklist.stateOf('AWS access works')).toBe('Passed');
    expect(await checklist.item('AWS access works').textContent()).toMatch(/arn:aws:/);
    expect(await checklist.stateOf('SSH key created')).toBe('Passed');
    expect(await checklist.item('SSH key created').textContent()).toContain(`ed25519 key ${fingerprintOf(rig.userKey.publicKey)}`);
    // The line to send to the administrator is the key's own public line.
    expect(await checklist.item('Public key sent to the administrator').getByLabel('Your public key', { exact: true }).textContent()).toBe(rig.userKey.publicKey);
    expect(await checklist.stateOf('IP allowed on the jump box')).toBe('Failed');
    const ipItem = (await checklist.item('IP allowed on the jump box').textContent()) ?? '';
    expect(ipItem).toContain(`Your IP ${MY_IP} is not allowed on port ${rig.sshd.port} in ${groupId}.`);
    expect(ipItem).toContain('What to do: Allow it with');
    expect(await checklist.stateOf('Host key pinned')).toBe('Not checked yet');
    expect(await checklist.item('Host key pinned').textContent()).toContain('Waits for "IP allowed on the jump box", which failed.');
    expect(await checklist.stateOf('Database access tested')).toBe('Not checked yet');
    await screenshot(browserPage, 'checklist');

    // The administrator adds the rule in the EC2 console (moto); the next check sees it, and reaches the host key.
    await allowInMoto(moto, groupId, MY_IP, rig.sshd.port);
    await checklist.page.getByRole('button', { name: 'Check now' }).click();
    await checklist.waitForState('IP allowed on the jump box', 'Passed');
    expect(await checklist.item('IP allowed on the jump box').textContent()).toContain(`${MY_IP} is allowed in ${groupId}`);
    expect(await checklist.stateOf('Host key pinned')).toBe('Failed');
    const shown = await checklist.item('Host key pinned').getByLabel('Host key fingerprint').textContent();
    expect(rig.sshd.hostKeys.map((key) => key.fingerprint)).toContain(shown);
    expect(await checklist.stateOf('Database access tested')).toBe('Not checked yet');

    // Trusting the fingerprint the user compared pins it and checks again: the database answers through the jump box.
    await checklist.item('Host key pinned').getByRole('button', { name: 'Trust this host key' }).click();
    await checklist.waitForState('Host key pinned', 'Passed');
    await checklist.waitForState('Database access tested', 'Passed');
    expect(await checklist.item('Database access tested').textContent()).toMatch(/MySQL protocol 10, server .*MariaDB/);
    expect(await checklist.waitForProgress(/^5 of 6 done/)).toMatch(/^5 of 6 done, checked at /);

    // The one item the user ticks.
    await checklist.keySent().check();
    await checklist.waitForProgress(/^6 of 6 done/);
    expect(await checklist.stateOf('Public key sent to the administrator')).toBe('Done');

    // A reload keeps the tick (and the pinned host key on disk); the live items are checked afresh.
    await browserPage.reload();
    await checklist.open('New starter');
    expect(await checklist.keySent().isChecked()).toBe(true);
    expect(await checklist.progress().textContent()).toBe('1 of 6 done, not checked yet.');
    expect(await checklist.checkNow()).toMatch(/^6 of 6 done, checked at /);
    for (const title of ITEMS) expect(await checklist.stateOf(title)).toBe(title === 'Public key sent to the administrator' ? 'Done' : 'Passed');

    // The tick belongs to that profile: the example profile has its own, unticked.
    await browserPage.getByLabel('Profile', { exact: true }).selectOption({ label: 'Example: production (edit me)' });
    await checklist.list('Example: production (edit me)').waitFor();
    expect(await checklist.keySent().isChecked()).toBe(false);
  });
});
