/**
 * `npx tsx bench/timeline.ts [--rtt 50] [--reps 10] [--cap 16]`: downloads of 64 MiB one after
 * another through Jumpgate's tunnel engine behind the delaying link (bench/delayRelay.ts), each
 * told as a timeline: MB/s, when the first byte came, the largest window, and every gap (50 ms
 * or more in which under a tenth of the link's rate arrived). For looking into the slow
 * repetitions of the latency rows (BENCHMARKS.md "The slow repetitions at 50 ms"), which a
 * median hides. The engine runs in this process, so `--cap` (MiB) can try another window cap;
 * the client, the link and the source each run in a process of their own, as in `npm run bench`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pickPort } from '../e2e/rig/daemon';
import { makeOpenSshKey } from '../e2e/rig/keys';
import { SshdPeer } from '../e2e/rig/sshd';
import { JumpHostPool } from '../electron/core/ssh/jumpHostPool';
import { KnownHostsStore } from '../electron/core/ssh/knownHosts';
import { processWindowBudget } from '../electron/core/ssh/receiveWindow';
import { TunnelManager } from '../electron/core/tunnels/tunnelManager';
import { forkUntilReady, pinSshdHostKeys, type ReadyChild } from './benchRig';
import type { TimelineReply } from './timelineClient';

const MiB = 1024 * 1024;
const BIN_MS = 10;
const BYTES = 64 * MiB;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? fallback : Number(process.argv[index + 1]);
  if (!(value > 0)) throw new Error(`--${name} takes a positive number`);
  return value;
}

/** A bench process run from its TypeScript source, resolved once it says `ready`. */
function forkSource(file: string, args: string[], ready: string): Promise<ReadyChild> {
  return forkUntilReady(resolve('bench', file), args, ready, ['--import', 'tsx']);
}

/** Runs of bins in which under a tenth of the link's rate arrived, at least 50 ms long, after the first byte. */
function gapsOf(bins: number[], rateMbit: number): string[] {
  const slow = (rateMbit * 1e6) / 8 / (1000 / BIN_MS) / 10;
  const first = bins.findIndex((bytes) => bytes > 0);
  const gaps: string[] = [];
  let run = 0;
  for (let bin = first; bin <= bins.length; bin++) {
    if (bin < bins.length && (bins[bin] ?? 0) < slow) {
      run++;
      continue;
    }
    if (run * BIN_MS >= 50) gaps.push(`${(bin - run) * BIN_MS} ms +${run * BIN_MS}`);
    run = 0;
  }
  return gaps;
}

async function main(): Promise<void> {
  const rtt = option('rtt', 50);
  const reps = option('reps', 10);
  const rateMbit = 1000;
  const cap = process.argv.includes('--cap') ? option('cap', 16) * MiB : undefined;
  const limits = processWindowBudget.limits;
  if (cap) limits.cap = cap;

  const work = mkdtempSync(join(tmpdir(), 'jumpgate-timeline-'));
  const children: ChildProcess[] = [];
  let sshd: SshdPeer | undefined;
  let manager: TunnelManager | undefined;
  try {
    const key = await makeOpenSshKey(work, { type: 'ed25519', format: 'openssh' });
    sshd = await SshdPeer.start({ authorizedKeys: [key.publicKey] });
    const source = await forkSource('sourceSink.ts', [], 'listening');
    children.push(source.child);
    const link = await forkSource('delayRelay.ts', [String(rtt / 2), String(rateMbit), String(sshd.port)], 'listening');
    children.push(link.child);
    const sshPort = (link.message.ports as number[])[0] ?? 0;
    const knownHosts = new KnownHostsStore(join(work, 'known_hosts'));
    await pinSshdHostKeys(knownHosts, sshd, sshPort);
    manager = new TunnelManager({ pool: new JumpHostPool({ knownHosts }), onEvent: () => undefined, statsIntervalMs: 0 });
    const localPort = await pickPort();
    await manager.start({
      id: 'timeline',
      jumpHost: { host: sshd.host, port: sshPort, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath }, via: [] },
      remoteHost: '127.0.0.1',
      remotePort: source.message.port as number,
      localPort,
    });
    const client = fork(resolve('bench/timelineClient.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(client);

    console.info(`timeline: ${reps} downloads of ${BYTES / MiB} MiB at ${rtt} ms RTT, ${rateMbit} Mbit/s; window cap ${limits.cap / MiB} MiB`);
    const rates: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      let largest = 0;
      const sampler = setInterval(() => {
        for (const window of processWindowBudget.windows) largest = Math.max(largest, window.size);
      }, BIN_MS);
      const reply = await new Promise<TimelineReply>((resolveReply) => {
        client.once('message', resolveReply);
        client.send({ port: localPort, bytes: BYTES, binMs: BIN_MS });
      });
      clearInterval(sampler);
      if (reply.received !== BYTES) throw new Error(`download ${rep + 1} got ${reply.received} of ${BYTES} bytes`);
      const rate = BYTES / 1e6 / (reply.ms / 1000);
      rates.push(rate);
      const first = reply.bins.findIndex((bytes) => bytes > 0) * BIN_MS;
      const gaps = gapsOf(reply.bins, rateMbit);
      console.info(`${rep + 1}: ${rate.toFixed(1)} MB/s, first byte at ${first} ms, largest window ${(largest / MiB).toFixed(1)} MiB, gaps: ${gaps.join(', ') || 'none'}`);
    }
    rates.sort((a, b) => a - b);
    console.info(`median ${(rates[Math.floor(rates.length / 2)] ?? 0).toFixed(1)} MB/s; all: ${rates.map((rate) => rate.toFixed(0)).join(' ')}`);
  } finally {
    await manager?.stopAll();
    for (const child of children) child.kill();
    await sshd?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
