import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pickPort } from '../../../e2e/rig/daemon';
import { startDelayLink } from '../../../e2e/rig/delayLink';
import { jumpHostFor, startEngine, trustSshd, type EngineUnderTest } from '../../../e2e/rig/engine';
import { makeOpenSshKey } from '../../../e2e/rig/keys';
import { peersAvailable } from '../../../e2e/rig/peers';
import { SshdPeer } from '../../../e2e/rig/sshd';
import { patternDigest, startPatternServer, type PatternPeer } from '../../../e2e/rig/tcpPeers';
import { waitForValue } from '../../../e2e/rig/waitFor';
import type { JumpHost } from '../../../shared/model/jumpHost';
import { processGarbagePacer } from '../platform/garbagePacer';
import { OPEN_FLOOR, WindowBudget, type ReceiveWindow } from '../ssh/receiveWindow';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Wait for a condition on state that changes without an event we can hear (bytes arriving in
 * a paused stream): look again every few milliseconds, up to the deadline. Nothing is asserted
 * on time; the wait only ends a phase of the test.
 */
function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<boolean> {
  return waitForValue(
    check,
    (listener) => {
      const timer = setInterval(() => listener(check()), 5);
      return () => clearInterval(timer);
    },
    (value) => value,
    { what, timeoutMs },
  );
}

/** A client of the tunnel that asks the pattern server for `bytes` from `offset`, hashing what it reads. */
function download(port: number, bytes: number, offset = 0): { socket: Socket; done: Promise<{ received: number; digest: string }> } {
  const socket = connect({ host: '127.0.0.1', port });
  const hash = createHash('sha256');
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    hash.update(chunk);
  });
  const done = new Promise<{ received: number; digest: string }>((resolve, reject) => {
    socket.once('end', () => {
      socket.destroy();
      resolve({ received, digest: hash.digest('hex') });
    });
    socket.once('error', reject);
  });
  socket.write(`${bytes} ${offset}\n`);
  return { socket, done };
}

/** Wait for a download through the tunnel, noting the largest window any channel of `budget` had meanwhile. */
async function downloadNotingLargestWindow(budget: WindowBudget, started: ReturnType<typeof download>): Promise<{ received: number; digest: string; largest: number }> {
  let largest = 0;
  const sample = setInterval(() => {
    for (const window of budget.windows) largest = Math.max(largest, window.size);
  }, 2);
  try {
    return { ...(await started.done), largest };
  } finally {
    clearInterval(sample);
  }
}

