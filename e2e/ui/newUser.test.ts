import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../electron/core/aws/awsClients';
import { ManualScheduler, TestClipboard } from '../rig/clipboardDouble';
import { pickPort } from '../rig/daemon';
import { startMariaDb, startPostgres, type DatabasePeer } from '../rig/databases';
import { makePuttyKey, type RigKey } from '../rig/keys';
import { startMoto, type MotoPeer } from '../rig/moto';
import { peersAvailable } from '../rig/peers';
import { listeningPorts } from '../rig/procfs';
import { ProfileEditorPage } from './profileEditorPage';
import { ProfilePage } from './profilePage';
import { startUiRig, type UiRig } from './uiRig';
import { screenshot } from './screenshots';

const PASSPHRASE = 'correct horse battery staple';

/**
 * Issue flow 1, end to end in Chromium: a new user with nothing saved creates a
 * profile around a PuTTYgen PPK v3 key with a passphrase, adds a MySQL and a
 * PostgreSQL target whose passwords live in Secrets Manager (moto), trusts the
 * jump box, connects, and uses what the UI shows.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'puttygen', 'mariadbd', 'postgres', 'moto_server'))('a new user in the browser UI', () => {
  let rig: UiRig;
  let key: RigKey;
  let maria: DatabasePeer;
  let postgres: DatabasePeer;
  let moto: MotoPeer;
  const clipboard = new TestClipboard();
  // The real clock plus what the test advances: the page's countdown reads Date.now.
  const scheduler = new ManualScheduler(() => Date.now());

  beforeAll(async () => {
    [maria, postgres, moto] = await Promise.all([startMariaDb(), startPostgres(), startMoto()]);
    const aws = { endpoint: moto.endpoint, credentials: moto.credentials };
    const secrets = createAwsClients({ region: 'eu-west-2' }, aws).secrets();
    for (const [name, db] of [['prod/orders-mysql', maria], ['prod/billing-pg', postgres]] as const) {
      await secrets.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ username: db.user, password: db.password, dbname: db.database }) }));
    }
    rig = await startUiRig({
      userKey: (dir: string) => makePuttyKey(dir, { type: 'ed25519', ppkVersion: 3, passphrase: PASSPHRASE, comment: 'new-starter@laptop' }),
      deps: { aws, clipboard, scheduler },
    });
    key = rig.userKey;
  }, 180_000);

  afterAll(async () => {
    await rig?.dispose();
    await Promise.all([maria?.dispose(), postgres?.dispose(), moto?.dispose()]);
  });

  it('creates a profile with a passphrase-protected PPK v3 key, connects MySQL and PostgreSQL, copies a password and a Prisma DATABASE_URL that log in and are cleared, and disconnects', async () => {
    const browserPage = await rig.browser.newPage({ viewport: { width: 1200, height: 900 } });
    const page = new ProfilePage(browserPage);
    const editor = new ProfileEditorPage(browserPage);
    await browserPage.goto(rig.host.url);
    // A first start shows the example profile, shaped like the common case, for the user to edit or ignore.
    await browserPage.getByRole('heading', { level: 2, name: 'Example: production (edit me)' }).waitFor();
    const before = (await rig.jumpgate.handlers['profiles:list']({})).profiles;
    expect(before.map((profile) => profile.targets.map((target) => target.localPort))).toEqual([[13306, 15432]]);

    await browserPage.getByRole('button', { name: 'New profile' }).click();
    await editor.fillJumpBox({ name: 'Production', host: rig.sshd.host, port: rig.sshd.port, user: rig.sshd.user, keyPath: key.privatePath });
    const mysqlTarget = await editor.addTarget('MySQL');
    const pgTarget = await editor.addTarget('PostgreSQL');
    // Local ports are proposed by the usual convention, past the ones the example profile holds.
    expect(await mysqlTarget.getByLabel('Local port', { exact: true }).inputValue()).toBe('13307');
    expect(await pgTarget.getByLabel('Local port', { exact: true }).inputValue()).toBe('15433');
    expect(await pgTarget.getByLabel('Remote port', { exact: true }).inputValue()).toBe('5432');

    // Saving with the target names missing marks the fields instead of saving.
    await editor.save();
    expect(await editor.fieldError(mysqlTarget, 'Target name')).toBe('Required.');
    expect((await rig.jumpgate.handlers['profiles:list']({})).profiles).toEqual(before);

    // The rig's ports are random: 13306 may be taken on a developer's machine.
    const [mysqlPort, pgPort] = [await pickPort(), await pickPort()];
    await editor.fillTarget(mysqlTarget, { name: 'Orders MySQL', localPort: mysqlPort, remoteHost: maria.host, remotePort: maria.port, database: maria.database, username: maria.user, secretId: 'prod/orders-mysql' });
    await editor.fillTarget(pgTarget, { name: 'Billing PG', localPort: pgPort, remoteHost: postgres.host, remotePort: postgres.port, database: postgres.database, username: postgres.user, secretId: 'prod/billing-pg' });
    await screenshot(browserPage, 'editor');
    await editor.save();
    await browserPage.getByRole('heading', { level: 2, name: 'Production' }).waitFor();
    const saved = (await rig.jumpgate.handlers['profiles:list']({})).profiles.find((profile) => profile.name === 'Production');
    expect(saved?.jumpHost.auth).toEqual({ kind: 'key', keyPath: key.privatePath });
    expect(saved?.targets.map((target) => [target.name, target.localPort, target.secret])).toEqual([
      ['Orders MySQL', mysqlPort, { kind: 'secrets-manager', secretId: 'prod/orders-mysql' }],
      ['Billing PG', pgPort, { kind: 'secrets-manager', secretId: 'prod/billing-pg' }],
    ]);

    await page.button('Connect all').click();
    // The key is opened before the jump box is dialled: a wrong passphrase is refused and asked again.
    await page.unlockWith('not the passphrase');
    await page.passphraseDialog().getByText('That passphrase does not unlock the key.').waitFor();
    await page.unlockWith(PASSPHRASE);

    // Then the first contact with the jump box: its fingerprint, to compare and trust.
    expect(rig.sshd.hostKeys.map((hostKeyEntry) => hostKeyEntry.fingerprint)).toContain(await page.trustHostKey());
    await page.waitForStatus('Orders MySQL', /^open for/);
    await page.waitForStatus('Billing PG', /^open for/);
    // Both tunnels ride one SSH connection.
    expect(rig.sshd.connectionCount()).toBe(1);

    // Copy password: the secret from Secrets Manager lands on the clipboard, with a countdown.
    await page.button('Copy password for Orders MySQL').click();
    await page.clipboardBanner().filter({ hasText: 'Password for Production / Orders MySQL is on the clipboard.' }).waitFor();
    const seconds = Number(await page.clipboardBanner().getByLabel('Seconds until the clipboard is cleared').textContent());
    expect(seconds).toBeGreaterThanOrEqual(28);
    expect(seconds).toBeLessThanOrEqual(30);
    expect(clipboard.text).toBe(maria.password);

    // The shown ports work, with the copied password.
    const mysqlConnection = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: maria.user, password: clipboard.text, database: maria.database });
    const [mysqlRows] = await mysqlConnection.query('SELECT DATABASE() AS db, 40 + 2 AS answer');
    await mysqlConnection.end();
    expect(mysqlRows).toEqual([{ db: maria.database, answer: 42 }]);
    // Reveal shows the PostgreSQL credentials on request only, and they log in.
    await page.button('Reveal password for Billing PG').click();
    const shown = (await browserPage.getByLabel('Credentials for Billing PG').textContent()) ?? '';
    expect(shown).toBe(`${postgres.user} / ${postgres.password}`);
    const pgClient = new pg.Client({ host: '127.0.0.1', port: pgPort, user: postgres.user, password: shown.slice(`${postgres.user} / `.length), database: postgres.database });
    await pgClient.connect();
    const pgResult = await pgClient.query('SELECT current_database() AS db, 40 + 2 AS answer');
    await pgClient.end();
    expect(pgResult.rows).toEqual([{ db: postgres.database, answer: 42 }]);
    await page.button('Hide password for Billing PG').click();
    expect(await browserPage.getByLabel('Credentials for Billing PG').count()).toBe(0);
    await page.waitForStatus('Orders MySQL', /out [1-9]/);
    await screenshot(browserPage, 'connected');

    // The countdown ends when the service really cleared the clipboard (the clock is the test's).
    scheduler.advance(29_000);
    expect(clipboard.text).toBe(maria.password);
    scheduler.advance(1_000);
    // The banner changes on the service's event, sent once the clear has run.
    await page.clipboardBanner().filter({ hasText: 'Clipboard cleared: Password for Production / Orders MySQL is no longer on it.' }).waitFor();
    expect(clipboard.text).toBe('');

    // A Prisma DATABASE_URL goes through the same guarded clipboard and logs in as it is: the
    // password (with @ : / % # ?) percent-encoded, the tunnel's port, the database.
    await browserPage.getByLabel('Connection string format for Billing PG').selectOption('prisma');
    await page.button('Copy connection string for Billing PG').click();
    await page.clipboardBanner().filter({ hasText: 'Prisma DATABASE_URL for Production / Billing PG is on the clipboard.' }).waitFor();
    const databaseUrl = clipboard.text;
    expect(databaseUrl).toMatch(new RegExp(`^postgresql://${postgres.user}:[^@/]+@127\\.0\\.0\\.1:${pgPort}/${postgres.database}(\\?|$)`));
    const viaUrl = new pg.Client({ connectionString: databaseUrl });
    await viaUrl.connect();
    const urlResult = await viaUrl.query('SELECT current_user AS who, current_database() AS db');
    await viaUrl.end();
    expect(urlResult.rows).toEqual([{ who: postgres.user, db: postgres.database }]);
    scheduler.advance(30_000);
    await page.clipboardBanner().filter({ hasText: 'Clipboard cleared: Prisma DATABASE_URL for Production / Billing PG is no longer on it.' }).waitFor();
    expect(clipboard.text).toBe('');

    // Nothing on disk holds a password or the URL: not the profiles, not known_hosts, not the audit log.
    const dataFiles = ['profiles.json', 'known_hosts', 'audit.log'].map((name) => readFileSync(join(rig.dataDir, name), 'utf8'));
    expect(dataFiles[2]).toContain('connection-string-copied');
    for (const text of dataFiles) {
      for (const secret of [maria.password, postgres.password, encodeURIComponent(postgres.password), databaseUrl]) expect(text).not.toContain(secret);
    }

    await page.button('Disconnect all').click();
    await page.waitForStatus('Orders MySQL', /^stopped$/);
    await page.waitForStatus('Billing PG', /^stopped$/);
    const listening = listeningPorts();
    expect([listening.has(mysqlPort), listening.has(pgPort)]).toEqual([false, false]);
  });
});
