import type { EventChannel } from '../../../shared/channels';
import type { EventListener, EventOf, UnnumberedEventOf } from '../../../shared/contract';

/**
 * The core's one event bus. It stamps each event with the next sequence number
 * of its channel, so a front end can take a snapshot (which reports the channel's
 * `seqOf` at that instant) and apply only the events numbered after it. Every
 * domain emits through here; none keeps a counter of its own.
 */
export class EventBus {
  private readonly seqs = new Map<EventChannel, number>();
  private readonly listeners = new Set<EventListener>();

  /** `onListenerError` hears a listener that threw (default: its message on stderr, never the payload). */
  constructor(private readonly onListenerError: (channel: EventChannel, error: unknown) => void = reportListenerError) {}

  /** The number of the last event sent on `channel` (0 before the first). */
  seqOf(channel: EventChannel): number {
    return this.seqs.get(channel) ?? 0;
  }

  emit<E extends EventChannel>(channel: E, payload: UnnumberedEventOf<E>): void {
    const seq = this.seqOf(channel) + 1;
    this.seqs.set(channel, seq);
    const event = { ...payload, seq } as EventOf<E>;
    // A copy: a listener may unsubscribe itself (or another) while we deliver.
    for (const listener of [...this.listeners]) {
      try {
        (listener as (channel: E, payload: EventOf<E>) => void)(channel, event);
      } catch (error) {
        // One broken listener (a closed window, a dead socket) must not starve the others
        // or unwind into the emitter (a tunnel's state machine).
        this.onListenerError(channel, error);
      }
    }
  }

  /** Every event on every channel; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The events of one channel, typed; returns the unsubscribe function. */
  on<E extends EventChannel>(channel: E, listener: (payload: EventOf<E>) => void): () => void {
    return this.subscribe((name, payload) => {
      if (name === channel) listener(payload as EventOf<E>);
    });
  }
}

function reportListenerError(channel: EventChannel, error: unknown): void {
  console.error(`jumpgate: a ${channel} listener failed: ${error instanceof Error ? error.message : 'unknown error'}`);
}
