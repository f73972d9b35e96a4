import type { DbTarget } from '../shared/model/profile';
import { formatBytes as bytes } from '../shared/format';
import type { TunnelState } from '../shared/model/tunnelState';

/** Whole seconds from now until `at`, never negative. */
export function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** A countdown as m:ss (or h:mm:ss past an hour). */
export function clock(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** One line for a tunnel's state, as the status column shows it. */
export function describeState(state: TunnelState, now: number): string {
  switch (state.status) {
    case 'open':
      return `open for ${Math.max(0, Math.round((now - state.openedAt) / 1000))} s · in ${bytes(state.bytesIn)} · out ${bytes(state.bytesOut)} · ${state.activeConnections} client(s)`;
    case 'reconnecting':
      return `reconnecting (attempt ${state.attempt}, next in ${secondsUntil(state.nextRetryAt, now)} s): ${state.lastError.message}`;
    case 'failed':
      return `failed: ${state.error.message}`;
    case 'connecting':
      return 'connecting…';
    default:
      return state.status;
  }
}

/** Where a target's database is, as the jump box sees it. */
export function describeRemote(target: DbTarget): string {
  if (target.remote.kind === 'host') return `${target.remote.host}:${target.remote.port}`;
  const which = target.remote.endpoint === 'instance' ? '' : ` (${target.remote.endpoint.replace('cluster-', 'cluster ')})`;
  return `RDS ${target.remote.identifier}${which}`;
}
