/**
 * The `weight` section of `npm run bench` (issue #17: "the shipped processes weigh more than the
 * benchmark's engine": `jumpgate connect` reached 193 MB before any load). The real processes, as
 * they ship (the bundled CLI), idle with a tunnel open: `jumpgate connect` and `jumpgate serve`,
 * beside OpenSSH's `ssh -N -L` holding the same forward. The target is 64 MB idle.
 *
 * "Idle" is a state held for a while, so this section waits (IDLE_MS) after the process says it
 * is ready before reading its resident set from /proc (Linux only; elsewhere it is skipped).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { saveProfiles, trustJumpBox } from '../e2e/rig/cliData';
import { pickPort } from '../e2e/rig/daemon';
import { makeOpenSshKey } from '../e2e/rig/keys';
import { peerPath } from '../e2e/rig/peers';
import { SshdPeer } from '../e2e/rig/sshd';
import { roundTrip, startEchoServer } from '../e2e/rig/tcpPeers';
import { buildCli } from './cliBundle';
import { summarize, type Summary } from './stats';

const IDLE_MS = 2000;
export const IDLE_TARGET_MB = 64;

export interface WeightRow {
  name: string;
  /** Resident set after IDLE_MS idle, MB. */
  rss: Summary;
  /** Peak resident set over the process's life so far (VmHWM), MB. */
  peak: Summary;
}

/** VmRSS and VmHWM of a process, in MB. */
function residentMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** Start, wait for `ready` on stdout, idle, measure, stop. */
async function weigh(command: string, args: readonly string[], env: NodeJS.ProcessEnv, ready: RegExp, afterReady?: () => Promise<void>): Promise<{ rss: number; peak: number }> {
  const child: ChildProcess = spawn(command, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (ready.test(output)) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready: ${output}`)));
    });
    await afterReady?.();
    await delay(IDLE_MS);
    return residentMb(child.pid as number);
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    await exited;
  }
}

export async function processWeightBench(options: { work: string; buildDir: string; reps: number; log: (line: string) => void }): Promise<WeightRow[]> {
  if (!existsSync('/proc/self/status')) {
    options.log('weight: skipped (no /proc on this system)');
    return [];
  }
  const { work, reps, log } = options;
  const cliPath = await buildCli(options.buildDir);
  const key = await makeOpenSshKey(work, { type: 'ed25519', format: 'openssh' });
  const [sshd, database] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startEchoServer()]);
  try {
    const dataDir = join(work, 'weight-data');
    const localPort = await pickPort();
    await saveProfiles(dataDir, {
      id: 'bench',
      name: 'Bench',
      jumpHost: { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } },
      targets: [{ id: 'db', name: 'DB', engine: 'mariadb', remote: { kind: 'host', host: '127.0.0.1', port: database.port }, localPort }],
    });
    await trustJumpBox(dataDir, sshd);
    const env: NodeJS.ProcessEnv = { JUMPGATE_DATA_DIR: dataDir, SSH_AUTH_SOCK: '' };
    // A round trip through the tunnel first: idle after use, as a user's tunnel is.
    const used = async (): Promise<void> => {
      if ((await roundTrip(localPort, 'weigh')) !== 'weigh') throw new Error('the tunnel did not carry a round trip');
    };
    const variants: Array<{ name: string; run: () => Promise<{ rss: number; peak: number }> }> = [
      { name: '`jumpgate connect` (bundled CLI), one tunnel, idle', run: () => weigh(process.execPath, [cliPath, 'connect', 'bench', 'db'], env, /^ready db /m, used) },
      { name: '`jumpgate serve` (bundled CLI), idle', run: () => weigh(process.execPath, [cliPath, 'serve'], env, /http:\/\/127\.0\.0\.1:\d+\//) },
      {
        name: 'OpenSSH `ssh -N -L`, one forward, idle',
        run: () =>
          weigh(
            peerPath('ssh'),
            ['-N', '-v', '-F', '/dev/null', '-i', key.privatePath, '-p', String(sshd.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(work, 'ssh_known_hosts')}`, '-L', `127.0.0.1:${localPort}:127.0.0.1:${database.port}`, `${sshd.user}@${sshd.host}`],
            {},
            /Entering interactive session|pledge: network/,
            used,
          ),
      },
    ];
    const rows: WeightRow[] = [];
    for (const variant of variants) {
      const samples: Array<{ rss: number; peak: number }> = [];
      for (let rep = 0; rep < reps; rep++) samples.push(await variant.run());
      rows.push({ name: variant.name, rss: summarize(samples.map((sample) => sample.rss)), peak: summarize(samples.map((sample) => sample.peak)) });
      log(`weight: ${variant.name}: ${samples.map((sample) => sample.rss.toFixed(1)).join(', ')} MB`);
    }
    return rows;
  } finally {
    await Promise.all([sshd.dispose(), database.close()]);
  }
}

export function renderWeightMarkdown(rows: readonly WeightRow[], format: (summary: Summary) => string): string {
  return [
    `| process (idle ${IDLE_MS / 1000} s after ready) | RSS MB | peak RSS MB | target |`,
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.name} | ${format(row.rss)} | ${format(row.peak)} | ${row.name.includes('jumpgate') ? `<= ${IDLE_TARGET_MB}` : 'reference'} |`),
  ].join('\n');
}
