import type { TunnelState } from '../../../shared/model/tunnelState';
import type { Scheduler } from '../secrets/clipboardGuard';

export interface IdleCloserOptions {
  scheduler: Scheduler;
  /** The tunnel's idle limit in minutes; 0 means never close it for being idle. */
  limitMinutesFor(tunnelId: string): number;
  /** Close the tunnel; called once its idle time has run out. */
  close(tunnelId: string): void;
}

/**
 * Closes tunnels nobody has used for a while, so a forgotten tunnel to
 * production does not stay open all week. Fed the tunnel state events: an open
 * tunnel with no client carries `idleSince`, and its deadline is idleSince plus
 * the profile's limit; a client arriving (no `idleSince`) or the tunnel leaving
 * `open` cancels it.
 */
export class IdleCloser {
  private readonly timers = new Map<string, { deadline: number; handle: unknown }>();

  constructor(private readonly options: IdleCloserOptions) {}

  /** The deadline the tunnel is counting down to, if it is. */
  deadlineOf(tunnelId: string): number | undefined {
    return this.timers.get(tunnelId)?.deadline;
  }

  observe(tunnelId: string, state: TunnelState): void {
    const limitMs = this.options.limitMinutesFor(tunnelId) * 60_000;
    const deadline = state.status === 'open' && state.idleSince !== undefined && limitMs > 0 ? state.idleSince + limitMs : undefined;
    const current = this.timers.get(tunnelId);
    if (current?.deadline === deadline) return;
    if (current) {
      this.options.scheduler.clearTimeout(current.handle);
      this.timers.delete(tunnelId);
    }
    if (deadline === undefined) return;
    const handle = this.options.scheduler.setTimeout(
      () => {
        this.timers.delete(tunnelId);
        this.options.close(tunnelId);
      },
      Math.max(0, deadline - this.options.scheduler.now()),
    );
    this.timers.set(tunnelId, { deadline, handle });
  }

  dispose(): void {
    for (const { handle } of this.timers.values()) this.options.scheduler.clearTimeout(handle);
    this.timers.clear();
  }
}
