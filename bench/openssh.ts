import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { listeningPorts } from '../e2e/rig/procfs';
import { peerPath } from '../e2e/rig/peers';

/** An OpenSSH `ssh -N -L` process: the baseline users compare Jumpgate with. */
export interface OpenSshForward {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

export interface OpenSshOptions {
  sshdPort: number;
  user: string;
  keyPath: string;
  knownHostsPath: string;
  /** local port -> remote port on 127.0.0.1 */
  forwards: Array<{ localPort: number; remotePort: number }>;
  cipher?: string;
}

export function spawnOpenSsh(options: OpenSshOptions): ChildProcess {
  const args = [
    '-N', '-T', '-F', '/dev/null',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${options.knownHostsPath}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'IdentityAgent=none',
    '-o', 'ExitOnForwardFailure=yes',
    '-i', options.keyPath,
    '-p', String(options.sshdPort),
    ...(options.cipher ? ['-c', options.cipher] : []),
    ...options.forwards.flatMap((forward) => ['-L', `127.0.0.1:${forward.localPort}:127.0.0.1:${forward.remotePort}`]),
    `${options.user}@127.0.0.1`,
  ];
  return spawn(peerPath('ssh'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Start `ssh -L` and wait until every local port listens (ssh binds them after it has logged in). */
export async function startOpenSsh(options: OpenSshOptions): Promise<OpenSshForward> {
  const child = spawnOpenSsh(options);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ports = options.forwards.map((forward) => forward.localPort);
  const deadline = performance.now() + 15_000;
  while (!ports.every((port) => listeningPorts().has(port))) {
    if (child.exitCode !== null) throw new Error(`ssh exited: ${stderr}`);
    if (performance.now() > deadline) throw new Error(`ssh did not open its forwards: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return {
    child,
    pid: child.pid ?? -1,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resident and peak resident memory of a process, bytes (Linux /proc). */
export function processMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(/^(\w+):\s+(\d+) kB/m.exec(status.split('\n').find((line) => line.startsWith(`${name}:`)) ?? '')?.[2] ?? 0) * 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}
