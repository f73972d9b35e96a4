import type { Writable } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { SSH2_STOCK_WINDOW, type ChannelCredit } from './ssh2ChannelWindow';

/**
 * Receive windows that grow with the link (issue #14). ssh2 gives every channel a fixed 2 MiB
 * window refilled at half, so a download moves at most 1-2 MiB per round trip: half of
 * `ssh -L` at 50 ms. Here each tunnel channel starts where ssh2 starts and, the way TCP receive
 * autotuning (Linux's dynamic right-sizing) and HPN-SSH do it, grows its window while the
 * local client takes at least half a window per round trip (so the window, not the link or the
 * client, is what limits it), up to a per-channel cap; and it refills as soon as a quarter of
 * the window (or 512 KiB of a grown one) is used, not at half. Every byte of window is drawn
 * from one budget for the whole process, so however many channels are open the bytes the server
 * may still send plus the bytes arrived and not yet taken by the local client never exceed the
 * budget. A client that stops reading stops its channel's refills: the channel never holds
 * more than its window for it.
 */

export interface WindowLimits {
  /** Where a channel starts: ssh2's own window. */
  initial: number;
  /** The most one channel's window grows to. */
  cap: number;
  /** Unread bytes (granted and not arrived, or arrived and not taken by the local client) for the whole process. */
  budget: number;
}

const MiB = 1024 * 1024;

/**
 * 16 MiB per channel covers a 1 Gbit/s link at 100 ms (12.5 MB in flight). 64 MiB for the
 * process: the engine's own 60 MB beside it stays near its memory target (128 MB under 500
 * connections) even if every client stopped reading, and 32 idle pooled connections (each keeps
 * the 2 MiB it opened with: granted window cannot be taken back) still leave nothing short.
 * (32 MiB measured the same at 50 ms: 80-89 MB/s single stream and peak RSS 126-143 MB at 500
 * connections, against 85 MB/s and 125-144 MB at 64 MiB.)
 */
export const DEFAULT_WINDOW_LIMITS: WindowLimits = { initial: SSH2_STOCK_WINDOW, cap: 16 * MiB, budget: 64 * MiB };

/** Never refill by less than this (one SSH packet): a window adjust costs a packet of its own. */
const MIN_REFILL = 32 * 1024;
/**
 * Every channel keeps at least this (two packets) of window, even with the budget spent. Granted
 * window cannot be taken back, so idle pooled connections keep the credit they opened with; a
 * budget they had used up entirely would leave a new connection unable to receive even its
 * database's greeting. The bound is therefore the budget plus at most this much per channel
 * (500 channels: 31 MiB more), reached only when the budget is spent.
 */
export const OPEN_FLOOR = 2 * MIN_REFILL;
/**
 * Refill once this share of the window is used (ssh2 waits for half), or REFILL_STEP_MAX,
 * whichever is less: a grown window is topped up in steps of 16 packets (OpenSSH refills every
 * three), not a quarter of 16 MiB at once, so the jump box gets credit as the client takes bytes
 * rather than 4 MiB at a time, which it sends as one burst the link's queue must take whole.
 * Behind a 1 Gbit link (downloads timed in 10 ms slices as bench/timeline.ts does, medians of
 * 8-10, alternating): at 10 ms 110-113 MB/s with a quarter, 115 with the step, 117-119 with an
 * eighth of every window; at 50 ms 93-94 with an eighth, 97 with the step. An eighth of a 2 MiB
 * window cost loopback 4-8 % (more adjust messages for sshd and the engine, in four runs of four);
 * the step leaves a 2 MiB window at a quarter.
 */
const REFILL_FRACTION = 1 / 4;
const REFILL_STEP_MAX = 512 * 1024;
/** Windows grow only while this share of the budget is free: the rest is kept for new channels. */
const GROWTH_HEADROOM = 1 / 4;
/**
 * A round trip is never taken as shorter than this. Not more: on loopback (0.2-0.5 ms) a window
 * must not grow, since it never limits there and larger windows only hold more memory.
 */
const MIN_RTT_MS = 0.05;
/**
 * Delivery is measured over at least this long before a window may grow. Over a round trip of a
 * millisecond or two (loopback, a LAN) the event loop's batches read as bursts far above the
 * sustained rate, and windows grew where they never limit: 4-6 MiB in a loopback test judged
 * against a 1-3 ms open, which let the jump box keep a loopback TCP leg full into 200 ms stalls.
 * Above 50 ms the round trip itself is the epoch, as before.
 */
