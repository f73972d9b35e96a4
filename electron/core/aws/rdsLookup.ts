import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import { DEFAULT_DB_PORT, engineFamily, type DbEngine } from '../../../shared/model/profile';
import type { AwsClients } from './awsClients';
import { awsCall, classifyAwsError, isMissingResource, type AwsCallContext } from './awsErrors';
import { loadRds } from './awsSdkModules';

/**
 * The RDS reads every module shares: "the instance (or cluster) called X",
 * "everything in the region", and where such a database is reached. Discovery,
 * snapshots, restored copies and the gateway all read RDS through these.
 */

/** host:port as RDS publishes it (the jump box resolves the host inside the VPC). */
export interface RdsEndpoint {
  host: string;
  port: number;
}

/** Every instance and cluster of one region, as RDS describes them (every page). */
export interface RdsRegionListing {
  instances: DBInstance[];
  clusters: DBCluster[];
}

/**
 * Map RDS's engine names onto ours; undefined for engines we cannot tunnel to.
 * "aurora" is the pre-2.x name of Aurora MySQL (MySQL 5.6 compatible).
 */
export function normalizeEngine(engine: string | undefined): DbEngine | undefined {
  switch (engine) {
    case 'mysql':
    case 'mariadb':
    case 'postgres':
    case 'aurora-mysql':
    case 'aurora-postgresql':
      return engine;
    case 'aurora':
      return 'aurora-mysql';
    default:
      return undefined;
  }
}

/**
 * Where a database is reached, or undefined while RDS has no address for it
 * yet (creating). A missing port falls back to the engine family's default.
 */
export function endpointOf(host: string | undefined, port: number | undefined, engine: string | undefined): RdsEndpoint | undefined {
  if (!host) return undefined;
  const known = normalizeEngine(engine);
  const resolvedPort = port ?? (known ? DEFAULT_DB_PORT[engineFamily(known)] : undefined);
  return resolvedPort ? { host, port: resolvedPort } : undefined;
}

function contextFor(clients: AwsClients, region: string | undefined, action: string): AwsCallContext {
  return { action, scope: { ...clients.scope, region: region ?? clients.scope.region } };
}

/** The DB instance called `identifier`, or undefined when there is none; other failures are coded errors. */
export async function describeInstance(clients: AwsClients, identifier: string, region?: string): Promise<DBInstance | undefined> {
  try {
    const { DescribeDBInstancesCommand } = await loadRds();
    const reply = await clients.rds(region).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
    return reply.DBInstances?.[0];
  } catch (error) {
    if (isMissingResource(error)) return undefined;
    throw classifyAwsError(error, contextFor(clients, region, 'rds:DescribeDBInstances'));
  }
}

/** The DB cluster called `identifier`, or undefined when there is none; other failures are coded errors. */
export async function describeCluster(clients: AwsClients, identifier: string, region?: string): Promise<DBCluster | undefined> {
  try {
    const { DescribeDBClustersCommand } = await loadRds();
    const reply = await clients.rds(region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }));
    return reply.DBClusters?.[0];
  } catch (error) {
    if (isMissingResource(error)) return undefined;
    throw classifyAwsError(error, contextFor(clients, region, 'rds:DescribeDBClusters'));
  }
}

/**
 * Every page of an RDS Describe call, which pages by `Marker`. The SDK's own paginators insist on
 * a client made from the loaded module (an instanceof check), which the lazily loaded clients of
 * awsClients.ts are not; this is the same loop. A marker seen twice ends it rather than looping.
 */
export async function everyRdsPage<T extends { Marker?: string | undefined }>(fetch: (marker: string | undefined) => Promise<T>): Promise<T[]> {
  const pages: T[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    pages.push(page);
    marker = page.Marker;
    if (marker !== undefined && seen.has(marker)) break;
    if (marker !== undefined) seen.add(marker);
  } while (marker);
  return pages;
}

/** Every instance and cluster in the region: both calls at once, every page. */
export async function listRegionDatabases(clients: AwsClients, region?: string, pageSize?: number): Promise<RdsRegionListing> {
  const client = clients.rds(region);
  const { DescribeDBInstancesCommand, DescribeDBClustersCommand } = await loadRds();
  const size = pageSize ? { MaxRecords: pageSize } : {};
  const [instances, clusters] = await Promise.all([
    awsCall(contextFor(clients, region, 'rds:DescribeDBInstances'), async () =>
      (await everyRdsPage((Marker) => client.send(new DescribeDBInstancesCommand({ ...size, Marker })))).flatMap((page) => page.DBInstances ?? []),
    ),
    awsCall(contextFor(clients, region, 'rds:DescribeDBClusters'), async () =>
      (await everyRdsPage((Marker) => client.send(new DescribeDBClustersCommand({ ...size, Marker })))).flatMap((page) => page.DBClusters ?? []),
    ),
  ]);
  return { instances, clusters };
}
