import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { loadCredentialProviders, loadEc2, loadRds, loadS3, loadSecretsManager, loadSsm, loadSts, onFirstUse } from './awsSdkModules';

/** Which AWS account and region a profile works in (from the Jumpgate profile). */
export interface AwsScope {
  region: string;
  /** Named profile from ~/.aws/config (SSO included); absent = the default provider chain. */
  profile?: string;
}

/**
 * What the host injects: nothing in the app (the AWS CLI's own conventions
 * apply), an endpoint and static credentials in tests (moto).
 */
export interface AwsEnvironment {
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Override ~/.aws/config and ~/.aws/credentials (tests). */
  configFile?: string;
  credentialsFile?: string;
}

export interface AwsClients {
  readonly scope: AwsScope;
  /** Each client is made, and its SDK loaded, on its first send (awsSdkModules.ts says why). */
  rds(region?: string): Pick<RDSClient, 'send'>;
  secrets(region?: string): Pick<SecretsManagerClient, 'send'>;
  /** EC2 (security groups). */
  ec2(region?: string): Pick<EC2Client, 'send'>;
  sts(region?: string): Pick<STSClient, 'send'>;
  /** Parameter Store (a team's published profiles): made, and the SDK loaded, on the first send. */
  ssm(region?: string): Pick<SSMClient, 'send'>;
  /** S3 (a team's published profiles): made, and the SDK loaded, on the first send. */
  s3(region?: string): Pick<S3Client, 'send'>;
}

/** A client whose SDK module is imported, and the client made, when its first command is sent. */
function sentOnFirstUse<C extends { send: (...args: never[]) => unknown }>(make: () => Promise<C>): Pick<C, 'send'> {
  const made = onFirstUse(make);
  const send = (async (...args: Parameters<C['send']>) => {
    const client = await made();
    return (client.send as (...sent: Parameters<C['send']>) => unknown)(...args);
  }) as C['send'];
  return { send } as Pick<C, 'send'>;
}

/** A credential provider whose SDK module is imported, and the provider made, when credentials are first asked for. */
function providedOnFirstUse(make: () => Promise<AwsCredentialIdentityProvider>): AwsCredentialIdentityProvider {
  const made = onFirstUse(make);
  return async (properties) => (await made())(properties);
}

/**
 * A custom endpoint (moto, LocalStack, MinIO, a proxy) serves buckets by path: the AWS default
 * puts the bucket in the host name (bucket.127.0.0.1), which only AWS's own DNS answers.
 */
function s3ByPath(environment: AwsEnvironment): boolean {
  return Boolean(environment.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
}

/**
 * AWS SDK v3 clients for one scope, created on first use per region and reused.
 * Credentials follow the AWS CLI: environment, ~/.aws/credentials, ~/.aws/config
 * profiles (SSO, assume-role, credential_process), then instance roles.
 */
export function createAwsClients(scope: AwsScope, environment: AwsEnvironment = {}): AwsClients {
  const files = {
    ...(environment.configFile ? { configFilepath: environment.configFile } : {}),
    ...(environment.credentialsFile ? { filepath: environment.credentialsFile } : {}),
  };
  // A named profile means exactly that profile, as `aws --profile` does: falling
  // through to the EC2 metadata service would only add a long timeout on a laptop.
  // ignoreCache: a profile added by `aws configure sso` after start-up is seen.
  const credentials =
    environment.credentials ??
    providedOnFirstUse(async () => {
      const { fromIni, fromNodeProviderChain } = await loadCredentialProviders();
      return scope.profile ? fromIni({ profile: scope.profile, ignoreCache: true, ...files }) : fromNodeProviderChain({ ignoreCache: true, ...files });
    });
  const common = (region: string) => ({
    region,
    credentials,
    ...(environment.endpoint ? { endpoint: environment.endpoint } : {}),
    // Fail fast on a dead network instead of the SDK's long default retries.
    maxAttempts: 2,
  });
  const cache = new Map<string, unknown>();
  function client<T>(kind: string, region: string | undefined, make: (config: ReturnType<typeof common>) => T): T {
    const key = `${kind}:${region ?? scope.region}`;
    let existing = cache.get(key) as T | undefined;
    if (!existing) {
      existing = make(common(region ?? scope.region));
      cache.set(key, existing);
    }
    return existing;
  }
  return {
    scope,
    rds: (region) => client('rds', region, (config) => sentOnFirstUse<RDSClient>(() => loadRds().then(({ RDSClient: Client }) => new Client(config)))),
    secrets: (region) =>
      client('secrets', region, (config) => sentOnFirstUse<SecretsManagerClient>(() => loadSecretsManager().then(({ SecretsManagerClient: Client }) => new Client(config)))),
    ec2: (region) => client('ec2', region, (config) => sentOnFirstUse<EC2Client>(() => loadEc2().then(({ EC2Client: Ec2Client }) => new Ec2Client(config)))),
    sts: (region) => client('sts', region, (config) => sentOnFirstUse<STSClient>(() => loadSts().then(({ STSClient: Client }) => new Client(config)))),
    ssm: (region) => client('ssm', region, (config) => sentOnFirstUse<SSMClient>(() => loadSsm().then(({ SSMClient: SsmClient }) => new SsmClient(config)))),
    s3: (region) =>
      client('s3', region, (config) =>
        sentOnFirstUse<S3Client>(() => loadS3().then(({ S3Client: Client }) => new Client({ ...config, ...(s3ByPath(environment) ? { forcePathStyle: true } : {}) }))),
      ),
  };
}
