import { setTimeout as sleepTimer } from 'node:timers/promises';
import type { DBClusterSnapshot, DBSnapshot, Tag } from '@aws-sdk/client-rds';
import { JumpgateError } from '../../../shared/model/errors';
import type { AwsClients, AwsScope } from './awsClients';
import { awsCall, classifyAwsError, errorName, isMissingResource, type AwsCallContext } from './awsErrors';
import { loadRds } from './awsSdkModules';
import { describeCluster, describeInstance, endpointOf, everyRdsPage, type RdsEndpoint } from './rdsLookup';

/**
 * Snapshots for rollback work (issue #3 part 5): list a target's snapshots,
 * restore one to a NEW instance or cluster the user names, follow the restore
 * until it is available, and delete such a copy again - only a copy Jumpgate
 * made, only on a confirmation that names it exactly.
 *
 * The source database is never written to: every call against it is a Describe.
 */

/** Set on everything Jumpgate restores; its value is the snapshot the copy came from. */
export const RESTORED_FROM_TAG = 'jumpgate:restored-from';

export type SnapshotKind = 'instance' | 'cluster';

/** What identifies a snapshot for a restore; a SnapshotSummary is one. */
export interface SnapshotRef {
  kind: SnapshotKind;
  identifier: string;
}

export interface SnapshotSummary extends SnapshotRef {
  /** The DB instance (kind 'instance') or cluster (kind 'cluster') it was taken of. */
  sourceIdentifier: string;
  /** ISO 8601; absent while AWS is still taking the snapshot. */
  createdAt?: string;
  status: string;
  engine: string;
  engineVersion?: string;
  /** Allocated storage in GiB as RDS reports it. */
  sizeGiB?: number;
  /** "manual", "automated", ... */
  type?: string;
  encrypted?: boolean;
}

export type SnapshotTarget = { instanceIdentifier: string } | { clusterIdentifier: string };

export type Endpoint = RdsEndpoint;

export type RestorePhase = 'requested' | 'creating' | 'available';

export interface RestoreProgress {
  phase: RestorePhase;
  /** The identifier being restored (the new instance, or the new cluster for Aurora). */
  identifier: string;
  /** RDS status as last read ("creating", "backing-up", "available", ...). */
  status: string;
  /** Since the restore was requested, on the injected clock. */
  elapsedMs: number;
  /** Present once available. */
  endpoint?: Endpoint;
}

/** Waiting on AWS: injected so tests never wait and the app can cancel on quit. */
export interface PollOptions {
  /** Between status reads; default 15 s (RDS restores take minutes). */
  pollIntervalMs?: number;
  /** Give up waiting (the work goes on in AWS) after this long; default 2 h. */
  maxDurationMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  signal?: AbortSignal;
}

export interface RestoreOptions extends PollOptions {
  snapshot: SnapshotRef;
  newIdentifier: string;
  onProgress?: (event: RestoreProgress) => void;
  /**
   * Instance class of the copy. Default: for an instance snapshot, the class the
   * snapshot recorded (RDS's own default); for Aurora, the source writer's class.
   */
  instanceClass?: string;
  region?: string;
}

export interface RestoredCopy {
  kind: SnapshotKind;
  /** The new instance, or the new cluster for Aurora: what deleteRestoredCopy takes. */
  identifier: string;
  /** The instance that serves connections (for Aurora, the cluster's writer). */
  instanceIdentifier: string;
  snapshotIdentifier: string;
  sourceIdentifier: string;
  engine: string;
  /** Where a new tunnel target points (for Aurora, the cluster writer endpoint). */
  endpoint: Endpoint;
}

export interface DeleteOptions extends PollOptions {
  identifier: string;
  /** Must equal `identifier` exactly, as the user typed it. */
  confirmIdentifier: string;
  /** Default: an instance of that name if there is one, else a cluster. */
  kind?: SnapshotKind;
  region?: string;
}

export interface DeleteResult {
  deleted: Array<{ kind: SnapshotKind; identifier: string }>;
}

const DEFAULT_POLL_INTERVAL_MS = 15_000;
const DEFAULT_MAX_DURATION_MS = 2 * 60 * 60 * 1000;

/** States a restore does not come back from by waiting. */
const FAILED_STATES = new Set([
  'failed',
  'deleting',
  'restore-error',
  'incompatible-restore',
  'incompatible-network',
  'incompatible-parameters',
  'incompatible-option-group',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'storage-full',
]);

