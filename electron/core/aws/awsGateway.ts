import { JumpgateError } from '../../../shared/model/errors';
import type { DbRemote, DbTarget, Profile } from '../../../shared/model/profile';
import { createAwsClients, type AwsClients, type AwsEnvironment, type AwsScope } from './awsClients';
import { whoAmI, type AwsIdentity } from './identity';
import { allowMyIp, checkAccess, findJumpBoxGroups, removeMyIp } from './ipAllowList';
import {
  databaseBehind,
  discoverDatabases,
  resolveEndpoint,
  type DiscoverOptions,
  type DiscoveredDatabase,
  type DiscoveryResult,
  type RdsEndpoint,
} from './rdsDiscovery';
import { listRegionDatabases, type RdsRegionListing } from './rdsLookup';
import { findRestoredCopies, type FoundCopy } from './restoredCopies';
import { fetchDbCredentials, type DbCredentials } from './secrets';
import {
  deleteRestoredCopy,
  listSnapshots,
  restoreSnapshot,
  type DeleteOptions,
  type DeleteResult,
  type RestoreOptions,
  type RestoredCopy,
  type SnapshotSummary,
} from './snapshots';

/**
 * Everything Jumpgate asks AWS for one (AWS profile, region): it owns the SDK
 * clients and offers the questions the service asks, in the model's terms
 * (a target, the jump box), so no handler assembles SDK calls itself.
 *
 * Why a listing cache: several requests of one click each need "the database
 * behind this target" (copy the password, then list its snapshots), and the
 * only way to find it by member or endpoint host is to list the whole region
 * (DescribeDBInstances + DescribeDBClusters, every page). Lookups therefore
 * share one listing per region for a short while. What the user explicitly
 * asks to see (the databases, the restored copies) is always read anew and
 * refreshes the cache; a restore or delete drops it, since it changes the region.
 */

export interface AwsGatewayOptions {
  /** How AWS is reached (moto in tests); default: the AWS CLI's conventions. */
  environment?: AwsEnvironment;
  /** How long a region listing answers lookups. Default 15 s: one click's requests, not a stale screen. */
  listingTtlMs?: number;
  /** Clock for the cache (tests move it). */
  now?: () => number;
}

export const DEFAULT_LISTING_TTL_MS = 15_000;

interface CachedListing {
  readAt: number;
  listing: Promise<RdsRegionListing>;
}

/** What a target needs to be looked up in RDS and to have its password read. */
export type TargetRef = Pick<DbTarget, 'name' | 'remote' | 'secret' | 'username'>;

/** The jump box settings of a profile: its name (for messages) and where its security groups come from. */
export type JumpBoxRef = Pick<Profile, 'name'> & { aws: Pick<Profile['aws'], 'securityGroupId' | 'jumpHostInstanceId'> };

