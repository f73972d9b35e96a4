import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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
 * So: every `intervalMs`, if the event loop was nearly idle over the interval (no tunnel is
 * moving data) and the heap holds at least `slackBytes` more than it uses, run that collection
 * once. It pauses the process for tens of milliseconds at a moment nothing is waiting on it, and
 * does not come again until the heap has grown again.
 */
export interface HeapReleaseOptions {
  intervalMs?: number;
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

const DEFAULTS = { intervalMs: 10_000, slackBytes: 8 * 1024 * 1024, quietShare: 0.01 };

/** One look: collect if the process is quiet and the heap holds enough it does not use. Returns whether it collected. */
export function releaseIfQuiet(probe: HeapReleaseProbe, options: HeapReleaseOptions = {}): boolean {
  const { slackBytes, quietShare } = { ...DEFAULTS, ...options };
  // Read the loop's share first: it is a delta since the previous look, taken whatever follows.
  const busy = probe.busyShare();
  const before = probe.readHeap();
  if (busy >= quietShare || before.heapTotal - before.heapUsed < slackBytes) return false;
  if (!probe.collect()) return false;
  options.onRelease?.(before, probe.readHeap());
  return true;
}

type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;
let collector: GcFunction | null | undefined;

/**
 * V8's collection function without starting Node with --expose-gc: the flag makes V8 put `gc` in
 * contexts created after it is set, so one new context hands it over, and the flag goes off again
 * (jest's leak detector gets it the same way). Undefined where the runtime refuses.
 */
function memoryReducingCollector(): GcFunction | undefined {
  if (collector !== undefined) return collector ?? undefined;
  // Started with --expose-gc (a developer's or a test runner's choice): use it, and leave the flag as it is.
  const exposed: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return (collector = exposed as GcFunction);
  try {
    setFlagsFromString('--expose-gc');
    const found: unknown = runInNewContext('gc');
    collector = typeof found === 'function' ? (found as GcFunction) : null;
  } catch {
    collector = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return collector ?? undefined;
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
      const gc = memoryReducingCollector();
      if (!gc) return false;
      gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      return true;
    },
  };
}

/** Look every `intervalMs` for as long as the process runs (the timer never keeps it alive); returns the stop. */
export function startHeapRelease(options: HeapReleaseOptions = {}, probe: HeapReleaseProbe = processHeapProbe()): () => void {
  const timer = setInterval(() => releaseIfQuiet(probe, options), options.intervalMs ?? DEFAULTS.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
