// Builds the desktop app into dist/: main and preload as CommonJS (a sandboxed
// preload cannot be ESM), the renderer as a browser bundle beside its HTML.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';

const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'node20' };

await rm('dist', { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    entryPoints: ['electron/main/main.ts'],
    outfile: 'dist/main/main.cjs',
    platform: 'node',
    format: 'cjs',
    // ssh2 loads its optional native crypto binding by relative path: keep it in node_modules.
    external: ['electron', 'ssh2', 'cpu-features', '@napi-rs/keyring'],
  }),
  build({
    ...common,
    entryPoints: ['electron/preload/preload.ts'],
    outfile: 'dist/preload/preload.cjs',
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: ['renderer/main.ts'],
    outfile: 'dist/renderer/main.js',
    platform: 'browser',
    format: 'iife',
    target: 'chrome130',
  }),
]);
await mkdir('dist/renderer', { recursive: true });
await copyFile('renderer/index.html', 'dist/renderer/index.html');