const IDENTIFIER_RULE =
  '1-63 letters, digits or hyphens, starting with a letter, with no two hyphens in a row and no hyphen at the end';

/**
 * RDS identifier rules for DB instances and clusters; BAD_REQUEST naming the
 * rule otherwise. Returns the identifier in the lower case RDS stores it in.
 */
export function validateDbIdentifier(identifier: string, what = 'identifier'): string {
  const ok =
    identifier.length >= 1 &&
    identifier.length <= 63 &&
    /^[a-zA-Z][a-zA-Z0-9-]*$/.test(identifier) &&
    !identifier.includes('--') &&
    !identifier.endsWith('-');
  if (!ok) {
    throw new JumpgateError('BAD_REQUEST', `"${identifier.slice(0, 80)}" is not a valid RDS ${what}.`, {
      hint: `Use ${IDENTIFIER_RULE}.`,
      details: { rule: IDENTIFIER_RULE },
    });
  }
  return identifier.toLowerCase();
}

/** An RDS call about one named thing: `resource` names it in a not-found error ("DB snapshot orders-2024-01-01"). */
type RdsContext = AwsCallContext & { resource: string };

function scopeFor(clients: AwsClients, region: string | undefined): AwsScope {
  return region ? { ...clients.scope, region } : clients.scope;
}

function toSummary(kind: 'instance', snapshot: DBSnapshot): SnapshotSummary;
function toSummary(kind: 'cluster', snapshot: DBClusterSnapshot): SnapshotSummary;
function toSummary(kind: SnapshotKind, snapshot: DBSnapshot | DBClusterSnapshot): SnapshotSummary {
  const instance = kind === 'instance' ? (snapshot as DBSnapshot) : undefined;
  const cluster = kind === 'cluster' ? (snapshot as DBClusterSnapshot) : undefined;
  const summary: SnapshotSummary = {
    kind,
    identifier: instance?.DBSnapshotIdentifier ?? cluster?.DBClusterSnapshotIdentifier ?? '',
    sourceIdentifier: instance?.DBInstanceIdentifier ?? cluster?.DBClusterIdentifier ?? '',
    status: snapshot.Status ?? 'unknown',
    engine: snapshot.Engine ?? '',
  };
  if (snapshot.SnapshotCreateTime) summary.createdAt = new Date(snapshot.SnapshotCreateTime).toISOString();
  if (snapshot.EngineVersion) summary.engineVersion = snapshot.EngineVersion;
  if (snapshot.AllocatedStorage !== undefined) summary.sizeGiB = snapshot.AllocatedStorage;
  if (snapshot.SnapshotType) summary.type = snapshot.SnapshotType;
  const encrypted = instance ? instance.Encrypted : cluster?.StorageEncrypted;
  if (encrypted !== undefined) summary.encrypted = encrypted;
  return summary;
}

/**
 * The manual and automated snapshots of one DB instance or Aurora cluster,
 * every page, newest first. Snapshots still being taken have no creation time
 * yet; they are the newest of all and come first.
 */
export async function listSnapshots(
  clients: AwsClients,
  target: SnapshotTarget & { region?: string },
): Promise<SnapshotSummary[]> {
  const scope = scopeFor(clients, target.region);
  const summaries: SnapshotSummary[] = [];
  if ('clusterIdentifier' in target) {
    const cluster = validateDbIdentifier(target.clusterIdentifier, 'cluster identifier');
    await awsCall({ action: 'rds:DescribeDBClusterSnapshots', scope, resource: `snapshots of cluster ${cluster}` }, async () => {
      const { DescribeDBClusterSnapshotsCommand } = await loadRds();
      const pages = await everyRdsPage((Marker) => clients.rds(target.region).send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: cluster, Marker })));
      for (const snapshot of pages.flatMap((page) => page.DBClusterSnapshots ?? [])) summaries.push(toSummary('cluster', snapshot));
    });
  } else {
    const instance = validateDbIdentifier(target.instanceIdentifier, 'instance identifier');
    await awsCall({ action: 'rds:DescribeDBSnapshots', scope, resource: `snapshots of instance ${instance}` }, async () => {
      const { DescribeDBSnapshotsCommand } = await loadRds();
      const pages = await everyRdsPage((Marker) => clients.rds(target.region).send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: instance, Marker })));
      for (const snapshot of pages.flatMap((page) => page.DBSnapshots ?? [])) summaries.push(toSummary('instance', snapshot));
    });
  }
  const time = (summary: SnapshotSummary) => (summary.createdAt ? Date.parse(summary.createdAt) : Number.POSITIVE_INFINITY);
  return summaries.sort((a, b) => time(b) - time(a) || a.identifier.localeCompare(b.identifier));
}

