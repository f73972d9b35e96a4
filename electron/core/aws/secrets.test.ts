import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
} from '@aws-sdk/client-rds';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { failure } from '../../../e2e/rig/failure';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMoto, type MotoPeer } from '../../../e2e/rig/moto';
import { peersAvailable } from '../../../e2e/rig/peers';
import { findSecretOnDisk } from '../../../e2e/rig/secretScan';
import { isJumpgateError, toErrorInfo, type JumpgateError } from '../../../shared/model/errors';
import { ProfileStore } from '../profiles/profileStore';
import { ClipboardGuard, type Clipboard } from '../secrets/clipboardGuard';
import { buildConnectionStrings } from '../secrets/connectionStrings';
import { createAwsClients, type AwsClients } from './awsClients';
import { fetchDbCredentials, parseSecretText } from './secrets';

/** Every character that breaks a URL, a shell, JSON or SQL quoting, plus non-ASCII. */
const NASTY_PASSWORD = `Zq7-MARKER-@:/?#%+ &=;!*'()"\\\`$%41é€🔑`;


/** Everything a log line, a crash report or the UI could show of an error. */
function everythingShown(error: JumpgateError): string {
  return [String(error), error.stack ?? '', inspect(error, { depth: 10 }), JSON.stringify(error.toInfo()), JSON.stringify(toErrorInfo(error))].join('\n');
}

describe('parseSecretText (no AWS)', () => {
  it('reads the RDS JSON shape, with the port as a number or a string', () => {
    const fromNumber = parseSecretText('{"username":"admin","password":"pw1","host":"db.example","port":3306,"dbname":"app","engine":"mysql"}', 's');
    expect({ ...fromNumber }).toEqual({ username: 'admin', password: 'pw1', host: 'db.example', port: 3306, dbname: 'app', engine: 'mysql' });
    expect(parseSecretText('{"username":"u","password":"pw","port":"5432"}', 's').port).toBe(5432);
  });

  it('drops optional fields of the wrong type instead of refusing the password', () => {
    const credentials = parseSecretText('{"username":"u","password":"pw","port":"not-a-port","host":7}', 's');
    expect({ ...credentials }).toEqual({ username: 'u', password: 'pw' });
  });

  it("takes the secret's username over the target's and the target's when the secret has none", () => {
    expect(parseSecretText('{"username":"from-secret","password":"pw"}', 's', 'from-target').username).toBe('from-secret');
    expect(parseSecretText('{"password":"pw"}', 's', 'from-target').username).toBe('from-target');
    expect(parseSecretText('plain-pw', 's', 'from-target')).toMatchObject({ username: 'from-target', password: 'plain-pw' });
  });

  it('treats a password that merely starts with a brace as a plain password', () => {
    expect(parseSecretText('{not-json', 's', 'u').password).toBe('{not-json');
  });

  it('redacts the password from JSON.stringify and util.inspect, but a spread copy keeps it', () => {
    const credentials = parseSecretText(JSON.stringify({ username: 'u', password: NASTY_PASSWORD }), 's');
    expect(JSON.stringify(credentials)).not.toContain('MARKER');
    expect(inspect(credentials)).not.toContain('MARKER');
    expect(`${JSON.stringify({ wrapped: credentials })}`).not.toContain('MARKER');
    expect({ ...credentials }.password).toBe(NASTY_PASSWORD);
    expect(credentials.password).toBe(NASTY_PASSWORD);
  });

  it.each([
    ['truncated JSON', '{"username":"app","password":"MARKER-s3cr3t-XYZZY'],
    ['JSON with a trailing comma', '{"username":"app","password":"MARKER-s3cr3t-XYZZY",}'],
    ['JSON without a password', '{"username":"app","pass":"MARKER-s3cr3t-XYZZY"}'],
    ['JSON with a numeric password', '{"username":"app","password":12345,"note":"MARKER-s3cr3t-XYZZY"}'],
    ['a JSON array', '["MARKER-s3cr3t-XYZZY"]'],
    ['an empty password', '{"username":"app","password":"","note":"MARKER-s3cr3t-XYZZY"}'],
  ])('%s -> SECRET_MALFORMED that quotes no part of the value', (_name, value) => {
    let caught: unknown;
    try {
      parseSecretText(value, 'prod/app');
    } catch (error) {
      caught = error;
    }
    expect(isJumpgateError(caught)).toBe(true);
    const error = caught as JumpgateError;
    expect(error.code).toBe('SECRET_MALFORMED');
    expect(error.message).toContain('prod/app');
    // No cause: V8's JSON.parse message quotes the text around the failure.
    expect(error.cause).toBeUndefined();
    const shown = everythingShown(error);
    expect(shown).not.toContain('MARKER');
    expect(shown).not.toContain('s3cr3t');
    expect(shown).not.toContain('XYZZY');
  });
});

