/**
 * A pool of one kind of peer server (moto, MariaDB, PostgreSQL) that the shared
 * rig lends to test files one at a time. A returned peer is reset before anyone
 * else gets it, so a file sees what a freshly started server would show it; a
 * peer whose reset fails is stopped and never lent again. At most as many
 * servers exist as files held one at once, so a serial run starts one of each.
 */
export interface Pooled<T> {
  /** What the borrowing test file is told (addresses, credentials). */
  readonly info: T;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export class PeerPool<T> {
  private readonly idle: Pooled<T>[] = [];
  private readonly live = new Set<Pooled<T>>();
  private readonly starting = new Set<Promise<unknown>>();
  private readonly returning = new Set<Promise<void>>();
  private closed = false;
  /** How many servers this pool started (for the run's summary line). */
  started = 0;

  constructor(private readonly start: () => Promise<Pooled<T>>) {}

  async take(): Promise<Pooled<T>> {
    // A peer being reset is moments from ready: waiting for it beats starting another server.
    while (this.idle.length === 0 && this.returning.size > 0) await Promise.race(this.returning);
    if (this.closed) throw new Error('the shared rig is shutting down');
    const ready = this.idle.pop();
    if (ready) return ready;
    const starting = this.start();
    this.starting.add(starting);
    try {
      const peer = await starting;
      this.started += 1;
      this.live.add(peer);
      if (this.closed) {
        await this.discard(peer);
        throw new Error('the shared rig is shutting down');
      }
      return peer;
    } finally {
      this.starting.delete(starting);
    }
  }

  /** Take a lent peer back; resolves at once, the reset runs behind it. */
  give(peer: Pooled<T>): void {
    const returning = peer.reset().then(
      () => {
        if (this.closed) return this.discard(peer);
        this.idle.push(peer);
        return undefined;
      },
      (error: unknown) => {
        console.warn(`shared rig: a peer failed its reset and is stopped: ${error instanceof Error ? error.message : String(error)}`);
        return this.discard(peer);
      },
    );
    this.returning.add(returning);
    void returning.finally(() => this.returning.delete(returning));
  }

  /** Stop every server this pool started, lent or not, once starts and resets in flight have settled. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.starting, ...this.returning]);
    await Promise.allSettled([...this.live].map((peer) => this.discard(peer)));
    this.idle.length = 0;
  }

  private async discard(peer: Pooled<T>): Promise<void> {
    this.live.delete(peer);
    await peer.stop();
  }
}
