// Proves electron-builder.yml offline:
//  1. electron-builder's own schema check accepts it (and rejects a typo, so the check is real);
//  2. a real `electron-builder --linux dir` run packs the app against a stand-in Electron
//     (the Electron binary cannot be downloaded here, and the check needs no real one);
//  3. app.asar holds exactly what the app needs at run time, and native bindings sit
//     unpacked beside it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { extractFile, listPackage, statFile } from '@electron/asar';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const configFile = join(root, 'electron-builder.yml');
const PACK_TIMEOUT = 240_000;

const tempDirs: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Loads and validates a config file the way electron-builder's Packager.validateConfig does. */
async function loadAndValidate(file: string) {
  const config = await getConfig(root, file, null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

describe('electron-builder.yml schema', () => {
  it('passes electron-builder validation and says what the packaging relies on', async () => {
    const config = await loadAndValidate(configFile);
    expect(config.appId).toBe('dev.jumpgate.app');
    expect(config.productName).toBe('Jumpgate');
    expect(config.directories).toMatchObject({ output: 'out', buildResources: 'build' });
    expect(config.npmRebuild).toBe(false);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // getConfig normalizes `files` into file sets ({filter: [...]}); flatten them back to patterns
    const files = [config.files ?? []].flat().flatMap((set) => (typeof set === 'string' ? [set] : [set.filter ?? []].flat()));
    expect(files).toEqual(expect.arrayContaining(['dist/**', '!**/*.map', 'package.json', 'build/tray/**']));
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['node_modules/ssh2/lib/protocol/crypto/build/**', 'node_modules/cpu-features/build/**', 'node_modules/ssh2/util/pagent.exe']),
    );
  });

  // One typo at the top level and one inside a platform block: both must be refused,
  // or the check above proves nothing. (For a platform block the schema's anyOf reports
  // the block, `configuration.linux`, rather than the misspelled key.)
  it.each([
    ['npmRebuild: false', 'npmRebuld: false', 'npmRebuld'],
    ['  category: Development', '  categroy: Development', 'configuration.linux'],
  ])('rejects a config where %j is misspelled', async (original, typo, reported) => {
    const text = await readFile(configFile, 'utf8');
    expect(text).toContain(original);
    const dir = await tempDir('jumpgate-eb-config-');
    const bad = join(dir, 'electron-builder.yml');
    await writeFile(bad, text.replace(original, typo));
    await expect(loadAndValidate(bad)).rejects.toThrow(reported);
  });
});

/** @electron/fuses' marker before the fuse wire in an Electron binary. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's own defaults, in FuseV1Options order: RunAsNode, cookie encryption, NODE_OPTIONS, --inspect, asar integrity, only app.asar, browser V8 snapshot, file:// privileges. */
const ELECTRON_DEFAULT_FUSES = '10110001';

/**
 * Writes a directory shaped like an unpacked Electron for linux-x64, enough for
 * electron-builder's "custom unpacked Electron distribution" path (electronDist pointing
 * at a directory that holds no electron-v*.zip). electron-builder copies the directory
 * into <out>/linux-unpacked/ as it is, then:
 *  - renames `electron` to the app's executable name (`jumpgate`): the only file it requires;
 *  - moves `LICENSE` to `LICENSE.electron.txt` (tolerates its absence);
 *  - reads `locales/*.pak` only when `electronLanguages` is set;
 *  - writes app.asar and app.asar.unpacked into `resources/`.
 * The rest mirrors a real Electron zip so the copied layout looks familiar.
 */
