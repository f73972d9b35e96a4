import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import { JumpgateError } from '../../../shared/model/errors';
import { proposeLocalPort } from '../../../shared/model/localPorts';
import type { DbEngine, DbRemote } from '../../../shared/model/profile';
import type { AwsClients } from './awsClients';
import { classifyAwsError } from './awsErrors';
import {
  describeCluster,
  describeInstance,
  endpointOf,
  listRegionDatabases,
  normalizeEngine,
  type RdsEndpoint,
  type RdsRegionListing,
} from './rdsLookup';

export type { RdsEndpoint } from './rdsLookup';

/** An instance that belongs to a cluster: shown under its cluster, not as a target of its own. */
export interface DiscoveredClusterMember {
  identifier: string;
  writer: boolean;
  status?: string;
  endpoint?: RdsEndpoint;
}

/** One database a profile can tunnel to, as found in RDS. */
export interface DiscoveredDatabase {
  kind: 'instance' | 'cluster';
  identifier: string;
  engine: DbEngine;
  engineVersion?: string;
  /** RDS status: available, creating, stopped, ... */
  status?: string;
  /** Instance endpoint, or a cluster's writer endpoint; absent while RDS is still creating it. */
  endpoint?: RdsEndpoint;
  /** Clusters: the load-balanced read-only endpoint. */
  readerEndpoint?: RdsEndpoint;
  /** Instances: the cluster they belong to (only when that cluster was not listed). */
  clusterIdentifier?: string;
  /** Clusters: their instances, writer first. */
  members?: DiscoveredClusterMember[];
  /** The RDS-managed linked secret (MasterUserSecret), when the database has one. */
  secretArn?: string;
  masterUsername?: string;
  dbName?: string;
  /** Local listener port by convention: MySQL family 13306+, PostgreSQL family 15432+. */
  proposedLocalPort: number;
}

/** A database RDS listed that Jumpgate cannot tunnel to (Oracle, SQL Server, Db2, Neptune, DocumentDB...). */
export interface UnsupportedDatabase {
  kind: 'instance' | 'cluster';
  identifier: string;
  engine: string;
}

export interface RegionCount {
  region: string;
  count: number;
}

export interface DiscoveryResult {
  /** The region that was listed. */
  region: string;
  /** Targets, sorted by identifier. Empty when the region has none. */
  databases: DiscoveredDatabase[];
  /** Databases that were found but cannot be tunnelled to; listed so the UI can say why they are missing. */
  unsupported: UnsupportedDatabase[];
  /** Every region that was actually checked, the chosen one first. */
  lookedIn: string[];
  /** Only when `databases` is empty: other regions that do have databases. */
  foundIn: RegionCount[];
  /** Regions the scan could not check (not enabled, denied by policy...), with the error code. */
  notChecked: Array<{ region: string; code: string }>;
  /** A sentence for the UI when nothing was found, e.g. "No RDS databases in eu-west-2 (looked in ...). Databases found in: eu-west-1 (2)." */
  note?: string;
}

/** Where a wrong-region scan looks by default (besides the chosen and the profile's region): the common EU and US regions. */
export const DEFAULT_SCAN_REGIONS: readonly string[] = ['eu-west-1', 'eu-west-2', 'eu-central-1', 'us-east-1', 'us-east-2', 'us-west-2'];

export interface DiscoverOptions {
  /** Defaults to the scope's region. */
  region?: string;
  /** Only these engines (default: every engine Jumpgate supports). */
  engines?: readonly DbEngine[];
  /** Local ports already used (other targets, other profiles): proposals skip them. */
  takenPorts?: Iterable<number>;
  /**
   * When the region has none, also look here (plus the scope's own region) so the
   * UI can name the region that has them. Default DEFAULT_SCAN_REGIONS; `false` = no scan.
   */
  scanRegions?: readonly string[] | false;
  /** Records per DescribeDB* page (RDS accepts 20-100; the server default is 100). */
  pageSize?: number;
  /** Where a region's listing comes from (the gateway's short-lived cache); default: ask RDS now. */
  listRegion?: (region: string) => Promise<RdsRegionListing>;
}

type Candidate = Omit<DiscoveredDatabase, 'proposedLocalPort'>;

