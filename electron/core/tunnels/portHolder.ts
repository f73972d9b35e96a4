import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { win32 } from 'node:path';
import { runTool, type ToolRunner } from '../platform/runTool';
import { netstatHolderPid, oemTextAsAscii, parseLsofFields, parseNetstatListeners, parseTasklistName } from './portHolderOutput';

/** The process that holds a local port, as far as the OS tells us. */
export interface PortHolder {
  pid: number;
  name: string;
}

/** Who holds `port`, or undefined when the OS will not say (never throws: it only enriches an error). */
export type PortHolderFinder = (port: number) => Promise<PortHolder | undefined>;

export interface PortHolderFinderOptions {
  platform?: NodeJS.Platform;
  /** Runs netstat, tasklist and lsof; the tests pass one that returns recorded output. */
  run?: ToolRunner;
  /** SystemRoot (where netstat.exe and tasklist.exe live) comes from here; process.env unless set. */
  env?: NodeJS.ProcessEnv;
  /** lsof's path (macOS ships it in /usr/sbin); the tests point it at Linux's lsof. */
  lsofPath?: string;
}

/** Every TCP socket in LISTEN state on this machine (Linux /proc/net/tcp and tcp6; empty elsewhere). */
export function listeningSockets(): Array<{ port: number; inode: string }> {
  const sockets: Array<{ port: number; inode: string }> = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // fields: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (fields.length < 10 || fields[3] !== '0A') continue;
      const port = parseInt((fields[1] ?? '').split(':')[1] ?? '', 16);
      if (Number.isFinite(port)) sockets.push({ port, inode: fields[9] ?? '0' });
    }
  }
  return sockets;
}

function listeningInodes(port: number): Set<string> {
  return new Set(listeningSockets().filter((socket) => socket.port === port && socket.inode !== '0').map((socket) => socket.inode));
}

/** Linux: the socket's inode from /proc/net/tcp*, then the process whose fd points at it. */
function procfsPortHolder(port: number): PortHolder | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match?.[1] && inodes.has(match[1])) {
        let name = 'unknown';
        try {
          name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          // keep 'unknown'
        }
        return { pid: Number(pid), name };
      }
    }
  }
  return undefined;
}

/**
 * Windows: `netstat -ano` lists every TCP listener with its PID (no administrator rights needed
 * for -o), `tasklist` names the PID. Both by absolute path under SystemRoot, so a netstat.exe in
 * the current folder is never the one that runs.
 */
async function windowsPortHolder(port: number, run: ToolRunner, env: NodeJS.ProcessEnv): Promise<PortHolder | undefined> {
  const system32 = win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32');
  // No -p filter: `-p TCP` leaves out the IPv6 listeners, and a [::] listener blocks 127.0.0.1 too.
  const netstat = await run(win32.join(system32, 'netstat.exe'), ['-ano'], { encoding: 'latin1' });
  if (netstat.exitCode !== 0) return undefined;
  const pid = netstatHolderPid(parseNetstatListeners(netstat.stdout), port);
  if (pid === undefined) return undefined;
  const tasklist = await run(win32.join(system32, 'tasklist.exe'), ['/FI', `PID eq ${pid}`, '/FO', 'CSV', '/NH'], { encoding: 'latin1' });
  const name = tasklist.exitCode === 0 ? parseTasklistName(tasklist.stdout, pid) : undefined;
  return { pid, name: name ? oemTextAsAscii(name) : 'unknown' };
}

/** macOS: lsof, asked for TCP listeners on the port only, in its machine-readable field format. */
async function lsofPortHolder(port: number, run: ToolRunner, lsofPath: string): Promise<PortHolder | undefined> {
  // Exit status 1 with no output is lsof's "nothing matched".
  const lsof = await run(lsofPath, ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc']);
  return parseLsofFields(lsof.stdout)[0];
}

/**
 * The port-holder lookup for a platform: Linux reads /proc, Windows asks netstat and tasklist,
 * macOS asks lsof; anything else (or a tool that fails, hangs or is missing) gives undefined,
 * and the PORT_IN_USE error simply does not name the process.
 */
export function createPortHolderFinder(options: PortHolderFinderOptions = {}): PortHolderFinder {
  const platform = options.platform ?? process.platform;
  const run = options.run ?? runTool;
  const env = options.env ?? process.env;
  const lookup: PortHolderFinder =
    platform === 'linux'
      ? async (port) => procfsPortHolder(port)
      : platform === 'win32'
        ? (port) => windowsPortHolder(port, run, env)
        : platform === 'darwin'
          ? (port) => lsofPortHolder(port, run, options.lsofPath ?? '/usr/sbin/lsof')
          : async () => undefined;
  return (port) => lookup(port).catch(() => undefined);
}

/** This machine's lookup. */
export const findPortHolder: PortHolderFinder = createPortHolderFinder();

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * The next port after `taken` that could be bound now, following the family
 * convention (13306, 13307, ... / 15432, 15433, ...). Only a suggestion for the
 * hint: the caller binds for real and handles losing a race.
 */
export async function suggestFreePort(taken: number, span = 50): Promise<number | undefined> {
  for (let port = taken + 1; port <= Math.min(taken + span, 65535); port++) {
    if (await canBind(port)) return port;
  }
  return undefined;
}
