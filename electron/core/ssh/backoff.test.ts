import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const policy = { baseMs: 100, capMs: 1000, jitter: 0.5 };

  it('doubles from the base up to the cap without jitter', () => {
    const none = () => 0;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(policy, attempt, none))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('shaves at most the jitter fraction off', () => {
    expect(backoffDelay(policy, 4, () => 1)).toBe(400);
    expect(backoffDelay(policy, 4, () => 0.5)).toBe(600);
  });

  it('never overflows on a long outage', () => {
    expect(backoffDelay(policy, 10_000, () => 0)).toBe(1000);
  });
});