interface RegionListing {
  databases: Candidate[];
  unsupported: UnsupportedDatabase[];
}

/** Drop undefined fields so results compare and serialize cleanly. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter((entry) => entry[1] !== undefined)) as T;
}

function fromCluster(cluster: DBCluster, engine: DbEngine, instances: Map<string, DBInstance>): Candidate {
  const members = (cluster.DBClusterMembers ?? [])
    .filter((member) => member.DBInstanceIdentifier)
    .map((member): DiscoveredClusterMember => {
      const identifier = member.DBInstanceIdentifier as string;
      const instance = instances.get(identifier);
      return compact({
        identifier,
        writer: member.IsClusterWriter === true,
        status: instance?.DBInstanceStatus,
        endpoint: endpointOf(instance?.Endpoint?.Address, instance?.Endpoint?.Port, engine),
      });
    })
    .sort((a, b) => Number(b.writer) - Number(a.writer) || a.identifier.localeCompare(b.identifier));
  return compact({
    kind: 'cluster' as const,
    identifier: cluster.DBClusterIdentifier as string,
    engine,
    engineVersion: cluster.EngineVersion,
    status: cluster.Status,
    endpoint: endpointOf(cluster.Endpoint, cluster.Port, engine),
    readerEndpoint: endpointOf(cluster.ReaderEndpoint, cluster.Port, engine),
    members,
    secretArn: cluster.MasterUserSecret?.SecretArn,
    masterUsername: cluster.MasterUsername,
    dbName: cluster.DatabaseName,
  });
}

function fromInstance(instance: DBInstance, engine: DbEngine): Candidate {
  return compact({
    kind: 'instance' as const,
    identifier: instance.DBInstanceIdentifier as string,
    engine,
    engineVersion: instance.EngineVersion,
    status: instance.DBInstanceStatus,
    endpoint: endpointOf(instance.Endpoint?.Address, instance.Endpoint?.Port, engine),
    clusterIdentifier: instance.DBClusterIdentifier,
    secretArn: instance.MasterUserSecret?.SecretArn,
    masterUsername: instance.MasterUsername,
    dbName: instance.DBName,
  });
}

/** Everything tunnel-able in one region (both calls, every page), before ports are proposed. */
async function listRegion(clients: AwsClients, region: string, options: DiscoverOptions): Promise<RegionListing> {
  const { instances, clusters } = options.listRegion
    ? await options.listRegion(region)
    : await listRegionDatabases(clients, region, options.pageSize);
  const wanted = (engine: DbEngine | undefined): engine is DbEngine =>
    engine !== undefined && (!options.engines || options.engines.includes(engine));
  const byIdentifier = new Map(instances.filter((i) => i.DBInstanceIdentifier).map((i) => [i.DBInstanceIdentifier as string, i]));
  const databases: Candidate[] = [];
  const unsupported: UnsupportedDatabase[] = [];
  const listedClusters = new Set<string>();

  for (const cluster of clusters) {
    if (!cluster.DBClusterIdentifier) continue;
    listedClusters.add(cluster.DBClusterIdentifier);
    const engine = normalizeEngine(cluster.Engine);
    if (engine === undefined) {
      unsupported.push({ kind: 'cluster', identifier: cluster.DBClusterIdentifier, engine: cluster.Engine ?? 'unknown' });
    } else if (wanted(engine)) {
      databases.push(fromCluster(cluster, engine, byIdentifier));
    }
  }
  for (const instance of instances) {
    if (!instance.DBInstanceIdentifier) continue;
    // Cluster members are reached through the cluster's endpoints (kept as its `members`).
    if (instance.DBClusterIdentifier && listedClusters.has(instance.DBClusterIdentifier)) continue;
    const engine = normalizeEngine(instance.Engine);
    if (engine === undefined) {
      unsupported.push({ kind: 'instance', identifier: instance.DBInstanceIdentifier, engine: instance.Engine ?? 'unknown' });
    } else if (wanted(engine)) {
      databases.push(fromInstance(instance, engine));
    }
  }
  const byName = (a: { identifier: string; kind: string }, b: { identifier: string; kind: string }) =>
    a.identifier.localeCompare(b.identifier) || a.kind.localeCompare(b.kind);
  return { databases: databases.sort(byName), unsupported: unsupported.sort(byName) };
}

