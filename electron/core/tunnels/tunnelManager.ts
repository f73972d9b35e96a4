import { JumpgateError } from '../../../shared/model/errors';
import type { TunnelSnapshot, TunnelSnapshotEntry, TunnelState, TunnelStateEvent } from '../../../shared/model/tunnelState';
import type { JumpHostPool } from '../ssh/jumpHostPool';
import { Tunnel, type TunnelSpec } from './tunnel';

export interface TunnelManagerOptions {
  pool: JumpHostPool;
  /** Every state change, numbered. Also sent for counter refreshes while open. */
  onEvent: (event: TunnelStateEvent) => void;
  now?: () => number;
  holdTimeoutMs?: number;
  verifyEndpoint?: boolean;
  /** How often open tunnels report fresh byte counters (only when they changed). 0 disables. */
  statsIntervalMs?: number;
}

/**
 * The single owner of every tunnel: a keyed map, state emitted with a global
 * sequence number, and `dispose()` that the app awaits on quit.
 */
export class TunnelManager {
  private readonly tunnels = new Map<string, Tunnel>();
  private seq = 0;
  private readonly lastReported = new Map<string, string>();
  private readonly statsTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: TunnelManagerOptions) {
    this.now = options.now ?? Date.now;
    const interval = options.statsIntervalMs ?? 1000;
    if (interval > 0) {
      this.statsTimer = setInterval(() => this.reportCounters(), interval);
      this.statsTimer.unref();
    }
  }

  /** Start a tunnel; resolves with its entry once open, rejects with a coded error (state `failed`). */
  async start(spec: TunnelSpec): Promise<TunnelSnapshotEntry> {
    const existing = this.tunnels.get(spec.id);
    if (existing?.active) {
      throw new JumpgateError('TUNNEL_EXISTS', `Tunnel "${spec.id}" is already running on port ${existing.spec.localPort}.`, {
        hint: 'Disconnect it first, or connect a different target.',
      });
    }
    const tunnel = new Tunnel(spec, {
      pool: this.options.pool,
      now: this.now,
      holdTimeoutMs: this.options.holdTimeoutMs ?? 30_000,
      verifyEndpoint: this.options.verifyEndpoint ?? true,
      onState: (state) => this.emit(spec.id, tunnel, state),
    });
    this.tunnels.set(spec.id, tunnel);
    await tunnel.start();
    return { id: spec.id, endpoint: tunnel.endpoint, state: tunnel.state };
  }

  async stop(id: string): Promise<void> {
    const tunnel = this.tunnels.get(id);
    if (!tunnel) {
      throw new JumpgateError('TUNNEL_NOT_FOUND', `There is no tunnel "${id}".`, { hint: 'Refresh the list of tunnels.' });
    }
    await tunnel.stop();
  }

  /** Retry the tunnel's jump host connection now instead of after its backoff (a no-op while it is up). */
  retryNow(id: string): void {
    const tunnel = this.tunnels.get(id);
    if (!tunnel) {
      throw new JumpgateError('TUNNEL_NOT_FOUND', `There is no tunnel "${id}".`, { hint: 'Refresh the list of tunnels.' });
    }
    tunnel.retryNow();
  }

  get(id: string): TunnelSnapshotEntry | undefined {
    const tunnel = this.tunnels.get(id);
    return tunnel && { id, endpoint: tunnel.endpoint, state: tunnel.state };
  }

  /** Everything now, with the seq to resume events from. */
  snapshot(): TunnelSnapshot {
    return {
      seq: this.seq,
      tunnels: [...this.tunnels.entries()].map(([id, tunnel]) => ({ id, endpoint: tunnel.endpoint, state: tunnel.state })),
    };
  }

  /** Stop every tunnel (ports freed, jump hosts released); the manager stays usable. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.tunnels.values()].map((tunnel) => tunnel.stop()));
  }

  async dispose(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
    await this.stopAll();
  }

  private emit(tunnelId: string, tunnel: Tunnel, state: TunnelState): void {
    this.seq += 1;
    this.lastReported.set(tunnelId, JSON.stringify(state));
    this.options.onEvent({ seq: this.seq, tunnelId, endpoint: tunnel.endpoint, state });
  }

  private reportCounters(): void {
    for (const [id, tunnel] of this.tunnels) {
      const state = tunnel.state;
      if (state.status !== 'open' && state.status !== 'reconnecting') continue;
      if (this.lastReported.get(id) !== JSON.stringify(state)) this.emit(id, tunnel, state);
    }
  }
}
