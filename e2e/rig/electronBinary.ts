import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative } from 'node:path';

export type ElectronBinary = { path: string; reason?: undefined } | { path?: undefined; reason: string };

const WHERE_IT_RUNS = 'these specs run wherever `npx electron --version` works';

/** The executable's name inside dist/, as the electron package's install.js names it per platform. */
function platformPath(platform: NodeJS.Platform): string | undefined {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') return 'electron';
  return undefined;
}

/** 'is empty', 'does not exist', or undefined when the folder has something in it. */
function emptiness(dir: string): string | undefined {
  try {
    return readdirSync(dir).length === 0 ? 'is empty' : undefined;
  } catch {
    return 'does not exist';
  }
}

/** A path as the user would type it from the repo: relative inside it, absolute outside. */
function shown(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

/**
 * The Electron executable the `electron` package would run, resolved the way its
 * index.js does (ELECTRON_OVERRIDE_DIST_PATH, else dist/ plus the name in
 * path.txt) but without requiring that file: electron 45's index.js starts a
 * download when the binary is missing, and the download is blocked here.
 * Returns the path, or one sentence saying why the `_electron` specs skip.
 */
export function electronBinary(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ElectronBinary {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { reason: `the electron package is not installed (run npm ci); ${WHERE_IT_RUNS}` };
  }
  let name: string | undefined;
  try {
    name = readFileSync(join(packageDir, 'path.txt'), 'utf8');
  } catch {
    // No path.txt: install.js never finished; it would have written this name.
    name = platformPath(platform);
  }
  if (!name) return { reason: `Electron has no build for ${platform}` };
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH || join(packageDir, 'dist');
  const path = join(distDir, name);
  try {
    accessSync(path, constants.X_OK);
    return { path };
  } catch {
    const empty = emptiness(distDir);
    return {
      reason: empty
        ? `Electron binary not installed (${shown(distDir)} ${empty}: its download comes from outside the package registry and is blocked or skipped here); ${WHERE_IT_RUNS}`
        : `Electron binary not executable at ${shown(path)}; ${WHERE_IT_RUNS}`,
    };
  }
}

const reported = new Set<string>();

/**
 * Print why the Electron specs skip, once per reason. Unlike peersAvailable this
 * never fails CI: the Electron binary is the one peer these machines cannot have.
 */
export function reportElectronSkip(binary: ElectronBinary): void {
  if (!binary.reason || reported.has(binary.reason)) return;
  reported.add(binary.reason);
  console.warn(`SKIP Electron shell specs: ${binary.reason}`);
}