/** The snapshot a copy was restored from, read from the tag restoreSnapshot puts on it; undefined if Jumpgate did not make it. */
export function restoredFrom(tags: Tag[] | undefined): string | undefined {
  const value = tags?.find((tag) => tag.Key === RESTORED_FROM_TAG)?.Value;
  return value ? value : undefined;
}

function isDefaultGroup(name: string | undefined): boolean {
  return !name || name.startsWith('default.') || name === 'default';
}

interface Poller {
  started: number;
  elapsed(): number;
  /** Sleep one interval, or throw once the maximum duration is used up. */
  wait(onTimeout: () => JumpgateError): Promise<void>;
}

function poller(options: PollOptions): Poller {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => sleepTimer(ms, undefined, signal ? { signal } : {}));
  const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const maxDuration = options.maxDurationMs ?? DEFAULT_MAX_DURATION_MS;
  if (!(interval > 0) || !(maxDuration > 0)) {
    throw new JumpgateError('BAD_REQUEST', 'The poll interval and the maximum wait must be positive.');
  }
  const started = now();
  return {
    started,
    elapsed: () => now() - started,
    async wait(onTimeout) {
      if (options.signal?.aborted) throw options.signal.reason;
      const remaining = maxDuration - (now() - started);
      if (remaining <= 0) throw onTimeout();
      await sleep(Math.min(interval, remaining), options.signal);
      if (options.signal?.aborted) throw options.signal.reason;
    },
  };
}

function minutes(ms: number): string {
  const value = Math.round(ms / 60_000);
  return value === 1 ? '1 minute' : `${value} minutes`;
}

/**
 * Restore a snapshot to a new DB instance (or, for an Aurora cluster snapshot,
 * a new cluster plus one writer instance), tagged `jumpgate:restored-from`,
 * then poll until it is available, reporting progress. The copy gets the
 * source's subnet group, security groups and custom parameter group when the
 * source still exists (so the jump box reaches it the same way), is never
 * public and has no deletion protection. Returns where to connect.
 *
 * Refuses (BAD_REQUEST) a new identifier that breaks RDS's naming rule, names
 * the source, or already exists. When waiting runs out, the restore goes on in
 * AWS; the error says so.
 */
export async function restoreSnapshot(clients: AwsClients, options: RestoreOptions): Promise<RestoredCopy> {
  const newIdentifier = validateDbIdentifier(options.newIdentifier, 'name for the restored copy');
  const clock = poller(options);
  const emit = (event: Omit<RestoreProgress, 'elapsedMs' | 'identifier'>) =>
    options.onProgress?.({ ...event, identifier: newIdentifier, elapsedMs: clock.elapsed() });
  return options.snapshot.kind === 'cluster'
    ? restoreCluster(clients, options, newIdentifier, clock, emit)
    : restoreInstance(clients, options, newIdentifier, clock, emit);
}

type Emit = (event: Omit<RestoreProgress, 'elapsedMs' | 'identifier'>) => void;

function refuseSource(newIdentifier: string, source: string, kind: string): void {
  if (newIdentifier === source.toLowerCase()) {
    throw new JumpgateError('BAD_REQUEST', `"${newIdentifier}" is the ${kind} the snapshot was taken of.`, {
      hint: 'A restore always creates a new copy: choose a new name, e.g. ' + `${newIdentifier.slice(0, 50)}-restore.`,
    });
  }
}

function refuseExisting(newIdentifier: string, kind: string): never {
  throw new JumpgateError('BAD_REQUEST', `A DB ${kind} named "${newIdentifier}" already exists.`, {
    hint: 'Choose a name that is not in use: a restore never overwrites a database.',
  });
}

function timeoutError(identifier: string, status: string, elapsedMs: number): JumpgateError {
  return new JumpgateError('AWS_REQUEST_FAILED', `The restored copy ${identifier} is still "${status}" after ${minutes(elapsedMs)}.`, {
    hint: `The restore goes on in AWS. Refresh the database list later; ${identifier} appears as a target once it is available.`,
    details: { identifier, status },
  });
}