/**
 * Propose local ports by the team's convention: MySQL family 13306, 13307, ...;
 * PostgreSQL family 15432, 15433, ...; in the given (identifier) order, skipping
 * taken ports. Stable: the same list and taken ports give the same proposal.
 */
export function proposeLocalPorts<T extends { engine: DbEngine }>(
  databases: readonly T[],
  takenPorts: Iterable<number> = [],
): Array<T & { proposedLocalPort: number }> {
  const taken = new Set(takenPorts);
  return databases.map((database) => {
    const port = proposeLocalPort(database.engine, taken);
    taken.add(port);
    return { ...database, proposedLocalPort: port };
  });
}

/**
 * Regions (of those given) that have databases Jumpgate can tunnel to, with how
 * many. Regions that cannot be checked (opt-in regions not enabled, SCPs that
 * deny a region) are reported apart rather than failing the whole scan.
 */
export async function findRegionsWithDatabases(
  clients: AwsClients,
  regions: readonly string[],
  options: Pick<DiscoverOptions, 'engines' | 'pageSize' | 'listRegion'> = {},
): Promise<{ checked: string[]; found: RegionCount[]; notChecked: Array<{ region: string; code: string }> }> {
  const unique = [...new Set(regions)];
  const outcomes = await Promise.allSettled(unique.map((region) => listRegion(clients, region, options)));
  const checked: string[] = [];
  const found: RegionCount[] = [];
  const notChecked: Array<{ region: string; code: string }> = [];
  outcomes.forEach((outcome, index) => {
    const region = unique[index] as string;
    if (outcome.status === 'rejected') {
      const scope = { ...clients.scope, region };
      notChecked.push({ region, code: classifyAwsError(outcome.reason, { action: 'rds:DescribeDBInstances', scope }).code });
      return;
    }
    checked.push(region);
    if (outcome.value.databases.length > 0) found.push({ region, count: outcome.value.databases.length });
  });
  return { checked, found, notChecked };
}

function noneNote(region: string, options: DiscoverOptions, listing: RegionListing, lookedIn: string[], found: RegionCount[]): string {
  const which = options.engines ? `${options.engines.join('/')} ` : '';
  const parts = [`No ${which}RDS databases in ${region} (looked in ${lookedIn.join(', ')}).`];
  if (found.length > 0) {
    parts.push(`Databases found in: ${found.map((entry) => `${entry.region} (${entry.count})`).join(', ')}.`);
  }
  if (listing.unsupported.length > 0) {
    const engines = [...new Set(listing.unsupported.map((entry) => entry.engine))].join(', ');
    parts.push(`${listing.unsupported.length} database(s) with engines Jumpgate cannot tunnel to were skipped (${engines}).`);
  }
  if (found.length === 0) {
    parts.push('Check the region and AWS profile of this Jumpgate profile.');
  }
  return parts.join(' ');
}

/**
 * The databases in a region as tunnel targets: DescribeDBInstances and
 * DescribeDBClusters, every page. Clusters are targets (writer and reader
 * endpoints) with their instances as `members`; standalone instances are
 * targets; engines Jumpgate cannot tunnel to are listed in `unsupported`.
 * Each target gets a proposed local port by convention.
 *
 * When the region has none, a short list of other regions is scanned so the
 * user reads "No RDS databases in eu-west-2 (looked in ...). Databases found in:
 * eu-west-1 (2)." instead of an empty list. Failures in the chosen region are
 * coded errors (AWS_CREDENTIALS_*, AWS_ACCESS_DENIED naming the action, ...);
 * failures in scanned regions only land in `notChecked`.
 */
