import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { CLI_ENTRY_FILE, cliBuildOptions } from '../scripts/cliBuildOptions.mjs';

/**
 * The CLI built with the options scripts/build.mjs ships it with (the entry and its chunks in
 * `buildDir/cli/`), so a benchmark measures what ships and not the tsx loader. The externals
 * (ssh2's crypto binding, node-pty, the keychain binding) resolve from the repo's node_modules,
 * as from an installed package's. Returns the entry file.
 */
export async function buildCli(buildDir: string): Promise<string> {
  const outdir = join(buildDir, 'cli');
  // Chunk names carry a content hash: clear the last run's, so the folder holds one build.
  await rm(outdir, { recursive: true, force: true });
  await build(cliBuildOptions({ outdir, version: 'bench' }));
  return join(outdir, CLI_ENTRY_FILE);
}