function failedError(identifier: string, status: string): JumpgateError {
  return new JumpgateError('AWS_REQUEST_FAILED', `The restore of ${identifier} stopped in status "${status}".`, {
    hint: `Open ${identifier} in the RDS console (Logs & events) for the cause, then delete the copy in Jumpgate.`,
    details: { identifier, status },
  });
}

async function restoreInstance(clients: AwsClients, options: RestoreOptions, newIdentifier: string, clock: Poller, emit: Emit): Promise<RestoredCopy> {
  const { DescribeDBSnapshotsCommand, RestoreDBInstanceFromDBSnapshotCommand } = await loadRds();
  const scope = scopeFor(clients, options.region);
  const rds = clients.rds(options.region);
  const snapshotId = options.snapshot.identifier;
  const snapshotContext: RdsContext = { action: 'rds:DescribeDBSnapshots', scope, resource: `DB snapshot ${snapshotId}` };

  const snapshot = (await awsCall(snapshotContext, () => rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId })))).DBSnapshots?.[0];
  if (!snapshot) throw classifyAwsError({ name: 'DBSnapshotNotFoundFault' }, snapshotContext);
  const sourceId = snapshot.DBInstanceIdentifier ?? '';
  refuseSource(newIdentifier, sourceId, 'DB instance');
  if (snapshot.Status !== 'available') {
    throw new JumpgateError('BAD_REQUEST', `The snapshot ${snapshotId} is "${snapshot.Status ?? 'unknown'}", not available yet.`, {
      hint: 'Wait until the snapshot shows "available", then restore it.',
    });
  }
  const instanceContext: RdsContext = { action: 'rds:DescribeDBInstances', scope, resource: `DB instance ${newIdentifier}` };
  if (await describeInstance(clients, newIdentifier, options.region)) refuseExisting(newIdentifier, 'instance');

  // Network placement from the source, if it still exists: without it RDS would
  // put the copy in the default VPC, where the jump box usually cannot reach it.
  const source = sourceId ? await describeInstance(clients, sourceId, options.region) : undefined;
  const securityGroups = (source?.VpcSecurityGroups ?? []).map((group) => group.VpcSecurityGroupId).filter((id): id is string => Boolean(id));
  const parameterGroup = source?.DBParameterGroups?.[0]?.DBParameterGroupName;

  const restored = await awsCall(
    {
      action: 'rds:RestoreDBInstanceFromDBSnapshot',
      scope,
      resource: `DB instance ${newIdentifier}`,
      deniedHint:
        `Ask your AWS administrator to allow rds:RestoreDBInstanceFromDBSnapshot and rds:AddTagsToResource for your role ` +
        `(to restore ${snapshotId} as ${newIdentifier}), or to restore it for you.`,
    },
    () =>
      rds.send(
        new RestoreDBInstanceFromDBSnapshotCommand({
          DBInstanceIdentifier: newIdentifier,
          DBSnapshotIdentifier: snapshotId,
          ...(options.instanceClass ? { DBInstanceClass: options.instanceClass } : {}),
          ...(source?.DBSubnetGroup?.DBSubnetGroupName ? { DBSubnetGroupName: source.DBSubnetGroup.DBSubnetGroupName } : {}),
          ...(securityGroups.length > 0 ? { VpcSecurityGroupIds: securityGroups } : {}),
          ...(!isDefaultGroup(parameterGroup) ? { DBParameterGroupName: parameterGroup } : {}),
          // A rollback copy of production data is reached through the jump box, never from the internet.
          PubliclyAccessible: false,
          MultiAZ: false,
          DeletionProtection: false,
          Tags: [{ Key: RESTORED_FROM_TAG, Value: snapshotId }],
        }),
      ),
  );
  emit({ phase: 'requested', status: restored.DBInstance?.DBInstanceStatus ?? 'creating' });

  let status = restored.DBInstance?.DBInstanceStatus ?? 'creating';
  for (;;) {
    await clock.wait(() => timeoutError(newIdentifier, status, clock.elapsed()));
    const instance = await describeInstance(clients, newIdentifier, options.region);
    if (!instance) throw classifyAwsError({ name: 'DBInstanceNotFoundFault' }, instanceContext);
    status = instance.DBInstanceStatus ?? 'unknown';
    if (FAILED_STATES.has(status)) throw failedError(newIdentifier, status);
    const endpoint = endpointOf(instance.Endpoint?.Address, instance.Endpoint?.Port, instance.Engine);
    if (status === 'available' && endpoint) {
      emit({ phase: 'available', status, endpoint });
      return {
        kind: 'instance',
        identifier: newIdentifier,
        instanceIdentifier: newIdentifier,
        snapshotIdentifier: snapshotId,
        sourceIdentifier: sourceId,
        engine: instance.Engine ?? snapshot.Engine ?? '',
        endpoint,
      };
    }
    emit({ phase: 'creating', status });
  }
}

