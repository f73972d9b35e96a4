/**
 * `npm run bench [-- --quick]`: Jumpgate's tunnel engine against OpenSSH `ssh -L`
 * (default cipher, and aes128-gcm) and a direct connection, on the rig's sshd
 * and a source/sink server, all on 127.0.0.1, and beside it a bare ssh2 forward
 * (the library floor under the engine). The latency section (`--rtt 10,50,100`) repeats the
 * bulk, first-byte and setup rows with the SSH leg behind a delaying relay (bench/latency.ts).
 * Variants alternate within each
 * repetition (A B C D A B C D ...) so drift hits all of them alike. Reports
 * medians with min-max and ratios; writes bench/results.json and prints Markdown.
 * It never asserts on time: targets are read from the table. The masking section
 * (bench/masking.ts) measures `jumpgate exec`'s output masking in a table of its own.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem, type } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { build } from 'esbuild';
import { pickPort } from '../e2e/rig/daemon';
import { makeOpenSshKey } from '../e2e/rig/keys';
import { peerPath, peersAvailable } from '../e2e/rig/peers';
import { SshdPeer } from '../e2e/rig/sshd';
import { KnownHostsStore } from '../electron/core/ssh/knownHosts';
import type { JumpHost } from '../shared/model/jumpHost';
import { forkUntilReady, pinSshdHostKeys, type ReadyChild } from './benchRig';
import { download, firstByte, parallelDownload, untilFirstByte, upload } from './client';
import type { EngineCommand, EngineReply } from './engineHost';
import { processMemory, spawnOpenSsh, startOpenSsh, type OpenSshForward } from './openssh';
import { cpuSeconds } from './cpuProbe';
import { measureLatency } from './latency';
import { keyUnlockBench, renderUnlockMarkdown, type UnlockRow } from './keyUnlock';
import { maskingBench, renderMaskingMarkdown, type MaskingRow } from './masking';
import { processWeightBench, renderWeightMarkdown, type WeightRow } from './processWeight';
import { summarize, type Summary } from './stats';

const quick = process.argv.includes('--quick');
/**
 * `--only bulk,ttfb` runs just those sections (memory, bulk, parallel, ttfb, setup,
 * reconnect, latency, masking, weight, unlock): a tuning step re-measures what it touches in a minute, not ten.
 * `--only masking,weight,unlock` starts none of the tunnel variants.
 */
