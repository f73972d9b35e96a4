import { describe, expect, it } from 'vitest';
import { pickPort } from './daemon';

describe('pickPort (the rig)', () => {
  it("picks in this worker's own slice, never in the shared rig's range, and never the same port twice", async () => {
    const poolId = Number(process.env.VITEST_POOL_ID);
    expect(Number.isInteger(poolId) && poolId >= 1).toBe(true);
    const from = 20_000 + ((poolId - 1) % 4) * 2_500;
    const ports = await Promise.all(Array.from({ length: 50 }, () => pickPort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(from);
      expect(port).toBeLessThan(from + 2_500);
    }
    expect(new Set(ports).size).toBe(ports.length);
  });
});
