import { lstatSync, mkdirSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join } from 'node:path';

/**
 * Node's on-disk compile cache for the CLI's own code (issue #17, the shipped processes' idle
 * weight). Parsing the bundle leaves about 13 MB of freed parser memory in the C heap that the
 * process never hands back (glibc keeps it, fragmented, for as long as the tunnel stays up); a
 * start that finds V8's cached code for the same source does not parse it at all, and starts
 * faster too. The first start after an install or an upgrade parses and writes the cache.
 *
 * The folder is the user's own cache folder. Cached code is run as our code, so a folder another
 * account could write to is never used: it must be a real directory (not a link), ours, and
 * writable by nobody else; otherwise the CLI simply parses as before. NODE_DISABLE_COMPILE_CACHE=1
 * turns it off, as for any Node program.
 */
export type CompileCacheOutcome = { enabled: true; directory: string } | { enabled: false; reason: string };

export function enableCompileCache(cacheDir: string): CompileCacheOutcome {
  // A namespace import, looked up when called: on a Node older than 22.1 (below the CLI's
  // `engines`) a named import would stop the CLI before it could say which Node it needs.
  if (typeof nodeModule.enableCompileCache !== 'function') return { enabled: false, reason: 'this Node has no compile cache (22.1 or later has)' };
  const directory = join(cacheDir, 'compiled');
  const unsafe = privateDirectoryProblem(directory);
  if (unsafe) return { enabled: false, reason: unsafe };
  const result = nodeModule.enableCompileCache(directory);
  const { ENABLED, ALREADY_ENABLED } = nodeModule.constants.compileCacheStatus;
  if (result.status === ENABLED || result.status === ALREADY_ENABLED) return { enabled: true, directory: result.directory ?? directory };
  return { enabled: false, reason: result.message ?? 'Node did not enable its compile cache' };
}

/** Made if missing (owner only); why it must not be used, or undefined when it is ours alone. */
function privateDirectoryProblem(directory: string): string | undefined {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const stats = lstatSync(directory);
    if (!stats.isDirectory()) return `${directory} is not a directory`;
    // Windows: the folder is under the user's own profile (LOCALAPPDATA), guarded by its ACL; mode bits mean nothing there.
    if (process.platform === 'win32') return undefined;
    if (typeof process.getuid === 'function' && stats.uid !== process.getuid()) return `${directory} belongs to another user`;
    if ((stats.mode & 0o022) !== 0) return `${directory} is writable by other users`;
    return undefined;
  } catch (error) {
    return `${directory}: ${(error as Error).message}`;
  }
}
