import { describe, expect, it } from 'vitest';
import { aggregateStatus } from './aggregate';
import type { TunnelState } from './tunnelState';

const counters = { bytesIn: 0, bytesOut: 0, activeConnections: 0, totalConnections: 0 };
const open: TunnelState = { status: 'open', localPort: 1, openedAt: 0, ...counters };
const idle: TunnelState = { status: 'idle' };
const connecting: TunnelState = { status: 'connecting', localPort: 1, since: 0 };
const reconnecting: TunnelState = { status: 'reconnecting', localPort: 1, attempt: 1, nextRetryAt: 0, lastError: { code: 'JUMP_HOST_LOST', message: 'x' }, ...counters };
const failed: TunnelState = { status: 'failed', failedAt: 0, error: { code: 'AUTH_FAILED', message: 'x' } };

describe('aggregateStatus', () => {
  it.each([
    [[], 'none'],
    [[idle, { status: 'stopped', stoppedAt: 0 } as TunnelState], 'none'],
    [[open, open], 'open'],
    [[open, idle], 'partial'],
    [[open, connecting], 'partial'],
    [[open, reconnecting], 'reconnecting'],
    [[reconnecting, failed, open], 'failed'],
  ] as Array<[TunnelState[], string]>)('%j -> %s', (states, expected) => {
    expect(aggregateStatus(states)).toBe(expected);
  });
});