describe.skipIf(!peersAvailable('moto_server'))('fetchDbCredentials against moto', () => {
  let moto: MotoPeer;
  let clients: AwsClients;

  beforeAll(async () => {
    moto = await startMoto();
    clients = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials });
  });
  afterAll(async () => {
    await moto?.dispose();
  });

  async function seed(name: string, value: string | Uint8Array, region?: string): Promise<string> {
    const created = await clients
      .secrets(region)
      .send(new CreateSecretCommand({ Name: name, ...(typeof value === 'string' ? { SecretString: value } : { SecretBinary: value }) }));
    return created.ARN ?? '';
  }

  it('reads a named secret in the RDS JSON shape, including a password full of URL and shell characters', async () => {
    const value = JSON.stringify({ username: 'app_user', password: NASTY_PASSWORD, host: 'db.internal', port: '3306', dbname: 'app', engine: 'mysql' });
    await seed('named/json', value);
    const credentials = await fetchDbCredentials(clients, { kind: 'secrets-manager', secretId: 'named/json' });
    expect({ ...credentials }).toEqual({ username: 'app_user', password: NASTY_PASSWORD, host: 'db.internal', port: 3306, dbname: 'app', engine: 'mysql' });
  });

  it('reads a plain-string secret as the password, with the username from the target', async () => {
    await seed('named/plain', NASTY_PASSWORD);
    const credentials = await fetchDbCredentials(clients, { kind: 'secrets-manager', secretId: 'named/plain' }, { fallbackUsername: 'reporting' });
    expect({ ...credentials }).toEqual({ username: 'reporting', password: NASTY_PASSWORD });
  });

  it('refuses a plain-string secret when the target has no username either', async () => {
    await seed('named/plain-nouser', 'just-a-password-MARKER');
    const error = await failure(fetchDbCredentials(clients, { kind: 'secrets-manager', secretId: 'named/plain-nouser' }));
    expect(error.code).toBe('SECRET_MALFORMED');
    expect(error.hint).toMatch(/username/);
    expect(everythingShown(error)).not.toContain('MARKER');
  });

  it('decodes SecretBinary as UTF-8 and parses it like a string', async () => {
    await seed('named/binary', new TextEncoder().encode(JSON.stringify({ username: 'bin', password: NASTY_PASSWORD })));
    const credentials = await fetchDbCredentials(clients, { kind: 'secrets-manager', secretId: 'named/binary' });
    expect({ ...credentials }).toEqual({ username: 'bin', password: NASTY_PASSWORD });
  });

  it('refuses SecretBinary that is not UTF-8', async () => {
    await seed('named/binary-bad', Uint8Array.from([0xff, 0xfe, 0x4d, 0x41, 0x52, 0x4b, 0xc3]));
    const error = await failure(fetchDbCredentials(clients, { kind: 'secrets-manager', secretId: 'named/binary-bad' }, { fallbackUsername: 'u' }));
    expect(error.code).toBe('SECRET_MALFORMED');
  });

  it('malformed JSON in Secrets Manager -> SECRET_MALFORMED that never echoes the value', async () => {
    await seed('named/malformed', '{"username": "app", "password": "MARKER-Quux9-DISTINCT", }');
    const error = await failure(fetchDbCredentials(clients, { kind: 'secrets-manager', secretId: 'named/malformed' }));
    expect(error.code).toBe('SECRET_MALFORMED');
    expect(error.message).toContain('named/malformed');
    const shown = everythingShown(error);
    for (const part of ['MARKER', 'Quux9', 'DISTINCT']) expect(shown).not.toContain(part);
  });

  it('an unknown secret id -> SECRET_NOT_FOUND naming the id and region', async () => {
    const error = await failure(fetchDbCredentials(clients, { kind: 'secrets-manager', secretId: 'prod/does-not-exist' }));
    expect(error.code).toBe('SECRET_NOT_FOUND');
    expect(error.message).toContain('prod/does-not-exist');
    expect(error.message).toContain('eu-west-2');
    expect(error.toInfo().details).toEqual({ secretId: 'prod/does-not-exist', region: 'eu-west-2' });
  });

  it('a secret scheduled for deletion -> SECRET_NOT_FOUND with the restore command', async () => {
    await seed('named/deleted', 'whatever-password');
    await clients.secrets().send(new DeleteSecretCommand({ SecretId: 'named/deleted', RecoveryWindowInDays: 7 }));
    const error = await failure(fetchDbCredentials(clients, { kind: 'secrets-manager', secretId: 'named/deleted' }, { fallbackUsername: 'u' }));
    expect(error.code).toBe('SECRET_NOT_FOUND');
    expect(error.hint).toContain('aws secretsmanager restore-secret --secret-id named/deleted --region eu-west-2');
  });

  it('reads AWSCURRENT: after a rotation writes a new version, the new password is returned', async () => {
    await seed('named/rotating', JSON.stringify({ username: 'app', password: 'before-rotation' }));
    expect((await fetchDbCredentials(clients, { kind: 'secrets-manager', secretId: 'named/rotating' })).password).toBe('before-rotation');
    await clients.secrets().send(
      new PutSecretValueCommand({ SecretId: 'named/rotating', SecretString: JSON.stringify({ username: 'app', password: 'after-rotation' }) }),
    );
    expect((await fetchDbCredentials(clients, { kind: 'secrets-manager', secretId: 'named/rotating' })).password).toBe('after-rotation');
  });

  it("follows a secret ARN into its own region, whatever the profile's region", async () => {
    const arn = await seed('named/other-region', JSON.stringify({ username: 'east', password: 'pw-east' }), 'us-east-1');
    expect(arn).toContain(':us-east-1:');
    const credentials = await fetchDbCredentials(clients, { kind: 'secrets-manager', secretId: arn });
    expect(credentials).toMatchObject({ username: 'east', password: 'pw-east' });
  });

  it('reads the RDS-managed master secret of an instance, found through DescribeDBInstances', async () => {
    const rds = clients.rds();
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'managed-mysql',
        Engine: 'mysql',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        MasterUsername: 'admin',
        ManageMasterUserPassword: true,
      }),
    );
    const described = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'managed-mysql' }));
    const arn = described.DBInstances?.[0]?.MasterUserSecret?.SecretArn;
    expect(arn).toMatch(/^arn:aws:secretsmanager:eu-west-2:\d{12}:secret:rds!db-/);
    const credentials = await fetchDbCredentials(clients, { kind: 'rds-managed' }, { rdsManagedSecretArn: arn });
    expect(credentials.username).toBe('admin');
    expect(credentials.password.length).toBeGreaterThan(0);
  });

  it('reads the RDS-managed master secret of an Aurora cluster, found through DescribeDBClusters', async () => {
    const rds = clients.rds();
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'managed-aurora',
        Engine: 'aurora-postgresql',
        MasterUsername: 'clusteradmin',
        ManageMasterUserPassword: true,
      }),
    );
    const described = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'managed-aurora' }));
    const arn = described.DBClusters?.[0]?.MasterUserSecret?.SecretArn;
    expect(arn).toMatch(/^arn:aws:secretsmanager:eu-west-2:\d{12}:secret:rds!cluster-/);
    const credentials = await fetchDbCredentials(clients, { kind: 'rds-managed' }, { rdsManagedSecretArn: arn });
    expect(credentials.password.length).toBeGreaterThan(0);
  });

  it('an RDS-managed source without a linked secret -> SECRET_NOT_FOUND saying how to turn it on', async () => {
    const error = await failure(fetchDbCredentials(clients, { kind: 'rds-managed' }));
    expect(error.code).toBe('SECRET_NOT_FOUND');
    expect(error.hint).toContain('--manage-master-user-password');
    expect(error.hint).toMatch(/secret id/);
  });

  it('a target without a secret -> SECRET_NOT_FOUND', async () => {
    const error = await failure(fetchDbCredentials(clients, { kind: 'none' }));
    expect(error.code).toBe('SECRET_NOT_FOUND');
  });

  it('after a full run the password string appears nowhere under the data dir or logs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jumpgate-secret-scan-'));
    const logFile = join(dataDir, 'logs', 'main.log');
    mkdirSync(join(dataDir, 'logs'));
    // Whatever the code under test prints goes to the app's log file, as it would in the app.
    const printed: string[] = [];
    const capture = (...args: unknown[]) => void printed.push(args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg))).join(' '));
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) => vi.spyOn(console, level).mockImplementation(capture));
    try {
      const secretId = 'prod/full-run';
      await seed(secretId, JSON.stringify({ username: 'scan_user', password: NASTY_PASSWORD, dbname: 'app', port: 5432 }));
      await seed('prod/full-run-malformed', `{"username": "x", "password": "${NASTY_PASSWORD.slice(0, 10)}`);

      // The profile store saves a target that uses the secret.
      const store = new ProfileStore({ path: join(dataDir, 'profiles.json') });
      await store.load();
      await store.upsert({
        id: 'scan',
        name: 'Scan',
        jumpHost: { host: 'bastion.example.com', port: 22, user: 'ec2-user', auth: { kind: 'agent' }, via: [] },
        targets: [
          {
            id: 'pg',
            name: 'PostgreSQL',
            engine: 'postgres',
            remote: { kind: 'host', host: 'db.internal', port: 5432 },
            localPort: 15432,
            database: 'app',
            secret: { kind: 'secrets-manager', secretId },
          },
        ],
      });
      const target = store.get('scan').targets[0];
      if (!target || target.secret.kind !== 'secrets-manager') throw new Error('target not saved');

      // Fetch, build every connection string, copy to the clipboard, let it clear.
      const credentials = await fetchDbCredentials(clients, target.secret, { fallbackUsername: target.username });
      const strings = buildConnectionStrings({
        family: 'postgres',
        port: target.localPort,
        username: credentials.username,
        password: credentials.password,
        database: target.database,
      });
      let clipboardText = '';
      const clipboard: Clipboard = {
        readText: () => clipboardText,
        writeText: (text) => {
          clipboardText = text;
        },
      };
      const guard = new ClipboardGuard(clipboard);
      await guard.copy(credentials.password, { label: 'Password for pg', clearAfterMs: 60_000 });
      await guard.copy(strings.url, { label: 'URL for pg', clearAfterMs: 60_000 });
      await guard.dispose();
      expect(clipboardText).toBe('');

      // The careless log lines a real app might have: the credentials object, errors, the saved profile.
      console.info('fetched credentials', credentials);
      console.info(`fetched ${JSON.stringify(credentials)}`);
      const malformed = await failure(fetchDbCredentials(clients, { kind: 'secrets-manager', secretId: 'prod/full-run-malformed' }));
      console.error('secret failed', malformed);
      await appendFile(logFile, `${JSON.stringify(malformed.toInfo())}\n${malformed.stack ?? ''}\n`);
      await appendFile(logFile, `${printed.join('\n')}\n`);
      await store.upsert(store.get('scan'));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }

    try {
      // The log really has content: the check below is not vacuous.
      expect(printed.length).toBeGreaterThanOrEqual(3);
      const hits = await findSecretOnDisk(dataDir, NASTY_PASSWORD);
      expect(hits).toEqual([]);
      // And the scanner would have seen it: plant it in one form and look again.
      writeFileSync(join(dataDir, 'logs', 'planted.log'), `DATABASE_URL=${encodeURIComponent(NASTY_PASSWORD)}\n`);
      expect((await findSecretOnDisk(dataDir, NASTY_PASSWORD)).map((hit) => hit.form)).toEqual(['percent']);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('findSecretOnDisk', () => {
  const secret = 'sc4n-Me:@/ é🔑+&';
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-scan-self-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds nothing in a clean tree and reports an empty list', async () => {
    mkdirSync(join(dir, 'clean', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'clean', 'nested', 'a.json'), '{"ok":true}');
    expect(await findSecretOnDisk(join(dir, 'clean'), secret)).toEqual([]);
  });

  it.each([
    ['utf8', (s: string) => Buffer.from(`prefix ${s} suffix`)],
    ['utf16le', (s: string) => Buffer.from(`prefix ${s} suffix`, 'utf16le')],
    ['percent', (s: string) => Buffer.from(`url=${encodeURIComponent(s)}`)],
    ['form', (s: string) => Buffer.from(new URLSearchParams({ password: s }).toString())],
    ['json-ascii', (s: string) => Buffer.from(JSON.stringify({ p: s }).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))],
    ['hex', (s: string) => Buffer.from(`x${Buffer.from(s).toString('hex')}x`)],
    ['base64 at offset 0', (s: string) => Buffer.from(Buffer.from(`${s} tail`).toString('base64'))],
    ['base64 at offset 1', (s: string) => Buffer.from(Buffer.from(`a${s} tail`).toString('base64'))],
    ['base64 at offset 2', (s: string) => Buffer.from(Buffer.from(`ab${s}`).toString('base64'))],
    ['base64url', (s: string) => Buffer.from(Buffer.from(`abc${s}`).toString('base64url'))],
  ])('finds the secret stored as %s, deep in a binary file', async (form, encode) => {
    const sub = join(dir, form.replace(/\W+/g, '-'), 'deep');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'blob.bin'), Buffer.concat([Buffer.from([0, 1, 2, 255]), encode(secret), Buffer.from([0])]));
    const hits = await findSecretOnDisk(join(dir, form.replace(/\W+/g, '-')), secret);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]?.file).toBe(join(sub, 'blob.bin'));
    // A hit names the file and the form, never the secret.
    expect(JSON.stringify(hits)).not.toContain('sc4n');
  });
});
