// Types for scripts/cliBuildOptions.mjs (plain JavaScript, so that scripts/build.mjs runs on Node
// alone), for the TypeScript that builds the CLI with it: bench/cliBundle.ts and the built-CLI test.
import type { BuildOptions } from 'esbuild';

export declare const CLI_ENTRY_FILE: string;

export declare function cliBuildOptions(options: { outdir: string; version: string }): BuildOptions & { outdir: string };
