import { randomUUID } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/** A lock whose holder died this long ago (no release, PID reused) is taken over anyway. */
const ABANDONED_AFTER_MS = 30_000;

export interface FileLockOptions {
  /** How long to wait for a live holder before giving up. */
  timeoutMs?: number;
}

/**
 * A lock beside `path` (`path.lock`) that the app and the CLI take before they
 * write the profiles file, so their read-check-write never interleaves.
 *
 * Hand-written rather than proper-lockfile: that library decides a lock is stale
 * only by its age, so a CLI killed with SIGKILL (or a crash) mid-save would make
 * the next save wait out the stale period. Here the lock file names its holder's
 * PID, and a lock whose holder is no longer running is taken over at once.
 * Returns the release function.
 */
export async function acquireFileLock(path: string, options: FileLockOptions = {}): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  const token = `${process.pid} ${Date.now()} ${randomUUID()}`;
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(token);
      } finally {
        await handle.close();
      }
      return async () => {
        // Only our own lock: if it was taken over as abandoned, the new holder's stays.
        if ((await readToken(lockPath)) === token) await rm(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await readToken(lockPath);
    if (held !== undefined && (await isAbandoned(lockPath, held))) {
      // Re-read right before removing, so a lock someone took meanwhile is left alone.
      if ((await readToken(lockPath)) === held) await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${lockPath} is held by process ${held?.split(' ')[0] ?? 'unknown'}`);
    // A live holder writes in milliseconds: poll briefly, backing off a little.
    await delay(Math.min(5 + attempt * 5, 50));
  }
}

async function readToken(lockPath: string): Promise<string | undefined> {
  try {
    return await readFile(lockPath, 'utf8');
  } catch {
    return undefined;
  }
}

/** A holder that wrote nothing (killed between creating and writing the file) is given this long. */
const UNWRITTEN_GRACE_MS = 2_000;

/** The holder has exited, or left an unreadable lock behind a while ago. */
async function isAbandoned(lockPath: string, token: string): Promise<boolean> {
  const [pidText, sinceText] = token.split(' ');
  const pid = Number(pidText);
  const since = Number(sinceText);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isFinite(since)) {
    const modified = await stat(lockPath).then((info) => info.mtimeMs, () => 0);
    return Date.now() - modified > UNWRITTEN_GRACE_MS;
  }
  if (Date.now() - since > ABANDONED_AFTER_MS) return true;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; only ESRCH means it is gone.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