/** Aurora: the cluster holds the data, an instance serves it; both are new and both are tagged. */
async function restoreCluster(clients: AwsClients, options: RestoreOptions, newIdentifier: string, clock: Poller, emit: Emit): Promise<RestoredCopy> {
  const { DescribeDBClusterSnapshotsCommand, RestoreDBClusterFromSnapshotCommand, CreateDBInstanceCommand } = await loadRds();
  const scope = scopeFor(clients, options.region);
  const rds = clients.rds(options.region);
  const snapshotId = options.snapshot.identifier;
  // The console's convention for a cluster's first instance.
  const writerId = validateDbIdentifier(`${newIdentifier}-instance-1`, 'name for the restored writer instance (name + "-instance-1")');
  const snapshotContext: RdsContext = { action: 'rds:DescribeDBClusterSnapshots', scope, resource: `DB cluster snapshot ${snapshotId}` };

  const snapshot = (
    await awsCall(snapshotContext, () => rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: snapshotId })))
  ).DBClusterSnapshots?.[0];
  if (!snapshot) throw classifyAwsError({ name: 'DBClusterSnapshotNotFoundFault' }, snapshotContext);
  const sourceId = snapshot.DBClusterIdentifier ?? '';
  refuseSource(newIdentifier, sourceId, 'DB cluster');
  if (snapshot.Status !== 'available') {
    throw new JumpgateError('BAD_REQUEST', `The snapshot ${snapshotId} is "${snapshot.Status ?? 'unknown'}", not available yet.`, {
      hint: 'Wait until the snapshot shows "available", then restore it.',
    });
  }
  const clusterContext: RdsContext = { action: 'rds:DescribeDBClusters', scope, resource: `DB cluster ${newIdentifier}` };
  const instanceContext: RdsContext = { action: 'rds:DescribeDBInstances', scope, resource: `DB instance ${writerId}` };
  if (await describeCluster(clients, newIdentifier, options.region)) refuseExisting(newIdentifier, 'cluster');
  if (await describeInstance(clients, writerId, options.region)) refuseExisting(writerId, 'instance');

  const source = sourceId ? await describeCluster(clients, sourceId, options.region) : undefined;
  const sourceWriterId = source?.DBClusterMembers?.find((member) => member.IsClusterWriter)?.DBInstanceIdentifier;
  const sourceWriter = sourceWriterId
    ? await describeInstance(clients, sourceWriterId, options.region)
    : undefined;
  const instanceClass = options.instanceClass ?? sourceWriter?.DBInstanceClass;
  if (!instanceClass) {
    throw new JumpgateError('BAD_REQUEST', `The cluster ${sourceId || 'of this snapshot'} no longer has a writer to copy the instance class from.`, {
      hint: 'Choose an instance class for the restored copy (for example db.r6g.large).',
    });
  }
  const securityGroups = (source?.VpcSecurityGroups ?? []).map((group) => group.VpcSecurityGroupId).filter((id): id is string => Boolean(id));
  const tags = [{ Key: RESTORED_FROM_TAG, Value: snapshotId }];
  const deniedHint =
    `Ask your AWS administrator to allow rds:RestoreDBClusterFromSnapshot, rds:CreateDBInstance and rds:AddTagsToResource ` +
    `for your role (to restore ${snapshotId} as ${newIdentifier}), or to restore it for you.`;

  const restored = await awsCall({ action: 'rds:RestoreDBClusterFromSnapshot', scope, resource: `DB cluster ${newIdentifier}`, deniedHint }, () =>
    rds.send(
      new RestoreDBClusterFromSnapshotCommand({
        DBClusterIdentifier: newIdentifier,
        SnapshotIdentifier: snapshotId,
        Engine: snapshot.Engine,
        // Without it RDS picks the region's default version, which may not accept this snapshot.
        ...(snapshot.EngineVersion ? { EngineVersion: snapshot.EngineVersion } : {}),
        ...(source?.DBSubnetGroup ? { DBSubnetGroupName: source.DBSubnetGroup } : {}),
        ...(securityGroups.length > 0 ? { VpcSecurityGroupIds: securityGroups } : {}),
        ...(!isDefaultGroup(source?.DBClusterParameterGroup) ? { DBClusterParameterGroupName: source?.DBClusterParameterGroup } : {}),
        ...(source?.ServerlessV2ScalingConfiguration?.MinCapacity !== undefined && source.ServerlessV2ScalingConfiguration.MaxCapacity !== undefined
          ? {
              ServerlessV2ScalingConfiguration: {
                MinCapacity: source.ServerlessV2ScalingConfiguration.MinCapacity,
                MaxCapacity: source.ServerlessV2ScalingConfiguration.MaxCapacity,
              },
            }
          : {}),
        DeletionProtection: false,
        Tags: tags,
      }),
    ),
  );
  const writerParameterGroup = sourceWriter?.DBParameterGroups?.[0]?.DBParameterGroupName;
  await awsCall({ action: 'rds:CreateDBInstance', scope, resource: `DB instance ${writerId}`, deniedHint }, () =>
    rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: writerId,
        DBClusterIdentifier: newIdentifier,
        Engine: snapshot.Engine,
        DBInstanceClass: instanceClass,
        ...(!isDefaultGroup(writerParameterGroup) ? { DBParameterGroupName: writerParameterGroup } : {}),
        PubliclyAccessible: false,
        Tags: tags,
      }),
    ),
  );
  let status = restored.DBCluster?.Status ?? 'creating';
  emit({ phase: 'requested', status });

  for (;;) {
    await clock.wait(() => timeoutError(newIdentifier, status, clock.elapsed()));
    const cluster = await describeCluster(clients, newIdentifier, options.region);
    if (!cluster) throw classifyAwsError({ name: 'DBClusterNotFoundFault' }, clusterContext);
    const writer = await describeInstance(clients, writerId, options.region);
    if (!writer) throw classifyAwsError({ name: 'DBInstanceNotFoundFault' }, instanceContext);
    const clusterStatus = cluster.Status ?? 'unknown';
    const writerStatus = writer.DBInstanceStatus ?? 'unknown';
    if (FAILED_STATES.has(clusterStatus)) throw failedError(newIdentifier, clusterStatus);
    if (FAILED_STATES.has(writerStatus)) throw failedError(writerId, writerStatus);
    // Report whichever of the two is behind.
    status = clusterStatus !== 'available' ? clusterStatus : writerStatus;
    const endpoint = endpointOf(cluster.Endpoint, cluster.Port, cluster.Engine);
    if (clusterStatus === 'available' && writerStatus === 'available' && endpoint) {
      emit({ phase: 'available', status: 'available', endpoint });
      return {
        kind: 'cluster',
        identifier: newIdentifier,
        instanceIdentifier: writerId,
        snapshotIdentifier: snapshotId,
        sourceIdentifier: sourceId,
        engine: cluster.Engine ?? snapshot.Engine ?? '',
        endpoint,
      };
    }
    emit({ phase: 'creating', status });
  }
}