export async function discoverDatabases(clients: AwsClients, options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const region = options.region ?? clients.scope.region;
  const listing = await listRegion(clients, region, options);
  const result: DiscoveryResult = {
    region,
    databases: proposeLocalPorts(listing.databases, options.takenPorts),
    unsupported: listing.unsupported,
    lookedIn: [region],
    foundIn: [],
    notChecked: [],
  };
  if (result.databases.length > 0) return result;

  if (options.scanRegions !== false) {
    const others = [clients.scope.region, ...(options.scanRegions ?? DEFAULT_SCAN_REGIONS)].filter((other) => other !== region);
    const scan = await findRegionsWithDatabases(clients, others, options);
    result.lookedIn.push(...scan.checked);
    result.foundIn = scan.found;
    result.notChecked = scan.notChecked;
  }
  result.note = noneNote(region, options, listing, result.lookedIn, result.foundIn);
  return result;
}

function notFound(what: string, identifier: string, region: string, hint: string): JumpgateError {
  return new JumpgateError('AWS_NOT_FOUND', `There is no RDS ${what} "${identifier}" in ${region}.`, {
    hint,
    details: { identifier, region },
  });
}

function unresolved(what: string, identifier: string, status: string | undefined): JumpgateError {
  return new JumpgateError('ENDPOINT_UNRESOLVED', `RDS has no ${what} for "${identifier}" yet (status: ${status ?? 'unknown'}).`, {
    hint: 'Wait until the database is available in the RDS console, then connect again.',
    details: { identifier, status: status ?? 'unknown' },
  });
}

/**
 * The current host:port of an RDS target, looked up at connect time so a
 * restored, renamed or failed-over endpoint is followed. `instance` reads the
 * instance endpoint; `cluster-writer` / `cluster-reader` the cluster's.
 * A missing identifier is AWS_NOT_FOUND, with a hint that points at the
 * other kind when the identifier exists as a cluster (or instance) instead.
 */
export async function resolveEndpoint(
  clients: AwsClients,
  target: Pick<Extract<DbRemote, { kind: 'rds' }>, 'identifier' | 'endpoint'>,
  options: { region?: string } = {},
): Promise<RdsEndpoint> {
  const region = options.region ?? clients.scope.region;
  const { identifier } = target;
  if (target.endpoint === 'instance') {
    const instance = await describeInstance(clients, identifier, region);
    if (!instance) {
      const cluster = await describeCluster(clients, identifier, region).catch(() => undefined);
      throw notFound(
        'instance',
        identifier,
        region,
        cluster
          ? `"${identifier}" is a cluster: set this target's endpoint to the cluster writer or reader.`
          : `Check the identifier and the region (${region}) of this profile, or discover the databases again.`,
      );
    }
    const endpoint = endpointOf(instance.Endpoint?.Address, instance.Endpoint?.Port, normalizeEngine(instance.Engine) ?? 'mysql');
    if (!endpoint) throw unresolved('endpoint', identifier, instance.DBInstanceStatus);
    return endpoint;
  }

  const cluster = await describeCluster(clients, identifier, region);
  if (!cluster) {
    const instance = await describeInstance(clients, identifier, region).catch(() => undefined);
    throw notFound(
      'cluster',
      identifier,
      region,
      instance
        ? `"${identifier}" is an instance, not a cluster: set this target's endpoint to the instance endpoint.`
        : `Check the identifier and the region (${region}) of this profile, or discover the databases again.`,
    );
  }
  const reader = target.endpoint === 'cluster-reader';
  const endpoint = endpointOf(reader ? cluster.ReaderEndpoint : cluster.Endpoint, cluster.Port, normalizeEngine(cluster.Engine) ?? 'mysql');
  if (!endpoint) throw unresolved(reader ? 'reader endpoint' : 'writer endpoint', identifier, cluster.Status);
  return endpoint;
}

/**
 * The discovered database a saved target points at: by RDS identifier (an
 * instance, a cluster, or one of a cluster's members, which answers with its
 * cluster), or for a host target by any address RDS publishes for it (writer,
 * reader or a member's own endpoint).
 */
export function databaseBehind(databases: readonly DiscoveredDatabase[], remote: DbRemote): DiscoveredDatabase | undefined {
  return databases.find((db) =>
    remote.kind === 'rds'
      ? db.identifier === remote.identifier || db.members?.some((member) => member.identifier === remote.identifier)
      : [db.endpoint, db.readerEndpoint, ...(db.members ?? []).map((member) => member.endpoint)].some((endpoint) => endpoint?.host === remote.host),
  );
}
