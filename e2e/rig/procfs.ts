import { listeningSockets } from '../../electron/core/tunnels/portHolder';
import { readdirSync, readFileSync } from 'node:fs';

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
