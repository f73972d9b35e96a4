import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleProfile } from '../../electron/core/profiles/exampleProfile';
import { pickPort } from '../rig/daemon';
import { startMariaDb, type DatabasePeer } from '../rig/databases';
import { makePuttyKey } from '../rig/keys';
import { peerPath, peersAvailable } from '../rig/peers';
import { fingerprintOf } from '../rig/sshd';
import { closedPort } from '../rig/tcpPeers';
import { ProfilePage } from './profilePage';
import { ChecklistPage, DoctorTab } from './toolsPage';
import { startUiRig, type UiRig } from './uiRig';

const run = promisify(execFile);
const PASSPHRASE = 'first hour, second cup';
/** The routine's order (issue #13): make a key, send it, get the IP allowed (AWS), pin the jump box, reach the database. */
const ROUTINE = ['SSH key created', 'Public key sent to the administrator', 'AWS access works', 'IP allowed on the jump box', 'Host key pinned', 'Database access tested'];
/** What the SDK would read credentials from; emptied for this file, restored after. */
const AWS_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_EC2_METADATA_DISABLED'] as const;

/**
 * Issue #13, "The first hour, in the order of the routine", in Chromium through `jumpgate serve`:
 * a new starter whose key is a passphrase-protected PuTTYgen PPK v3, on a laptop with no AWS
 * credentials at all. The doctor and the checklist put the key first, the doctor unlocks the key
 * with the same question as Connect, and the checklist shows the PuTTY key's public line.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'puttygen', 'mariadbd'))('the first hour, in the order of the routine', () => {
  let rig: UiRig;
  let maria: DatabasePeer;
  const envBefore = new Map(AWS_ENV.map((name) => [name, process.env[name]]));

  beforeAll(async () => {
    for (const name of AWS_ENV) delete process.env[name];
    // A laptop with no AWS credentials: no environment, empty ~/.aws files, no instance metadata.
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    maria = await startMariaDb();
    rig = await startUiRig({
      userKey: (dir) => makePuttyKey(dir, { type: 'ed25519', ppkVersion: 3, passphrase: PASSPHRASE, comment: 'new-starter@laptop' }),
      // Nothing would answer AWS on loopback either, had credentials been found.
      deps: { aws: { endpoint: `http://127.0.0.1:${await closedPort()}`, configFile: '/dev/null', credentialsFile: '/dev/null' } },
    });
  }, 180_000);

  afterAll(async () => {
    await rig?.dispose();
    await maria?.dispose();
    for (const [name, value] of envBefore) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('a connect that fails for want of a key points at the key, and the checklist starts with the key, not with AWS', async () => {
    // The example profile as a new starter edits it: the jump box filled in, the key not made yet.
    const example = exampleProfile();
    const [mysqlPort, pgPort] = [await pickPort(), await pickPort()];
    await rig.jumpgate.handlers['profiles:save']({
      profile: {
        ...example,
        id: 'starter',
        name: 'Starter',
        jumpHost: { ...example.jumpHost, host: rig.sshd.host, port: rig.sshd.port, user: rig.sshd.user, auth: { kind: 'key', keyPath: join(rig.dir, 'jumpgate_ed25519') } },
        targets: example.targets.map((target, index) => ({ ...target, localPort: index === 0 ? mysqlPort : pgPort })),
      },
    });
    const browserPage = await rig.browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const page = new ProfilePage(browserPage);
    const doctor = new DoctorTab(browserPage);
    await page.open(rig.host.url, 'Starter');
    await page.connect('MySQL (RDS)');
    const note = doctor.connectNote();
    await note.waitFor({ timeout: 30_000 });
    expect(await note.textContent()).toContain('KEY_NOT_FOUND');
    expect(await note.textContent()).toContain('The doctor stops at step 1 of 10: SSH key readable.');

    // The checklist, opened after that automatic doctor run: the key comes first, failed with what to do, waiting for nothing.
    const checklist = new ChecklistPage(browserPage);
    await checklist.open('Starter');
    expect(await checklist.titles('Starter')).toEqual(ROUTINE);
    expect(await checklist.stateOf('SSH key created')).toBe('Failed');
    const keyItem = (await checklist.item('SSH key created').textContent()) ?? '';
    expect(keyItem).toContain(`No key file at ${join(rig.dir, 'jumpgate_ed25519')}.`);
    expect(keyItem).toContain('What to do:');
    expect(keyItem).not.toContain('Waits for');
    // AWS is needed here (the targets' passwords are RDS-managed secrets) and fails on its own account.
    expect(await checklist.stateOf('AWS access works')).toBe('Failed');
    expect(await checklist.item('AWS access works').textContent()).toContain('No AWS credentials were found');
    expect(await checklist.item('Host key pinned').textContent()).toContain('Waits for "SSH key created", which failed.');

    // Check now reads the key file too: the same answer, in the same order.
    await checklist.checkNow();
    expect(await checklist.titles('Starter')).toEqual(ROUTINE);
    expect(await checklist.stateOf('SSH key created')).toBe('Failed');
    expect(await checklist.item('SSH key created').textContent()).not.toContain('Waits for');
  });

  it("shows a passphrase-protected PPK v3 key's public line after Check now, as puttygen -L prints it, and asks its passphrase from the key item, again after a wrong one", async () => {
    await rig.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'putty',
        name: 'PuTTY key',
        jumpHost: { host: rig.sshd.host, port: rig.sshd.port, user: rig.sshd.user, auth: { kind: 'key', keyPath: rig.keyPath } },
        targets: [{ id: 'orders', name: 'Orders', engine: 'mariadb', remote: { kind: 'host', host: maria.host, port: maria.port }, localPort: await pickPort() }],
      },
    });
    const { stdout } = await run(peerPath('puttygen'), ['-L', rig.keyPath]);
    const puttygenLine = stdout.trim();
    expect(puttygenLine).toMatch(/^ssh-ed25519 AAAA\S+ new-starter@laptop$/);

    const browserPage = await rig.browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const checklist = new ChecklistPage(browserPage);
    await browserPage.goto(rig.host.url);
    await checklist.open('PuTTY key');
    await checklist.checkNow();
    await checklist.publicKey().waitFor({ timeout: 10_000 });
    const shown = (await checklist.publicKey().textContent()) ?? '';
    // The same key blob PuTTYgen reads from the file, and the same comment.
    expect(shown.split(' ')[1]).toBe(puttygenLine.split(' ')[1]);
    expect(shown).toBe(puttygenLine);
    expect(await checklist.stateOf('SSH key created')).toBe('Passed');
    expect(await checklist.item('SSH key created').textContent()).toContain(`ed25519 key ${fingerprintOf(puttygenLine)} (ppk3), protected by a passphrase.`);

    // What logs in waits for the passphrase, which the key item asks for; a wrong one is asked again, saying so.
    expect(await checklist.item('Host key pinned').textContent()).toContain('Waits for your key\'s passphrase: press "Enter the passphrase" under "SSH key created".');
    await checklist.unlockWith('not the passphrase');
    await checklist.passphraseDialog().getByText('That passphrase does not unlock the key.').waitFor({ timeout: 30_000 });
    await checklist.passphraseDialog().getByRole('button', { name: 'Cancel' }).click();
    expect(await checklist.item('Host key pinned').textContent()).toContain("Waits for your key's passphrase (the last one typed did not unlock it)");
  });

  it('the doctor asks for the PPK v3 key\'s passphrase, shows a wrong one on the key step, and with the right one goes on to the host key, the login, the forward and the greeting', async () => {
    await rig.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'locked',
        name: 'Locked key',
        jumpHost: { host: rig.sshd.host, port: rig.sshd.port, user: rig.sshd.user, auth: { kind: 'key', keyPath: rig.keyPath } },
        targets: [{ id: 'orders', name: 'Orders', engine: 'mariadb', remote: { kind: 'host', host: maria.host, port: maria.port }, localPort: await pickPort() }],
      },
    });
    // The service may hold the passphrase from another test of this file; this one starts locked.
    await rig.jumpgate.handlers['keychain:forgetPassphrase']({ keyPath: rig.keyPath });
    const page = new ProfilePage(await rig.browser.newPage({ viewport: { width: 1200, height: 900 } }));
    const doctor = new DoctorTab(page.page);
    await page.open(rig.host.url, 'Locked key');
    await doctor.open();

    // The doctor stops at the key and asks, as Connect does.
    await doctor.panel().getByRole('button', { name: 'Run doctor' }).click();
    await doctor.passphraseDialog().waitFor({ timeout: 30_000 });
    expect(await doctor.waitForVerdict(/failed/)).toMatch(/^Step 1 of 10 failed: SSH key readable\./);
    expect(await doctor.check('SSH key readable').textContent()).toContain('PASSPHRASE_REQUIRED');

    // A wrong passphrase: the key step says so, and the question comes back.
    await doctor.unlockWith('not the passphrase');
    await doctor.check('SSH key readable').filter({ hasText: 'BAD_PASSPHRASE' }).waitFor({ timeout: 30_000 });
    expect(await doctor.stateOf('SSH key readable')).toBe('Failed');
    await doctor.passphraseDialog().getByText('That passphrase does not unlock the key.').waitFor();

    // The right one: past the key to the jump box, met for the first time.
    await doctor.unlockWith(PASSPHRASE);
    await doctor.hostKeyDialog().waitFor({ timeout: 30_000 });
    expect(await doctor.stateOf('SSH key readable')).toBe('Passed');
    expect(await doctor.check('SSH key readable').textContent()).toContain('(ppk3)');
    expect(rig.sshd.hostKeys.map((hostKey) => hostKey.fingerprint)).toContain(await doctor.trustHostKey());

    // Trusted: the login, the forward and MariaDB's greeting through the real jump box.
    expect(await doctor.waitForVerdict(/checks passed/)).toBe('6 checks passed, 4 not needed for this profile. Nothing is broken.');
    expect(await doctor.states()).toEqual([
      ['SSH key readable', 'Passed'],
      ['AWS credentials', 'Skipped'],
      ['AWS region', 'Skipped'],
      ['Your IP allowed on the jump box', 'Skipped'],
      ['Jump box reachable (TCP)', 'Passed'],
      ['Jump box host key', 'Passed'],
      ['SSH login', 'Passed'],
      ['Jump box reaches the database', 'Passed'],
      ['Database answers', 'Passed'],
      ['Database accepts the password', 'Skipped'],
    ]);
    expect(await doctor.check('Database answers').textContent()).toMatch(/MySQL protocol 10, server .*MariaDB/);
    expect(await doctor.passphraseDialog().count()).toBe(0);
    expect(await page.page.content()).not.toContain(PASSPHRASE);
  });
});