const MIN_EPOCH_MS = 50;

/** The process's unread bytes: every channel's grants are taken from it and given back as the client reads. */
export class WindowBudget {
  private inUse = 0;
  private highest = 0;
  private overdrawn = 0;
  private readonly waiting = new Set<() => void>();
  private wakeQueued = false;
  /** The channels drawing from this budget now: what a test (or a stats view) can look into. */
  readonly windows = new Set<ReceiveWindow>();

  constructor(readonly limits: WindowLimits) {}

  get total(): number {
    return this.limits.budget;
  }

  /** Bytes held now (at least what every channel may still receive plus what it has not delivered). */
  get reserved(): number {
    return this.inUse;
  }

  /** The most ever held at once: a test's proof that the budget held. */
  get peakReserved(): number {
    return this.highest;
  }

  get free(): number {
    return Math.max(0, this.limits.budget - this.inUse);
  }

  /**
   * The most one channel may hold while `channels` share the budget: with a few channels each
   * may grow to its cap; with hundreds, each gets its part, so early channels cannot starve
   * later ones. Never below two packets, so every channel keeps moving.
   */
  fairShare(channels = this.windows.size): number {
    return Math.max(OPEN_FLOOR, Math.floor(this.limits.budget / Math.max(1, channels)));
  }

  /**
   * Up to `wanted` bytes, as much as is free; and at least `floor` (a channel's OPEN_FLOOR
   * less what it holds) even past the budget, so a channel always keeps two packets' worth.
   */
  take(wanted: number, floor = 0): number {
    const free = Math.max(0, Math.min(wanted, this.free));
    const granted = Math.max(free, Math.min(wanted, floor));
    this.overdrawn += granted - free;
    this.inUse += granted;
    this.highest = Math.max(this.highest, this.inUse);
    return granted;
  }

  /** Bytes granted past the budget so far, all channels together, to keep their floor. */
  get overdrawnTotal(): number {
    return this.overdrawn;
  }

  give(bytes: number): void {
    if (bytes <= 0) return;
    this.inUse -= bytes;
    if (this.waiting.size === 0 || this.wakeQueued || this.free < MIN_REFILL) return;
    // Channels that could not be refilled try again once the current event is done, first come
    // first served and only as many as the freed bytes can serve: waking all of them on every
    // give costs hundreds of calls per packet under 500 connections.
    this.wakeQueued = true;
    queueMicrotask(() => {
      this.wakeQueued = false;
      for (const retry of this.waiting) {
        if (this.free < MIN_REFILL) break;
        this.waiting.delete(retry);
        retry();
      }
    });
  }

  /** Call `retry` once bytes come back, after those waiting before it; returns the cancel. */
  whenFree(retry: () => void): () => void {
    this.waiting.add(retry);
    return () => this.waiting.delete(retry);
  }
}

/** One process-wide budget, as the issue asks: every pool in the engine draws from it unless a test injects its own. */
export const processWindowBudget = new WindowBudget(DEFAULT_WINDOW_LIMITS);

/** A channel's receive window under our control: refilled from the budget as its local client reads. */
export class ReceiveWindow {
  private windowSize: number;
  /** Taken from the budget; always at least what the server may still send plus what we have not delivered. */
  private held: number;
  private received = 0;
  /** When the current round of growth measurement began: at the first byte, not the open (the request has to travel first). */
  private epochStartedAt: number | undefined;
  private epochDelivered = 0;
  private sink: Writable | undefined;
  private cancelWait: (() => void) | undefined;
  private disposed = false;
  private readonly rttMs: number;

  /**
   * `granted` is the window the channel was opened with (already taken from `budget`);
   * `openMs` the round trip a window is judged against: the quickest channel open on the
   * connection so far, this one's included (jumpHostConnection.ts says why not this one's alone).
   * `now` is the clock growth is timed by (a test's own, or performance.now).
   */
  constructor(
    private readonly channel: ClientChannel,
    private readonly credit: ChannelCredit,
    private readonly budget: WindowBudget,
    granted: number,
    openMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.windowSize = budget.limits.initial;
    this.held = granted;
    this.rttMs = Math.max(MIN_RTT_MS, openMs);
    budget.windows.add(this);
    channel.once('close', () => this.dispose());
  }