describe.skipIf(!peersAvailable('sshd', 'ssh-keygen'))('receive windows under the process budget (issue #14)', () => {
  let keyDir: string;
  let sshd: SshdPeer;
  let source: PatternPeer;
  let jumpHost: JumpHost;
  let engine: EngineUnderTest | undefined;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jumpgate-keys-'));
    const key = await makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh' });
    [sshd, source] = await Promise.all([
      SshdPeer.start({ authorizedKeys: [key.publicKey], extraConfig: ['MaxSessions 1000'] }),
      startPatternServer(),
    ]);
    jumpHost = jumpHostFor(sshd, key.privatePath);
  });

  afterEach(async () => {
    await engine?.dispose();
    engine = undefined;
  });

  afterAll(async () => {
    await Promise.all([sshd?.dispose(), source?.close()]);
    rmSync(keyDir, { recursive: true, force: true });
  });

  async function tunnelWith(budget: WindowBudget): Promise<number> {
    engine = startEngine({ pool: { windowBudget: budget } });
    await trustSshd(engine.knownHosts, sshd);
    const localPort = await pickPort();
    await engine.manager.start({ id: 'db', jumpHost, remoteHost: '127.0.0.1', remotePort: source.port, localPort });
    return localPort;
  }

  it('holds no more than the window for a client that stops reading, and delivers every byte once it reads again', async () => {
    const budget = new WindowBudget({ initial: 2 * MiB, cap: 16 * MiB, budget: 64 * MiB });
    const port = await tunnelWith(budget);
    const total = 64 * MiB;
    const { socket, done } = download(port, total, 12_345);

    // Read a while, so the window has grown if it would, then stop reading.
    await until(() => socket.bytesRead >= 8 * MiB, 'the first 8 MiB');
    socket.pause();
    const window = await until(() => budget.windows.size === 1, 'the channel').then(() => [...budget.windows][0] as ReceiveWindow);
    // The server keeps sending until the window is spent: then nothing is in flight and it waits.
    await until(() => window.inFlight === 0 && source.waiting > 0, 'the window spent and the server held back');
    const held = { buffered: window.buffered, size: window.size, reserved: budget.reserved, sent: source.bytesSent };

    expect(held.buffered).toBeGreaterThan(0);
    expect(held.buffered).toBeLessThanOrEqual(held.size);
    expect(held.size).toBeLessThanOrEqual(16 * MiB);
    expect(budget.peakReserved).toBeLessThanOrEqual(budget.total);
    // Held back, not finished: the server still had part of the download to send.
    expect(held.sent).toBeLessThan(total);

    socket.resume();
    const result = await done;
    expect(result.received).toBe(total);
    expect(result.digest).toBe(patternDigest(total, 12_345));
    await until(() => budget.windows.size === 0, 'the channel closed');
    expect(budget.reserved).toBe(0);
  });

  it("does not grow a window on a fast link because its own open was slow: the connection's quickest open is the round trip", async () => {
    const budget = new WindowBudget({ initial: 2 * MiB, cap: 16 * MiB, budget: 64 * MiB });
    const port = await tunnelWith(budget);
    // A database client's pool opens a few connections first: quick opens, on loopback.
    for (let i = 0; i < 10; i++) expect((await download(port, 64 * KiB, i).done).received).toBe(64 * KiB);
    // Then the jump box stalls while the next client's channel opens (its sessions stopped for a moment, as a
    // busy box or a busy laptop would): that open takes 150 ms or more, the link's round trip does not.
    sshd.freeze();
    const total = 256 * MiB;
    const started = download(port, total, 4321);
    await new Promise((resume) => setTimeout(resume, 150));
    sshd.thaw();
    const result = await downloadNotingLargestWindow(budget, started);
    expect(result.received).toBe(total);
    expect(result.digest).toBe(patternDigest(total, 4321));
    // Judged against 150 ms, 256 MiB at loopback speed is a window-limited channel and grows to the cap.
    expect(result.largest).toBe(2 * MiB);
  });

  it('grows a window where the round trip is real (50 ms), within its cap and the budget, and every byte arrives', async () => {
    // The jump box 25 ms away each way, at 1 Gbit/s: a 2 MiB window moves at most 2 MiB per 50 ms
    // (40 MB/s), so the window, not the link, limits the channel and it must grow.
    const link = await startDelayLink({ oneWayDelayMs: 25, rateMbit: 1000, targetPort: sshd.port });
    try {
      const budget = new WindowBudget({ initial: 2 * MiB, cap: 16 * MiB, budget: 64 * MiB });
      engine = startEngine({ pool: { windowBudget: budget } });
      await trustSshd(engine.knownHosts, sshd, link.port);
      const localPort = await pickPort();
      await engine.manager.start({ id: 'db', jumpHost: { ...jumpHost, port: link.port }, remoteHost: '127.0.0.1', remotePort: source.port, localPort });
      const total = 48 * MiB;
      const result = await downloadNotingLargestWindow(budget, download(localPort, total, 777));
      expect(result.received).toBe(total);
      expect(result.digest).toBe(patternDigest(total, 777));
      expect(result.largest).toBeGreaterThan(2 * MiB);
      expect(result.largest).toBeLessThanOrEqual(16 * MiB);
      expect(budget.peakReserved).toBeLessThanOrEqual(budget.total);
    } finally {
      await engine?.dispose();
      engine = undefined;
      await link.close();
    }
  });

  it('moves 500 parallel downloads byte for byte without the process holding more than its budget', async () => {
    // A budget far below 500 channels at ssh2's 2 MiB: most open with a part of it, or none and wait.
    const budget = new WindowBudget({ initial: 2 * MiB, cap: 16 * MiB, budget: 8 * MiB });
    const port = await tunnelWith(budget);
    const each = 256 * KiB;
    const notedBefore = processGarbagePacer.bytesNoted;
    let mostWindows = 0;
    let mostBuffered = 0;
    const sample = setInterval(() => {
      mostWindows = Math.max(mostWindows, budget.windows.size);
      let buffered = 0;
      for (const window of budget.windows) buffered += window.buffered + window.inFlight;
      mostBuffered = Math.max(mostBuffered, buffered);
    }, 5);
    const results = await Promise.all(Array.from({ length: 500 }, (_, index) => download(port, each, index * 7919).done.then((result) => ({ index, ...result }))));
    clearInterval(sample);

    const wrong = results.filter((result) => result.received !== each || result.digest !== patternDigest(each, result.index * 7919));
    expect(wrong.map((result) => result.index)).toEqual([]);
    // Every byte passed the pacer of young collections (garbagePacer.ts), requests and downloads.
    expect(processGarbagePacer.bytesNoted - notedBefore).toBeGreaterThanOrEqual(500 * each);
    // The budget, plus the two-packet floor of each channel opened while it was spent: no more.
    expect(budget.peakReserved).toBeLessThanOrEqual(budget.total + 500 * OPEN_FLOOR);
    expect(mostBuffered).toBeLessThanOrEqual(budget.peakReserved);
    // The budget was contended: far more channels at once than 8 MiB could open at 2 MiB each.
    expect(mostWindows).toBeGreaterThan(4);
    await until(() => budget.windows.size === 0, 'every channel closed');
    expect(budget.reserved).toBe(0);
  }, 120_000);

  it('gives every byte back when clients hang up after the first bytes', async () => {
    const budget = new WindowBudget({ initial: 2 * MiB, cap: 16 * MiB, budget: 64 * MiB });
    const port = await tunnelWith(budget);
    for (let i = 0; i < 30; i++) {
      const { socket } = download(port, 4 * MiB, i);
      await until(() => socket.bytesRead > 0, 'the first bytes');
      socket.destroy();
    }
    await until(() => budget.windows.size === 0, 'every channel closed');
    expect(budget.reserved).toBe(0);
  });

  it('lets a new connection through while idle connections hold the whole budget', async () => {
    // Four idle connections keep the 2 MiB each opened with (granted window cannot be taken back).
    const budget = new WindowBudget({ initial: 2 * MiB, cap: 16 * MiB, budget: 8 * MiB });
    const port = await tunnelWith(budget);
    const idle = Array.from({ length: 4 }, () => connect({ host: '127.0.0.1', port }));
    await until(() => budget.windows.size === 4, 'four idle channels');
    expect(budget.free).toBe(0);

    const total = 4 * MiB;
    const result = await download(port, total, 4242).done;
    expect(result.received).toBe(total);
    expect(result.digest).toBe(patternDigest(total, 4242));
    // It ran on its floor, past the budget by at most two packets.
    expect(budget.overdrawnTotal).toBeGreaterThan(0);
    expect(budget.peakReserved).toBeLessThanOrEqual(budget.total + OPEN_FLOOR);
    // Each idle client asks for nothing at last; its server ends, and so does its channel.
    for (const socket of idle) socket.end('0 0\n');
    await until(() => budget.windows.size === 0, 'every channel closed');
    expect(budget.reserved).toBe(0);
  });
});
