import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { v8Collector } from './v8Collector';

/**
 * Gives back the memory V8 kept from a burst of traffic once the process has gone quiet (issues
 * #14 and #17: a tray app or `jumpgate connect` holds its tunnels for hours after one large
 * dump). Under load V8 grows its young generation (up to two 16 MB semi-spaces in Node 22) and
 * its old-space pages, and returns them only in a memory-reducing collection. Its memory reducer
 * schedules one after a major collection; a tunnel that goes quiet after a transfer has often had
 * none late in the burst, so nothing comes and the pages stay. Measured in the benchmark's engine
 * after its load (`npm run bench -- --only memory,parallel --quick`): heapTotal 46 MB for 10 MB
 * used, unchanged 30 s later; one "last resort" collection (the one V8 runs before it gives up on
 * an allocation: it compacts and shrinks the young generation) took heapTotal to 9.9 MB and the
 * resident set from 121 to 104 MB. A plain full collection (`gc()`) gave back 2 MB.
 *
 * So: look every `intervalMs`; once the event loop has been nearly idle for `quietLooks` looks in
 * a row (no tunnel is moving data) and the heap holds at least `slackBytes` more than it uses, run
 * that collection once. It pauses the process for tens of milliseconds at a moment nothing is
 * waiting on it, and does not come again until the heap has grown again.
 *
 * What it costs: the next burst starts cold. The collection drops compiled code and the young
 * generation starts small again, so the first connections after it take more CPU (the bench's
 * new-connection loop, with a release between its sections: 0.95-1.00 ms of engine CPU per
 * connection against 0.50, first byte 0.78-0.84 ms against 0.69-0.71). That is why the process
 * must be quiet for half a minute, not one look: a user's queries a few seconds apart keep it
 * warm; a tunnel left open for the afternoon gives its memory back.
 */
export interface HeapReleaseOptions {
  intervalMs?: number;
  /** Consecutive quiet looks before a collection. */
  quietLooks?: number;
  /** Committed and unused heap (heapTotal - heapUsed) worth a collection. */
  slackBytes?: number;
  /** The event loop's busy share over an interval below which the process counts as quiet. */
  quietShare?: number;
  /** Told after each collection, with the heap before and after (for a log line or a test). */
  onRelease?: (before: HeapReading, after: HeapReading) => void;
}

export interface HeapReading {
  heapTotal: number;
  heapUsed: number;
}

/** What the decision reads and does, injectable so it can be tested without V8's timing. */
export interface HeapReleaseProbe {
  readHeap(): HeapReading;
  /** The event loop's busy share since the previous call (0..1). */
  busyShare(): number;
  /** Run a memory-reducing collection; false if this runtime offers none. */
  collect(): boolean;
}

const DEFAULTS = { intervalMs: 10_000, quietLooks: 3, slackBytes: 8 * 1024 * 1024, quietShare: 0.01 };

/** The decision, one look at a time: `look()` collects when the process has been quiet long enough and the heap holds enough it does not use. */
export function heapReleaseDecision(probe: HeapReleaseProbe, options: HeapReleaseOptions = {}): { look(): boolean } {
  const { quietLooks, slackBytes, quietShare } = { ...DEFAULTS, ...options };
  let quietStreak = 0;
  return {
    look: () => {
      // Read the loop's share first: it is a delta since the previous look, taken whatever follows.
      quietStreak = probe.busyShare() < quietShare ? quietStreak + 1 : 0;
      if (quietStreak < quietLooks) return false;
      const before = probe.readHeap();
      if (before.heapTotal - before.heapUsed < slackBytes || !probe.collect()) return false;
      options.onRelease?.(before, probe.readHeap());
      return true;
    },
  };
}

/** The probe on this process: Node's heap figures, event-loop utilization and V8's last-resort collection. */
export function processHeapProbe(): HeapReleaseProbe {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return {
    readHeap: () => {
      const { heapTotal, heapUsed } = process.memoryUsage();
      return { heapTotal, heapUsed };
    },
    busyShare: () => {
      const now = performance.eventLoopUtilization();
      const share = performance.eventLoopUtilization(now, last).utilization;
      last = now;
      return share;
    },
    collect: () => {
      const gc = v8Collector();
      if (!gc) return false;
      gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      return true;
    },
  };
}

/** Look every `intervalMs` for as long as the process runs (the timer never keeps it alive); returns the stop. */
export function startHeapRelease(options: HeapReleaseOptions = {}, probe: HeapReleaseProbe = processHeapProbe()): () => void {
  const decision = heapReleaseDecision(probe, options);
  const timer = setInterval(() => decision.look(), options.intervalMs ?? DEFAULTS.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