export class AwsGateway {
  readonly clients: AwsClients;
  private readonly listings = new Map<string, CachedListing>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    readonly scope: AwsScope,
    options: AwsGatewayOptions = {},
  ) {
    this.clients = createAwsClients(scope, options.environment ?? {});
    this.ttlMs = options.listingTtlMs ?? DEFAULT_LISTING_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** Who the credentials belong to (STS GetCallerIdentity). */
  whoAmI(): Promise<AwsIdentity> {
    return whoAmI(this.clients);
  }

  /** The databases of a region as the user asked to see them: read now, and kept for the lookups that follow. */
  discoverDatabases(options: Omit<DiscoverOptions, 'listRegion' | 'pageSize'> = {}): Promise<DiscoveryResult> {
    return discoverDatabases(this.clients, { ...options, listRegion: (region) => this.listing(region, 'fresh') });
  }

  /**
   * The RDS database behind a target: by identifier (instance, cluster, or a
   * cluster's member) or by endpoint host. From the cached listing; when that
   * does not have it, the region is read again once, so a database created
   * moments ago is never reported missing because of the cache.
   */
  async databaseBehind(remote: DbRemote): Promise<DiscoveredDatabase | undefined> {
    const lookUp = async (freshness: Freshness) =>
      databaseBehind((await discoverDatabases(this.clients, { scanRegions: false, listRegion: (region) => this.listing(region, freshness) })).databases, remote);
    const region = this.scope.region;
    const servedFromCache = this.isCached(region);
    const found = await lookUp('cached');
    return found || !servedFromCache ? found : lookUp('fresh');
  }

  /** The RDS-managed master secret (MasterUserSecret) of the database behind the target, if it has one. */
  async linkedSecretArn(remote: DbRemote): Promise<string | undefined> {
    return (await this.databaseBehind(remote))?.secretArn;
  }

  /** The target's current credentials, straight from Secrets Manager (never cached: a rotation must be seen). */
  async credentialsFor(target: Pick<TargetRef, 'remote' | 'secret' | 'username'>): Promise<DbCredentials> {
    const rdsManagedSecretArn = target.secret.kind === 'rds-managed' ? await this.linkedSecretArn(target.remote) : undefined;
    return fetchDbCredentials(this.clients, target.secret, {
      ...(rdsManagedSecretArn ? { rdsManagedSecretArn } : {}),
      ...(target.username ? { fallbackUsername: target.username } : {}),
    });
  }

  /** Where the target's database is now: as saved, or asked of RDS at every connect so a replaced or restored one is followed. */
  async resolveEndpoint(remote: DbRemote): Promise<RdsEndpoint> {
    if (remote.kind === 'host') return { host: remote.host, port: remote.port };
    return resolveEndpoint(this.clients, remote);
  }

  /** The jump box's security groups: named in the profile, or those of its EC2 instance. */
  async jumpBoxGroups(profile: JumpBoxRef): Promise<string[]> {
    const { securityGroupId, jumpHostInstanceId } = profile.aws;
    if (securityGroupId) return [securityGroupId];
    if (jumpHostInstanceId) return findJumpBoxGroups(this.clients, { instanceId: jumpHostInstanceId });
    throw new JumpgateError('BAD_REQUEST', `Profile "${profile.name}" does not say which security group guards the jump box.`, {
      hint: "Set the jump box's security group id (sg-...) or its EC2 instance id (i-...) in the profile's AWS settings.",
    });
  }

  checkAccess(options: Parameters<typeof checkAccess>[1]): ReturnType<typeof checkAccess> {
    return checkAccess(this.clients, options);
  }

  allowMyIp(options: Parameters<typeof allowMyIp>[1]): ReturnType<typeof allowMyIp> {
    return allowMyIp(this.clients, options);
  }

  removeMyIp(options: Parameters<typeof removeMyIp>[1]): ReturnType<typeof removeMyIp> {
    return removeMyIp(this.clients, options);
  }

  /** The snapshots of the database behind a target (instance or Aurora cluster), newest first. */
  async snapshotsOf(target: Pick<TargetRef, 'name' | 'remote'>): Promise<SnapshotSummary[]> {
    const db = await this.databaseBehind(target.remote);
    if (!db) {
      throw new JumpgateError('AWS_NOT_FOUND', `No RDS database in ${this.scope.region} matches target "${target.name}".`, {
        hint: 'Snapshots are listed for RDS targets: pick the database from Endpoints, or check the region.',
      });
    }
    return listSnapshots(this.clients, db.kind === 'cluster' ? { clusterIdentifier: db.identifier } : { instanceIdentifier: db.identifier });
  }

  /**
   * Restore a snapshot to a new copy. The region's listing is dropped once RDS
   * accepts the restore (the copy exists from then on) and again when it ends.
   */
  async restoreSnapshot(options: RestoreOptions): Promise<RestoredCopy> {
    const region = options.region ?? this.scope.region;
    try {
      return await restoreSnapshot(this.clients, {
        ...options,
        onProgress: (event) => {
          if (event.phase === 'requested') this.invalidate(region);
          options.onProgress?.(event);
        },
      });
    } finally {
      this.invalidate(region);
    }
  }

  /** The copies Jumpgate restored, read now (what the Rollback screen shows), sharing the listing with lookups. */
  async restoredCopies(region: string = this.scope.region): Promise<FoundCopy[]> {
    return findRestoredCopies(this.clients, region, await this.listing(region, 'fresh'));
  }

  /** Delete a copy Jumpgate restored; the region's listing is dropped whatever the outcome. */
  async deleteRestoredCopy(options: DeleteOptions): Promise<DeleteResult> {
    try {
      return await deleteRestoredCopy(this.clients, options);
    } finally {
      this.invalidate(options.region ?? this.scope.region);
    }
  }

  /** Forget the listing of a region (every region when none is named). */
  invalidate(region?: string): void {
    if (region === undefined) this.listings.clear();
    else this.listings.delete(region);
  }

  private isCached(region: string): boolean {
    const entry = this.listings.get(region);
    return entry !== undefined && this.now() - entry.readAt < this.ttlMs;
  }

  /**
   * The region's listing: a young enough one (in flight included, so requests
   * of one click that arrive together share a single read), or a new read. A
   * failed read is not kept: the next request asks AWS again.
   */
  private listing(region: string, freshness: Freshness): Promise<RdsRegionListing> {
    const existing = this.listings.get(region);
    if (freshness === 'cached' && existing && this.isCached(region)) return existing.listing;
    const entry: CachedListing = { readAt: this.now(), listing: listRegionDatabases(this.clients, region) };
    this.listings.set(region, entry);
    entry.listing.catch(() => {
      if (this.listings.get(region) === entry) this.listings.delete(region);
    });
    return entry.listing;
  }
}

type Freshness = 'cached' | 'fresh';

/** One gateway per (AWS profile, region), made on first use and reused: the clients and the listing cache live there. */
export class AwsGatewayPool {
  private readonly gateways = new Map<string, AwsGateway>();

  constructor(private readonly options: AwsGatewayOptions = {}) {}

  for(settings: Pick<Profile['aws'], 'profile' | 'region'>): AwsGateway {
    const key = `${settings.profile ?? ''}@${settings.region}`;
    let gateway = this.gateways.get(key);
    if (!gateway) {
      gateway = new AwsGateway({ region: settings.region, ...(settings.profile ? { profile: settings.profile } : {}) }, this.options);
      this.gateways.set(key, gateway);
    }
    return gateway;
  }
}
