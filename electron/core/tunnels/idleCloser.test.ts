import { describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../../e2e/rig/clipboardDouble';
import type { TunnelState } from '../../../shared/model/tunnelState';
import { IdleCloser } from './idleCloser';

const counters = { bytesIn: 0, bytesOut: 0, activeConnections: 0, totalConnections: 0 };
const open = (idleSince: number | undefined): TunnelState => ({ status: 'open', localPort: 13306, openedAt: 0, ...counters, ...(idleSince !== undefined ? { idleSince } : {}) });

describe('IdleCloser', () => {
  function setup(minutes: number) {
    const scheduler = new ManualScheduler(() => 0);
    const closed: string[] = [];
    const closer = new IdleCloser({ scheduler, limitMinutesFor: () => minutes, close: (id) => closed.push(id) });
    return { scheduler, closed, closer };
  }

  it('closes a tunnel that has had no client for the whole limit', () => {
    const { scheduler, closed, closer } = setup(5);
    closer.observe('p/t', open(0));
    expect(closer.deadlineOf('p/t')).toBe(300_000);
    scheduler.advance(299_999);
    expect(closed).toEqual([]);
    scheduler.advance(1);
    expect(closed).toEqual(['p/t']);
  });

  it('a client arriving cancels the countdown; leaving starts it again from then', () => {
    const { scheduler, closed, closer } = setup(5);
    closer.observe('p/t', open(0));
    scheduler.advance(200_000);
    closer.observe('p/t', open(undefined));
    expect(closer.deadlineOf('p/t')).toBeUndefined();
    scheduler.advance(200_000);
    closer.observe('p/t', open(400_000));
    scheduler.advance(299_999);
    expect(closed).toEqual([]);
    scheduler.advance(1);
    expect(closed).toEqual(['p/t']);
  });

  it('repeated stats events with the same idleSince do not restart the countdown', () => {
    const { scheduler, closed, closer } = setup(1);
    closer.observe('p/t', open(0));
    for (let i = 0; i < 59; i++) {
      scheduler.advance(1_000);
      closer.observe('p/t', open(0));
    }
    scheduler.advance(1_000);
    expect(closed).toEqual(['p/t']);
  });

  it('never closes with a limit of 0, nor a tunnel that is reconnecting or stopped', () => {
    const never = setup(0);
    never.closer.observe('p/t', open(0));
    never.scheduler.advance(10 * 24 * 3_600_000);
    expect(never.closed).toEqual([]);

    const { scheduler, closed, closer } = setup(1);
    closer.observe('p/t', open(0));
    closer.observe('p/t', { status: 'stopped', stoppedAt: 10 });
    scheduler.advance(120_000);
    expect(closed).toEqual([]);
    expect(scheduler.pendingTimers).toBe(0);
  });
});
