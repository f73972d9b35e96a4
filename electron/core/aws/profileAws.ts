import { JumpgateError } from '../../../shared/model/errors';
import { jumpBoxSshPort, type DbTarget, type Profile } from '../../../shared/model/profile';
import { createAwsClients, type AwsClients, type AwsEnvironment } from './awsClients';
import { findJumpBoxGroups } from './ipAllowList';
import { lookupPublicIp } from './publicIp';
import { discoverDatabases, resolveEndpoint, type DiscoveredDatabase } from './rdsDiscovery';
import { fetchDbCredentials, type DbCredentials } from './secrets';

/**
 * What the service asks AWS on behalf of a profile: its SDK clients (one set per
 * AWS profile and region, reused), the database behind a target, the target's
 * current credentials, the jump box's security groups and the user's public IP.
 * The per-domain handlers share this one instance.
 */
export class ProfileAws {
  private readonly clients = new Map<string, AwsClients>();

  constructor(private readonly options: { environment?: AwsEnvironment; publicIpUrl?: string }) {}

  clientsFor(profile: Profile): AwsClients {
    const key = `${profile.aws.profile ?? ''}@${profile.aws.region}`;
    let clients = this.clients.get(key);
    if (!clients) {
      clients = createAwsClients({ region: profile.aws.region, ...(profile.aws.profile ? { profile: profile.aws.profile } : {}) }, this.options.environment ?? {});
      this.clients.set(key, clients);
    }
    return clients;
  }

  /** The RDS database behind a target, found by identifier (instance, cluster or cluster member) or by endpoint address. */
  async databaseOf(profile: Profile, target: DbTarget): Promise<DiscoveredDatabase | undefined> {
    const { databases } = await discoverDatabases(this.clientsFor(profile), { scanRegions: false });
    const remote = target.remote;
    return databases.find((db) =>
      remote.kind === 'rds'
        ? db.identifier === remote.identifier || db.members?.some((member) => member.identifier === remote.identifier)
        : [db.endpoint, db.readerEndpoint, ...(db.members ?? []).map((member) => member.endpoint)].some((endpoint) => endpoint?.host === remote.host),
    );
  }

  /** The target's current credentials, straight from Secrets Manager; held only by the caller, never stored. */
  async credentialsFor(profile: Profile, target: DbTarget): Promise<DbCredentials> {
    const rdsManagedSecretArn = target.secret.kind === 'rds-managed' ? (await this.databaseOf(profile, target))?.secretArn : undefined;
    return fetchDbCredentials(this.clientsFor(profile), target.secret, {
      ...(rdsManagedSecretArn ? { rdsManagedSecretArn } : {}),
      ...(target.username ? { fallbackUsername: target.username } : {}),
    });
  }

  /** Where the target's database is now: as saved, or looked up in RDS at every connect so a replaced or restored instance is followed. */
  async resolveRemote(profile: Profile, target: DbTarget): Promise<{ host: string; port: number }> {
    if (target.remote.kind === 'host') return { host: target.remote.host, port: target.remote.port };
    return resolveEndpoint(this.clientsFor(profile), target.remote);
  }

  /** The jump box's security groups: named in the profile, or those of its EC2 instance. */
  async jumpBoxGroups(profile: Profile): Promise<string[]> {
    const { securityGroupId, jumpHostInstanceId } = profile.aws;
    if (securityGroupId) return [securityGroupId];
    if (jumpHostInstanceId) return findJumpBoxGroups(this.clientsFor(profile), { instanceId: jumpHostInstanceId });
    throw new JumpgateError('BAD_REQUEST', `Profile "${profile.name}" does not say which security group guards the jump box.`, {
      hint: "Set the jump box's security group id (sg-...) or its EC2 instance id (i-...) in the profile's AWS settings.",
    });
  }

  myIp(): Promise<string> {
    return lookupPublicIp(this.options.publicIpUrl ? { url: this.options.publicIpUrl } : {});
  }
}

/**
 * A refusal to look at or change the jump box's security group, carrying what
 * an administrator needs to make the rule by hand (the user's IP, the port, the
 * group when known), so the page can write the request even before any check.
 */
export async function withAccessFacts<T>(profile: Profile, ip: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof JumpgateError) || error.code !== 'AWS_ACCESS_DENIED') throw error;
    const { securityGroupId } = profile.aws;
    const facts = { ip, port: jumpBoxSshPort(profile), ...(securityGroupId ? { groupId: securityGroupId } : {}) };
    throw new JumpgateError(error.code, error.message, { ...(error.hint ? { hint: error.hint } : {}), details: { ...error.details, ...facts } });
  }
}
