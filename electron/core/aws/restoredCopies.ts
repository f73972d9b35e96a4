import type { AwsClients } from './awsClients';
import { loadRds } from './awsSdkModules';
import { endpointOf, listRegionDatabases, type RdsRegionListing } from './rdsLookup';
import { restoredFrom, type Endpoint, type SnapshotKind } from './snapshots';

/** A database Jumpgate restored from a snapshot, found again by its tag: what the Rollback screen can tunnel to or delete. */
export interface FoundCopy {
  kind: SnapshotKind;
  /** What deleteRestoredCopy takes: the instance, or the cluster for Aurora. */
  identifier: string;
  snapshotIdentifier: string;
  /** The database the snapshot was taken of, when the snapshot still exists to say so. */
  sourceIdentifier?: string;
  engine: string;
  status: string;
  endpoint?: Endpoint;
  createdAt?: string;
}

/**
 * Every copy restored by Jumpgate in the region, from any window or machine:
 * instances and Aurora clusters carrying the jumpgate:restored-from tag (an
 * Aurora copy's instances are listed through their cluster, not twice).
 * `listing` is the region as already read (the gateway reads it once and
 * shares it with discovery); without it the region is listed now.
 */
export async function findRestoredCopies(clients: AwsClients, region?: string, listing?: RdsRegionListing): Promise<FoundCopy[]> {
  const { instances, clusters } = listing ?? (await listRegionDatabases(clients, region));
  const copies: FoundCopy[] = [];
  for (const instance of instances) {
    const snapshot = restoredFrom(instance.TagList);
    if (!snapshot || instance.DBClusterIdentifier || !instance.DBInstanceIdentifier) continue;
    const endpoint = endpointOf(instance.Endpoint?.Address, instance.Endpoint?.Port, instance.Engine);
    copies.push({
      kind: 'instance',
      identifier: instance.DBInstanceIdentifier,
      snapshotIdentifier: snapshot,
      engine: instance.Engine ?? '',
      status: instance.DBInstanceStatus ?? 'unknown',
      ...(endpoint ? { endpoint } : {}),
      ...(instance.InstanceCreateTime ? { createdAt: new Date(instance.InstanceCreateTime).toISOString() } : {}),
    });
  }
  for (const cluster of clusters) {
    const snapshot = restoredFrom(cluster.TagList);
    if (!snapshot || !cluster.DBClusterIdentifier) continue;
    const endpoint = endpointOf(cluster.Endpoint, cluster.Port, cluster.Engine);
    copies.push({
      kind: 'cluster',
      identifier: cluster.DBClusterIdentifier,
      snapshotIdentifier: snapshot,
      engine: cluster.Engine ?? '',
      status: cluster.Status ?? 'unknown',
      ...(endpoint ? { endpoint } : {}),
      ...(cluster.ClusterCreateTime ? { createdAt: new Date(cluster.ClusterCreateTime).toISOString() } : {}),
    });
  }
  // Which database each copy came from: asked once per snapshot; a snapshot deleted since leaves it unknown.
  const sources = new Map<string, string | undefined>();
  for (const copy of copies) {
    const key = `${copy.kind}:${copy.snapshotIdentifier}`;
    if (!sources.has(key)) sources.set(key, await sourceOf(clients, copy.kind, copy.snapshotIdentifier, region));
    const source = sources.get(key);
    if (source) copy.sourceIdentifier = source;
  }
  return copies.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.identifier.localeCompare(b.identifier));
}

async function sourceOf(clients: AwsClients, kind: SnapshotKind, snapshot: string, region?: string): Promise<string | undefined> {
  try {
    if (kind === 'cluster') {
      const { DescribeDBClusterSnapshotsCommand } = await loadRds();
      const answer = await clients.rds(region).send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: snapshot }));
      return answer.DBClusterSnapshots?.[0]?.DBClusterIdentifier;
    }
    const { DescribeDBSnapshotsCommand } = await loadRds();
    const answer = await clients.rds(region).send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshot }));
    return answer.DBSnapshots?.[0]?.DBInstanceIdentifier;
  } catch {
    // Gone, or not ours to read: the copy is still listed, its origin just unknown.
    return undefined;
  }
}
