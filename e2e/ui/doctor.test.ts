import { join } from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { createAwsClients } from '../../electron/core/aws/awsClients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnownHostsStore } from '../../electron/core/ssh/knownHosts';
import { pickPort } from '../rig/daemon';
import { startMariaDb, type DatabasePeer } from '../rig/databases';
import { trustSshd } from '../rig/engine';
import { makeOpenSshKey } from '../rig/keys';
import { startMoto, type MotoPeer } from '../rig/moto';
import { peersAvailable } from '../rig/peers';
import { closedPort } from '../rig/tcpPeers';
import { ProfilePage } from './profilePage';
import { DoctorTab } from './toolsPage';
import { screenshot } from './screenshots';
import { allowInMoto, createJumpBoxGroup, startPublicIpServer, type PublicIpServer } from './toolsRig';
import { startUiRig, type UiRig } from './uiRig';

const MY_IP = '81.2.3.4';

/**
 * Issue #6, the doctor: it names the right failing step for an IP the jump
 * box's security group does not allow (moto), a key sshd does not authorize,
 * and a database endpoint nothing listens on; and a failed connect in the UI
 * runs it by itself, with the error note pointing at that step.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen', 'mariadbd', 'moto_server'))('the Doctor tab', () => {
  let rig: UiRig;
  let moto: MotoPeer;
  let maria: DatabasePeer;
  let checkIp: PublicIpServer;
  let groupId: string;

  beforeAll(async () => {
    [moto, maria, checkIp] = await Promise.all([startMoto(), startMariaDb(), startPublicIpServer(MY_IP)]);
    rig = await startUiRig({ deps: { aws: { endpoint: moto.endpoint, credentials: moto.credentials }, publicIpUrl: checkIp.url } });
    // The user confirmed the jump box's fingerprint long ago: these cases are about what comes after.
    await trustSshd(new KnownHostsStore(join(rig.dataDir, 'known_hosts')), rig.sshd);
    groupId = await createJumpBoxGroup(moto, 'bastion-doctor');
    const stranger = await makeOpenSshKey(rig.dir, { type: 'ed25519', format: 'openssh', comment: 'not-authorized@laptop' });
    const deadPort = await closedPort();
    const jumpHost = (keyPath: string) => ({ host: rig.sshd.host, port: rig.sshd.port, user: rig.sshd.user, auth: { kind: 'key' as const, keyPath } });
    const orders = async () => ({ id: 'orders', name: 'Orders', engine: 'mariadb' as const, remote: { kind: 'host' as const, host: maria.host, port: maria.port }, localPort: await pickPort() });
    const save = (profile: object) => rig.jumpgate.handlers['profiles:save']({ profile });
    // The guarded box's target names its secret, so the last step logs in with it.
    const aws = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials });
    await aws.secrets().send(new CreateSecretCommand({ Name: 'doctor/orders', SecretString: JSON.stringify({ username: maria.user, password: maria.password }) }));
    const ordersWithSecret = async () => ({ ...(await orders()), database: maria.database, secret: { kind: 'secrets-manager' as const, secretId: 'doctor/orders' } });
    await save({ id: 'guarded', name: 'Guarded box', jumpHost: jumpHost(rig.keyPath), aws: { region: 'eu-west-2', securityGroupId: groupId }, targets: [await ordersWithSecret()] });
    await save({ id: 'wrongkey', name: 'Wrong key', jumpHost: jumpHost(stranger.privatePath), targets: [await orders()] });
    await save({
      id: 'deadend',
      name: 'Dead end',
      jumpHost: jumpHost(rig.keyPath),
      targets: [{ id: 'gone', name: 'Gone', engine: 'postgres', remote: { kind: 'host', host: '127.0.0.1', port: deadPort }, localPort: await pickPort() }, await orders()],
    });
  }, 180_000);

  afterAll(async () => {
    await rig?.dispose();
    await Promise.all([moto?.dispose(), maria?.dispose(), checkIp?.close()]);
  });

  it('names the IP rule when the security group does not allow my IP, and passes every step once it does', async () => {
    const page = new ProfilePage(await rig.browser.newPage({ viewport: { width: 1200, height: 900 } }));
    const doctor = new DoctorTab(page.page);
    await page.open(rig.host.url, 'Guarded box');
    await doctor.open();
    expect(await doctor.verdict().textContent()).toBe('Not run yet. Run it to see where a connection breaks.');

    await doctor.run(/Step 4 of 10 failed: Your IP allowed on the jump box\./);
    expect(await doctor.states()).toEqual([
      ['SSH key readable', 'Passed'],
      ['AWS credentials', 'Passed'],
      ['AWS region', 'Passed'],
      ['Your IP allowed on the jump box', 'Failed'],
      // Packets from an IP the group does not allow are dropped: the jump box waits for the rule.
      ['Jump box reachable (TCP)', 'Skipped'],
      ['Jump box host key', 'Skipped'],
      ['SSH login', 'Skipped'],
      ['Jump box reaches the database', 'Skipped'],
      ['Database answers', 'Skipped'],
      ['Database accepts the password', 'Skipped'],
    ]);
    // The failing step is the one pointed at, with what it found and what to do.
    expect(await doctor.currentStep().count()).toBe(1);
    expect(await doctor.check('Your IP allowed on the jump box').getAttribute('aria-current')).toBe('step');
    const failing = (await doctor.check('Your IP allowed on the jump box').textContent()) ?? '';
    expect(failing).toContain(`Your IP ${MY_IP} is not allowed on port ${rig.sshd.port} in ${groupId}.`);
    expect(failing).toContain('What to do: Allow it with "Access -> Allow my IP"');
    expect(failing).toContain('IP_NOT_ALLOWED');
    expect(await doctor.check('AWS credentials').textContent()).toMatch(/arn:aws:/);
    expect(await doctor.check('SSH login').textContent()).toContain('not reached: it needs "Your IP allowed on the jump box", which failed');
    await screenshot(page.page, 'doctor');

    // The administrator adds my IP on the jump box's SSH port; the same button checks again.
    await allowInMoto(moto, groupId, MY_IP, rig.sshd.port);
    await doctor.run(/^All 10 checks passed\.$/);
    expect((await doctor.states()).map(([, state]) => state)).toEqual(Array(10).fill('Passed'));
    expect(await doctor.check('Your IP allowed on the jump box').textContent()).toContain(`${MY_IP} is allowed in ${groupId}`);
    expect(await doctor.check('Database answers').textContent()).toMatch(/MySQL protocol 10, server .*MariaDB/);
    // Logged in with the password from Secrets Manager, which the page never shows.
    expect(await doctor.check('Database accepts the password').textContent()).toContain(`logged in as ${maria.user}`);
    expect(await page.page.content()).not.toContain(maria.password);
    expect(await doctor.currentStep().count()).toBe(0);
  });

  it('runs by itself when a connect fails with a key sshd does not authorize, and points at the login', async () => {
    const page = new ProfilePage(await rig.browser.newPage({ viewport: { width: 1200, height: 900 } }));
    const doctor = new DoctorTab(page.page);
    await page.open(rig.host.url, 'Wrong key');
    await page.connect('Orders');

    // The connect's own error first, then what the doctor found, in the same note.
    const note = doctor.connectNote();
    await note.waitFor({ timeout: 30_000 });
    const said = (await note.textContent()) ?? '';
    expect(said).toContain('AUTH_FAILED');
    expect(said).toContain('The doctor stops at step 7 of 10: SSH login.');
    // Nothing holds a port after the failure: there is nothing to disconnect.
    expect(await page.button('Disconnect all').isDisabled()).toBe(true);
    await note.getByRole('button', { name: 'Open Doctor' }).click();

    await page.page.getByRole('tab', { name: 'Doctor', selected: true }).waitFor();
    expect(await doctor.waitForVerdict(/failed/)).toBe('Step 7 of 10 failed: SSH login. Fix it first; 3 steps wait for it.');
    expect(await doctor.states()).toEqual([
      ['SSH key readable', 'Passed'],
      ['AWS credentials', 'Skipped'],
      ['AWS region', 'Skipped'],
      ['Your IP allowed on the jump box', 'Skipped'],
      ['Jump box reachable (TCP)', 'Passed'],
      ['Jump box host key', 'Passed'],
      ['SSH login', 'Failed'],
      ['Jump box reaches the database', 'Skipped'],
      ['Database answers', 'Skipped'],
      ['Database accepts the password', 'Skipped'],
    ]);
    expect(await doctor.check('SSH login').getAttribute('aria-current')).toBe('step');
    expect(await doctor.check('SSH login').textContent()).toMatch(/What to do: Check the user name, and that this public key is in ~\/\.ssh\/authorized_keys/);
    expect(await doctor.check('AWS credentials').textContent()).toContain('not needed: nothing this check uses is in AWS');
    expect(await doctor.panel().textContent()).toMatch(/Orders, checked at .* after a connect failed: The jump box .* refused user/);
  });

  it('runs by itself when the database endpoint is closed, points at the forward, and checks another target on request', async () => {
    const page = new ProfilePage(await rig.browser.newPage({ viewport: { width: 1200, height: 900 } }));
    const doctor = new DoctorTab(page.page);
    await page.open(rig.host.url, 'Dead end');
    await page.connect('Gone');

    const note = doctor.connectNote();
    await note.waitFor({ timeout: 30_000 });
    expect(await note.textContent()).toContain('ENDPOINT_UNREACHABLE');
    expect(await note.textContent()).toContain('The doctor stops at step 8 of 10: Jump box reaches the database.');
    await page.waitForStatus('Gone', /^failed: /);
    await note.getByRole('button', { name: 'Open Doctor' }).click();

    expect(await doctor.waitForVerdict(/failed/)).toBe('Step 8 of 10 failed: Jump box reaches the database. Fix it first; 2 steps wait for it.');
    expect(await doctor.stateOf('SSH login')).toBe('Passed');
    expect(await doctor.stateOf('Jump box reaches the database')).toBe('Failed');
    expect(await doctor.stateOf('Database answers')).toBe('Skipped');
    expect(await doctor.currentStep().textContent()).toMatch(/could not connect to 127\.0\.0\.1:\d+ .*What to do: The jump box is fine; the database endpoint is not reachable from it\./);
    // The run was for the target that failed; the other one is fine.
    expect(await doctor.target().locator('option:checked').textContent()).toBe('Gone');
    await doctor.target().selectOption({ label: 'Orders' });
    expect(await doctor.run(/not needed/)).toBe('6 checks passed, 4 not needed for this profile. Nothing is broken.');
    expect(await doctor.check('Database accepts the password').textContent()).toContain('this target names no secret');
    expect(await doctor.stateOf('Jump box reaches the database')).toBe('Passed');
    expect(await doctor.stateOf('Database answers')).toBe('Passed');
  });
});
