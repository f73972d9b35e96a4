import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecurityGroupCommand, DescribeSecurityGroupRulesCommand } from '@aws-sdk/client-ec2';
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
} from '@aws-sdk/client-rds';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import mysql from 'mysql2/promise';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../electron/core/aws/awsClients';
import type { Profile } from '../../shared/model/profile';
import { ManualScheduler, TestClipboard } from '../rig/clipboardDouble';
import { pickPort } from '../rig/daemon';
import { startMariaDb, type DatabasePeer } from '../rig/databases';
import { createIamUser, enforceIam, startMoto, type MotoPeer } from '../rig/moto';
import { peersAvailable } from '../rig/peers';
import { listeningPorts } from '../rig/procfs';
import { privateHostsAvailable, SshdPeer } from '../rig/sshd';
import { AwsScreensPage } from './awsScreensPage';
import { ProfileEditorPage } from './profileEditorPage';
import { ProfilePage } from './profilePage';
import { startUiRig, type UiRig } from './uiRig';
import { screenshot } from './screenshots';

const REGION = 'eu-west-2';
/** What moto calls an instance's endpoint; in AWS only the VPC's DNS (the jump box) resolves it. */
const rdsHost = (identifier: string) => `${identifier}.aaaaaaaaaa.${REGION}.rds.amazonaws.com`;

/**
 * Restore polling on the test's terms: a poll never waits for time to pass (the
 * clock jumps), and while held, the next poll waits until the test lets it go,
 * so the page can be seen in the middle of a restore.
 */
class RestorePolls {
  private clock = 0;
  private held = false;
  private waiting: Array<() => void> = [];
  readonly options = {
    pollIntervalMs: 15_000,
    now: () => this.clock,
    sleep: (ms: number): Promise<void> => {
      this.clock += ms;
      return this.held ? new Promise<void>((resolve) => this.waiting.push(resolve)) : Promise.resolve();
    },
  };
  hold(): void {
    this.held = true;
  }
  release(): void {
    this.held = false;
    for (const resume of this.waiting.splice(0)) resume();
  }
}

