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

/** A port the OS considers free right now. Callers retry on EADDRINUSE (see withFreePort). */
export function pickPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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
