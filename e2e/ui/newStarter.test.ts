import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecurityGroupRulesCommand } from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../electron/core/aws/awsClients';
import { TestClipboard } from '../rig/clipboardDouble';
import { pickPort } from '../rig/daemon';
import { startMariaDb, type DatabasePeer } from '../rig/databases';
import { createIamUser, startMoto, type MotoPeer } from '../rig/moto';
import { peersAvailable } from '../rig/peers';
import { fingerprintOf, privateHostsAvailable, SshdPeer } from '../rig/sshd';
import { AwsScreensPage } from './awsScreensPage';
import { ProfileEditorPage } from './profileEditorPage';
import { ProfilePage } from './profilePage';
import { ChecklistPage, KeysPage } from './toolsPage';
import { createJumpBoxGroup, startPublicIpServer, type PublicIpServer } from './toolsRig';
import { startServedUi, type ServedUi } from './uiRig';

const REGION = 'eu-west-2';
const MY_IP = '81.2.3.4';
const PASSPHRASE = 'first day, strong tea';
const EXAMPLE = 'Example: production (edit me)';
/** What moto calls an instance's endpoint; in AWS only the VPC's DNS (the jump box) resolves it. */
const rdsHost = (identifier: string) => `${identifier}.aaaaaaaaaa.${REGION}.rds.amazonaws.com`;
/** Where the AWS SDK finds credentials and the home directory: emptied for this file (its own process), restored after. */
const USER_ENV = ['HOME', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED'];

/**
 * Issue #13, the new-user flow from nothing, in Chromium through `jumpgate serve`: a laptop with
 * no SSH key and no AWS credentials, walking the new starter checklist in the routine's order
 * (make a key, send the public key, AWS, get the IP allowed, first login, find the endpoint,
 * tunnel, password, connect a tool) to a query through the tunnel. Each checklist item is read
 * as the user reads it when it turns. The peers are real: an OpenSSH sshd as the jump box that
 * alone resolves the RDS endpoint name (as VPC DNS would), moto for STS, EC2, RDS and Secrets
 * Manager, the rig's MariaDB behind the RDS endpoint. The service reads the user's HOME, a fresh
 * one: no ~/.ssh key, no ~/.aws, no AWS_* variables, no instance metadata (a laptop).
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'mariadbd', 'moto_server') || !privateHostsAvailable())('a new starter with no key and no AWS credentials', () => {
  let ui: ServedUi;
  let moto: MotoPeer;
  let maria: DatabasePeer;
  let checkIp: PublicIpServer;
  let jumpBox: SshdPeer;
  let admin: AwsClients;
  let home: string;
  let groupId: string;
  const clipboard = new TestClipboard();
  const envBefore = new Map(USER_ENV.map((name) => [name, process.env[name]]));

  beforeAll(async () => {
    [moto, maria, checkIp] = await Promise.all([startMoto(), startMariaDb(), startPublicIpServer(MY_IP)]);
    // The team's AWS as the administrators left it: the jump box's security group with no rule for
    // the new starter, and the orders database in RDS (on MariaDB's port) with its RDS-managed secret.
    admin = createAwsClients({ region: REGION }, { endpoint: moto.endpoint, credentials: moto.credentials });
    groupId = await createJumpBoxGroup(moto, 'bastion-ssh');
    const orders = await admin.rds().send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'orders-mysql',
        Engine: 'mysql',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        Port: maria.port,
        DBName: maria.database,
        MasterUsername: maria.user,
        ManageMasterUserPassword: true,
      }),
    );
    await admin.secrets().send(
      new PutSecretValueCommand({ SecretId: orders.DBInstance?.MasterUserSecret?.SecretArn, SecretString: JSON.stringify({ username: maria.user, password: maria.password }) }),
    );
    // The jump box knows nobody's key yet.
    jumpBox = await SshdPeer.start({ authorizedKeys: [], hosts: { [rdsHost('orders-mysql')]: maria.host } });

    home = mkdtempSync(join(tmpdir(), 'jumpgate-new-starter-home-'));
    for (const name of USER_ENV) delete process.env[name];
    process.env.HOME = home;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    // AWS at moto (the one thing a test must inject); no credentials: the SDK looks where the AWS CLI does.
    ui = await startServedUi({ deps: { aws: { endpoint: moto.endpoint }, publicIpUrl: checkIp.url, clipboard } });
  }, 180_000);

  afterAll(async () => {
    await ui?.dispose();
    await Promise.all([jumpBox?.dispose(), moto?.dispose(), maria?.dispose(), checkIp?.close()]);
    for (const [name, value] of envBefore) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** What `aws configure` leaves in ~/.aws for the access key an AWS administrator handed out. */
  function awsConfigure(keys: { accessKeyId: string; secretAccessKey: string }): void {
    mkdirSync(join(home, '.aws'), { recursive: true });
    writeFileSync(join(home, '.aws', 'config'), `[default]\nregion = ${REGION}\n`);
    writeFileSync(join(home, '.aws', 'credentials'), `[default]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`, { mode: 0o600 });
  }

  it('makes a key, sends it, gets AWS and the IP allowed, logs in once, adds the RDS database and queries it with the copied password', async () => {
    const page = await ui.browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const checklist = new ChecklistPage(page);
    const keys = new KeysPage(page);
    const profile = new ProfilePage(page);
    const editor = new ProfileEditorPage(page);
    const screens = new AwsScreensPage(page);
    const text = async (title: string) => (await checklist.item(title).textContent()) ?? '';
    await page.goto(ui.host.url);

    // Nothing yet. The first start shows the example profile; its checklist puts the key first,
    // AWS's own item fails for want of credentials, what needs AWS or the key waits, nothing passes.
    await checklist.open(EXAMPLE);
    expect(await checklist.progress().textContent()).toBe('0 of 6 done, not checked yet.');
    expect(await checklist.checkNow()).toMatch(/^0 of 6 done, checked at /);
    expect(await checklist.states(EXAMPLE)).toEqual([
      ['SSH key created', 'Failed'],
      ['Public key sent to the administrator', 'To do'],
      ['AWS access works', 'Failed'],
      ['IP allowed on the jump box', 'Not checked yet'],
      ['Host key pinned', 'Not checked yet'],
      ['Database access tested', 'Not checked yet'],
    ]);
    expect(await text('SSH key created')).toContain('No key file at ~/.ssh/jumpgate_ed25519.');
    expect(await text('SSH key created')).toContain('What to do: Create it in Keys and use it in this profile, or put the path of the key you already have in Edit profile.');
    expect(await text('Public key sent to the administrator')).toContain('Waits for "SSH key created": make the key first, then send its public line.');
    expect(await text('AWS access works')).toContain('No AWS credentials were found (none in the environment, ~/.aws/credentials or ~/.aws/config).');
    expect(await text('AWS access works')).toContain('What to do: Run: aws configure sso (or aws configure)');
    expect(await text('IP allowed on the jump box')).toContain('Waits for "AWS access works", which failed.');
    expect(await text('Host key pinned')).toContain('Waits for "SSH key created", which failed.');
    expect(await text('Database access tested')).toContain('Waits for "SSH key created", which failed.');

    // 1. Make a key: from the key item to Keys, ed25519 with a passphrase where the form proposes,
    // which is where the example profile looks.
    await checklist.item('SSH key created').getByRole('button', { name: 'Open Keys' }).click();
    await keys.createForm().waitFor();
    const key = await keys.create({ passphrase: PASSPHRASE });
    expect(key.path).toBe(join(home, '.ssh', 'jumpgate_ed25519'));
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ \S+@jumpgate$/);
    expect(readFileSync(`${key.path}.pub`, 'utf8').trim()).toBe(key.publicKey);
    await checklist.open(EXAMPLE);
    expect(await checklist.checkNow()).toMatch(/^1 of 6 done, checked at /);
    expect(await checklist.stateOf('SSH key created')).toBe('Passed');
    expect(await text('SSH key created')).toContain(`ssh-ed25519 key ${fingerprintOf(key.publicKey)} (openssh), protected by a passphrase.`);
    expect(await checklist.publicKey().textContent()).toBe(key.publicKey);
    expect(await text('Public key sent to the administrator')).toContain('Tick it once you have sent it.');
    // Nothing waits for the key's passphrase: it was set (twice) when the key was made, and is known
    // for this session under the file, whether a profile says ~/.ssh/jumpgate_ed25519 (the example)
    // or the full path the form wrote (issue #16).
    expect(await text('Host key pinned')).not.toContain('passphrase');
    expect(await text('Host key pinned')).toContain('Waits for');
    expect(await checklist.item('SSH key created').getByRole('button', { name: 'Enter the passphrase' }).count()).toBe(0);

    // 2. Send the public key. The administrator (the test) adds the line the checklist shows to the jump box.
    jumpBox.authorize((await checklist.publicKey().textContent()) ?? '');
    await checklist.keySent().check();
    expect(await checklist.waitForProgress(/^2 of 6 done/)).toMatch(/^2 of 6 done, checked at /);
    expect(await checklist.stateOf('Public key sent to the administrator')).toBe('Done');

    // Save the jump-box session: the example profile, edited to the team's jump box, the new key
    // and the security group that guards it (Jumpgate allows the IP per profile, so this comes first).
    await profile.profileButton(EXAMPLE).click();
    await profile.button('Edit profile').click();
    await editor.fillJumpBox({ name: 'Production', host: jumpBox.host, port: jumpBox.port, user: jumpBox.user, keyPath: key.path });
    await editor.fillAws({ securityGroupId: groupId });
    await editor.removeAllTargets();
    await editor.save();
    await page.getByRole('heading', { level: 2, name: 'Production', exact: true }).waitFor();
    const saved = (await ui.jumpgate.handlers['profiles:list']({})).profiles;
    expect(saved.map((entry) => [entry.name, entry.jumpHost.auth, entry.aws.securityGroupId, entry.targets.length])).toEqual([
      ['Production', { kind: 'key', keyPath: key.path }, groupId, 0],
    ]);
    await checklist.open('Production');
    expect(await checklist.checkNow()).toMatch(/^2 of 6 done, checked at /);
    expect(await checklist.stateOf('AWS access works')).toBe('Failed');
    expect(await text('IP allowed on the jump box')).toContain('Waits for "AWS access works", which failed.');
    expect(await text('Database access tested')).toContain('Add a database target to this profile, then check again.');

    // 3. AWS: the administrator hands out an access key, the user runs `aws configure`; Check now finds it.
    awsConfigure(await createIamUser(moto, 'new-starter', ['sts:GetCallerIdentity', 'ec2:Describe*', 'ec2:AuthorizeSecurityGroupIngress', 'rds:Describe*', 'secretsmanager:GetSecretValue']));
    expect(await checklist.checkNow()).toMatch(/^3 of 6 done, checked at /);
    expect(await checklist.stateOf('AWS access works')).toBe('Passed');
    expect(await text('AWS access works')).toContain('arn:aws:iam::123456789012:user/new-starter');
    // Now the IP can be checked, and it is not allowed yet.
    expect(await checklist.stateOf('IP allowed on the jump box')).toBe('Failed');
    expect(await text('IP allowed on the jump box')).toContain(`Your IP ${MY_IP} is not allowed on port ${jumpBox.port} in ${groupId}.`);
    expect(await text('IP allowed on the jump box')).toContain('What to do: Allow it with "Access -> Allow my IP"');

    // 4. Get the IP allowed: from the item to the Access tab, check, allow.
    await checklist.item('IP allowed on the jump box').getByRole('button', { name: 'Open Access' }).click();
    await page.getByRole('tabpanel', { name: 'Access', exact: true }).waitFor();
    await screens.button('Check my access').click();
    await screens.accessStatus().filter({ hasText: `Not allowed: no rule lets ${MY_IP} reach port ${jumpBox.port}` }).waitFor();
    await screens.button('Allow my IP').click();
    expect(await screens.lastChange().textContent()).toBe(`Added ${MY_IP}/32 to ${groupId} on port ${jumpBox.port}.`);
    const rules = (await admin.ec2().send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }))).SecurityGroupRules ?? [];
    expect(rules.filter((rule) => !rule.IsEgress).map((rule) => [rule.CidrIpv4, rule.FromPort])).toEqual([[`${MY_IP}/32`, jumpBox.port]]);
    await checklist.open('Production');
    expect(await checklist.checkNow()).toMatch(/^4 of 6 done, checked at /);
    expect(await checklist.stateOf('IP allowed on the jump box')).toBe('Passed');
    expect(await text('IP allowed on the jump box')).toContain(`${MY_IP} is allowed in ${groupId}`);

    // 5. First login: no passphrase question (it was set, twice, when the key was made in this session,
    // and kept in memory for it: issue #16), only the jump box's fingerprint to compare and trust.
    await checklist.waitForState('Host key pinned', 'Failed');
    expect(await text('Host key pinned')).toContain(`Jumpgate has not seen the jump box ${jumpBox.host}:${jumpBox.port} before.`);
    const shown = await checklist.item('Host key pinned').getByLabel('Host key fingerprint').textContent();
    expect(jumpBox.hostKeys.map((hostKey) => hostKey.fingerprint)).toContain(shown);
    expect(await checklist.item('SSH key created').getByRole('button', { name: 'Enter the passphrase' }).count()).toBe(0);
    await checklist.item('Host key pinned').getByRole('button', { name: 'Trust this host key' }).click();
    await checklist.waitForState('Host key pinned', 'Passed');
    expect(await checklist.waitForProgress(/^5 of 6 done/)).toMatch(/^5 of 6 done, checked at /);
    expect(await text('Database access tested')).toContain('Add a database target to this profile, then check again.');

    // 6. Find the endpoint: the profile's Endpoints tab lists RDS; the database becomes a target with its linked secret.
    await profile.profileButton('Production').click();
    await screens.openTab('Endpoints');
    await screens.listDatabases();
    expect(await screens.databaseNames(REGION)).toEqual(['orders-mysql']);
    expect(await screens.databaseRow('orders-mysql').textContent()).toContain('RDS-managed secret');
    await screens.button('Add orders-mysql as a target').click();
    const dialog = screens.addTargetDialog('orders-mysql');
    expect(await dialog.textContent()).toContain('the RDS-managed secret linked to the database');
    // The convention's 13306 may be taken on a developer's machine: the rig's port is random.
    const localPort = await pickPort();
    await dialog.getByLabel('Local port', { exact: true }).fill(String(localPort));
    await dialog.getByRole('button', { name: 'Add target' }).click();
    await dialog.waitFor({ state: 'detached' });
    await checklist.open('Production');
    expect(await checklist.checkNow()).toMatch(/^6 of 6 done, checked at /);
    expect(await text('Database access tested')).toMatch(/MySQL protocol 10, server .*MariaDB/);
    expect(await checklist.states('Production')).toEqual([
      ['SSH key created', 'Passed'],
      ['Public key sent to the administrator', 'Done'],
      ['AWS access works', 'Passed'],
      ['IP allowed on the jump box', 'Passed'],
      ['Host key pinned', 'Passed'],
      ['Database access tested', 'Passed'],
    ]);

    // Tunnel: Connect asks nothing more (the passphrase and the host key were answered once).
    await profile.profileButton('Production').click();
    await screens.openTab('Targets');
    await profile.connect('orders-mysql');
    await profile.waitForStatus('orders-mysql', /^open for/);
    expect(await profile.passphraseDialog().count()).toBe(0);
    expect(await profile.hostKeyDialog().count()).toBe(0);

    // Password: from the RDS-managed secret to the clipboard.
    await profile.button('Copy password for orders-mysql').click();
    await profile.clipboardBanner().filter({ hasText: 'Password for Production / orders-mysql is on the clipboard.' }).waitFor();
    expect(clipboard.text).toBe(maria.password);

    // Connect a tool: the port on 127.0.0.1 with the copied password reaches the database behind the RDS endpoint.
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: localPort, user: maria.user, password: clipboard.text, database: maria.database });
    const [rows] = await connection.query('SELECT DATABASE() AS db, 40 + 2 AS answer');
    await connection.end();
    expect(rows).toEqual([{ db: maria.database, answer: 42 }]);

    // Neither the password nor the passphrase is on disk.
    for (const name of ['profiles.json', 'known_hosts', 'audit.log']) {
      const written = readFileSync(join(ui.dataDir, name), 'utf8');
      expect(written).not.toContain(maria.password);
      expect(written).not.toContain(PASSPHRASE);
    }
    await profile.disconnect('orders-mysql');
    await profile.waitForStatus('orders-mysql', /^stopped$/);
  }, 120_000);
});
