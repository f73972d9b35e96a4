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
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { build } from 'esbuild';
import { saveProfiles, trustJumpBox } from '../e2e/rig/cliData';
import { pickPort } from '../e2e/rig/daemon';
import { makeOpenSshKey } from '../e2e/rig/keys';
import { peerPath } from '../e2e/rig/peers';
import { SshdPeer } from '../e2e/rig/sshd';
import { startEchoServer } from '../e2e/rig/tcpPeers';
import { buildCli } from './cliBundle';
import { summarize, type Summary } from './stats';

const IDLE_MS = 2000;
/**
 * Then, in full mode, once more after V8's memory reducer has run (it starts about 8 s after the
 * last heap growth and gives back young-generation and free pages: 9 MB for `jumpgate connect`):
 * what a tunnel left open for the afternoon weighs.
 */
const SETTLED_MS = 30_000;
export const IDLE_TARGET_MB = 64;

export interface WeightRow {
  name: string;
  /** Resident set after IDLE_MS idle, MB. */
  rss: Summary;
  /**
   * Of that, pages of files (RssFile: the node binary's code and the shared libraries, clean and
   * shared with every other Node process) and the process's own memory (RssAnon + RssShmem).
   */
  fileBacked: Summary;
  own: Summary;
  /** Peak resident set over the process's life so far (VmHWM), MB. */
  peak: Summary;
  /** Resident set after SETTLED_MS idle (full mode only), MB. */
  settled?: Summary;
}

/** Send `payload`, read it back, then close: one request and its answer. */
function echoBeforeEnd(port: number, payload: string): Promise<string> {
  return new Promise((resolveReply, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(payload));
    let reply = '';
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      if (reply.length >= payload.length) socket.end();
    });
    socket.once('close', () => resolveReply(reply));
    socket.once('error', reject);
  });
}

interface Resident {
  rss: number;
  peak: number;
  fileBacked: number;
  own: number;
  settled?: number;
}

/** VmRSS, VmHWM and the file-backed / own split of a process, in MB. */
function residentMb(pid: number): Resident {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM'), fileBacked: field('RssFile'), own: field('RssAnon') + field('RssShmem') };
}

/** Start, wait for `ready` on stdout, idle, measure, stop. */
async function weigh(command: string, args: readonly string[], env: NodeJS.ProcessEnv, ready: RegExp, settle: boolean, afterReady?: () => Promise<void>): Promise<Resident> {
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
    const resident = residentMb(child.pid as number);
    if (!settle) return resident;
    await delay(SETTLED_MS - IDLE_MS);
    return { ...resident, settled: residentMb(child.pid as number).rss };
  } finally {
    // A process that ended before it was ready (`jumpgate serve` without a built renderer) has
    // already sent its 'exit': waiting for another kept the benchmark hanging with no output.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    }
  }
}

