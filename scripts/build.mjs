// Builds the desktop app into dist/: main and preload as CommonJS (a sandboxed
// preload cannot be ESM), the renderer as a browser bundle beside its HTML, and the `jumpgate`
// command as ES modules split into chunks (scripts/cliBuildOptions.mjs).
import { build } from 'esbuild';
import { chmod, copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { argv } from 'node:process';
import { CLI_ENTRY_FILE, cliBuildOptions } from './cliBuildOptions.mjs';

const { version } = JSON.parse(await readFile('package.json', 'utf8'));
// `--out <dir>` builds elsewhere than dist/: the UI tests each build their own copy, so two test
// runs in one checkout never delete the renderer from under each other.
const outIndex = argv.indexOf('--out');
const out = outIndex > 0 ? argv[outIndex + 1] : 'dist';

// node22.12: the CLI runs on the user's Node (package.json `engines`); main and preload run on the
// Node inside Electron 45 (24.x), for which 22.12 is a lower bound.
const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'node22.12' };
// The Node bundles drop whitespace and comments (issue #17's idle weight): V8 keeps every script's
// source in memory for as long as the process runs, and one non-ASCII character in a comment made
// the CLI's 8.2 MB source two bytes per character (17 MB resident) where it is now 6 MB of ASCII.
// Names stay (stack traces read as the code); full minification, measured, left the allocator 36 MB
// larger after parsing. scripts/cliBuildOptions.mjs gives the CLI the same settings.
const nodeSize = { minifyWhitespace: true, minifySyntax: true };

await rm(out, { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    ...nodeSize,
    entryPoints: ['electron/main/main.ts'],
    outfile: `${out}/main/main.cjs`,
    platform: 'node',
    format: 'cjs',
    // ssh2 loads its optional native crypto binding by relative path: keep it in node_modules.
    external: ['electron', 'ssh2', 'cpu-features', '@napi-rs/keyring'],
  }),
  build(cliBuildOptions({ outdir: `${out}/cli`, version })),
  build({
    ...common,
    entryPoints: ['electron/preload/preload.ts'],
    outfile: `${out}/preload/preload.cjs`,
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: ['renderer/main.tsx'],
    outfile: `${out}/renderer/main.js`,
    platform: 'browser',
    format: 'iife',
    target: 'chrome130',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    minify: true,
  }),
]);
await chmod(`${out}/cli/${CLI_ENTRY_FILE}`, 0o755);
await mkdir(`${out}/renderer`, { recursive: true });
await copyFile('renderer/index.html', `${out}/renderer/index.html`);
await copyFile('renderer/styles.css', `${out}/renderer/styles.css`);
// The terminal's own stylesheet (the Shell tab), served beside ours so the CSP stays 'self'.
await copyFile('node_modules/@xterm/xterm/css/xterm.css', `${out}/renderer/xterm.css`);
