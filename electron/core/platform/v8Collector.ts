import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's `gc` extension: a full or young-generation collection on demand. */
export type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

let collector: GcFunction | null | undefined;

/**
 * V8's collection function without starting Node with --expose-gc: the flag makes V8 put `gc` in
 * contexts created after it is set, so one new context hands it over, and the flag goes off again
 * (jest's leak detector gets it the same way). Undefined where the runtime refuses. Shared by the
 * heap release after a burst (heapRelease.ts) and the collections paced by traffic (garbagePacer.ts).
 */
export function v8Collector(): GcFunction | undefined {
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