const SECTIONS = ['memory', 'bulk', 'parallel', 'ttfb', 'setup', 'reconnect', 'latency', 'masking', 'weight', 'unlock'] as const;
/** Sections with tables of their own, which need none of the tunnel variants started. */
const OWN_TABLE_SECTIONS: readonly string[] = ['masking', 'weight', 'unlock'];
type Section = (typeof SECTIONS)[number];
const onlyArg = process.argv[process.argv.indexOf('--only') + 1];
const selected = new Set<string>(process.argv.includes('--only') && onlyArg ? onlyArg.split(',') : SECTIONS);
const unknownSections = [...selected].filter((name) => !(SECTIONS as readonly string[]).includes(name));
if (unknownSections.length) {
  console.error(`bench: unknown section ${unknownSections.join(', ')}; choose from ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const runs = (section: Section): boolean => selected.has(section);
/** Value of `--name` on the command line, if given. */
function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}
/**
 * The latency section's round trips (`--rtt 10,50,100`, ms) and the link's rate in each
 * direction (`--rate-mbit 1000`): the SSH leg goes through bench/delayRelay.ts.
 */
const rtts = (option('rtt') ?? '10,50,100').split(',').map(Number);
const rateMbit = Number(option('rate-mbit') ?? 1000);
if (rtts.some((rtt) => !(rtt >= 0)) || !(rateMbit > 0)) {
  console.error('bench: --rtt takes round trips in ms (e.g. 10,50,100), --rate-mbit a positive rate');
  process.exit(2);
}
/** `--reps N` repeats every measured row N times (default 3): more repetitions show how often a slow one comes. */
const repsOption = option('reps');
const repsOverride = repsOption === undefined ? undefined : Number(repsOption);
if (repsOverride !== undefined && !(Number.isInteger(repsOverride) && repsOverride >= 1)) {
  console.error('bench: --reps takes a whole number of repetitions, 1 or more');
  process.exit(2);
}
const MiB = 1024 * 1024;
/** How long the engine is left alone after the load before the last memory reading: the half minute of quiet its heap release (electron/core/platform/heapRelease.ts) waits for, and a look's margin. */
const QUIET_AFTER_LOAD_MS = 45_000;
const config = quick
  ? { reps: 3, bulk: 64 * MiB, p100: 1 * MiB, p500: 256 * 1024, ttfb: 40, setupReps: 3, reconnectReps: 3, latencyBulk: 32 * MiB, latencyTtfb: 3, latencyParallel: 256 * 1024 }
  : { reps: 3, bulk: 1024 * MiB, p100: 8 * MiB, p500: 2 * MiB, ttfb: 200, setupReps: 7, reconnectReps: 5, latencyBulk: 64 * MiB, latencyTtfb: 10, latencyParallel: 512 * 1024 };
if (repsOverride !== undefined) config.reps = repsOverride;

type VariantName = 'jumpgate' | 'ssh2' | 'openssh' | 'openssh-gcm' | 'direct';
/** 'ssh2' is a bare ssh2 forward: the floor the engine stands on, measured beside it. */
const VARIANTS: VariantName[] = ['jumpgate', 'ssh2', 'openssh', 'openssh-gcm', 'direct'];
const GCM = 'aes128-gcm@openssh.com';
/**
 * A B C D E, then E D C B A: on this 2-core VM the same engine measured twice in
 * one repetition came out up to 20 % apart by position alone, so no variant
 * always runs in the same place.
 */
const orderFor = (rep: number): VariantName[] => (rep % 2 ? [...VARIANTS].reverse() : VARIANTS);

interface Metric {
  name: string;
  unit: string;
  /** Whether bigger is better (throughput) or smaller (latency, memory). */
  higherIsBetter: boolean;
  values: Partial<Record<VariantName, number[]>>;
  note?: string;
}

const metrics: Metric[] = [];
function metric(name: string, unit: string, higherIsBetter: boolean, note?: string): Metric {
  const entry: Metric = { name, unit, higherIsBetter, values: {}, ...(note ? { note } : {}) };
  metrics.push(entry);
  return entry;
}
function record(entry: Metric, variant: VariantName, value: number): void {
  (entry.values[variant] ??= []).push(value);
}
const mbps = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

/** The engine in its own process, talking over IPC. */
class EngineProcess {
  private readonly waiters = new Set<(reply: EngineReply) => boolean>();
  constructor(readonly child: ChildProcess) {
    child.on('message', (reply: EngineReply) => {
      for (const waiter of [...this.waiters]) if (waiter(reply)) this.waiters.delete(waiter);
    });
  }
  send(command: EngineCommand): void {
    this.child.send(command);
  }
  next<T extends EngineReply>(match: (reply: EngineReply) => reply is T): Promise<T> {
    return new Promise((resolve) => {
      this.waiters.add((reply) => {
        if (!match(reply)) return false;
        resolve(reply);
        return true;
      });
    });
  }
  async start(id: string, jumpHost: JumpHost, remotePort: number, localPort: number): Promise<void> {
    const done = this.next((reply): reply is Extract<EngineReply, { type: 'started' | 'failed' }> =>
      (reply.type === 'started' || reply.type === 'failed') && reply.id === id);
    this.send({ type: 'start', id, jumpHost, remoteHost: '127.0.0.1', remotePort, localPort });
    const reply = await done;
    if (reply.type === 'failed') throw new Error(`engine could not start ${id}: ${reply.code} ${reply.message}`);
  }
  async stopAll(): Promise<void> {
    const done = this.next((reply): reply is Extract<EngineReply, { type: 'stopped' }> => reply.type === 'stopped');
    this.send({ type: 'stopAll' });
    await done;
  }
  async rss(): Promise<number> {
    const done = this.next((reply): reply is Extract<EngineReply, { type: 'rss' }> => reply.type === 'rss');
    this.send({ type: 'rss' });
    return (await done).rss;
  }
  async peak<T>(during: () => Promise<T>): Promise<{ result: T; peak: number }> {
    this.send({ type: 'peakStart' });
    const result = await during();
    const done = this.next((reply): reply is Extract<EngineReply, { type: 'peak' }> => reply.type === 'peak');
    this.send({ type: 'peakStop' });
    return { result, peak: (await done).peak };
  }
  state(id: string, status: string): Promise<unknown> {
    return this.next((reply): reply is EngineReply => reply.type === 'state' && reply.id === id && reply.status === status);
  }
}

function forkAndWait(path: string, args: string[], ready: string): Promise<ReadyChild> {
  // Plain node, not the tsx loader this script runs under: measure the engine as it ships.
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=prof") profiles the forked processes.
  return forkUntilReady(path, args, ready, process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []);
}

async function main(): Promise<void> {
  if (!peersAvailable('sshd', 'ssh', 'ssh-keygen')) {
    console.error('bench needs OpenSSH (sshd, ssh, ssh-keygen): apt-get install openssh-server openssh-client');
    process.exitCode = 1;
    return;
  }
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'jumpgate-bench-'));
  // Inside the repo so the bundles resolve ssh2 (kept external for its native binding) from node_modules.
  const buildDir = resolve('bench/.build');
  const log = (line: string): void => console.info(`bench: ${line}`);
  let intact = true;
  const check = (ok: boolean, what: string): void => {
    if (!ok) {
      intact = false;
      console.error(`bench: BYTES WRONG in ${what}`);
    }
  };
  let masking: MaskingRow[] = [];
  let weight: WeightRow[] = [];
  let unlock: UnlockRow[] = [];
  try {
    if (SECTIONS.some((section) => !OWN_TABLE_SECTIONS.includes(section) && runs(section))) await measureTunnels(work, buildDir, log, check);
    if (runs('masking')) masking = await maskingBench({ work, buildDir, reps: config.reps, log, check });
    if (runs('weight')) weight = await processWeightBench({ work, buildDir, reps: config.reps, settle: !quick, log });
    if (runs('unlock')) unlock = await keyUnlockBench({ work, reps: config.reps, log });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: type(),
    node: process.version,
    // ssh -V prints its version on stderr.
    openssh: spawnSync(peerPath('ssh'), ['-V'], { encoding: 'utf8' }).stderr.trim(),
  };
  const results = {
    date: new Date().toISOString(),
    mode: (quick ? 'quick' : 'full') + (selected.size < SECTIONS.length ? ` (only ${[...selected].join(', ')})` : '') + (runs('latency') ? `, RTT ${rtts.join('/')} ms at ${rateMbit} Mbit/s` : ''),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    bytesIntact: intact,
    machine,
    metrics: metrics.map((entry) => ({
      ...entry,
      summary: Object.fromEntries(Object.entries(entry.values).map(([variant, values]) => [variant, summarize(values)])),
    })),
    masking,
    weight,
    unlock,
  };
  writeFileSync('bench/results.json', JSON.stringify(results, null, 2) + '\n');
  console.info(renderMarkdown(results.metrics, results));
  if (masking.length > 0) console.info(`\n${renderMaskingMarkdown(masking, formatValue)}`);
  if (weight.length > 0) console.info(`\n${renderWeightMarkdown(weight, formatValue)}`);
  if (unlock.length > 0) console.info(`\n${renderUnlockMarkdown(unlock, formatValue)}`);
  if (!intact) process.exitCode = 1;
}

/** Every section but masking: the engine, bare ssh2 and OpenSSH forwards over the rig's sshd. */
async function measureTunnels(work: string, buildDir: string, log: (line: string) => void, check: (ok: boolean, what: string) => void): Promise<void> {
  await build({
    entryPoints: {
      engineHost: resolve('bench/engineHost.ts'),
      sourceSink: resolve('bench/sourceSink.ts'),
      bareSsh2: resolve('bench/bareSsh2.ts'),
      delayRelay: resolve('bench/delayRelay.ts'),
    },
    outdir: buildDir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22.12',
    external: ['ssh2', 'cpu-features'],
    logLevel: 'warning',
  });

  const key = await makeOpenSshKey(work, { type: 'ed25519', format: 'openssh' });
  const sshd = await SshdPeer.start({ authorizedKeys: [key.publicKey], extraConfig: ['MaxSessions 1000'] });
  const reconnectSshd = await SshdPeer.start({ authorizedKeys: [key.publicKey] });
  const knownHostsPath = join(work, 'known_hosts');
  const knownHosts = new KnownHostsStore(knownHostsPath);
  for (const peer of [sshd, reconnectSshd]) await pinSshdHostKeys(knownHosts, peer);
  const jumpHost: JumpHost = { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath }, via: [] };
  const reconnectHost: JumpHost = { ...jumpHost, port: reconnectSshd.port };

  const sink = await forkAndWait(join(buildDir, 'sourceSink.cjs'), [], 'listening');
  const sinkPort = sink.message.port as number;
  const engineChild = await forkAndWait(join(buildDir, 'engineHost.cjs'), [knownHostsPath], 'ready');
  const engine = new EngineProcess(engineChild.child);

  const ports: Record<VariantName, number> = {
    jumpgate: await pickPort(),
    ssh2: await pickPort(),
    openssh: await pickPort(),
    'openssh-gcm': await pickPort(),
    direct: sinkPort,
  };
  const bareHostKey = sshd.hostKeys.find((hostKey) => hostKey.publicKey.startsWith('ssh-ed25519'))?.publicKey.split(' ')[1] ?? '';
  const bare = await forkAndWait(
    join(buildDir, 'bareSsh2.cjs'),
    [sshd.host, String(sshd.port), sshd.user, key.privatePath, bareHostKey, String(sinkPort), String(ports.ssh2)],
    'ready',
  );
  const sshOptions = { sshdPort: sshd.port, user: sshd.user, keyPath: key.privatePath, knownHostsPath };
  const sshForwards: Partial<Record<VariantName, OpenSshForward>> = {
    openssh: await startOpenSsh({ ...sshOptions, forwards: [{ localPort: ports.openssh, remotePort: sinkPort }] }),
    'openssh-gcm': await startOpenSsh({ ...sshOptions, cipher: GCM, forwards: [{ localPort: ports['openssh-gcm'], remotePort: sinkPort }] }),
  };

  try {
    // Memory: the engine as the app starts it, 10 tunnels open and idle, before any load;
    // and again after all the load below, to show what the heap keeps.
    const tenPorts = await Promise.all(Array.from({ length: 10 }, () => pickPort()));
    const openTen = async (): Promise<void> => {
      await Promise.all(tenPorts.map((port, index) => engine.start(`idle-${index}`, jumpHost, sinkPort, port)));
      for (const port of tenPorts) await firstByte(port);
    };
    if (runs('memory')) {
      const idle = metric('RSS idle with 10 tunnels open (fresh)', 'MB', false, 'engine process vs one ssh with 10 -L');
      await openTen();
      record(idle, 'jumpgate', (await engine.rss()) / 1e6);
      const tenSshPorts = await Promise.all(Array.from({ length: 10 }, () => pickPort()));
      const tenSsh = await startOpenSsh({ ...sshOptions, cipher: GCM, forwards: tenSshPorts.map((localPort) => ({ localPort, remotePort: sinkPort })) });
      for (const port of tenSshPorts) await firstByte(port);
      record(idle, 'openssh-gcm', processMemory(tenSsh.pid).rss / 1e6);
      await tenSsh.stop();
      await engine.stopAll();
    }
    await engine.start('bulk', jumpHost, sinkPort, ports.jumpgate);

    const tunnelPid = (variant: VariantName): number | undefined =>
      variant === 'jumpgate' ? engineChild.child.pid : variant === 'ssh2' ? bare.child.pid : sshForwards[variant]?.pid;

    // Throughput on one connection, both directions.
    if (runs('bulk')) {
      const down = metric(`download ${config.bulk / MiB} MiB, 1 connection`, 'MB/s', true);
      const up = metric(`upload ${config.bulk / MiB} MiB, 1 connection`, 'MB/s', true);
      const downCpu = metric('tunnel process CPU per GiB downloaded', 'cpu-s', false, 'user+system of the engine / ssh process');
      const upCpu = metric('tunnel process CPU per GiB uploaded', 'cpu-s', false);
      const sshdCpu = metric('sshd session CPU per GiB downloaded', 'cpu-s', false);
      const perGiB = (seconds: number): number => seconds / (config.bulk / 2 ** 30);
      for (let rep = 0; rep < config.reps; rep++) {
        for (const variant of orderFor(rep)) {
          const pid = tunnelPid(variant);
          const sessions = sshd.sessionPids();
          const sessionCpu = (): number => sessions.reduce((sum, session) => sum + cpuSeconds(session), 0);
          let cpuBefore = pid ? cpuSeconds(pid) : 0;
          const sshdBefore = sessionCpu();
          const d = await download(ports[variant], config.bulk);
          check(d.intact, `download via ${variant}`);
          record(down, variant, mbps(config.bulk, d.ms));
          if (pid) {
            record(downCpu, variant, perGiB(cpuSeconds(pid) - cpuBefore));
            record(sshdCpu, variant, perGiB(sessionCpu() - sshdBefore));
          }
          cpuBefore = pid ? cpuSeconds(pid) : 0;
          const u = await upload(ports[variant], config.bulk);
          check(u.intact, `upload via ${variant}`);
          record(up, variant, mbps(config.bulk, u.ms));
          if (pid) record(upCpu, variant, perGiB(cpuSeconds(pid) - cpuBefore));
        }
        log(`bulk rep ${rep + 1}/${config.reps}`);
      }
    }

    // Many connections at once.
    if (runs('parallel')) {
      const p100 = metric(`100 parallel x ${config.p100 / MiB} MiB, aggregate`, 'MB/s', true);
      const p500 = metric(`500 parallel x ${config.p500 / MiB} MiB, aggregate`, 'MB/s', true);
      const peak500 = metric('peak RSS during 500 parallel', 'MB', false, 'engine process vs the ssh process (VmHWM)');
      for (let rep = 0; rep < config.reps; rep++) {
        for (const variant of orderFor(rep)) {
          const hundred = await parallelDownload(ports[variant], 100, config.p100);
          check(hundred.intact, `100 parallel via ${variant}`);
          record(p100, variant, mbps(100 * config.p100, hundred.ms));
          if (variant === 'jumpgate') {
            const { result, peak } = await engine.peak(() => parallelDownload(ports[variant], 500, config.p500));
            check(result.intact, `500 parallel via ${variant}`);
            record(p500, variant, mbps(500 * config.p500, result.ms));
            record(peak500, variant, peak / 1e6);
          } else {
            const result = await parallelDownload(ports[variant], 500, config.p500);
            check(result.intact, `500 parallel via ${variant}`);
            record(p500, variant, mbps(500 * config.p500, result.ms));
            const pid = tunnelPid(variant);
            if (pid) record(peak500, variant, processMemory(pid).peak / 1e6);
          }
        }
        log(`parallel rep ${rep + 1}/${config.reps}`);
      }
    }

    // Latency of a new connection through an open tunnel.
    if (runs('ttfb')) {
      const ttfb = metric(`time to first byte, new connection (median of ${config.ttfb})`, 'ms', false);
      // What a short connection costs the tunnel process: the engine's single thread
      // is busy for this long per connection, so back-to-back connections queue behind it.
      const perConnection = metric('tunnel process CPU per new connection', 'cpu-ms', false, 'during the time-to-first-byte loop; /proc counts 10 ms ticks, so 0.05 ms steps over 200 connections');
      for (let rep = 0; rep < config.reps; rep++) {
        for (const variant of orderFor(rep)) {
          const pid = tunnelPid(variant);
          const cpuBefore = pid ? cpuSeconds(pid) : 0;
          const samples: number[] = [];
          for (let i = 0; i < config.ttfb; i++) samples.push(await firstByte(ports[variant]));
          record(ttfb, variant, summarize(samples).median);
          if (pid) record(perConnection, variant, ((cpuSeconds(pid) - cpuBefore) / config.ttfb) * 1000);
        }
      }
      log('ttfb done');
    }

    // Setup: from "connect" to the first byte through a brand-new tunnel and SSH connection.
    for (const forward of Object.values(sshForwards)) await forward?.stop();
    await engine.stopAll();
    if (runs('setup')) {
      const setup = metric('setup: connect -> first byte through a new tunnel', 'ms', false, 'Jumpgate: IPC start; OpenSSH: process spawn');
      for (let rep = 0; rep < config.setupReps; rep++) {
        for (const variant of ['jumpgate', 'openssh', 'openssh-gcm'] as const) {
          const port = await pickPort();
          const t0 = performance.now();
          if (variant === 'jumpgate') {
            const starting = engine.start(`setup-${rep}`, jumpHost, sinkPort, port);
            record(setup, variant, (await untilFirstByte(port)) - t0);
            await starting;
            await engine.stopAll();
          } else {
            const child = spawnOpenSsh({ ...sshOptions, ...(variant === 'openssh-gcm' ? { cipher: GCM } : {}), forwards: [{ localPort: port, remotePort: sinkPort }] });
            record(setup, variant, (await untilFirstByte(port)) - t0);
            const exited = new Promise((done) => child.once('exit', done));
            child.kill('SIGTERM');
            await exited;
          }
        }
      }
      log('setup done');
    }

    if (runs('memory')) {
      const idleAfter = metric('RSS idle with 10 tunnels open (after the load runs)', 'MB', false);
      const idleLater = metric(`RSS idle with 10 tunnels open (after the load runs, then ${QUIET_AFTER_LOAD_MS / 1000} s quiet)`, 'MB', false, 'what a tray app holding its tunnels keeps');
      await openTen();
      record(idleAfter, 'jumpgate', (await engine.rss()) / 1e6);
      // A state, not a synchronisation: the engine left alone as a user leaves it (its heap release looks every 10 s and acts after three quiet looks).
      await delay(QUIET_AFTER_LOAD_MS);
      record(idleLater, 'jumpgate', (await engine.rss()) / 1e6);
      await engine.stopAll();
    }

    // Reconnect: sshd killed, started again; how long until data passes.
    if (runs('reconnect')) {
      const reconnectClient = metric('reconnect: sshd accepting again -> data passes (client waiting)', 'ms', false, 'ssh -L has no reconnect');
      const reconnectIdle = metric('reconnect: sshd accepting again -> tunnel open (no client)', 'ms', false, 'backoff only');
      const rcPort = await pickPort();
      await engine.start('rc', reconnectHost, sinkPort, rcPort);
      for (let rep = 0; rep < config.reconnectReps; rep++) {
        for (const withClient of [true, false]) {
          const reconnecting = engine.state('rc', 'reconnecting');
          await reconnectSshd.stop();
          await reconnecting;
          const open = engine.state('rc', 'open');
          await reconnectSshd.restart();
          const t0 = performance.now();
          if (withClient) {
            record(reconnectClient, 'jumpgate', (await untilFirstByte(rcPort)) - t0);
            await open;
          } else {
            await open;
            record(reconnectIdle, 'jumpgate', performance.now() - t0);
          }
        }
      }
      log('reconnect done');
    }

    // The same tunnels over a slow SSH leg: round trips users have, not loopback's microseconds.
    if (runs('latency')) {
      await engine.stopAll();
      await measureLatency({
        rtts,
        rateMbit,
        bytes: config.latencyBulk,
        reps: config.reps,
        ttfbCount: config.latencyTtfb,
        parallelBytes: config.latencyParallel,
        buildDir,
        sshd,
        keyPath: key.privatePath,
        knownHosts,
        knownHostsPath,
        sinkPort,
        engine,
        forkAndWait,
        row: (name, unit, higherIsBetter, note) => {
          const entry = metric(name, unit, higherIsBetter, note);
          return (variant, value) => record(entry, variant, value);
        },
        check,
        log,
      });
    }
  } finally {
    for (const forward of Object.values(sshForwards)) await forward?.stop();
    engineChild.child.disconnect();
    bare.child.disconnect();
    sink.child.disconnect();
    await Promise.all([sshd.dispose(), reconnectSshd.dispose()]);
  }
}


function formatValue(summary: Summary | undefined): string {
  if (!summary || summary.n === 0) return '—';
  const digits = summary.median >= 100 ? 0 : summary.median >= 10 ? 1 : 2;
  const f = (value: number): string => value.toFixed(digits);
  return summary.n > 1 ? `${f(summary.median)} (${f(summary.min)}–${f(summary.max)})` : f(summary.median);
}

function ratio(a: Summary | undefined, b: Summary | undefined): string {
  if (!a || !b || !a.n || !b.n) return '—';
  return `${(a.median / b.median).toFixed(2)}x`;
}

function renderMarkdown(
  rows: Array<Metric & { summary: Partial<Record<string, Summary>> }>,
  meta: { date: string; mode: string; durationSeconds: number; bytesIntact: boolean; machine: Record<string, unknown> },
): string {
  const header = '| metric | unit | Jumpgate | bare ssh2 | ssh -L (default) | ssh -L aes128-gcm | direct | J / ssh2 | J / ssh | J / ssh-gcm | J / direct |';
  const lines = [
    `Jumpgate tunnel benchmark (${meta.mode}), ${meta.date}, ${meta.durationSeconds} s; every byte checked: ${meta.bytesIntact ? 'yes' : 'NO'}`,
    `Machine: ${meta.machine.cpu}, ${meta.machine.cores} cores, ${meta.machine.memoryGiB} GiB, ${meta.machine.os}, Node ${meta.machine.node}, ${meta.machine.openssh}`,
    'Values: median (min–max) over repetitions; MB = 10^6 bytes. In the RTT rows "direct" is a connection through the delaying relay alone: the link\'s capacity.',
    // With `--only masking` there is no tunnel row: its own table follows.
    ...(rows.length > 0 ? ['', header, '|---|---|---|---|---|---|---|---|---|---|---|'] : []),
    ...rows.map((row) => {
      const s = row.summary;
      return `| ${row.name} | ${row.unit} | ${formatValue(s.jumpgate)} | ${formatValue(s.ssh2)} | ${formatValue(s.openssh)} | ${formatValue(s['openssh-gcm'])} | ${formatValue(s.direct)} | ${ratio(s.jumpgate, s.ssh2)} | ${ratio(s.jumpgate, s.openssh)} | ${ratio(s.jumpgate, s['openssh-gcm'])} | ${ratio(s.jumpgate, s.direct)} |`;
    }),
  ];
  return lines.join('\n');
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
