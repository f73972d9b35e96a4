import { describe, expect, it } from 'vitest';
import { formatRate, ratesPerSecond, withSample, type CounterSample } from './throughput';

describe('a tunnel throughput sparkline', () => {
  it('spreads the bytes between two samples over the seconds between them, and a quiet stretch is zero', () => {
    let history: CounterSample[] = [];
    history = withSample(history, { at: 10_000, bytes: 0 });
    history = withSample(history, { at: 12_000, bytes: 2_000_000 });
    history = withSample(history, { at: 13_000, bytes: 2_000_000 });
    const rates = ratesPerSecond(history, 20_000, 10);
    // Buckets are the seconds 10-11 .. 19-20: two seconds at 1 MB/s, then nothing.
    expect(rates).toEqual([1_000_000, 1_000_000, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('keeps one sample from before the window, drops older ones, and starts over when the counters restart', () => {
    let history: CounterSample[] = [];
    for (let second = 0; second <= 120; second += 10) history = withSample(history, { at: second * 1000, bytes: second * 100 });
    expect(history[0]?.at).toBe(50_000);
    expect(history.at(-1)?.at).toBe(120_000);
    history = withSample(history, { at: 121_000, bytes: 5 });
    expect(history).toEqual([{ at: 121_000, bytes: 5 }]);
  });

  it('says rates as people read them', () => {
    expect([formatRate(0), formatRate(999), formatRate(340_400), formatRate(1_250_000)]).toEqual(['0 B/s', '999 B/s', '340 KB/s', '1.3 MB/s']);
  });
});
