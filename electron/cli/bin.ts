#!/usr/bin/env node
// ^ The built command's first line: esbuild carries an entry's hashbang into dist/cli/jumpgate.mjs (scripts/cliBuildOptions.mjs).
import * as nodeModule from 'node:module';
import { defaultCacheDir } from '../core/paths';
import { enableCompileCache } from './compileCache';

/**
 * The built `jumpgate` command's entry: turns on the compile cache (compileCache.ts: a start that
 * finds V8's code for the CLI does not parse it, and idles ~12 MB lighter), then loads the CLI
 * itself (main.ts), which the build keeps in a chunk of its own so that it is compiled after this.
 * Run from source (tsx, the tests), main.ts is the entry and nothing is cached.
 */
enableCompileCache(defaultCacheDir());
await import('./main');
// What the start compiled goes to disk now, not only at exit: `connect` may run for days and end
// by a signal that skips the exit flush. (The chunks loaded later are written at exit.)
if (typeof nodeModule.flushCompileCache === 'function') nodeModule.flushCompileCache();
