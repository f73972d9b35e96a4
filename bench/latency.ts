/**
 * The benchmark's latency rows (issue #14, `npm run bench -- --only latency --rtt 10,50,100`):
 * the same engine, bare ssh2 forward and `ssh -L` as the loopback rows, but with the SSH leg
 * going through a user-space delaying relay (bench/delayRelay.ts) with a one-way delay of half
 * the round trip and a rate cap in each direction. Only the SSH leg is slow: the source/sink
 * stands beside sshd, as the database stands beside the jump box. A direct connection to the
 * sink through the same relay measures the link itself (its capacity), the "direct" column.
 */
import { join } from 'node:path';
import { pickPort } from '../e2e/rig/daemon';
import type { SshdPeer } from '../e2e/rig/sshd';
import type { KnownHostsStore } from '../electron/core/ssh/knownHosts';
import type { JumpHost } from '../shared/model/jumpHost';
import { pinSshdHostKeys, type ReadyChild } from './benchRig';
import { download, firstByte, parallelDownload, untilFirstByte, upload } from './client';
import { processMemory, spawnOpenSsh, startOpenSsh, type OpenSshForward } from './openssh';
import { summarize } from './stats';

export type LatencyVariant = 'jumpgate' | 'ssh2' | 'openssh' | 'direct';

/** What the latency rows borrow from the benchmark run that hosts them. */
export interface LatencyContext {
  rtts: number[];
  rateMbit: number;
  bytes: number;
  reps: number;
  ttfbCount: number;
  /** Bytes each of 500 parallel downloads moves, for the engine's memory over the slow link. */
  parallelBytes: number;
  buildDir: string;
  sshd: SshdPeer;
  keyPath: string;
  knownHosts: KnownHostsStore;
  knownHostsPath: string;
  sinkPort: number;
  engine: {
    start(id: string, jumpHost: JumpHost, remotePort: number, localPort: number): Promise<void>;
    stopAll(): Promise<void>;
    peak<T>(during: () => Promise<T>): Promise<{ result: T; peak: number }>;
  };
  forkAndWait(path: string, args: string[], ready: string): Promise<ReadyChild>;
  row(name: string, unit: string, higherIsBetter: boolean, note?: string): (variant: LatencyVariant, value: number) => void;
  check(ok: boolean, what: string): void;
  log(line: string): void;
}

const MiB = 1024 * 1024;
const mbps = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

export async function measureLatency(context: LatencyContext): Promise<void> {
  for (const rtt of context.rtts) await measureAt(context, rtt);
}