/**
 * Issue #6, the AWS screens end to end in Chromium against moto, a real sshd
 * and MariaDB. The jump box is an sshd that alone resolves the RDS endpoint
 * names moto hands out (its own /etc/hosts, as VPC DNS would), and the RDS
 * instances listen on the rig MariaDB's port, so a target found in RDS, or a
 * restored copy, is a tunnel a real query goes through.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen', 'mariadbd', 'moto_server') || !privateHostsAvailable())('the AWS screens in the browser UI', () => {
  let rig: UiRig;
  let moto: MotoPeer;
  let maria: DatabasePeer;
  let vpcJumpBox: SshdPeer;
  let aws: AwsClients;
  let awsDir: string;
  let checkIp: Server;
  let groupId: string;
  let context: BrowserContext;
  let publicIp = '81.2.3.4';
  const clipboard = new TestClipboard();
  const scheduler = new ManualScheduler(() => Date.now());
  const polls = new RestorePolls();

  const profiles = async (): Promise<Profile[]> => (await rig.jumpgate.handlers['profiles:list']({})).profiles;
  const profileNamed = async (name: string): Promise<Profile> => {
    const found = (await profiles()).find((profile) => profile.name === name);
    if (!found) throw new Error(`no profile ${name}`);
    return found;
  };
  const instanceStatus = async (identifier: string): Promise<string> => {
    try {
      return (await aws.rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }))).DBInstances?.[0]?.DBInstanceStatus ?? 'unknown';
    } catch (error) {
      if ((error as { name?: string }).name === 'DBInstanceNotFoundFault') return 'gone';
      throw error;
    }
  };
  const clusterStatus = async (identifier: string): Promise<string> => {
    try {
      return (await aws.rds().send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }))).DBClusters?.[0]?.Status ?? 'unknown';
    } catch (error) {
      if ((error as { name?: string }).name === 'DBClusterNotFoundFault') return 'gone';
      throw error;
    }
  };
  const ingressRules = async () =>
    ((await aws.ec2().send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }))).SecurityGroupRules ?? [])
      .filter((rule) => !rule.IsEgress)
      .map((rule) => ({ cidr: rule.CidrIpv4, port: rule.FromPort, description: rule.Description }));
  const query = async (port: number, sql: string, password = maria.password) => {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: maria.user, password, database: maria.database });
    try {
      const [rows] = await connection.query(sql);
      return rows;
    } finally {
      await connection.end();
    }
  };
  const newPage = async (): Promise<Page> => context.newPage();

  beforeAll(async () => {
    // The "what is my IP" service, answered locally: the test decides the user's address.
    checkIp = createServer((_request, response) => response.end(`${publicIp}\n`));
    await new Promise<void>((resolve) => checkIp.listen(0, '127.0.0.1', resolve));
    const checkIpAddress = checkIp.address();
    const publicIpUrl = `http://127.0.0.1:${typeof checkIpAddress === 'object' && checkIpAddress ? checkIpAddress.port : 0}/`;
    [moto, maria] = await Promise.all([startMoto(), startMariaDb()]);
    aws = createAwsClients({ region: REGION }, { endpoint: moto.endpoint, credentials: moto.credentials });

    // The user's AWS profile "ops", as `aws configure` writes it: an IAM user who may look at EC2 but not
    // change it. moto enforces that only while the test turns IAM checks on (the access-denied case).
    const ops = await createIamUser(moto, 'ops', ['ec2:Describe*', 'rds:Describe*', 'secretsmanager:GetSecretValue', 'sts:GetCallerIdentity']);
    awsDir = mkdtempSync(join(tmpdir(), 'jumpgate-aws-files-'));
    writeFileSync(join(awsDir, 'config'), `[profile ops]\nregion = ${REGION}\n`);
    writeFileSync(join(awsDir, 'credentials'), `[ops]\naws_access_key_id = ${ops.accessKeyId}\naws_secret_access_key = ${ops.secretAccessKey}\n`, { mode: 0o600 });

    rig = await startUiRig({
      deps: {
        aws: { endpoint: moto.endpoint, configFile: join(awsDir, 'config'), credentialsFile: join(awsDir, 'credentials') },
        publicIpUrl,
        restorePolling: polls.options,
        clipboard,
        scheduler,
      },
    });
    // The jump box inside the VPC: it alone resolves the RDS names, to the rig's MariaDB.
    vpcJumpBox = await SshdPeer.start({
      authorizedKeys: [rig.userKey.publicKey],
      hosts: Object.fromEntries(['orders-mysql', 'ledger-mysql', 'ledger-rollback-1'].map((identifier) => [rdsHost(identifier), maria.host])),
    });

    groupId = (await aws.ec2().send(new CreateSecurityGroupCommand({ GroupName: 'bastion-ssh', Description: 'jump box' }))).GroupId ?? '';
    // Production's RDS: two MySQL instances on the rig MariaDB's port, a PostgreSQL instance and an Aurora cluster.
    const instance = (identifier: string, extra: Record<string, unknown> = {}) =>
      aws.rds().send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: identifier,
          Engine: 'mysql',
          DBInstanceClass: 'db.t3.micro',
          AllocatedStorage: 20,
          Port: maria.port,
          DBName: maria.database,
          MasterUsername: maria.user,
          MasterUserPassword: 'not-the-rig-password',
          ...extra,
        }),
      );
    const orders = await instance('orders-mysql', { ManageMasterUserPassword: true, MasterUserPassword: undefined });
    // The linked secret holds what the rig's database accepts.
    await aws.secrets().send(
      new PutSecretValueCommand({ SecretId: orders.DBInstance?.MasterUserSecret?.SecretArn, SecretString: JSON.stringify({ username: maria.user, password: maria.password }) }),
    );
    await instance('ledger-mysql');
    await instance('billing-pg', { Engine: 'postgres', Port: 5432, DBName: 'billing', MasterUsername: 'billing' });
    await aws.rds().send(
      new CreateDBClusterCommand({ DBClusterIdentifier: 'analytics', Engine: 'aurora-postgresql', MasterUsername: 'analyst', MasterUserPassword: 'not-used-here', DatabaseName: 'analytics' }),
    );
    await aws.secrets().send(new CreateSecretCommand({ Name: 'prod/ledger', SecretString: JSON.stringify({ username: maria.user, password: maria.password }) }));
    for (const snapshot of ['ledger-before-migration', 'ledger-nightly']) {
      await aws.rds().send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'ledger-mysql', DBSnapshotIdentifier: snapshot }));
    }

    await rig.jumpgate.handlers['profiles:save']({
      profile: {
        id: 'production',
        name: 'Production',
        jumpHost: { host: vpcJumpBox.host, port: vpcJumpBox.port, user: vpcJumpBox.user, auth: { kind: 'key', keyPath: rig.keyPath }, via: [] },
        aws: { profile: 'ops', region: REGION },
        targets: [
          {
            id: 'ledger',
            name: 'Ledger',
            engine: 'mysql',
            remote: { kind: 'rds', identifier: 'ledger-mysql', endpoint: 'instance' },
            localPort: await pickPort(),
            database: maria.database,
            username: maria.user,
            secret: { kind: 'secrets-manager', secretId: 'prod/ledger' },
          },
        ],
      },
    });
    // The host key prompt is another test's subject: pin the jump box's keys as if confirmed.
    for (const key of vpcJumpBox.hostKeys) {
      await rig.jumpgate.handlers['hostKeys:trust']({ host: vpcJumpBox.host, port: vpcJumpBox.port, publicKey: key.publicKey.split(' ')[1] ?? '', replace: false });
    }
    context = await rig.browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await rig?.dispose();
    await Promise.all([vpcJumpBox?.dispose(), maria?.dispose(), moto?.dispose(), new Promise((resolve) => checkIp?.close(resolve))]);
    if (awsDir) rmSync(awsDir, { recursive: true, force: true });
  });

  it('finds the databases in RDS, adds one as a target with its proposed port and linked secret, and queries MariaDB through it', async () => {
    const browserPage = await newPage();
    const profile = new ProfilePage(browserPage);
    const screens = new AwsScreensPage(browserPage);
    await profile.open(rig.host.url, 'Production');
    await screens.openTab('Endpoints');

    // A region with nothing in it says where it looked and where the databases are.
    await screens.listDatabases('eu-west-1');
    const empty = screens.nothingFound('eu-west-1');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('No RDS databases in eu-west-1 (looked in eu-west-1, eu-west-2');
    await empty.getByRole('button', { name: /^Look in eu-west-2 \(\d+\)$/ }).click();
    expect(await screens.databaseNames(REGION)).toEqual(['analytics', 'billing-pg', 'ledger-mysql', 'orders-mysql']);
    expect(await screens.field('Region').inputValue()).toBe(REGION);

    // Filters by engine and name.
    await screens.field('Engine').selectOption('postgres');
    await expect.poll(() => screens.databaseNames(REGION)).toEqual(['billing-pg']);
    await screens.field('Engine').selectOption('aurora-postgresql');
    await expect.poll(() => screens.databaseNames(REGION)).toEqual(['analytics']);
    await screens.field('Engine').selectOption('all');
    await screens.field('Name contains').fill('ORDERS');
    await expect.poll(() => screens.databaseNames(REGION)).toEqual(['orders-mysql']);
    await screens.field('Name contains').fill('');
    await expect.poll(() => screens.databaseNames(REGION)).toHaveLength(4);
    await screens.field('Name contains').blur();

    // The database a target already points at says so; the others offer to become one, on the service's proposed port.
    expect(await screens.databaseRow('ledger-mysql').textContent()).toContain('Target Ledger');
    const discovered = await rig.jumpgate.handlers['aws:listDatabases']({ profileId: 'production' });
    const ordersFound = discovered.databases.find((db) => db.identifier === 'orders-mysql');
    expect(ordersFound?.proposedLocalPort).toBeGreaterThanOrEqual(13306);
    expect(await screens.proposedPort('orders-mysql').textContent()).toBe(String(ordersFound?.proposedLocalPort));
    expect(await screens.databaseRow('orders-mysql').textContent()).toContain('RDS-managed secret');
    expect(await screens.databaseRow('analytics').getByRole('button').allTextContents()).toEqual(['Add writer', 'Add reader']);
    // The long RDS names wrap only after a dot, never inside a label ("eu-" / "west-2"): for each character of the
    // endpoint, the one before a line break must be a dot.
    const breaksAfter = await screens.databaseRow('billing-pg').locator('code').first().evaluate((code) => {
      const text = code.textContent ?? '';
      const walker = code.ownerDocument.createTreeWalker(code, 4);
      const tops: Array<{ char: string; top: number }> = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let index = 0; index < (node.textContent ?? '').length; index++) {
          const range = code.ownerDocument.createRange();
          range.setStart(node, index);
          range.setEnd(node, index + 1);
          tops.push({ char: node.textContent?.[index] ?? '', top: Math.round(range.getBoundingClientRect().top) });
        }
      }
      return { text, breaks: tops.flatMap((entry, index) => (index > 0 && entry.top > (tops[index - 1]?.top ?? 0) ? [tops[index - 1]?.char ?? ''] : [])) };
    });
    expect(breaksAfter.text).toBe(`${rdsHost('billing-pg')}:5432`);
    expect(breaksAfter.breaks.length).toBeGreaterThan(0);
    expect(new Set(breaksAfter.breaks)).toEqual(new Set(['.']));
    await screenshot(browserPage, 'endpoints');

    await screens.button('Add orders-mysql as a target').click();
    const dialog = screens.addTargetDialog('orders-mysql');
    expect(await dialog.getByLabel('Local port', { exact: true }).inputValue()).toBe(String(ordersFound?.proposedLocalPort));
    expect(await dialog.textContent()).toContain('the RDS-managed secret linked to the database');
    // The convention's port may be taken on a developer's machine: the rig's is random.
    const localPort = await pickPort();
    await dialog.getByLabel('Local port', { exact: true }).fill(String(localPort));
    await dialog.getByRole('button', { name: 'Add target' }).click();
    await dialog.waitFor({ state: 'detached' });
    await screens.databaseRow('orders-mysql').getByText('Target orders-mysql').waitFor();
    expect((await profileNamed('Production')).targets.find((target) => target.name === 'orders-mysql')).toEqual({
      id: 'orders-mysql',
      name: 'orders-mysql',
      engine: 'mysql',
      remote: { kind: 'rds', identifier: 'orders-mysql', endpoint: 'instance' },
      localPort,
      database: maria.database,
      username: maria.user,
      secret: { kind: 'rds-managed' },
    });

    // On the Targets tab it connects like any target: RDS names the endpoint, the jump box resolves it.
    await screens.openTab('Targets');
    await profile.connect('orders-mysql');
    await profile.waitForStatus('orders-mysql', /^open for/);
    await profile.button('Copy password for orders-mysql').click();
    await profile.clipboardBanner().filter({ hasText: 'Password for Production / orders-mysql is on the clipboard.' }).waitFor();
    expect(clipboard.text).toBe(maria.password);
    expect(await query(localPort, 'SELECT DATABASE() AS db, @@port AS port', clipboard.text)).toEqual([{ db: maria.database, port: maria.port }]);
    await profile.disconnect('orders-mysql');
    await profile.waitForStatus('orders-mysql', /^stopped$/);
    await browserPage.close();
  }, 120_000);

  it('restores a snapshot to a new database with progress, tunnels to the copy, and deletes it only when its name is typed exactly', async () => {
    const browserPage = await newPage();
    const profile = new ProfilePage(browserPage);
    const screens = new AwsScreensPage(browserPage);
    await profile.open(rig.host.url, 'Production');
    await screens.openTab('Rollback');

    await screens.field('Database target').selectOption({ label: 'Ledger (RDS ledger-mysql)' });
    await screens.button('List snapshots').click();
    const newestFirst = (await rig.jumpgate.handlers['aws:listSnapshots']({ profileId: 'production', targetId: 'ledger' })).map((snapshot) => snapshot.identifier);
    // The two manual snapshots, and the automated one RDS took when the instance was created.
    expect(newestFirst).toEqual(expect.arrayContaining(['ledger-before-migration', 'ledger-nightly', expect.stringMatching(/^rds:ledger-mysql-/)]));
    expect(await screens.snapshotNames('Ledger')).toEqual(newestFirst);

    await screens.button('Restore ledger-before-migration to a new database').click();
    const form = screens.restoreForm('ledger-before-migration');
    expect(await form.textContent()).toContain('This creates a new database; production is untouched.');
    const name = form.getByLabel('Name of the new database', { exact: true });
    const restoreButton = form.getByRole('button', { name: 'Restore to a new database' });
    // Filled in with a name RDS accepts that says which point in time the copy holds.
    expect(await name.inputValue()).toMatch(/^ledger-mysql-rollback-\d{8}-\d{4}$/);
    expect(await restoreButton.isDisabled()).toBe(false);
    // The production database's own name is refused before AWS is asked.
    await name.fill('ledger-mysql');
    await form.getByText('That is the production database: a restore always makes a new one.').waitFor();
    expect(await restoreButton.isDisabled()).toBe(true);
    // A name that is taken is refused by the service, and nothing is overwritten.
    await name.fill('billing-pg');
    await restoreButton.click();
    const refused = browserPage.getByRole('article', { name: /^billing-pg/ });
    await refused.getByRole('alert').filter({ hasText: 'A DB instance named "billing-pg" already exists.' }).waitFor();
    expect(await screens.restoreStatus('billing-pg').textContent()).toBe('The restore did not finish.');
    await refused.getByRole('button', { name: 'Dismiss' }).click();
    await refused.waitFor({ state: 'detached' });
    expect(await instanceStatus('billing-pg')).toBe('available');

    await screens.button('Restore ledger-before-migration to a new database').click();
    await name.fill('ledger-rollback-1');
    polls.hold();
    await restoreButton.click();

    // Requested, held there by the test, then the next status read finds it available.
    const bar = screens.restoreBar('ledger-rollback-1');
    await screens.restoreStatus('ledger-rollback-1').filter({ hasText: /^Requested: RDS is creating ledger-rollback-1/ }).waitFor();
    // Never "creating ... (status available)": a status that contradicts the phase is not shown.
    expect(await screens.restoreStatus('ledger-rollback-1').textContent()).not.toContain('status available');
    expect(Number(await bar.getAttribute('value'))).toBeGreaterThan(0);
    expect(Number(await bar.getAttribute('value'))).toBeLessThan(100);
    polls.release();
    await screens.restoreStatus('ledger-rollback-1').filter({ hasText: /^Available after 15 s\.$/ }).waitFor();
    expect(await bar.getAttribute('value')).toBe('100');
    await browserPage.getByText(`${rdsHost('ledger-rollback-1')}:${maria.port}`).waitFor();
    // Production is untouched.
    expect(await instanceStatus('ledger-mysql')).toBe('available');

    // One click: a target for the copy (the source's engine, database, user and secret; the next free MySQL-family port) and a connect.
    const familyPorts = new Set((await profiles()).flatMap((entry) => entry.targets.map((target) => target.localPort)));
    let expectedPort = 13306;
    while (familyPorts.has(expectedPort)) expectedPort += 1;
    await screens.button('Tunnel to the restored copy').click();
    await screens.tunnelStatus('ledger-rollback-1').filter({ hasText: /open for/ }).waitFor({ timeout: 20_000 });
    const copyTarget = (await profileNamed('Production')).targets.find((target) => target.remote.kind === 'rds' && target.remote.identifier === 'ledger-rollback-1');
    expect(copyTarget).toEqual({
      id: 'ledger-rollback-1',
      name: 'ledger-rollback-1 (restored copy of Ledger)',
      engine: 'mysql',
      remote: { kind: 'rds', identifier: 'ledger-rollback-1', endpoint: 'instance' },
      localPort: expectedPort,
      database: maria.database,
      username: maria.user,
      secret: { kind: 'secrets-manager', secretId: 'prod/ledger' },
    });
    expect(await query(expectedPort, 'SELECT DATABASE() AS db, @@port AS port')).toEqual([{ db: maria.database, port: maria.port }]);
    await screenshot(browserPage, 'rollback');

    // Another window (or machine) finds the copy again by its tag: the same card, ready to tunnel to or delete.
    const otherPage = await newPage();
    const other = new AwsScreensPage(otherPage);
    await new ProfilePage(otherPage).open(rig.host.url, 'Production');
    await other.openTab('Rollback');
    await other.button('Find restored copies').click();
    await otherPage.getByRole('status', { name: 'Restored copies found' }).filter({ hasText: '1 copy restored by Jumpgate in eu-west-2.' }).waitFor();
    const card = otherPage.getByRole('article', { name: /^ledger-rollback-1/ });
    expect(await card.getByRole('heading').textContent()).toBe('ledger-rollback-1new database from snapshot ledger-before-migration of Ledger');
    await card.getByText(/^Available: restored /).waitFor();
    await otherPage.close();

    // Deleting asks for the exact name: anything else leaves the button disabled and the copy in place.
    await screens.button('Delete restored copy…').click();
    const deleteForm = screens.deleteForm('ledger-rollback-1');
    const typed = deleteForm.getByLabel('Type ledger-rollback-1 to delete it', { exact: true });
    const deleteButton = deleteForm.getByRole('button', { name: 'Delete ledger-rollback-1' });
    for (const almost of ['ledger-rollback', 'ledger-rollback-1 ', 'LEDGER-ROLLBACK-1']) {
      await typed.fill(almost);
      await typed.press('Enter');
      await deleteForm.getByText('That is not the exact name.').waitFor();
      expect(await deleteButton.isDisabled()).toBe(true);
    }
    expect(await instanceStatus('ledger-rollback-1')).toBe('available');
    await typed.fill('ledger-rollback-1');
    await deleteButton.click();
    await browserPage.getByRole('status').filter({ hasText: 'Deleted the restored copy ledger-rollback-1 and its target ledger-rollback-1 (restored copy of Ledger).' }).waitFor();
    expect(await instanceStatus('ledger-rollback-1')).toBe('gone');
    expect(await instanceStatus('ledger-mysql')).toBe('available');
    expect((await profileNamed('Production')).targets.map((target) => target.id)).toEqual(['ledger', 'orders-mysql']);
    expect(listeningPorts().has(expectedPort)).toBe(false);
    await browserPage.close();
  }, 120_000);

  it('allows my IP on port 22, replaces the rule when my IP changes, removes it, and writes the administrator when the account may not', async () => {
    const browserPage = await newPage();
    const profile = new ProfilePage(browserPage);
    const editor = new ProfileEditorPage(browserPage);
    const screens = new AwsScreensPage(browserPage);
    // The example profile a new user starts with does not name its jump box's security group yet.
    await profile.open(rig.host.url, 'Example: production (edit me)');
    const panel = await screens.openTab('Access');
    expect(await panel.textContent()).toContain('This profile does not say which security group guards its jump box.');
    await screens.button('Set the security group in Edit profile').click();
    await editor.form().getByLabel('Profile name', { exact: true }).fill('Staging');
    await editor.form().getByLabel('AWS profile', { exact: true }).fill('ops');
    await editor.form().getByLabel('Jump box security group', { exact: true }).fill(groupId);
    await editor.save();
    await browserPage.getByRole('heading', { level: 2, name: 'Staging', exact: true }).waitFor();
    await screens.openTab('Access');

    await screens.button('Check my access').click();
    await screens.publicIp().filter({ hasText: '81.2.3.4' }).waitFor();
    expect(await screens.accessStatus().textContent()).toBe('Not allowed: no rule lets 81.2.3.4 reach port 22');

    await screens.field('Rule label (optional)').fill('home');
    await screens.button('Allow my IP').click();
    await screens.lastChange().filter({ hasText: `Added 81.2.3.4/32 to ${groupId} on port 22.` }).waitFor();
    // The description says who made it: OS user, label, and the AWS identity (issue #17).
    await screens.accessStatus().filter({ hasText: /^Allowed by 81\.2\.3\.4\/32 \(“Jumpgate: .+ home \[\w+\]”\)/ }).waitFor();
    expect(await screens.ruleOwners(22)).toEqual([['81.2.3.4/32', 'Yours']]);

    // A new address (home broadband, a VPN): the same rule is replaced, not joined by a second one.
    publicIp = '81.2.3.99';
    await screens.button('Check my access').click();
    await screens.publicIp().filter({ hasText: '81.2.3.99' }).waitFor();
    expect(await screens.accessStatus().textContent()).toBe('Not allowed: no rule lets 81.2.3.99 reach port 22');
    await screens.button('Allow my IP').click();
    await screens.lastChange().filter({ hasText: `Replaced your rule: 81.2.3.4/32 → 81.2.3.99/32 in ${groupId} on port 22.` }).waitFor();
    await screens.accessStatus().filter({ hasText: /^Allowed by 81\.2\.3\.99\/32/ }).waitFor();
    const rules = await ingressRules();
    expect(rules).toEqual([{ cidr: '81.2.3.99/32', port: 22, description: expect.stringMatching(/^Jumpgate: .+ home \[\w+\]$/) }]);

    await screens.button('Remove my rule').click();
    await screens.lastChange().filter({ hasText: 'Removed your rule for 81.2.3.99/32.' }).waitFor();
    await screens.accessStatus().filter({ hasText: /^Not allowed/ }).waitFor();
    expect(await ingressRules()).toEqual([]);

    // An account that may look at the group but not change it: AWS refuses, the page writes the request.
    await enforceIam(moto, true);
    try {
      await screens.button('Allow my IP').click();
      const message = screens.adminMessage();
      await message.waitFor();
      expect(await message.getAttribute('readonly')).not.toBeNull();
      const text = await message.inputValue();
      expect(text).toContain('allow my IP address 81.2.3.99/32 to reach the jump box on TCP port 22');
      expect(text).toContain(`Security group: ${groupId}`);
      expect(text).toContain('Inbound rule:   TCP 22 from 81.2.3.99/32');
      expect(await browserPage.getByRole('alert').filter({ hasText: 'AWS_ACCESS_DENIED' }).textContent()).toContain('ec2:AuthorizeSecurityGroupIngress');
      await screens.button('Copy message').click();
      await browserPage.getByRole('status').filter({ hasText: 'Copied. Paste it into an email or chat.' }).waitFor();
      // What the page put on the (browser's) clipboard, read back by the page itself.
      expect(await browserPage.evaluate('navigator.clipboard.readText()')).toBe(text);
      await screenshot(browserPage, 'access');

      // A fresh page that never checked: the refusal itself carries the IP, port and group, so the request is still written.
      await profile.open(rig.host.url, 'Staging');
      await screens.openTab('Access');
      await screens.button('Allow my IP').click();
      const fresh = await screens.adminMessage().inputValue();
      expect(fresh).toContain('allow my IP address 81.2.3.99/32 to reach the jump box on TCP port 22');
      expect(fresh).toContain(`Security group: ${groupId}`);
    } finally {
      await enforceIam(moto, false);
    }
    expect(await ingressRules()).toEqual([]);
    await browserPage.close();
  }, 120_000);
  it('restores an Aurora cluster snapshot to a new cluster, tunnels to its writer, deletes the cluster with its instance, and tunnels to the source\'s reader', async () => {
    // An Aurora MySQL cluster listening on the rig MariaDB's port, with a writer and an end-of-day snapshot.
    await aws.rds().send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'warehouse',
        Engine: 'aurora-mysql',
        Port: maria.port,
        DatabaseName: maria.database,
        MasterUsername: maria.user,
        MasterUserPassword: 'not-the-rig-password',
      }),
    );
    await aws.rds().send(new CreateDBInstanceCommand({ DBInstanceIdentifier: 'warehouse-1', DBClusterIdentifier: 'warehouse', Engine: 'aurora-mysql', DBInstanceClass: 'db.r6g.large' }));
    await aws.rds().send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: 'warehouse', DBClusterSnapshotIdentifier: 'warehouse-eod' }));
    const production = await profileNamed('Production');
    const warehouse = {
      id: 'warehouse',
      name: 'Warehouse',
      engine: 'mysql' as const,
      remote: { kind: 'rds' as const, identifier: 'warehouse', endpoint: 'cluster-writer' as const },
      localPort: await pickPort(),
      database: maria.database,
      username: maria.user,
      secret: { kind: 'secrets-manager' as const, secretId: 'prod/ledger' },
    };
    const { revisions } = await rig.jumpgate.handlers['profiles:list'](undefined);
    await rig.jumpgate.handlers['profiles:addTarget']({ profileId: production.id, revision: revisions[production.id] ?? 0, target: warehouse });

    const browserPage = await newPage();
    const screens = new AwsScreensPage(browserPage);
    const profile = new ProfilePage(browserPage);
    await profile.open(rig.host.url, 'Production');
    await screens.openTab('Rollback');
    await screens.field('Database target').selectOption({ label: 'Warehouse (RDS warehouse (cluster writer))' });
    await screens.button('List snapshots').click();
    expect(await screens.snapshotNames('Warehouse')).toContain('warehouse-eod');
    expect(await screens.snapshotsTable('Warehouse').getByRole('row', { name: 'Snapshot warehouse-eod' }).textContent()).toContain('cluster warehouse · aurora-mysql');

    await screens.button('Restore warehouse-eod to a new database').click();
    const form = screens.restoreForm('warehouse-eod');
    await form.getByLabel('Name of the new database', { exact: true }).fill('warehouse-rollback');
    await form.getByRole('button', { name: 'Restore to a new database' }).click();
    await screens.restoreStatus('warehouse-rollback').filter({ hasText: /^Available after \d+ s\.$/ }).waitFor();
    const restored = (await aws.rds().send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'warehouse-rollback' }))).DBClusters?.[0];
    const writerEndpoint = restored?.Endpoint ?? '';
    expect(writerEndpoint).toMatch(/^warehouse-rollback\.cluster-/);
    await browserPage.getByText(`${writerEndpoint}:${maria.port}`).waitFor();
    expect(restored?.DBClusterMembers?.map((member) => member.IsClusterWriter)).toEqual([true]);
    const writerInstance = restored?.DBClusterMembers?.[0]?.DBInstanceIdentifier ?? '';
    expect(await clusterStatus('warehouse')).toBe('available');

    // The copy's endpoint exists only now; the VPC's DNS (the jump box's /etc/hosts) learns it as AWS's would.
    vpcJumpBox.addHosts({ [writerEndpoint]: maria.host });
    await screens.button('Tunnel to the restored copy').click();
    await screens.tunnelStatus('warehouse-rollback').filter({ hasText: /open for/ }).waitFor({ timeout: 20_000 });
    const copyTarget = (await profileNamed('Production')).targets.find((target) => target.id === 'warehouse-rollback');
    expect(copyTarget).toMatchObject({
      name: 'warehouse-rollback (restored copy of Warehouse)',
      remote: { kind: 'rds', identifier: 'warehouse-rollback', endpoint: 'cluster-writer' },
      database: maria.database,
      secret: { kind: 'secrets-manager', secretId: 'prod/ledger' },
    });
    expect(await query(copyTarget?.localPort ?? 0, 'SELECT DATABASE() AS db')).toEqual([{ db: maria.database }]);

    await screens.button('Delete restored copy…').click();
    const deleteForm = screens.deleteForm('warehouse-rollback');
    await deleteForm.getByLabel('Type warehouse-rollback to delete it', { exact: true }).fill('warehouse-rollback');
    await deleteForm.getByRole('button', { name: 'Delete warehouse-rollback' }).click();
    await browserPage.getByRole('status').filter({ hasText: 'Deleted the restored copy warehouse-rollback and its target warehouse-rollback (restored copy of Warehouse).' }).waitFor();
    expect(await clusterStatus('warehouse-rollback')).toBe('gone');
    expect(await instanceStatus(writerInstance)).toBe('gone');
    expect(await clusterStatus('warehouse')).toBe('available');
    expect(await instanceStatus('warehouse-1')).toBe('available');
    expect(listeningPorts().has(copyTarget?.localPort ?? 0)).toBe(false);

    // The source cluster's reader endpoint, added from the Endpoints tab, is a target of its own that connects and answers.
    const readerEndpoint = (await aws.rds().send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'warehouse' }))).DBClusters?.[0]?.ReaderEndpoint ?? '';
    expect(readerEndpoint).toMatch(/^warehouse\.cluster-ro-/);
    vpcJumpBox.addHosts({ [readerEndpoint]: maria.host });
    await screens.openTab('Endpoints');
    await screens.listDatabases();
    expect(await screens.databaseRow('warehouse').textContent()).toContain('Target Warehouse');
    await screens.button('Add warehouse reader as a target').click();
    const dialog = screens.addTargetDialog('warehouse');
    const readerPort = await pickPort();
    await dialog.getByLabel('Local port', { exact: true }).fill(String(readerPort));
    await dialog.getByRole('button', { name: 'Add target' }).click();
    await dialog.waitFor({ state: 'detached' });
    const readerTarget = (await profileNamed('Production')).targets.find((target) => target.localPort === readerPort);
    expect(readerTarget).toMatchObject({ remote: { kind: 'rds', identifier: 'warehouse', endpoint: 'cluster-reader' }, database: maria.database, username: maria.user });
    const readerName = readerTarget?.name ?? '';
    await screens.openTab('Targets');
    await profile.connect(readerName);
    await profile.waitForStatus(readerName, /^open for/);
    expect(await query(readerPort, 'SELECT DATABASE() AS db, @@port AS port')).toEqual([{ db: maria.database, port: maria.port }]);
    await profile.disconnect(readerName);
    await profile.waitForStatus(readerName, /^stopped$/);
    await browserPage.close();
  }, 120_000);
});
