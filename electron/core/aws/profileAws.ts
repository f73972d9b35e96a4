import { JumpgateError } from '../../../shared/model/errors';
import { jumpBoxSshPort, type DbTarget, type Profile } from '../../../shared/model/profile';
import type { AwsEnvironment } from './awsClients';
import { AwsGatewayPool, type AwsGateway } from './awsGateway';
import { lookupPublicIp, requireGivenPublicIp } from './publicIp';
import type { DiscoveredDatabase, RdsEndpoint } from './rdsDiscovery';
import type { DbCredentials } from './secrets';

/**
 * What the service asks AWS on behalf of a profile, in the profile's terms:
 * each question goes to the AwsGateway of the profile's AWS profile and region
 * (which owns the SDK clients and the short-lived region listing), plus the
 * user's public IP. The per-domain handlers share this one instance.
 */
export class ProfileAws {
  private readonly gateways: AwsGatewayPool;

  constructor(private readonly options: { environment?: AwsEnvironment; publicIpUrl?: string }) {
    this.gateways = new AwsGatewayPool(options.environment ? { environment: options.environment } : {});
  }

  /** The gateway for the profile's AWS profile and region (one per pair, reused). */
  gatewayFor(profile: Profile): AwsGateway {
    return this.gateways.for(profile.aws);
  }

  /** The RDS database behind a target, found by identifier (instance, cluster or cluster member) or by endpoint address. */
  databaseOf(profile: Profile, target: DbTarget): Promise<DiscoveredDatabase | undefined> {
    return this.gatewayFor(profile).databaseBehind(target.remote);
  }

  /** The target's current credentials, straight from Secrets Manager; held only by the caller, never stored. */
  credentialsFor(profile: Profile, target: DbTarget): Promise<DbCredentials> {
    return this.gatewayFor(profile).credentialsFor(target);
  }

  /** Where the target's database is now: as saved, or looked up in RDS at every connect so a replaced or restored instance is followed. */
  resolveRemote(profile: Profile, target: DbTarget): Promise<RdsEndpoint> {
    return this.gatewayFor(profile).resolveEndpoint(target.remote);
  }

  /** The jump box's security groups: named in the profile, or those of its EC2 instance. */
  jumpBoxGroups(profile: Profile): Promise<string[]> {
    return this.gatewayFor(profile).jumpBoxGroups(profile);
  }

  /**
   * The user's public IPv4 address: the one they gave (checked, never looked up:
   * issue #13, the lookup may be what is broken), else the public-IP service's answer.
   */
  async myIp(given?: string): Promise<string> {
    if (given !== undefined) return requireGivenPublicIp(given);
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
