import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/** The process that holds a local port, as far as the OS tells us (Linux /proc; undefined elsewhere). */
export interface PortHolder {
  pid: number;
  name: string;
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

export function findPortHolder(port: number): PortHolder | undefined {
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
