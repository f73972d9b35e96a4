import { listeningSockets } from '../../electron/core/tunnels/portHolder';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Parent PID of a process from /proc/<pid>/stat, or undefined if it is gone. */
export function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces; fields follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (children, grandchildren, ...). */
export function descendantPids(root: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = parentPid(pid);
    if (ppid === undefined) continue;
    const list = byParent.get(ppid) ?? [];
    list.push(pid);
    byParent.set(ppid, list);
  }
  const result: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of byParent.get(next) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

/** Open file descriptors of this process, e.g. to prove a reconnect cycle leaks nothing. */
export function openFdCount(pid: number | 'self' = 'self'): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Local TCP ports in LISTEN state, owned by anyone. */
export function listeningPorts(): Set<number> {
  return new Set(listeningSockets().map((socket) => socket.port));
}

/** Remote ports of the established TCP connections `pid` holds (its socket descriptors matched in /proc/net/tcp and tcp6). */
export function establishedRemotePorts(pid: number | 'self' = 'self'): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // closed while we looked
    }
  }
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      // fields: sl local_address rem_address st ... inode (10th); state 01 is ESTABLISHED
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '01' || !inodes.has(fields[9] ?? '')) continue;
      ports.push(parseInt((fields[2] ?? '').split(':')[1] ?? '', 16));
    }
  }
  return ports;
}