async function measureAt(context: LatencyContext, rtt: number): Promise<void> {
  const { sshd, knownHosts, sinkPort, engine, bytes, reps } = context;
  const relay = await context.forkAndWait(
    join(context.buildDir, 'delayRelay.cjs'),
    [String(rtt / 2), String(context.rateMbit), String(sshd.port), String(sinkPort)],
    'listening',
  );
  const [sshPort, directPort] = relay.message.ports as [number, number];
  // The jump box is now reached at the relay's port: pin its keys there, as a user would have.
  await pinSshdHostKeys(knownHosts, sshd, sshPort);
  const jumpHost: JumpHost = { host: sshd.host, port: sshPort, user: sshd.user, auth: { kind: 'key', keyPath: context.keyPath }, via: [] };
  const sshOptions = { sshdPort: sshPort, user: sshd.user, keyPath: context.keyPath, knownHostsPath: context.knownHostsPath };
  const hostKey = sshd.hostKeys.find((key) => key.publicKey.startsWith('ssh-ed25519'))?.publicKey.split(' ')[1] ?? '';
  const ports: Record<LatencyVariant, number> = { jumpgate: await pickPort(), ssh2: await pickPort(), openssh: await pickPort(), direct: directPort };
  const bare = await context.forkAndWait(
    join(context.buildDir, 'bareSsh2.cjs'),
    [sshd.host, String(sshPort), sshd.user, context.keyPath, hostKey, String(sinkPort), String(ports.ssh2)],
    'ready',
  );
  let openssh: OpenSshForward | undefined;
  try {
    await engine.start(`latency-${rtt}`, jumpHost, sinkPort, ports.jumpgate);
    openssh = await startOpenSsh({ ...sshOptions, forwards: [{ localPort: ports.openssh, remotePort: sinkPort }] });
    const at = `at ${rtt} ms RTT`;
    const down = context.row(`download ${bytes / MiB} MiB ${at}`, 'MB/s', true, 'direct = through the relay alone (the link)');
    // The bare ssh2 forward uploads through the same code as the engine (sshd's window governs), so it is left out there.
    const up = context.row(`upload ${bytes / MiB} MiB ${at}`, 'MB/s', true);
    const ttfb = context.row(`time to first byte ${at}, new connection (median of ${context.ttfbCount})`, 'ms', false);
    const variants: LatencyVariant[] = ['jumpgate', 'ssh2', 'openssh', 'direct'];
    for (let rep = 0; rep < reps; rep++) {
      for (const variant of rep % 2 ? [...variants].reverse() : variants) {
        const d = await download(ports[variant], bytes);
        context.check(d.intact, `download via ${variant} ${at}`);
        down(variant, mbps(bytes, d.ms));
        if (variant !== 'ssh2') {
          const u = await upload(ports[variant], bytes);
          context.check(u.intact, `upload via ${variant} ${at}`);
          up(variant, mbps(bytes, u.ms));
        }
        const samples: number[] = [];
        for (let i = 0; i < context.ttfbCount; i++) samples.push(await firstByte(ports[variant]));
        ttfb(variant, summarize(samples).median);
      }
      context.log(`latency ${rtt} ms rep ${rep + 1}/${reps}`);
    }

    // Memory with 500 connections over the slow link: every channel's window is outstanding at once.
    const parallel = context.row(`500 parallel x ${context.parallelBytes / 1024} KiB ${at}, aggregate`, 'MB/s', true);
    const peak = context.row(`peak RSS during 500 parallel ${at}`, 'MB', false, 'engine process vs the ssh process (VmHWM)');
    for (let rep = 0; rep < reps; rep++) {
      for (const variant of rep % 2 ? (['openssh', 'jumpgate'] as const) : (['jumpgate', 'openssh'] as const)) {
        const run = (): Promise<{ ms: number; intact: boolean }> => parallelDownload(ports[variant], 500, context.parallelBytes);
        const measured = variant === 'jumpgate' ? await engine.peak(run) : { result: await run(), peak: processMemory(openssh.pid).peak };
        context.check(measured.result.intact, `500 parallel via ${variant} ${at}`);
        parallel(variant, mbps(500 * context.parallelBytes, measured.result.ms));
        peak(variant, measured.peak / 1e6);
      }
    }
    await openssh.stop();
    openssh = undefined;
    await engine.stopAll();

    // Setup: from "connect" to the first byte through a brand-new tunnel and SSH connection.
    const setup = context.row(`setup ${at}: connect -> first byte through a new tunnel`, 'ms', false, 'Jumpgate: IPC start; OpenSSH: process spawn');
    for (let rep = 0; rep < reps; rep++) {
      for (const variant of rep % 2 ? (['openssh', 'jumpgate'] as const) : (['jumpgate', 'openssh'] as const)) {
        const port = await pickPort();
        const t0 = performance.now();
        if (variant === 'jumpgate') {
          const starting = engine.start(`latency-setup-${rtt}-${rep}`, jumpHost, sinkPort, port);
          setup(variant, (await untilFirstByte(port)) - t0);
          await starting;
          await engine.stopAll();
        } else {
          const child = spawnOpenSsh({ ...sshOptions, forwards: [{ localPort: port, remotePort: sinkPort }] });
          setup(variant, (await untilFirstByte(port)) - t0);
          const exited = new Promise((done) => child.once('exit', done));
          child.kill('SIGTERM');
          await exited;
        }
      }
    }
    context.log(`latency ${rtt} ms done`);
  } finally {
    await openssh?.stop();
    await engine.stopAll();
    bare.child.disconnect();
    relay.child.disconnect();
  }
}
