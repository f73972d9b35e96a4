import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../core/paths';
import { enableCompileCache } from './compileCache';

describe.skipIf(process.platform === 'win32')('the CLI compile cache', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'jg-compile-cache-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  // Enabling is for the whole process: done in a child, as the CLI's entry does it.
  it('makes an owner-only folder, and Node writes compiled code into it', () => {
    const script = join(root, 'start.ts');
    writeFileSync(
      script,
      [
        `import { enableCompileCache } from ${JSON.stringify(resolve('electron/cli/compileCache.ts'))};`,
        `const outcome = enableCompileCache(${JSON.stringify(join(root, 'cache'))});`,
        `require(${JSON.stringify(resolve('electron/core/paths.ts'))});`,
        `console.log(JSON.stringify(outcome));`,
      ].join('\n'),
    );
    const { NODE_DISABLE_COMPILE_CACHE: _off, ...env } = process.env;
    const output = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', env });
    const outcome = JSON.parse(output.trim().split('\n').pop() as string) as { enabled: boolean; directory?: string };
    expect(outcome).toEqual({ enabled: true, directory: join(root, 'cache', 'compiled') });
    expect(statSync(join(root, 'cache', 'compiled')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(root, 'cache', 'compiled'), { recursive: true }).length).toBeGreaterThan(0);
  });

  it('never uses a folder other accounts can write to', () => {
    const shared = join(root, 'shared', 'compiled');
    mkdirSync(shared, { recursive: true });
    chmodSync(shared, 0o777);
    expect(enableCompileCache(join(root, 'shared'))).toEqual({ enabled: false, reason: `${shared} is writable by other users` });
  });

  it('never follows a link put where the folder should be', () => {
    mkdirSync(join(root, 'elsewhere'), { mode: 0o700 });
    mkdirSync(join(root, 'linked'));
    symlinkSync(join(root, 'elsewhere'), join(root, 'linked', 'compiled'));
    expect(enableCompileCache(join(root, 'linked'))).toEqual({ enabled: false, reason: `${join(root, 'linked', 'compiled')} is not a directory` });
  });

  it('says why when the folder cannot be made', () => {
    writeFileSync(join(root, 'file'), 'not a folder');
    const outcome = enableCompileCache(join(root, 'file'));
    expect(outcome.enabled).toBe(false);
    expect(outcome.enabled === false && outcome.reason).toMatch(/file\/compiled: (EEXIST|ENOTDIR)/);
  });
});

describe('where the cache lives', () => {
  it('is the platform per-user cache folder, or inside JUMPGATE_DATA_DIR', () => {
    expect(defaultCacheDir({}, 'linux', '/home/ana')).toBe('/home/ana/.cache/Jumpgate');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/ana')).toBe('/xdg/Jumpgate');
    expect(defaultCacheDir({}, 'darwin', '/Users/ana')).toBe('/Users/ana/Library/Caches/Jumpgate');
    expect(defaultCacheDir({ LOCALAPPDATA: 'C:/Users/ana/AppData/Local' }, 'win32', 'C:/Users/ana')).toBe('C:/Users/ana/AppData/Local/Jumpgate/Cache');
    expect(defaultCacheDir({ JUMPGATE_DATA_DIR: '/portable/data' }, 'linux', '/home/ana')).toBe('/portable/data/cache');
  });
});
