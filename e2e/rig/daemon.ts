import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A long-running test peer (sshd, mariadbd, postgres) started by absolute path.
 * Readiness is the peer saying so on its log stream, never a timer.
 */
export interface Daemon {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything the daemon printed so far (for error messages). */
  log(): string;
  /** SIGTERM, then SIGKILL if it does not exit in time. Resolves once it has exited. */
  stop(): Promise<void>;
  /** Resolves when the process has exited (for any reason). */
  readonly exited: Promise<number | null>;
}

export interface DaemonOptions {
  /** A line matching this on stdout or stderr means "ready". */
  ready: RegExp;
  /** A line matching this means "failed to start" (e.g. address in use). */
  failure?: RegExp;
  timeoutMs?: number;
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export class DaemonStartError extends Error {
  constructor(
    message: string,
    readonly log: string,
    readonly addressInUse: boolean,
  ) {
    super(`${message}\n--- daemon output ---\n${log.slice(-4000)}`);
  }
}

const ADDRESS_IN_USE = /address already in use|could not bind|bind.*failed|Can't start server: Bind/i;

export function startDaemon(command: string, args: string[], options: DaemonOptions): Promise<Daemon> {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });

  return new Promise<Daemon>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      fail(`${command} did not report ready within ${options.timeoutMs ?? 30_000} ms`);
    }, options.timeoutMs ?? 30_000);

    const daemon: Daemon = {
      get pid() {
        return child.pid ?? -1;
      },
      child,
      log: () => output,
      exited,
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      },
    };

    function fail(reason: string): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new DaemonStartError(reason, output, ADDRESS_IN_USE.test(output)));
    }

    function onData(chunk: Buffer): void {
      output += chunk.toString('utf8');
      if (settled) return;
      if (options.failure?.test(output) || ADDRESS_IN_USE.test(output)) {
        fail(`${command} failed to start`);
      } else if (options.ready.test(output)) {
        settled = true;
        clearTimeout(timer);
        resolve(daemon);
      }
    }

    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => fail(`${command} could not be spawned: ${error.message}`));
    child.once('exit', (code, signal) => fail(`${command} exited early (code ${code}, signal ${signal})`));
  });
}

/**
 * Where pickPort looks: under the kernel's ephemeral range (32768-60999 on Linux, 49152 and up on
 * Windows and macOS), so a port a test picked and saved in a profile is never handed to another
 * process's listen(0) or outgoing connection before the test binds it (that took a CLI test's
 * target port in CI), and above the conventional ports (13306, 15432 and their neighbours) that
 * the product proposes.
 *
 * The range is split between the processes that pick at once, because a port one process picked
 * is free until it binds it and only that process knows it is taken: the run's shared rig
 * (vitest's main process, which starts the databases) picks from its own range
 * (pickPortsForSharedRig), and each test worker from a slice of its own by its pool id. Without
 * the split a PostgreSQL the rig started took the port a CLI test had saved for a profile.
 */
const WORKER_PORTS = { from: 20_000, to: 30_000 };
const SHARED_RIG_PORTS = { from: 30_000, to: 32_000 };
/** Slices of the workers' range: vitest.config.ts runs at most 2 workers, so each has its own with room to spare (pool ids beyond 4 would share). */
const WORKER_SLICES = 4;

function workerSlice(): { from: number; to: number } {
  const poolId = Number(process.env.VITEST_POOL_ID);
  // Outside vitest (the benchmark) nothing else picks at the same time: the whole range.
  if (!Number.isInteger(poolId) || poolId < 1) return WORKER_PORTS;
  const size = (WORKER_PORTS.to - WORKER_PORTS.from) / WORKER_SLICES;
  const from = WORKER_PORTS.from + ((poolId - 1) % WORKER_SLICES) * size;
  return { from, to: from + size };
}

let pickRange: { from: number; to: number } | undefined;

/** The shared rig's process picks from its own range: call once, before it starts anything. */
export function pickPortsForSharedRig(): void {
  pickRange = SHARED_RIG_PORTS;
}

/** Ports this process has handed out: two picks in a row never return the same one. */
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port the OS considers free right now. Callers retry on EADDRINUSE (see withFreePort). */
export async function pickPort(): Promise<number> {
  const { from, to } = (pickRange ??= workerSlice());
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if (handedOut.has(port)) continue;
    // Claimed before the check, so picks running at once (Promise.all) never hand out the same port.
    handedOut.add(port);
    if (await canListen(port)) return port;
    handedOut.delete(port);
  }
  throw new Error(`no free port between ${from} and ${to} after 100 tries`);
}

/** Start something on a fresh port, retrying when another process won the race for it. */
export async function withFreePort<T>(start: (port: number) => Promise<T>, attempts = 5): Promise<T> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = await pickPort();
    try {
      return await start(port);
    } catch (error) {
      lastError = error;
      if (!(error instanceof DaemonStartError && error.addressInUse)) throw error;
    }
  }
  throw lastError;
}
