import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapReleaseDecision, type HeapReading, type HeapReleaseProbe } from './heapRelease';

const MiB = 1024 * 1024;

/** A process whose heap and event loop the test sets, and which counts its collections. */
function fakeProcess(heap: HeapReading, busy: number, collects = true): HeapReleaseProbe & { heap: HeapReading; busy: number; collections: number } {
  const fake = {
    heap,
    busy,
    collections: 0,
    readHeap: () => fake.heap,
    busyShare: () => fake.busy,
    collect: () => {
      if (!collects) return false;
      fake.collections += 1;
      // What the collection leaves: the heap's committed size down to what it uses.
      fake.heap = { heapTotal: fake.heap.heapUsed + MiB, heapUsed: fake.heap.heapUsed };
      return true;
    },
  };
  return fake;
}

describe('giving back the heap a burst of traffic left (electron/core/platform/heapRelease.ts)', () => {
  it('collects once the process has been quiet for three looks and the heap holds much more than it uses, then not again until it grows', () => {
    const reports: Array<[HeapReading, HeapReading]> = [];
    const fake = fakeProcess({ heapTotal: 46 * MiB, heapUsed: 10 * MiB }, 0.002);
    const decision = heapReleaseDecision(fake, { onRelease: (before, after) => void reports.push([before, after]) });
    expect([decision.look(), decision.look()]).toEqual([false, false]);
    expect(decision.look()).toBe(true);
    expect(reports).toEqual([[{ heapTotal: 46 * MiB, heapUsed: 10 * MiB }, { heapTotal: 11 * MiB, heapUsed: 10 * MiB }]]);
    expect(decision.look()).toBe(false);
    fake.heap = { heapTotal: 40 * MiB, heapUsed: 12 * MiB };
    expect(decision.look()).toBe(true);
    expect(fake.collections).toBe(2);
  });

  it('leaves a busy process alone, however much its heap holds, and starts counting quiet looks again after any busy one', () => {
    const fake = fakeProcess({ heapTotal: 46 * MiB, heapUsed: 10 * MiB }, 0.3);
    const decision = heapReleaseDecision(fake);
    expect([decision.look(), decision.look(), decision.look(), decision.look()]).toEqual([false, false, false, false]);
    // Quiet, quiet, then a burst a user's next query makes: the streak starts over.
    fake.busy = 0;
    expect([decision.look(), decision.look()]).toEqual([false, false]);
    fake.busy = 0.0101;
    expect(decision.look()).toBe(false);
    fake.busy = 0;
    expect([decision.look(), decision.look()]).toEqual([false, false]);
    expect(fake.collections).toBe(0);
    expect(decision.look()).toBe(true);
  });

  it('leaves a quiet heap alone when it holds little it does not use (an idle process just started)', () => {
    const fake = fakeProcess({ heapTotal: 20 * MiB, heapUsed: 12.5 * MiB }, 0);
    expect([1, 2, 3, 4].map(() => heapReleaseDecision(fake, { quietLooks: 1 }).look())).toEqual([false, false, false, false]);
    expect(heapReleaseDecision(fake, { quietLooks: 1, slackBytes: 4 * MiB }).look()).toBe(true);
  });

  it('reports nothing where the runtime offers no collection', () => {
    const reports: unknown[] = [];
    const fake = fakeProcess({ heapTotal: 46 * MiB, heapUsed: 10 * MiB }, 0, false);
    expect(heapReleaseDecision(fake, { quietLooks: 1, onRelease: (...args) => void reports.push(args) }).look()).toBe(false);
    expect(reports).toEqual([]);
  });

  it("gives V8's grown heap back in a real Node process once it goes quiet", () => {
    // A burst: short-lived arrays with a window of survivors, as tunnel traffic leaves the young
    // generation grown; then nothing. The release runs on its own timer, with this process's probe.
    const script = `
      import { startHeapRelease } from ${JSON.stringify(resolve('electron/core/platform/heapRelease.ts'))};
      let survivors = [];
      for (let i = 0; i < 4000; i++) {
        survivors.push(new Array(5000).fill(i));
        if (survivors.length > 300) survivors = survivors.slice(150);
      }
      survivors = null;
      let looks = 0;
      const stop = startHeapRelease({ intervalMs: 50, quietLooks: 2, onRelease: (before, after) => {
        process.stdout.write(JSON.stringify({ before, after }));
        stop();
        clearInterval(bound);
      } });
      // A bound, not a wait: a release that never comes ends the child with nothing printed.
      const bound = setInterval(() => { if (++looks > 400) { stop(); clearInterval(bound); } }, 50);
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const { before, after } = JSON.parse(run.stdout) as { before: HeapReading; after: HeapReading };
    expect(before.heapTotal - before.heapUsed).toBeGreaterThanOrEqual(8 * MiB);
    expect(after.heapTotal).toBeLessThan(before.heapTotal / 2);
    expect(after.heapTotal - after.heapUsed).toBeLessThan(8 * MiB);
  });
});
