// @ts-check
// The `jumpgate` command's esbuild options, in one place: scripts/build.mjs ships what they build,
// bench/cliBundle.ts measures it and electron/cli/builtCli.test.ts runs it, so neither measures or
// tests a copy that has drifted from what ships.
import { fileURLToPath, URL } from 'node:url';

/** The built command's entry file inside `outdir`; package.json `bin` names it under dist/cli/. */
export const CLI_ENTRY_FILE = 'jumpgate.mjs';

/**
 * In ESM, CommonJS code bundled from node_modules (ws, commander, the AWS SDK's dist-cjs, mysql2,
 * pg) still calls `require` for Node's built-ins, through esbuild's `__require`, which throws
 * "Dynamic require ... is not supported" unless a real `require` is in scope. Every chunk gets
 * one, resolving from the chunk's own file (all of them sit in `outdir`, beside the entry), as a
 * CommonJS bundle's own `require` did; electron/core/ssh/kdfWorker.ts and pageant.ts find
 * ssh2 and hash-wasm with it. The alias keeps the import's name clear of the bundle's own.
 */
const REQUIRE_BANNER = "import { createRequire as __jumpgateCreateRequire } from 'node:module';\nconst require = __jumpgateCreateRequire(import.meta.url);";

/**
 * The CLI as ES modules with code splitting (issue #17's idle weight): every dynamic `import()`
 * (the AWS SDK clients in electron/core/aws/awsSdkModules.ts, mysql2 and pg in
 * electron/core/diagnostics/dbLogin.ts) becomes a chunk file that Node reads only when that
 * import first runs. In one CommonJS file their source (most of the 6 MB) was parsed into memory
 * at start and kept there for the life of the process, whether or not the command ever used them.
 *
 * The entry keeps electron/cli/bin.ts's `#!/usr/bin/env node` line (esbuild carries an entry's
 * hashbang over, ahead of the banner, and puts it in no chunk).
 *
 * Whitespace and comments go, names stay (stack traces read as the code): V8 keeps every loaded
 * script's source for as long as the process runs, and full minification, measured, left the
 * allocator 36 MB larger after parsing. Node's built-in modules and the externals are left to
 * Node. `charset` stays esbuild's default (ASCII, other characters escaped): one non-ASCII
 * character makes V8 hold a whole file's source at two bytes per character.
 *
 * @param {{ outdir: string; version: string }} options where to write the entry and its chunks; what `--version` prints
 * @returns {import('esbuild').BuildOptions & { outdir: string }}
 */
export function cliBuildOptions({ outdir, version }) {
  return {
    entryPoints: { jumpgate: fileURLToPath(new URL('../electron/cli/bin.ts', import.meta.url)) },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    // The CLI runs on the user's Node (package.json `engines`).
    target: 'node22.12',
    // The AWS SDK's ES module build (its packages' `module` field) before its CommonJS one (`main`,
    // esbuild's first choice for Node): a chunk made from a CommonJS module that an import() loads
    // exports only `default` (its run-time exports cannot be named in ES module output,
    // evanw/esbuild#3245), so `const { EC2Client } = await import('@aws-sdk/client-ec2')` found
    // nothing. Only AWS SDK packages change with this; mysql2/promise, the one CommonJS module
    // still behind an import(), is imported for its default.
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_BANNER },
    define: { __JUMPGATE_VERSION__: JSON.stringify(version) },
    // ssh2 loads its optional native crypto binding by relative path, @napi-rs/keyring its
    // platform's prebuilt binding, node-pty its binding (and, on macOS, a spawn helper) by path:
    // they stay in node_modules, where those paths lead.
    external: ['ssh2', 'cpu-features', '@napi-rs/keyring', 'node-pty'],
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: true,
    logLevel: 'warning',
  };
}
