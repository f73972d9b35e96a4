import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What the built renderer is made of: a change to any of these after a build starts makes that build stale. */
const SOURCES = ['renderer', 'shared', 'scripts/build.mjs', 'package.json'];

function newestChange(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file shows only as its directory's change
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

/**
 * The app built once for a whole test run (scripts/build.mjs into a temp dir
 * that only this run owns), instead of once per UI test file. Test files only
 * serve it, never write to it. If a source changes during the run (vitest
 * watch mode), the next request builds again into a new dir; old dirs stay
 * until dispose, since a file may still be serving one.
 */
export class RendererBuild {
  private current: { startedAt: number; dir: Promise<string> } | undefined;
  private readonly dirs: string[] = [];

  constructor(private readonly root: string) {}

  /** The built renderer's directory (index.html, main.js, styles). */
  rendererDir(): Promise<string> {
    const changed = Math.max(...SOURCES.map((source) => newestChange(join(this.root, source))));
    if (!this.current || changed >= this.current.startedAt) {
      const startedAt = Date.now();
      const dir = this.build();
      // A failed build is not cached: the next UI file tries again and reports its own error.
      dir.catch(() => {
        if (this.current?.dir === dir) this.current = undefined;
      });
      this.current = { startedAt, dir };
    }
    return this.current.dir;
  }

  private async build(): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'jumpgate-build-'));
    this.dirs.push(dir);
    const out = join(dir, 'dist');
    await run(process.execPath, ['scripts/build.mjs', '--out', out], { cwd: this.root });
    // An installed app's layout: the built CLI (ES modules, which NODE_PATH does not reach) finds
    // what it keeps external (ssh2, the keyring, node-pty) in a node_modules beside dist/.
    symlinkSync(join(this.root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return join(out, 'renderer');
  }

  /** Waits for a build in flight (its files land in a dir this removes). */
  async dispose(): Promise<void> {
    await this.current?.dir.catch(() => undefined);
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}
