import type { TunnelState } from './tunnelState';

/** One word for many tunnels: what the tray icon and a profile's status dot show. */
export type AggregateStatus = 'none' | 'open' | 'partial' | 'reconnecting' | 'failed';

/**
 * Worst news first: any failed -> failed; any reconnecting -> reconnecting;
 * nothing open or starting -> none; every state open -> open; otherwise partial
 * (some open, others starting, idle or stopped). Callers choose which states
 * count: a profile passes all its targets, the tray only the tunnels in use.
 */
export function aggregateStatus(states: readonly TunnelState[]): AggregateStatus {
  if (states.some((state) => state.status === 'failed')) return 'failed';
  if (states.some((state) => state.status === 'reconnecting')) return 'reconnecting';
  const live = states.filter((state) => state.status === 'open' || state.status === 'connecting');
  if (live.length === 0) return 'none';
  return states.every((state) => state.status === 'open') ? 'open' : 'partial';
}
