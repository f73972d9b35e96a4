import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { ReceiveWindow, WindowBudget } from './receiveWindow';

/**
 * The growth rule on its own clock (issue #14): a fake channel, server credit and local client,
 * so when each byte arrives is the test's to say. The flow-control tests beside the tunnels
 * (tunnels/flowControl.test.ts) run the same windows through sshd and a real 50 ms link.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const PACKET = 32 * KiB;

class Channel extends EventEmitter {
  readableLength = 0;
}

class Sink extends EventEmitter {
  writableLength = 0;
}

function channelAt(roundTripMs: number) {
  let clock = 0;
  const budget = new WindowBudget({ initial: 2 * MiB, cap: 16 * MiB, budget: 64 * MiB });
  const channel = new Channel();
  const sink = new Sink();
  const credit = {
    outstanding: budget.take(2 * MiB),
    grant(bytes: number) {
      this.outstanding += bytes;
    },
  };
  const window = new ReceiveWindow(channel as unknown as ClientChannel, credit, budget, credit.outstanding, roundTripMs, () => clock);
  window.attach(sink as unknown as Writable);
  return {
    window,
    credit,
    /** `bytes` arriving in packets spread evenly from `fromMs` to `toMs`, taken by the client at once unless it stopped reading. */
    arrive(bytes: number, fromMs: number, toMs: number, clientReads = true): void {
      const packets = Math.ceil(bytes / PACKET);
      for (let i = 0; i < packets; i++) {
        clock = fromMs + ((toMs - fromMs) * i) / Math.max(1, packets - 1);
        const size = Math.min(PACKET, bytes - i * PACKET);
        credit.outstanding -= size;
        if (!clientReads) sink.writableLength += size;
        channel.emit('data', Buffer.alloc(size));
      }
    },
  };
}

describe('receive window growth (issue #14)', () => {
  it('grows as soon as a whole window came in under a 50 ms round trip, and lets the server send the growth at once', () => {
    const download = channelAt(50);
    // The first 2 MiB cross a 1 Gbit link in about 17 ms.
    download.arrive(2 * MiB, 0, 17);
    expect(download.window.size).toBe(8 * MiB);
    // What the server may still send: the whole new window (the client took every byte, nothing is held).
    expect(download.credit.outstanding).toBe(8 * MiB);
  });

  it('waits for the round trip when only half the window came early', () => {
    const download = channelAt(50);
    download.arrive(1 * MiB, 0, 17);
    expect(download.window.size).toBe(2 * MiB);
    // At the round trip's end half a window was taken: the window limits, and it grows by the usual rule.
    download.arrive(64 * KiB, 51, 51);
    expect(download.window.size).toBeGreaterThanOrEqual(4 * MiB);
  });

  it.each([0.3, 10])('does not grow on a whole window read in one batch where the round trip is %s ms', (roundTripMs) => {
    const download = channelAt(roundTripMs);
    // A busy moment, then the whole window read back to back: a batch, not the link's rate.
    download.arrive(2 * MiB, 5, 5.2);
    expect(download.window.size).toBe(2 * MiB);
  });

  // 512 KiB is a quarter of ssh2's 2 MiB window, and the most a grown one waits for (a quarter of 8 MiB would be 2 MiB).
  it.each([
    { window: 'ssh2 2 MiB', roundTripMs: 10, size: 2 * MiB, grownBy: 0 },
    { window: 'grown 8 MiB', roundTripMs: 50, size: 8 * MiB, grownBy: 2 * MiB },
  ])('tops the $window window up once 512 KiB of it is used', ({ roundTripMs, size, grownBy }) => {
    const download = channelAt(roundTripMs);
    download.arrive(grownBy, 0, 17);
    expect(download.window.size).toBe(size);
    download.arrive(480 * KiB, 20, 22);
    expect(download.credit.outstanding).toBe(size - 480 * KiB);
    download.arrive(32 * KiB, 22, 22);
    expect(download.credit.outstanding).toBe(size);
  });

  it('grows nothing for a client that stops reading, however fast the bytes came', () => {
    const download = channelAt(50);
    download.arrive(2 * MiB, 0, 17, false);
    expect(download.window.size).toBe(2 * MiB);
    // Nothing was refilled either: the server may send no more than the window it had.
    expect(download.credit.outstanding).toBe(0);
  });
});
