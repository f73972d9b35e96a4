import { loadSharedConfigFiles } from '@smithy/core/config';
import { JumpgateError } from '../../../shared/model/errors';
import type { AwsClients } from './awsClients';
import { awsCall } from './awsErrors';
import { loadSts } from './awsSdkModules';

/** Who the credentials of a scope belong to (STS GetCallerIdentity). */
export interface AwsIdentity {
  /** 12-digit account id. */
  account: string;
  /** e.g. arn:aws:sts::123456789012:assumed-role/Dev/alice@example.com */
  arn: string;
  userId: string;
}

/**
 * The identity behind a scope's credentials. GetCallerIdentity needs no IAM
 * permission, so it is the cheapest proof that credentials load and are
 * accepted: the doctor's first step and the "Signed in as" line in the UI.
 * Missing, expired (SSO) or rejected credentials surface as coded errors whose
 * hint is the command to run.
 */
export async function whoAmI(clients: AwsClients): Promise<AwsIdentity> {
  const context = { action: 'sts:GetCallerIdentity', scope: clients.scope };
  const reply = await awsCall(context, async () => {
    const { GetCallerIdentityCommand } = await loadSts();
    return clients.sts().send(new GetCallerIdentityCommand({}));
  });
  if (!reply.Account || !reply.Arn) {
    throw new JumpgateError('AWS_REQUEST_FAILED', 'sts:GetCallerIdentity answered without an account or ARN.', {
      hint: 'Run the doctor for this profile; if this persists, check the AWS endpoint settings.',
      details: { action: context.action },
    });
  }
  return { account: reply.Account, arn: reply.Arn, userId: reply.UserId ?? '' };
}

/** One named profile the AWS CLI would accept for `--profile`. */
export interface AwsProfileInfo {
  name: string;
  /** `region` from the profile (config file first, as the SDK does); absent = none set. */
  region?: string;
  /** Signs in through IAM Identity Center: needs `aws sso login --profile <name>` when the token expires. */
  sso: boolean;
  /** The `[sso-session ...]` the profile uses, when it uses one. */
  ssoSession?: string;
  /** Which files mention the profile. */
  sources: Array<'config' | 'credentials'>;
}

export interface AwsProfileFiles {
  /** Defaults to AWS_CONFIG_FILE or ~/.aws/config, like the AWS CLI. */
  configFile?: string;
  /** Defaults to AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials. */
  credentialsFile?: string;
}

/** Section prefixes the loader keeps for non-profile sections (`[sso-session x]`, `[services x]`). */
const NON_PROFILE_SECTION = /^(sso-session|services|profile)\./;

/**
 * The named profiles from ~/.aws/config and ~/.aws/credentials, `default`
 * first, then by name. Parsing is the SDK's own shared-ini loader, so a profile
 * listed here is one the credential providers will find; `[sso-session ...]`
 * and `[services ...]` sections are not profiles and are left out. Files are
 * re-read on every call (the user may have just run `aws configure`). Missing
 * files simply contribute nothing. Never returns key material.
 */
export async function listAwsProfiles(files: AwsProfileFiles = {}): Promise<AwsProfileInfo[]> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({
    ...(files.configFile ? { configFilepath: files.configFile } : {}),
    ...(files.credentialsFile ? { filepath: files.credentialsFile } : {}),
    ignoreCache: true,
  });
  const names = new Set<string>();
  for (const name of [...Object.keys(configFile), ...Object.keys(credentialsFile)]) {
    if (!NON_PROFILE_SECTION.test(name)) names.add(name);
  }
  const profiles = [...names].map((name): AwsProfileInfo => {
    const fromConfig = configFile[name];
    const fromCredentials = credentialsFile[name];
    // Same precedence as the SDK's region loader: config file over credentials file.
    const merged = { ...fromCredentials, ...fromConfig };
    const sources: AwsProfileInfo['sources'] = [];
    if (fromConfig) sources.push('config');
    if (fromCredentials) sources.push('credentials');
    const info: AwsProfileInfo = { name, sso: Boolean(merged.sso_session || merged.sso_start_url), sources };
    if (merged.region) info.region = merged.region;
    if (merged.sso_session) info.ssoSession = merged.sso_session;
    return info;
  });
  return profiles.sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
}
