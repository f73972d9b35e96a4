import { create, type StoreApi } from 'zustand';
import type { JumpgateBridge } from '../../shared/bridge';
import type { EventOf, ResponseOf } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/model/errors';
import type { Profile } from '../../shared/model/profile';
import type { ConnectState } from './connect';
import type { FeedbackState } from './feedback';
import type { ProfilesState } from './profiles';
import { NOT_ASKED, remoteCall, type Remote } from './remoteCall';

export type Snapshot = ResponseOf<'aws:listSnapshots'>[number];
type Progress = EventOf<'aws:restoreProgress'>;

export type SnapshotList = Remote<Snapshot[]>;

/** One restore to a new database, from the click through the progress events to its deletion. */
export interface RestoreJob {
  profileId: string;
  /** The new database's identifier (what the user typed, as RDS stores it: lower case). */
  identifier: string;
  /** The target whose snapshot it came from; absent for a restore this window did not start. */
  sourceTargetId: string | undefined;
  snapshotIdentifier: string | undefined;
  phase: 'starting' | Progress['phase'] | 'failed' | 'deleting' | 'deleted';
  /** RDS's own status word, as last read. */
  status: string;
  elapsedMs: number;
  /** Status reads so far while it was being created. */
  polls: number;
  endpoint: { host: string; port: number } | undefined;
  error: ErrorInfo | undefined;
  /** The target added to tunnel to this copy. */
  tunnelTargetId: string | undefined;
  /** When RDS created it, for a copy found again rather than restored in this window. */
  createdAt?: string;
}

export interface RollbackState {
  seq: number;
  /** The target the screen lists snapshots for, per profile. */
  selected: Record<string, string>;
  /** By `profileId/targetId`. */
  snapshots: Record<string, SnapshotList>;
  /** By `profileId/identifier`, oldest first. */
  restores: Record<string, RestoreJob>;
  /** Subscribe to restore progress once, for the window's life. Returns the unsubscribe. */
  init(): () => void;
  select(profileId: string, targetId: string): void;
  listSnapshots(ref: { profileId: string; targetId: string }): Promise<void>;
  restore(ref: { profileId: string; targetId: string }, snapshot: Snapshot, newIdentifier: string): Promise<void>;
  /** Add a target for the restored copy (if there is none yet) and connect it through the usual connect flow. */
  tunnelTo(profileId: string, identifier: string): Promise<void>;
  /** Copies restored earlier (any window, any machine): each becomes a card to tunnel to or delete. */
  findCopies(profile: Profile): Promise<void>;
  /** What the last search for restored copies found, per profile: a count, or its error. */
  found: Record<string, { count: number } | { error: ErrorInfo }>;
  /** Forget a restore that failed (the card goes; AWS is not asked anything). */
  dismiss(profileId: string, identifier: string): void;
  /** Delete a restored copy (the user typed its identifier) and the targets that pointed at it. */
  deleteCopy(profileId: string, identifier: string, confirmIdentifier: string): Promise<void>;
}

export const restoreKey = (profileId: string, identifier: string): string => `${profileId}/${identifier}`;
export const snapshotsKey = (ref: { profileId: string; targetId: string }): string => `${ref.profileId}/${ref.targetId}`;


/** A restore just asked for (or first heard of from an event): nothing known yet but its name. */
function newJob(profileId: string, identifier: string): RestoreJob {
  return {
    profileId,
    identifier,
    sourceTargetId: undefined,
    snapshotIdentifier: undefined,
    phase: 'starting',
    status: '',
    elapsedMs: 0,
    polls: 0,
    endpoint: undefined,
    error: undefined,
    tunnelTargetId: undefined,
  };
}

/**
 * Rollback work per profile: snapshot lists, restores in flight (fed by the
 * service's aws:restoreProgress events, numbered; only newer ones apply) and
 * what happened to each copy afterwards.
 */
export interface RollbackDeps {
  profiles: StoreApi<ProfilesState>;
  connect: StoreApi<ConnectState>;
  feedback: StoreApi<FeedbackState>;
}

