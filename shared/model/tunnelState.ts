import type { ErrorInfo } from './errors';

/**
 * Runtime state of one tunnel. A discriminated union: each status carries only
 * the fields that make sense for it. Never stored with the saved config.
 */
export type TunnelState =
  | { status: 'idle' }
  | { status: 'connecting'; localPort: number; since: number }
  | ({
      status: 'open';
      localPort: number;
      openedAt: number;
      /** Set when the latest client could not be forwarded (endpoint refused); cleared by the next success. */
      lastForwardError?: ErrorInfo;
      /** Epoch ms since when no client has been connected; absent while one is. Drives idle auto-close. */
      idleSince?: number;
    } & TunnelCounters)
  | ({
      status: 'reconnecting';
      localPort: number;
      attempt: number;
      /** Epoch ms of the next attempt. */
      nextRetryAt: number;
      lastError: ErrorInfo;
    } & TunnelCounters)
  | { status: 'failed'; error: ErrorInfo; failedAt: number }
  | { status: 'stopped'; stoppedAt: number };

export type TunnelStatus = TunnelState['status'];

/** Holding its local port: open, on the way there, or coming back. Failed, stopped and idle tunnels hold nothing. */
export function isLive(state: Pick<TunnelState, 'status'>): boolean {
  return state.status === 'open' || state.status === 'connecting' || state.status === 'reconnecting';
}

export interface TunnelCounters {
  /** Bytes from the database to local clients. */
  bytesIn: number;
  /** Bytes from local clients to the database. */
  bytesOut: number;
  activeConnections: number;
  totalConnections: number;
}

/** What a tunnel forwards, shown beside its state. */
export interface TunnelEndpoint {
  localHost: '127.0.0.1';
  localPort: number;
  remoteHost: string;
  remotePort: number;
  /** The jump host's pool key (user@host:port). */
  jumpHost: string;
}

export interface TunnelSnapshotEntry {
  id: string;
  endpoint: TunnelEndpoint;
  state: TunnelState;
}

/** One numbered state change, with what the tunnel forwards. `seq` increases by one per event, across all tunnels. */
export interface TunnelStateEvent {
  seq: number;
  tunnelId: string;
  endpoint: TunnelEndpoint;
  state: TunnelState;
}

/** Everything at one instant; apply only events with a greater `seq`. */
export interface TunnelSnapshot {
  seq: number;
  tunnels: TunnelSnapshotEntry[];
}