export async function processWeightBench(options: { work: string; buildDir: string; reps: number; settle: boolean; log: (line: string) => void }): Promise<WeightRow[]> {
  if (!existsSync('/proc/self/status')) {
    options.log('weight: skipped (no /proc on this system)');
    return [];
  }
  const { work, reps, settle, log } = options;
  const cliPath = await buildCli(options.buildDir);
  const barePath = join(options.buildDir, 'bareSsh2Weight.cjs');
  await build({ entryPoints: [resolve('bench/bareSsh2.ts')], outfile: barePath, bundle: true, platform: 'node', format: 'cjs', target: 'node22.12', external: ['ssh2', 'cpu-features'], logLevel: 'warning' });
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
    const bareHostKey = sshd.hostKeys.find((hostKey) => hostKey.publicKey.startsWith('ssh-ed25519'))?.publicKey.split(' ')[1] ?? '';
    const env: NodeJS.ProcessEnv = { JUMPGATE_DATA_DIR: dataDir, SSH_AUTH_SOCK: '' };
    // A round trip through the tunnel first: idle after use, as a user's tunnel is. The client
    // waits for its echo before it ends (the bare forward closes a channel on the client's EOF).
    const used = async (): Promise<void> => {
      if ((await echoBeforeEnd(localPort, 'weigh')) !== 'weigh') throw new Error('the tunnel did not carry a round trip');
    };
    // The CLI's compile cache (electron/cli/compileCache.ts) sits in the data folder's cache/ here.
    const compileCache = join(dataDir, 'cache');
    const connectCli = (): Promise<Resident> => weigh(process.execPath, [cliPath, 'connect', 'bench', 'db'], env, /^ready db /m, settle, used);
    const variants: Array<{ name: string; run: () => Promise<Resident> }> = [
      {
        // An install's first start, and the first after an upgrade: Node parses the CLI and writes the cache.
        name: '`jumpgate connect` (bundled CLI), one tunnel, idle, first start (no compile cache)',
        run: () => {
          rmSync(compileCache, { recursive: true, force: true });
          return connectCli();
        },
      },
      { name: '`jumpgate connect` (bundled CLI), one tunnel, idle', run: connectCli },
      { name: '`jumpgate serve` (bundled CLI), idle', run: () => weigh(process.execPath, [cliPath, 'serve'], env, /http:\/\/127\.0\.0\.1:\d+\//, settle) },
      {
        // The floor for any Node process that holds an SSH forward: Node, ssh2 and one handshake's crypto, nothing of Jumpgate.
        name: 'bare ssh2 forward (Node + ssh2 alone), one tunnel, idle',
        run: () => weigh(process.execPath, [barePath, sshd.host, String(sshd.port), sshd.user, key.privatePath, bareHostKey, String(database.port), String(localPort)], {}, /^ready$/m, settle, used),
      },
      {
        name: 'OpenSSH `ssh -N -L`, one forward, idle',
        run: () =>
          weigh(
            peerPath('ssh'),
            ['-N', '-v', '-F', '/dev/null', '-i', key.privatePath, '-p', String(sshd.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(work, 'ssh_known_hosts')}`, '-L', `127.0.0.1:${localPort}:127.0.0.1:${database.port}`, `${sshd.user}@${sshd.host}`],
            {},
            /Entering interactive session|pledge: network/,
            false,
            used,
          ),
      },
    ];
    const rows: WeightRow[] = [];
    for (const variant of variants) {
      const samples: Resident[] = [];
      for (let rep = 0; rep < reps; rep++) samples.push(await variant.run());
      const of = (pick: (sample: Resident) => number): Summary => summarize(samples.map(pick));
      const settled = samples.flatMap((sample) => (sample.settled === undefined ? [] : [sample.settled]));
      rows.push({
        name: variant.name,
        rss: of((sample) => sample.rss),
        peak: of((sample) => sample.peak),
        fileBacked: of((sample) => sample.fileBacked),
        own: of((sample) => sample.own),
        ...(settled.length > 0 ? { settled: summarize(settled) } : {}),
      });
      log(`weight: ${variant.name}: ${samples.map((sample) => sample.rss.toFixed(1) + (sample.settled === undefined ? '' : ` (${sample.settled.toFixed(1)} settled)`)).join(', ')} MB`);
    }
    return rows;
  } finally {
    await Promise.all([sshd.dispose(), database.close()]);
  }
}

export function renderWeightMarkdown(rows: readonly WeightRow[], format: (summary: Summary) => string): string {
  return [
    `| process (idle ${IDLE_MS / 1000} s after ready) | RSS MB | of it file-backed (node binary, libraries) | of it the process's own | peak RSS MB | RSS after ${SETTLED_MS / 1000} s idle (full mode) | target |`,
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.name} | ${format(row.rss)} | ${format(row.fileBacked)} | ${format(row.own)} | ${format(row.peak)} | ${row.settled ? format(row.settled) : '—'} | ${row.name.includes('jumpgate') ? `<= ${IDLE_TARGET_MB}` : 'reference'} |`,
    ),
  ].join('\n');
}