export function createRollbackStore(bridge: JumpgateBridge, { profiles, connect, feedback }: RollbackDeps) {
  const listSnapshots = remoteCall(bridge, 'aws:listSnapshots');
  const restoreSnapshot = remoteCall(bridge, 'aws:restoreSnapshot');
  const listRestored = remoteCall(bridge, 'aws:listRestored');
  const deleteRestored = remoteCall(bridge, 'aws:deleteRestored');
  const addCopyTarget = remoteCall(bridge, 'profiles:addRestoredCopyTarget');
  const profileById = (profileId: string): Profile | undefined => profiles.getState().profiles.find((profile) => profile.id === profileId);

  return create<RollbackState>()((set, get) => {
    const patchJob = (key: string, change: Partial<RestoreJob>): void => {
      const job = get().restores[key];
      if (job) set({ restores: { ...get().restores, [key]: { ...job, ...change } } });
    };

    const apply = (event: Progress): void => {
      if (event.seq <= get().seq) return;
      const key = restoreKey(event.profileId, event.identifier);
      const job: RestoreJob = get().restores[key] ?? newJob(event.profileId, event.identifier);
      set({
        seq: event.seq,
        restores: {
          ...get().restores,
          [key]: {
            ...job,
            phase: event.phase,
            status: event.status,
            elapsedMs: event.elapsedMs,
            polls: job.polls + (event.phase === 'creating' ? 1 : 0),
            endpoint: event.endpoint ?? job.endpoint,
          },
        },
      });
    };

    return {
      seq: 0,
      selected: {},
      snapshots: {},
      restores: {},
      found: {},
      init: () => bridge.on('aws:restoreProgress', apply),
      select: (profileId, targetId) => set({ selected: { ...get().selected, [profileId]: targetId } }),

      listSnapshots: async (ref) => {
        const key = snapshotsKey(ref);
        feedback.getState().clear();
        await listSnapshots.track(key, ref, (change) => set({ snapshots: { ...get().snapshots, [key]: { ...(get().snapshots[key] ?? NOT_ASKED), ...change } } }));
      },

      restore: async (ref, snapshot, newIdentifier) => {
        feedback.getState().clear();
        const identifier = newIdentifier.toLowerCase();
        const key = restoreKey(ref.profileId, identifier);
        set({
          restores: {
            ...get().restores,
            [key]: { ...newJob(ref.profileId, identifier), sourceTargetId: ref.targetId, snapshotIdentifier: snapshot.identifier },
          },
        });
        const reply = await restoreSnapshot.send({ ...ref, snapshot: { kind: snapshot.kind, identifier: snapshot.identifier }, newIdentifier });
        if (reply.ok) patchJob(key, { phase: 'available', status: 'available', endpoint: reply.value.endpoint });
        else patchJob(key, { phase: 'failed', error: reply.error });
      },

      tunnelTo: async (profileId, identifier) => {
        const key = restoreKey(profileId, identifier);
        const job = get().restores[key];
        const profile = profileById(profileId);
        if (!job || !profile) return;
        let targetId = job.tunnelTargetId && profile.targets.some((target) => target.id === job.tunnelTargetId) ? job.tunnelTargetId : undefined;
        if (!targetId) {
          // One request: the service makes the target from the one the copy was restored from (or finds the one that exists).
          const added = await addCopyTarget.send({
            profileId,
            revision: profiles.getState().revisions[profileId] ?? 0,
            identifier,
            sourceTargetId: job.sourceTargetId ?? '',
          });
          if (!added.ok) {
            feedback.getState().showError(added.error);
            return;
          }
          targetId = added.value.targetId;
          patchJob(key, { tunnelTargetId: targetId });
        }
        await connect.getState().connect({ profileId, targetId });
      },

      findCopies: async (profile) => {
        const reply = await listRestored.send({ profileId: profile.id });
        if (!reply.ok) {
          set({ found: { ...get().found, [profile.id]: { error: reply.error } } });
          return;
        }
        const restores = { ...get().restores };
        for (const copy of reply.value) {
          const key = restoreKey(profile.id, copy.identifier);
          const known = restores[key];
          if (known && known.phase !== 'deleted') continue;
          // The target it was restored from, and one that already tunnels to it, when the profile has them.
          const source = profile.targets.find((target) => target.remote.kind === 'rds' && target.remote.identifier === copy.sourceIdentifier);
          const tunnel = profile.targets.find((target) => target.remote.kind === 'rds' && target.remote.identifier === copy.identifier);
          restores[key] = {
            ...newJob(profile.id, copy.identifier),
            sourceTargetId: source?.id,
            snapshotIdentifier: copy.snapshotIdentifier,
            phase: copy.status === 'available' ? 'available' : copy.status === 'deleting' ? 'deleting' : 'requested',
            status: copy.status,
            endpoint: copy.endpoint,
            tunnelTargetId: tunnel?.id,
            ...(copy.createdAt ? { createdAt: copy.createdAt } : {}),
          };
        }
        set({ restores, found: { ...get().found, [profile.id]: { count: reply.value.length } } });
      },
      dismiss: (profileId, identifier) => {
        const { [restoreKey(profileId, identifier)]: _gone, ...rest } = get().restores;
        set({ restores: rest });
      },

      deleteCopy: async (profileId, identifier, confirmIdentifier) => {
        feedback.getState().clear();
        const key = restoreKey(profileId, identifier);
        patchJob(key, { phase: 'deleting', error: undefined });
        const reply = await deleteRestored.send({ profileId, identifier, confirmIdentifier });
        if (!reply.ok) {
          patchJob(key, { phase: 'available', error: reply.error });
          return;
        }
        patchJob(key, { phase: 'deleted', tunnelTargetId: undefined });
        // The service removed the targets that pointed at the copy (their tunnels closed first) in the same request.
        const removed = reply.value.removedTargets;
        feedback.getState().showNotice(
          `Deleted the restored copy ${identifier}${removed.length > 0 ? ` and its target ${removed.map((target) => target.name).join(', ')}` : ''}.`,
        );
      },
    };
  });
}
