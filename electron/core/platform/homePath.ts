import { homedir } from 'node:os';
import { resolve } from 'node:path';

/** A leading ~ (or ~/, or ~\ on Windows) means the home directory (`home`, this user's unless given), as in a shell. */
export function expandHome(path: string, home = homedir()): string {
  if (path === '~') return home;
  return path.startsWith('~/') || (process.platform === 'win32' && path.startsWith('~\\')) ? `${home}${path.slice(1)}` : path;
}

/**
 * One spelling for the file a path names: `~/.ssh/id_ed25519`, `/home/u/.ssh/id_ed25519` and
 * `/home/u/.ssh/../.ssh/id_ed25519` are the same key. Not through symlinks: the file need not exist.
 */
export function sameFilePath(path: string): string {
  return resolve(expandHome(path));
}
