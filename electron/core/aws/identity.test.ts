import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExpiredTokenException } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIamUser, enforceIam, type MotoPeer } from '../../../e2e/rig/moto';
import { motoForSuite } from '../../../e2e/rig/motoSuite';
import { peersAvailable } from '../../../e2e/rig/peers';
import { JumpgateError } from '../../../shared/model/errors';
import { createAwsClients } from './awsClients';
import { classifyAwsError } from './awsErrors';
import { listAwsProfiles, whoAmI } from './identity';
import { discoverDatabases } from './rdsDiscovery';

/** Environment the SDK's credential chain reads; cleared so the developer's own AWS setup never leaks in. */
const AWS_ENV = [
  'HOME',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
];

/** Every TCP connection the process opens during a test (the SDK's HTTP handler goes through net.Socket#connect). */
function watchConnections(): { hosts: () => string[] } {
  const spy = vi.spyOn(net.Socket.prototype, 'connect');
  return {
    hosts: () =>
      spy.mock.calls.map((call) => {
        const first = call[0] as unknown;
        if (Array.isArray(first)) return String((first[0] as { host?: string })?.host ?? '?');
        if (typeof first === 'object' && first !== null) return String((first as { host?: string; path?: string }).host ?? (first as { path?: string }).path);
        return String(call[1] ?? first);
      }),
  };
}

