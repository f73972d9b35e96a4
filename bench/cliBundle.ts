import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/**
 * The CLI bundled as scripts/build.mjs bundles it (same entry, same externals), so a benchmark
 * measures what ships and not the tsx loader. Native modules stay in node_modules: ssh2's crypto
 * binding and node-pty are loaded by path.
 */
export async function buildCli(buildDir: string): Promise<string> {
  const outfile = join(buildDir, 'jumpgate.cjs');
  await build({
    entryPoints: [resolve('electron/cli/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22.12',
    define: { __JUMPGATE_VERSION__: JSON.stringify('bench') },
    external: ['ssh2', 'cpu-features', '@napi-rs/keyring', 'node-pty'],
    // As scripts/build.mjs (`nodeSize`): whitespace and comments out, names kept.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
  return outfile;
}