async function writeStandInElectron(dir: string, version: string): Promise<void> {
  // The fuse wire as a real binary carries it (@electron/fuses' format: sentinel, wire version 1,
  // length, one byte per fuse, '1' on, '0' off), with Electron's defaults: the packager flips it
  // as it flips the real one, and the test reads it back.
  const wire = Buffer.concat([Buffer.from(FUSE_SENTINEL), Buffer.from([1, ELECTRON_DEFAULT_FUSES.length]), Buffer.from(ELECTRON_DEFAULT_FUSES)]);
  await writeFile(join(dir, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\necho "stand-in for Electron: not runnable" >&2\nexit 1\n# '), wire, Buffer.from('\n')]), {
    mode: 0o755,
  });
  await writeFile(join(dir, 'chrome-sandbox'), '', { mode: 0o755 });
  await writeFile(join(dir, 'chrome_crashpad_handler'), '', { mode: 0o755 });
  for (const file of ['libffmpeg.so', 'libEGL.so', 'libGLESv2.so', 'icudtl.dat', 'resources.pak', 'v8_context_snapshot.bin']) {
    await writeFile(join(dir, file), '');
  }
  await writeFile(join(dir, 'LICENSE'), 'Stand-in for Electron and Chromium license texts.\n');
  await writeFile(join(dir, 'LICENSES.chromium.html'), '<!doctype html>\n');
  await writeFile(join(dir, 'version'), version);
  await mkdir(join(dir, 'locales'));
  await writeFile(join(dir, 'locales', 'en-US.pak'), '');
  await mkdir(join(dir, 'resources'));
}