function notRestoredByJumpgate(kind: string, identifier: string): JumpgateError {
  return new JumpgateError('BAD_REQUEST', `The DB ${kind} ${identifier} was not restored by Jumpgate, so Jumpgate will not delete it.`, {
    hint: `Jumpgate deletes only copies it restored (tagged ${RESTORED_FROM_TAG}). If ${identifier} really must go, delete it in the AWS console.`,
    details: { identifier },
  });
}

/**
 * Delete a copy that restoreSnapshot made. Refuses unless `confirmIdentifier`
 * is exactly `identifier`, and unless the instance (or the cluster and every
 * one of its instances) carries the jumpgate:restored-from tag: a database
 * Jumpgate did not create is never deleted here. No final snapshot is taken:
 * the copy's data is the snapshot it came from.
 */
export async function deleteRestoredCopy(clients: AwsClients, options: DeleteOptions): Promise<DeleteResult> {
  const { DeleteDBInstanceCommand, DeleteDBClusterCommand } = await loadRds();
  const { identifier } = options;
  if (options.confirmIdentifier !== identifier) {
    throw new JumpgateError('BAD_REQUEST', `The confirmation does not match "${identifier}".`, {
      hint: `Type the identifier ${identifier} exactly to confirm deleting it.`,
    });
  }
  const name = validateDbIdentifier(identifier, 'identifier');
  const scope = scopeFor(clients, options.region);
  const instanceContext: RdsContext = { action: 'rds:DescribeDBInstances', scope, resource: `DB instance ${name}` };

  if (options.kind !== 'cluster') {
    const instance = await describeInstance(clients, name, options.region);
    if (instance) {
      if (!restoredFrom(instance.TagList)) throw notRestoredByJumpgate('instance', name);
      if (instance.DBClusterIdentifier) {
        throw new JumpgateError('BAD_REQUEST', `${name} is an instance of the cluster ${instance.DBClusterIdentifier}.`, {
          hint: `Delete the restored cluster ${instance.DBClusterIdentifier} instead; its instances go with it.`,
        });
      }
      await awsCall(
        {
          action: 'rds:DeleteDBInstance',
          scope,
          resource: `DB instance ${name}`,
          deniedHint: `Ask your AWS administrator to delete the restored copy ${name} (or to allow rds:DeleteDBInstance for your role).`,
        },
        () => clients.rds(options.region).send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: name, SkipFinalSnapshot: true, DeleteAutomatedBackups: true })),
      );
      return { deleted: [{ kind: 'instance', identifier: name }] };
    }
    if (options.kind === 'instance') throw classifyAwsError({ name: 'DBInstanceNotFoundFault' }, instanceContext);
  }

  const cluster = await describeCluster(clients, name, options.region);
  if (!cluster) {
    throw new JumpgateError('AWS_NOT_FOUND', `No DB instance or cluster named ${name} was found in ${scope.region}.`, {
      hint: 'Refresh the list: it may already be deleted, or it lives in another region.',
    });
  }
  if (!restoredFrom(cluster.TagList)) throw notRestoredByJumpgate('cluster', name);
  // Check every member before deleting anything: all or nothing.
  const memberIds = (cluster.DBClusterMembers ?? []).map((member) => member.DBInstanceIdentifier).filter((id): id is string => Boolean(id));
  for (const memberId of memberIds) {
    const member = await describeInstance(clients, memberId, options.region);
    if (member && !restoredFrom(member.TagList)) {
      throw new JumpgateError('BAD_REQUEST', `The restored cluster ${name} also holds the instance ${memberId}, which Jumpgate did not create.`, {
        hint: `Delete ${memberId} in the AWS console first if it is no longer needed, then delete ${name} here.`,
      });
    }
  }
  const deniedHint = `Ask your AWS administrator to delete the restored cluster ${name} and its instances (or to allow rds:DeleteDBInstance and rds:DeleteDBCluster for your role).`;
  const deleted: DeleteResult['deleted'] = [];
  for (const memberId of memberIds) {
    try {
      // Aurora instances take no snapshot of their own; the cluster's is skipped below.
      await clients.rds(options.region).send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: memberId }));
    } catch (error) {
      // Already going (a second click, or deleted meanwhile) is what we want.
      if (!isMissingResource(error) && errorName(error) !== 'InvalidDBInstanceStateFault') {
        throw classifyAwsError(error, { action: 'rds:DeleteDBInstance', scope, resource: `DB instance ${memberId}`, deniedHint });
      }
    }
    deleted.push({ kind: 'instance', identifier: memberId });
  }

  // RDS refuses to delete a cluster while its instances are not yet deleting; retry on the injected clock.
  const clock = poller(options);
  for (;;) {
    try {
      await clients.rds(options.region).send(new DeleteDBClusterCommand({ DBClusterIdentifier: name, SkipFinalSnapshot: true }));
      break;
    } catch (error) {
      if (errorName(error) !== 'InvalidDBClusterStateFault') {
        throw classifyAwsError(error, { action: 'rds:DeleteDBCluster', scope, resource: `DB cluster ${name}`, deniedHint });
      }
      await clock.wait(
        () =>
          new JumpgateError('AWS_REQUEST_FAILED', `The cluster ${name} could not be deleted while its instances were still being deleted.`, {
            hint: `Its instances are being deleted; delete ${name} again in a few minutes.`,
          }),
      );
    }
  }
  deleted.push({ kind: 'cluster', identifier: name });
  return { deleted };
}
