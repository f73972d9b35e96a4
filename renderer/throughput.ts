/**
 * A tunnel's recent throughput, from the byte counters its state events already carry (the
 * service reports them about once a second, and only when they changed): no extra channel,
 * no polling. A gap between samples is a quiet stretch, so it counts as zero.
 */
export interface CounterSample {
  /** When the page heard it (ms since the epoch). */
  at: number;
  /** Bytes both ways since the tunnel opened. */
  bytes: number;
}

export const SPARKLINE_SECONDS = 60;

/** The history with `sample` added and what is older than the window dropped (one sample before it is kept, to measure from). */
export function withSample(history: readonly CounterSample[], sample: CounterSample, windowMs = SPARKLINE_SECONDS * 1000): CounterSample[] {
  const last = history.at(-1);
  // Counters only grow; a smaller one is a new tunnel on the same id, whose history starts again.
  const kept = last && sample.bytes < last.bytes ? [] : [...history];
  if (last && sample.bytes === last.bytes && kept.length > 0) return kept;
  kept.push(sample);
  const from = sample.at - windowMs;
  const firstInside = kept.findIndex((entry) => entry.at >= from);
  return firstInside > 1 ? kept.slice(firstInside - 1) : kept;
}

/** Bytes per second in each one-second bucket of the last `seconds`, oldest first, ending at `now`. */
export function ratesPerSecond(history: readonly CounterSample[], now: number, seconds = SPARKLINE_SECONDS): number[] {
  const rates = new Array<number>(seconds).fill(0);
  const start = now - seconds * 1000;
  for (let index = 1; index < history.length; index++) {
    const before = history[index - 1] as CounterSample;
    const after = history[index] as CounterSample;
    if (after.at <= start || after.at > now) continue;
    // The bytes between two samples are spread over the seconds between them.
    const span = Math.max(after.at - before.at, 1);
    const perMs = (after.bytes - before.bytes) / span;
    for (let t = Math.max(before.at, start); t < after.at; ) {
      const bucket = Math.floor((t - start) / 1000);
      const bucketEnd = start + (bucket + 1) * 1000;
      const until = Math.min(bucketEnd, after.at);
      if (bucket >= 0 && bucket < seconds) rates[bucket] = (rates[bucket] ?? 0) + perMs * (until - t);
      t = until;
    }
  }
  return rates;
}

/** "1.2 MB/s", "340 KB/s", "0 B/s": for the sparkline's label. */
export function formatRate(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1_000_000) return `${(bytesPerSecond / 1_000_000).toFixed(1)} MB/s`;
  if (bytesPerSecond >= 1_000) return `${Math.round(bytesPerSecond / 1_000)} KB/s`;
  return `${Math.round(bytesPerSecond)} B/s`;
}