/** The `.node` files directly inside node_modules/<pkgDir>, as paths relative to the project. */
function nativeFilesIn(pkgDir: string): string[] {
  const abs = join(root, pkgDir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((file) => file.endsWith('.node'))
    .map((file) => `${pkgDir}/${file}`);
}

describe('packing the app (linux dir target, offline)', () => {
  let appOutDir = '';
  let asarPath = '';
  let entries: string[] = [];

  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: root });

    const electronPkg = JSON.parse(await readFile(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as {
      version: string;
    };
    const electronDist = await tempDir('jumpgate-electron-');
    await writeStandInElectron(electronDist, electronPkg.version);
    const output = await tempDir('jumpgate-pack-');

    const blackhole = 'http://127.0.0.1:9'; // nothing listens on the discard port: any download fails at once
    await run(
      join(root, 'node_modules', '.bin', 'electron-builder'),
      [
        '--linux',
        'dir',
        '--x64',
        '--config',
        'electron-builder.yml',
        `-c.electronDist=${electronDist}`,
        `-c.electronVersion=${electronPkg.version}`,
        `-c.directories.output=${output}`,
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
          HTTP_PROXY: blackhole,
          HTTPS_PROXY: blackhole,
          http_proxy: blackhole,
          https_proxy: blackhole,
          NO_PROXY: '',
          no_proxy: '',
          npm_config_offline: 'true',
          CSC_IDENTITY_AUTO_DISCOVERY: 'false',
        },
        maxBuffer: 16 * 1024 * 1024,
      },
    );

    appOutDir = join(output, 'linux-unpacked');
    asarPath = join(appOutDir, 'resources', 'app.asar');
    entries = listPackage(asarPath, { isPack: false }).map((entry) => entry.replace(/\\/g, '/').replace(/^\//, ''));
    console.info(
      `app.asar: ${(statSync(asarPath).size / 1024 / 1024).toFixed(1)} MiB, ${entries.length} entries ` +
        `(${entries.filter((e) => e.startsWith('node_modules/')).length} under node_modules)`,
    );
  }, PACK_TIMEOUT);

  it('flips the fuses in the packed binary: no RunAsNode, no NODE_OPTIONS, no --inspect, only app.asar with integrity, no extra file:// privileges', async () => {
    const { getCurrentFuseWire, FuseV1Options } = await import('@electron/fuses');
    const wire = (await getCurrentFuseWire(join(appOutDir, 'jumpgate'))) as unknown as Record<number, number>;
    const on = (fuse: number): string => String.fromCharCode(wire[fuse] ?? 0);
    expect({
      runAsNode: on(FuseV1Options.RunAsNode),
      nodeOptions: on(FuseV1Options.EnableNodeOptionsEnvironmentVariable),
      inspect: on(FuseV1Options.EnableNodeCliInspectArguments),
      onlyAsar: on(FuseV1Options.OnlyLoadAppFromAsar),
      asarIntegrity: on(FuseV1Options.EnableEmbeddedAsarIntegrityValidation),
      fileProtocol: on(FuseV1Options.GrantFileProtocolExtraPrivileges),
      // Not configured: left as Electron ships it.
      cookieEncryption: on(FuseV1Options.EnableCookieEncryption),
    }).toEqual({ runAsNode: '0', nodeOptions: '0', inspect: '0', onlyAsar: '1', asarIntegrity: '1', fileProtocol: '0', cookieEncryption: '0' });
  });

  it('lays the stand-in Electron out as an app named jumpgate', () => {
    expect(statSync(join(appOutDir, 'jumpgate')).mode & 0o111).not.toBe(0);
    expect(existsSync(join(appOutDir, 'electron'))).toBe(false);
    expect(existsSync(join(appOutDir, 'LICENSE.electron.txt'))).toBe(true);
    expect(existsSync(join(appOutDir, 'locales', 'en-US.pak'))).toBe(true);
  });

  it('contains the bundles, package.json, tray icons and production dependencies', () => {
    const required = [
      'dist/main/main.cjs',
      'dist/preload/preload.cjs',
      'dist/renderer/index.html',
      'dist/renderer/main.js',
      'package.json',
      ...['idle', 'open', 'reconnecting', 'failed'].flatMap((s) => [`build/tray/tray-${s}.png`, `build/tray/tray-${s}@2x.png`]),
      'node_modules/ssh2/package.json',
      'node_modules/ssh2/lib/index.js',
    ];
    expect(required.filter((file) => !entries.includes(file))).toEqual([]);

    const pkg = JSON.parse(extractFile(asarPath, 'package.json').toString('utf8')) as { main?: string };
    expect(pkg.main).toBe('dist/main/main.cjs');
  });

  it('leaves out sources, maps, tests, tooling and devDependencies', () => {
    const forbidden: [string, RegExp][] = [
      ['TypeScript sources', /\.(ts|mts|cts|tsx)$/],
      ['source maps', /\.map$/],
      ['tests', /\.test\.[cm]?[jt]sx?$/],
      ['project folders other than dist/ and build/tray/', /^(e2e|bench|electron|shared|renderer|scripts|out|\.ci|\.git)(\/|$)/],
      ['packaging resources other than the tray icons', /^build\/(?!tray(\/|$))/],
      ['the command line\'s pseudo-terminal (node-pty) and its build headers', /^node_modules\/(node-pty|node-addon-api)(\/|$)/],
      ['configs and lockfiles', /^(tsconfig[^/]*\.json|vitest\.config\.ts|eslint\.config\.js|package-lock\.json|electron-builder\.yml)$/],
    ];
    for (const [what, pattern] of forbidden) {
      expect(entries.filter((entry) => pattern.test(entry)), what).toEqual([]);
    }

    const { devDependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      devDependencies?: Record<string, string>;
    };
    const devNames = Object.keys(devDependencies);
    expect(devNames).toEqual(expect.arrayContaining(['electron', 'vitest']));
    expect(
      devNames.filter((name) => entries.includes(`node_modules/${name}`)),
      'devDependencies inside app.asar',
    ).toEqual([]);
  });

  it('unpacks the native bindings beside the archive, and only those', () => {
    // ssh2's binding is required here (this machine builds it at install); cpu-features'
    // and the keychain's are checked when the install produced them (optional / per platform).
    const natives = [
      'node_modules/ssh2/lib/protocol/crypto/build/Release/sshcrypto.node',
      ...nativeFilesIn('node_modules/cpu-features/build/Release'),
      ...readdirSync(join(root, 'node_modules', '@napi-rs'))
        .filter((name) => name.startsWith('keyring-'))
        .flatMap((name) => nativeFilesIn(`node_modules/@napi-rs/${name}`)),
    ];
    expect(natives.length).toBeGreaterThan(1);
    for (const file of natives) {
      expect(existsSync(join(appOutDir, 'resources', 'app.asar.unpacked', file)), `${file} on disk`).toBe(true);
      expect(statFile(asarPath, file), `${file} in the asar header`).toMatchObject({ unpacked: true });
    }
    // smartUnpack is off: ssh2's JavaScript stays inside the archive.
    expect(statFile(asarPath, 'node_modules/ssh2/lib/index.js')).not.toMatchObject({ unpacked: true });
    // ssh2's Pageant helper (pagent.exe) is unpacked only in a Windows package: electron-builder drops
    // .exe files from node_modules for other targets, so this Linux pack cannot show it, and the
    // asarUnpack entry is checked by the schema test above.
    expect(entries).not.toContain('node_modules/ssh2/util/pagent.exe');
  });
});
