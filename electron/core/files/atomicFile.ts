import { copyFile, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { platformFilePrivacy, type FilePrivacy } from './filePrivacy';

async function syncDirectory(path: string): Promise<void> {
  // Makes the renames durable; not every platform allows opening a directory.
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows: directory handles cannot be fsynced; rename is still atomic there.
  }
}

let counter = 0;

/**
 * Replace `path` with `text` so that a crash (even kill -9) at any instant leaves
 * either the old or the new complete file at `path`, never a torn one. The old
 * file is first copied to `backupPath` (itself replaced atomically), so the
 * previous good version survives a bad save too. Both are made private to the user (0600; an
 * access list on Windows, through `privacy`) before they take their final names.
 */
export async function writeFileAtomic(path: string, text: string, backupPath?: string, privacy: FilePrivacy = platformFilePrivacy()): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.tmp-${process.pid}-${++counter}`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await privacy.restrict(temp);
  if (backupPath) {
    const backupTemp = `${temp}.bak`;
    try {
      await copyFile(path, backupTemp);
      const backupHandle = await open(backupTemp, 'r+');
      try {
        await backupHandle.sync();
      } finally {
        await backupHandle.close();
      }
      // A copy takes the folder's access list, not the original's.
      await privacy.restrict(backupTemp);
      await rename(backupTemp, backupPath);
    } catch (error) {
      await rm(backupTemp, { force: true });
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  await rename(temp, path);
  await syncDirectory(dir);
}

/** Remove temp files a killed writer left behind (they are never the only copy). */
export async function removeStaleTemps(path: string): Promise<void> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.tmp-`;
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(entries.filter((entry) => entry.startsWith(prefix)).map((entry) => rm(join(dir, entry), { force: true })));
}