  /** The channel's window now: its allowance of bytes in flight plus bytes not yet delivered. */
  get size(): number {
    return this.windowSize;
  }

  /** Bytes the server may still send: granted and not arrived yet. */
  get inFlight(): number {
    return Math.max(0, this.credit.outstanding);
  }

  /** Bytes arrived from the server and not yet taken by the local client (the channel's and the sink's buffers). */
  get buffered(): number {
    return this.channel.readableLength + (this.sink?.writableLength ?? 0);
  }

  /**
   * Start refilling for `sink`, the local client's socket the channel is piped into: call after
   * the pipe, so a chunk is in the sink's buffer (or delivered) when its 'data' is seen here.
   */
  attach(sink: Writable): void {
    this.sink = sink;
    this.channel.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      this.grow();
      this.refill();
    });
    sink.on('drain', () => this.refill());
    this.refill();
  }

  /** Give the channel's bytes back to the budget; no more refills. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.budget.windows.delete(this);
    this.cancelWait?.();
    this.budget.give(this.held);
    this.held = 0;
  }

  /**
   * Grow the window when the client took at least half of it in a round trip (measured over at
   * least MIN_EPOCH_MS): the window is what limits the channel then. It grows to four times what
   * was taken (at least double), so a window-limited channel reaches a 16 MiB cap from 2 MiB in
   * two round trips; a link-limited one settles below four bandwidth-delay products; a client
   * that stops reading takes nothing and grows nothing.
   *
   * Where the round trip is the epoch (MIN_EPOCH_MS or more), a whole window taken before the
   * round trip is over is proof enough, and the window grows at once, to four times the window
   * (what the round trip's end would have shown at least): the first 2 MiB of a download cross
   * a 1 Gbit link in 17 ms, and waiting out the rest of a 50 ms round trip before asking for
   * more left every download a round trip later at full rate. Not on shorter round trips: there
   * a window's worth can arrive in one event-loop batch after a busy moment, which proves nothing.
   */
  private grow(): void {
    const now = this.now();
    if (this.epochStartedAt === undefined) {
      this.epochStartedAt = now;
      return;
    }
    const elapsed = now - this.epochStartedAt;
    const roundTripOver = elapsed >= Math.max(this.rttMs, MIN_EPOCH_MS);
    // This runs for every chunk: below a 50 ms round trip nothing is looked at before the epoch ends.
    if (!roundTripOver && this.rttMs < MIN_EPOCH_MS) return;
    const delivered = this.received - this.buffered;
    const taken = delivered - this.epochDelivered;
    if (!roundTripOver && taken < this.windowSize) return;
    // Early, the round trip delivers at least the window: no rate is extrapolated from a burst.
    const perRoundTrip = roundTripOver ? (taken * this.rttMs) / elapsed : taken;
    this.epochStartedAt = now;
    this.epochDelivered = delivered;
    const { cap, budget } = this.budget.limits;
    if (perRoundTrip * 2 >= this.windowSize && this.windowSize < cap && this.budget.free >= budget * GROWTH_HEADROOM) {
      this.windowSize = Math.min(cap, Math.max(this.windowSize * 2, Math.ceil(perRoundTrip * 4)));
    }
  }

  /** Top the server's allowance up to the window, less what we hold undelivered, from the budget. */
  private refill(): void {
    if (this.disposed) return;
    const inFlight = this.inFlight;
    const holding = inFlight + this.buffered;
    // What the client has taken since the last look goes back to the budget.
    if (holding < this.held) {
      this.budget.give(this.held - holding);
      this.held = holding;
    }
    // While the budget has room the window is the target; once it runs short, each channel its part.
    const target = this.budget.free >= this.windowSize ? this.windowSize : Math.min(this.windowSize, this.budget.fairShare());
    const wanted = target - holding;
    // Small top-ups would have the server send small packets (the silly window syndrome).
    if (wanted < Math.max(MIN_REFILL, Math.min(REFILL_STEP_MAX, target * REFILL_FRACTION))) return;
    const granted = this.budget.take(wanted, OPEN_FLOOR - holding);
    if (granted > 0) {
      this.held += granted;
      this.credit.grant(granted);
    }
    if (granted < wanted && !this.cancelWait) {
      this.cancelWait = this.budget.whenFree(() => {
        this.cancelWait = undefined;
        this.refill();
      });
    }
  }
}
