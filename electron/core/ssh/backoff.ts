/** Reconnect pacing: exponential growth, capped, with jitter so many clients do not retry in step. */
export interface BackoffPolicy {
  /** First delay in ms. */
  baseMs: number;
  /** Largest delay in ms (configurable per profile). */
  capMs: number;
  /** 0..1: how much of each delay may be shaved off at random. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, capMs: 15_000, jitter: 0.3 };

/** Delay before attempt `attempt` (1-based). `random` is injected so tests are deterministic. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const jitter = Math.min(Math.max(policy.jitter, 0), 1);
  return Math.round(ceiling * (1 - jitter * random()));
}
