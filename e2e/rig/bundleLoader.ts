import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction, constants } from 'node:vm';

/** What Electron's sandboxed preload may require besides 'electron' (docs/tutorial/sandbox.md). */
const SANDBOX_MODULES = new Set(['events', 'timers', 'url', 'node:events', 'node:timers', 'node:url']);

/**
 * Run a built CommonJS bundle (dist/main/main.cjs, dist/preload/preload.cjs) in this process the
 * way Node's loader runs any .cjs file: its source wrapped in the CommonJS module function
 * (exports, require, module, __filename, __dirname) and called once. The one difference is the
 * `require` it gets, which hands out `modules` by id first: that is how the bundle's
 * `require('electron')` (kept external by scripts/build.mjs) reaches the double, while every other
 * id resolves from the bundle's own folder exactly as it would in the app.
 *
 * Why this and not a hook: patching Node's resolver (Module._resolveFilename) is private API, and
 * seeding require.cache is global to the process. This touches nothing shared, so two app
 * instances (the single-instance lock) and a preload per frame each get their own double, and
 * there is nothing to undo afterwards.
 *
 * `sandboxed`: as in a preload of a sandboxed renderer, `require` knows only `modules` and the few
 * built-ins Electron provides there; anything else throws, as it would in the app.
 * A dynamic import() in the bundle (esbuild keeps it for externals such as @napi-rs/keyring) goes
 * to Node's default loader, resolved from the bundle's path, as in Electron's main process.
 */
export function runBundle(path: string, modules: Readonly<Record<string, unknown>>, options: { sandboxed?: boolean } = {}): unknown {
  const nodeRequire = createRequire(path);
  const bundleRequire = Object.assign(
    (id: string): unknown => {
      if (Object.hasOwn(modules, id)) return modules[id];
      if (options.sandboxed && !SANDBOX_MODULES.has(id)) throw new Error(`module not found: ${id}`);
      return nodeRequire(id);
    },
    { resolve: nodeRequire.resolve, cache: nodeRequire.cache, main: undefined },
  );
  const module = { exports: {} as unknown, id: path, filename: path, loaded: false };
  const wrapper = compileFunction(readFileSync(path, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], {
    filename: path,
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  wrapper.call(module.exports, module.exports, bundleRequire, module, path, dirname(path));
  module.loaded = true;
  return module.exports;
}