describe.skipIf(!peersAvailable('moto_server'))('AWS identity and credentials against moto', () => {
  const motoPeer = motoForSuite();
  let moto: MotoPeer;
  let home: string;
  const savedEnv = new Map<string, string | undefined>();

  beforeEach(async () => {
    moto = motoPeer();
    for (const name of AWS_ENV) {
      savedEnv.set(name, process.env[name]);
      delete process.env[name];
    }
    // A private HOME: ~/.aws/config, ~/.aws/credentials and ~/.aws/sso/cache all resolve under it.
    home = mkdtempSync(join(tmpdir(), 'jumpgate-aws-home-'));
    process.env.HOME = home;
    mkdirSync(join(home, '.aws', 'sso', 'cache'), { recursive: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(home, { recursive: true, force: true });
  });

  function writeAwsFiles(config: string, credentials = ''): { configFile: string; credentialsFile: string } {
    const configFile = join(home, '.aws', 'config');
    const credentialsFile = join(home, '.aws', 'credentials');
    writeFileSync(configFile, config);
    writeFileSync(credentialsFile, credentials, { mode: 0o600 });
    return { configFile, credentialsFile };
  }

  it('whoAmI names the account behind injected credentials', async () => {
    const clients = createAwsClients({ region: 'eu-west-2' }, { endpoint: moto.endpoint, credentials: moto.credentials });
    const identity = await whoAmI(clients);
    expect(identity.account).toMatch(/^\d{12}$/);
    expect(identity.arn).toMatch(/^arn:aws:(iam|sts)::\d{12}:/);
    expect(typeof identity.userId).toBe('string');
  });

  it('loads a static profile from the config and credentials files (nothing injected) and calls STS with it', async () => {
    const keys = await createIamUser(moto, 'alice', ['sts:GetCallerIdentity']);
    const files = writeAwsFiles(
      ['[default]', 'region = us-east-1', '', '[profile work]', 'region = eu-west-2', ''].join('\n'),
      ['[work]', `aws_access_key_id = ${keys.accessKeyId}`, `aws_secret_access_key = ${keys.secretAccessKey}`, ''].join('\n'),
    );
    const clients = createAwsClients({ region: 'eu-west-2', profile: 'work' }, { endpoint: moto.endpoint, ...files });

    // moto maps the access key back to its IAM user: proof the profile's keys, and only they, were used.
    const identity = await whoAmI(clients);
    expect(identity).toMatchObject({ account: '123456789012', arn: 'arn:aws:iam::123456789012:user/alice' });
  });

  it('lists profiles from both files with region and SSO, leaving out sso-session sections', async () => {
    const files = writeAwsFiles(
      [
        '[default]',
        'region = eu-west-2',
        '',
        '[profile prod-sso]',
        'sso_session = corp',
        'sso_account_id = 111122223333',
        'sso_role_name = DatabaseReader',
        'region = eu-west-1',
        '',
        '[profile legacy-sso]',
        'sso_start_url = https://legacy.awsapps.com/start',
        'sso_region = us-east-1',
        'sso_account_id = 111122223333',
        'sso_role_name = Admin',
        '',
        '[profile static]',
        'region = us-east-2',
        '',
        '[sso-session corp]',
        'sso_start_url = https://corp.awsapps.com/start',
        'sso_region = eu-west-1',
        '',
        '[services local]',
        'rds =',
        '  endpoint_url = http://127.0.0.1:1',
        '',
        '[not-a-profile]',
        'region = ap-south-1',
        '',
      ].join('\n'),
      [
        '[default]',
        'aws_access_key_id = AKIADEFAULT',
        'aws_secret_access_key = x',
        '',
        '[static]',
        'aws_access_key_id = AKIASTATIC',
        'aws_secret_access_key = y',
        '',
        '[ci-only]',
        'aws_access_key_id = AKIACI',
        'aws_secret_access_key = z',
        'region = ca-central-1',
        '',
      ].join('\n'),
    );

    const profiles = await listAwsProfiles(files);
    expect(profiles).toEqual([
      { name: 'default', region: 'eu-west-2', sso: false, sources: ['config', 'credentials'] },
      { name: 'ci-only', region: 'ca-central-1', sso: false, sources: ['credentials'] },
      { name: 'legacy-sso', sso: true, sources: ['config'] },
      { name: 'prod-sso', region: 'eu-west-1', sso: true, ssoSession: 'corp', sources: ['config'] },
      { name: 'static', region: 'us-east-2', sso: false, sources: ['config', 'credentials'] },
    ]);
    // Never key material.
    expect(JSON.stringify(profiles)).not.toMatch(/AKIA|aws_secret/);

    // Re-read on every call: a profile added with `aws configure` shows up at once.
    writeFileSync(files.configFile, '[profile fresh]\nregion = eu-north-1\n');
    expect(await listAwsProfiles(files)).toEqual([
      { name: 'default', sso: false, sources: ['credentials'] },
      { name: 'ci-only', region: 'ca-central-1', sso: false, sources: ['credentials'] },
      { name: 'fresh', region: 'eu-north-1', sso: false, sources: ['config'] },
      { name: 'static', sso: false, sources: ['credentials'] },
    ]);

    // No files at all: no profiles, no error.
    expect(await listAwsProfiles({ configFile: join(home, 'absent-config'), credentialsFile: join(home, 'absent-credentials') })).toEqual([]);
  });

  it('a profile added after the first AWS call works once the profile list has been re-read', async () => {
    // The SDK caches ~/.aws/config and ~/.aws/credentials per path for the life of
    // the process (a missing file included); listAwsProfiles re-reads them, which
    // refreshes that cache for the credential providers too.
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const files = writeAwsFiles('[profile work]\nregion = eu-west-2\n');
    const before = createAwsClients({ region: 'eu-west-2', profile: 'late' }, { endpoint: moto.endpoint, ...files });
    await expect(whoAmI(before)).rejects.toMatchObject({ code: 'AWS_CREDENTIALS_MISSING' });

    const keys = await createIamUser(moto, 'late-user', ['sts:GetCallerIdentity']);
    writeFileSync(files.credentialsFile, `[late]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`);
    expect((await listAwsProfiles(files)).map((profile) => profile.name)).toEqual(['late', 'work']);

    const after = createAwsClients({ region: 'eu-west-2', profile: 'late' }, { endpoint: moto.endpoint, ...files });
    expect((await whoAmI(after)).arn).toBe('arn:aws:iam::123456789012:user/late-user');
  });

  it('a profile that does not exist -> AWS_CREDENTIALS_MISSING with the aws configure command', async () => {
    const files = writeAwsFiles('[profile work]\nregion = eu-west-2\n');
    // The SDK's chain ends at the EC2 instance metadata service even for a named
    // profile; keep the test off the network (see the report on awsClients).
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const connections = watchConnections();
    const clients = createAwsClients({ region: 'eu-west-2', profile: 'nope' }, { endpoint: moto.endpoint, ...files });

    const error = await whoAmI(clients).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JumpgateError);
    expect(error).toMatchObject({
      code: 'AWS_CREDENTIALS_MISSING',
      message: 'No AWS credentials were found for AWS profile "nope".',
      hint: 'Run: aws configure sso --profile nope (or aws configure --profile nope), then try again.',
      details: { action: 'sts:GetCallerIdentity' },
    });
    expect(connections.hosts()).toEqual([]);
  });

  describe('SSO profiles (IAM Identity Center)', () => {
    const ssoConfig = [
      '[profile prod-sso]',
      'sso_session = corp',
      'sso_account_id = 111122223333',
      'sso_role_name = DatabaseReader',
      'region = eu-west-2',
      '',
      '[sso-session corp]',
      'sso_start_url = https://corp.awsapps.com/start',
      'sso_region = eu-west-1',
      'sso_registration_scopes = sso:account:access',
      '',
      '[profile legacy-sso]',
      'sso_start_url = https://legacy.awsapps.com/start',
      'sso_region = us-east-1',
      'sso_account_id = 111122223333',
      'sso_role_name = Admin',
      '',
    ].join('\n');

    /** What `aws sso login` leaves in ~/.aws/sso/cache: keyed by sha1 of the session name (or of the start URL for legacy profiles). */
    function cacheToken(key: string, startUrl: string, expiresAt: string): void {
      const file = join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update(key).digest('hex')}.json`);
      // No refresh token or client registration: the SDK cannot refresh, so it never calls SSO OIDC.
      writeFileSync(file, JSON.stringify({ startUrl, region: 'eu-west-1', accessToken: 'cached-token', expiresAt }));
    }

    async function attempt(profile: string): Promise<unknown> {
      // SSO profiles must sit in the default config location: the SDK's ini provider
      // drops configFilepath when it hands an SSO profile to fromSSO.
      const files = writeAwsFiles(ssoConfig);
      const clients = createAwsClients({ region: 'eu-west-2', profile }, { endpoint: moto.endpoint, ...files });
      return whoAmI(clients).catch((caught: unknown) => caught);
    }

    it.each([
      ['prod-sso', 'no cached token'],
      ['legacy-sso', 'no cached token'],
    ])('%s with %s -> AWS_CREDENTIALS_EXPIRED "Run: aws sso login --profile %s", without touching the network', async (profile) => {
      const connections = watchConnections();
      const error = await attempt(profile);
      expect(error).toBeInstanceOf(JumpgateError);
      expect(error).toMatchObject({ code: 'AWS_CREDENTIALS_EXPIRED', hint: `Run: aws sso login --profile ${profile}` });
      expect((error as JumpgateError).message).toBe(`The credentials of AWS profile "${profile}" have expired.`);
      expect(connections.hosts()).toEqual([]);
    });

    it('an expired cached token -> AWS_CREDENTIALS_EXPIRED with the login command, without touching the network', async () => {
      const yesterday = new Date(Date.now() - 24 * 3600_000).toISOString();
      cacheToken('corp', 'https://corp.awsapps.com/start', yesterday);
      cacheToken('https://legacy.awsapps.com/start', 'https://legacy.awsapps.com/start', yesterday);
      const connections = watchConnections();

      for (const profile of ['prod-sso', 'legacy-sso']) {
        const error = await attempt(profile);
        expect(error).toMatchObject({ code: 'AWS_CREDENTIALS_EXPIRED', hint: `Run: aws sso login --profile ${profile}` });
      }
      expect(connections.hosts()).toEqual([]);
    });
  });

  describe('with IAM enforced by moto', () => {
    afterEach(async () => {
      await enforceIam(moto, false);
    });

    it('AccessDenied -> AWS_ACCESS_DENIED naming the action and region', async () => {
      const keys = await createIamUser(moto, 'reader', ['sts:GetCallerIdentity']);
      await enforceIam(moto, true);
      const clients = createAwsClients({ region: 'eu-west-2', profile: 'reader' }, { endpoint: moto.endpoint, credentials: keys });

      // Signed in fine...
      expect((await whoAmI(clients)).arn).toBe('arn:aws:iam::123456789012:user/reader');
      // ...but not allowed to list databases.
      const error = await discoverDatabases(clients, { scanRegions: false }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(JumpgateError);
      expect(error).toMatchObject({
        code: 'AWS_ACCESS_DENIED',
        hint: expect.stringMatching(/^Ask your AWS administrator to allow rds:Describe(DBInstances|DBClusters) for your role\.$/),
      });
      expect((error as JumpgateError).message).toMatch(/^AWS profile "reader" may not call rds:Describe(DBInstances|DBClusters) in eu-west-2\.$/);
    });

    it('keys AWS does not know -> AWS_CREDENTIALS_INVALID', async () => {
      await enforceIam(moto, true);
      const clients = createAwsClients(
        { region: 'eu-west-2' },
        { endpoint: moto.endpoint, credentials: { accessKeyId: 'AKIAREVOKEDKEY000000', secretAccessKey: 'revoked' } },
      );
      const error = await whoAmI(clients).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'AWS_CREDENTIALS_INVALID', details: { action: 'sts:GetCallerIdentity' } });
    });
  });

  it('classifies an expired session token (which moto never reports) from the SDK exception itself', () => {
    // moto does not expire STS session credentials, so build the exception the way
    // the SDK's deserializer does for a 400 ExpiredTokenException.
    const scope = { region: 'eu-west-2', profile: 'work' };
    const expired = new ExpiredTokenException({
      $metadata: { httpStatusCode: 400, requestId: 'test' },
      message: 'The security token included in the request is expired',
    });
    expect(classifyAwsError(expired, { action: 'rds:DescribeDBInstances', scope })).toMatchObject({
      code: 'AWS_CREDENTIALS_EXPIRED',
      hint: 'Run: aws sso login --profile work',
    });
  });
});
