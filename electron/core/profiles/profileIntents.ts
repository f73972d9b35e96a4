import { JumpgateError } from '../../../shared/model/errors';
import { uniqueSlug } from '../../../shared/model/ids';
import { proposeLocalPort, takenLocalPorts } from '../../../shared/model/localPorts';
import type { DbTarget, Profile } from '../../../shared/model/profile';

/**
 * The changes a front end may ask of one profile, each a pure function from the
 * saved profile to the next one. The store runs them under its revision check
 * and validates the result; front ends never assemble them out of several writes.
 */

/** Refuse a local port another profile's target already listens on (the schema sees only one profile). */
function assertPortFree(localPort: number, others: readonly Profile[]): void {
  const holder = others.find((profile) => profile.targets.some((target) => target.localPort === localPort));
  if (holder) {
    throw new JumpgateError('PROFILE_INVALID', `Local port ${localPort} is already used by profile ${holder.name}.`, {
      hint: 'Pick another local port for this target.',
    });
  }
}

/** The profile's target `targetId`, or TARGET_NOT_FOUND naming the targets it does have. */
export function findTarget(profile: Profile, targetId: string): DbTarget {
  const target = profile.targets.find((entry) => entry.id === targetId);
  if (!target) {
    throw new JumpgateError('TARGET_NOT_FOUND', `Profile "${profile.name}" has no target "${targetId}".`, {
      hint: `Its targets are: ${profile.targets.map((entry) => entry.id).join(', ') || 'none'}.`,
    });
  }
  return target;
}

export function withTargetAdded(profile: Profile, target: DbTarget, others: readonly Profile[]): Profile {
  assertPortFree(target.localPort, others);
  return { ...profile, targets: [...profile.targets, target] };
}

export function withTargetReplaced(profile: Profile, target: DbTarget, others: readonly Profile[]): Profile {
  findTarget(profile, target.id);
  assertPortFree(target.localPort, others);
  return { ...profile, targets: profile.targets.map((entry) => (entry.id === target.id ? target : entry)) };
}

export function withTargetsRemoved(profile: Profile, targetIds: readonly string[]): Profile {
  for (const targetId of targetIds) findTarget(profile, targetId);
  const gone = new Set(targetIds);
  return { ...profile, targets: profile.targets.filter((target) => !gone.has(target.id)) };
}

export function renamed(profile: Profile, name: string): Profile {
  return { ...profile, name };
}

/**
 * The jump box login uses this key from now on; hops of a ProxyJump that logged
 * in the same way as the jump box follow it, hops with their own login keep theirs.
 */
export function withKeyAttached(profile: Profile, keyPath: string): Profile {
  const auth = { kind: 'key' as const, keyPath };
  const before = JSON.stringify(profile.jumpHost.auth);
  const via = profile.jumpHost.via.map((hop) => (JSON.stringify(hop.auth) === before ? { ...hop, auth } : hop));
  return { ...profile, jumpHost: { ...profile.jumpHost, auth, via } };
}

/** The targets of a profile that tunnel to the RDS database (or cluster) called `identifier`. */
export function targetsPointingAt(profile: Profile, identifier: string): DbTarget[] {
  return profile.targets.filter((target) => target.remote.kind === 'rds' && target.remote.identifier === identifier);
}

/**
 * A target for a restored copy: the source target's engine, database, user and
 * password source, the copy's own identifier (resolved by RDS at connect, so it
 * follows the copy and never the production database), and the next free
 * local port of the engine's family. A copy of an Aurora cluster is a cluster
 * with one writer: its target uses the cluster's writer endpoint, whichever of
 * the source's endpoints it was restored from.
 */
export function targetForRestoredCopy(source: DbTarget, identifier: string, profile: Profile, allProfiles: readonly Profile[]): DbTarget {
  return {
    id: uniqueSlug(identifier, new Set(profile.targets.map((target) => target.id)), 'restored'),
    name: `${identifier} (restored copy of ${source.name})`.slice(0, 100),
    engine: source.engine,
    remote: { kind: 'rds', identifier, endpoint: source.remote.kind === 'rds' && source.remote.endpoint !== 'instance' ? 'cluster-writer' : 'instance' },
    localPort: proposeLocalPort(source.engine, takenLocalPorts(allProfiles)),
    ...(source.database ? { database: source.database } : {}),
    ...(source.username ? { username: source.username } : {}),
    secret: source.secret,
  };
}

/**
 * The profile with a target for the restored copy `identifier`, made from the
 * target it was restored from; unchanged if a target already tunnels to the copy.
 */
export function withRestoredCopyTarget(profile: Profile, identifier: string, sourceTargetId: string, others: readonly Profile[]): { profile: Profile; targetId: string } {
  const existing = targetsPointingAt(profile, identifier)[0];
  if (existing) return { profile, targetId: existing.id };
  const source = profile.targets.find((target) => target.id === sourceTargetId);
  if (!source) {
    throw new JumpgateError('TARGET_NOT_FOUND', `Jumpgate does not know which target of ${profile.name} ${identifier} was restored from.`, {
      hint: `Add ${identifier} from the Endpoints tab instead.`,
    });
  }
  const target = targetForRestoredCopy(source, identifier, profile, [profile, ...others]);
  return { profile: withTargetAdded(profile, target, others), targetId: target.id };
}
