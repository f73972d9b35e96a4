import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCliEnv, saveProfiles, trustJumpBox } from '../../e2e/rig/cliData';
import { runCli, spawnCli, waitForLine } from '../../e2e/rig/cliProcess';
import { pickPort } from '../../e2e/rig/daemon';
import { makeOpenSshKey } from '../../e2e/rig/keys';
import { startMoto, type MotoPeer } from '../../e2e/rig/moto';
import { peersAvailable } from '../../e2e/rig/peers';
import { SshdPeer } from '../../e2e/rig/sshd';
import { roundTrip, startEchoServer, type TcpPeer } from '../../e2e/rig/tcpPeers';
import { createJumpBoxGroup } from '../../e2e/ui/toolsRig';
import { CLI_ENTRY_FILE, cliBuildOptions } from '../../scripts/cliBuildOptions.mjs';

const VERSION = '9.8.7-built';
/** The built entry's source: it turns on the compile cache, then imports the CLI program (main.ts), built as a chunk of its own. */
const CLI_SOURCE = resolve('electron/cli/bin.ts');
const CLI_PROGRAM = resolve('electron/cli/main.ts');

/** Source files of what Jumpgate loads with import() on first use: the AWS SDK clients, the database drivers, and the web host's WebSocket server (`serve`). */
const LOADED_ON_FIRST_USE = /node_modules\/(@aws-sdk\/client-[^/]+|mysql2|pg|ws)\//;

/** The EC2 client's own definition of a command class (Jumpgate's code only names it, as `sdk.DescribeSecurityGroupsCommand`). */
const EC2_COMMAND_DEFINITION = /\bDescribeSecurityGroupsCommand\s*=\s*class\b|\bclass DescribeSecurityGroupsCommand\b/;

/**
 * The `jumpgate` command as it ships (issue #17's idle weight): built with scripts/build.mjs's
 * own options (scripts/cliBuildOptions.mjs) into `<app>/dist/cli/`, beside a `node_modules` as an
 * installed package has one, and run by Node alone. The other CLI tests run the source through
 * tsx, which proves nothing about the build: ES modules split into chunks, the `require` each
 * chunk is given, and the paths found from the built files' location.
 */
let app: string;
let cliDir: string;
let entry: string;
let metafile: Metafile;

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'jumpgate-built-cli-'));
  cliDir = join(app, 'dist', 'cli');
  symlinkSync(resolve('node_modules'), join(app, 'node_modules'), 'dir');
  // The metafile is esbuild's record of which source went into which file; it changes no output.
  ({ metafile } = await build({ ...cliBuildOptions({ outdir: cliDir, version: VERSION }), metafile: true }));
  entry = join(cliDir, CLI_ENTRY_FILE);
}, 60_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

/** The built files (absolute paths), with the metafile's key of each (relative to the working directory, as esbuild writes them). */
function builtFiles(): Array<{ key: string; path: string }> {
  return Object.keys(metafile.outputs)
    .filter((key) => key.endsWith('.mjs'))
    .map((key) => ({ key, path: resolve(key) }));
}

/** The built chunk of the CLI program (main.ts), which the entry imports on every start. */
function programChunk(): { key: string; path: string } {
  const key = Object.keys(metafile.outputs).find((output) => metafile.outputs[output]?.entryPoint && resolve(metafile.outputs[output]?.entryPoint as string) === CLI_PROGRAM);
  if (!key) throw new Error('the build put the CLI program in no chunk of its own');
  return { key, path: resolve(key) };
}

/** The entry, the CLI program and every chunk they import statically: what Node reads, parses and keeps before the command runs. */
function loadedAtStart(): Array<{ key: string; path: string }> {
  const files = builtFiles();
  const start = files.find((file) => file.path === entry);
  if (!start) throw new Error(`the build wrote no ${CLI_ENTRY_FILE}`);
  const seen = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const imported of metafile.outputs[key]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(start.key);
  visit(programChunk().key);
  return files.filter((file) => seen.has(file.key));
}

const inputsOf = (files: Array<{ key: string }>): string[] => files.flatMap((file) => Object.keys(metafile.outputs[file.key]?.inputs ?? {}));
const textOf = (files: Array<{ path: string }>): string => files.map((file) => readFileSync(file.path, 'latin1')).join('\n');

describe('the built CLI (scripts/cliBuildOptions.mjs)', () => {
  it('loads none of the AWS SDK clients, database drivers or the web host\'s WebSocket server at start, and carries them in chunks of their own', () => {
    const atStart = loadedAtStart();
    const all = builtFiles();
    expect(atStart.length).toBeLessThan(all.length);
    expect(inputsOf(atStart).filter((input) => LOADED_ON_FIRST_USE.test(input))).toEqual([]);
    expect(EC2_COMMAND_DEFINITION.test(textOf(atStart))).toBe(false);
    // Still in the build, for the commands that use them: no package left for node_modules to supply.
    const carried = new Set(inputsOf(all).flatMap((input) => LOADED_ON_FIRST_USE.exec(input)?.[1] ?? []));
    expect([...carried].sort()).toEqual(
      expect.arrayContaining(['@aws-sdk/client-ec2', '@aws-sdk/client-rds', '@aws-sdk/client-s3', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-ssm', '@aws-sdk/client-sts', 'mysql2', 'pg', 'ws']),
    );
    expect(EC2_COMMAND_DEFINITION.test(textOf(all))).toBe(true);
  });

  it('gives every import() named exports, as Node does: no CommonJS module behind one but mysql2/promise, which is imported for its default', () => {
    // A chunk made from a CommonJS module exports only `default` (evanw/esbuild#3245), where Node's own import() also names its exports.
    const loadedByImport = Object.values(metafile.outputs).flatMap((output) => (output.entryPoint && resolve(output.entryPoint) !== CLI_SOURCE ? [output.entryPoint] : []));
    expect(loadedByImport.map((input) => resolve(input))).toContain(CLI_PROGRAM);
    expect(loadedByImport.length).toBeGreaterThan(0);
    expect(loadedByImport.filter((input) => metafile.inputs[input]?.format === 'cjs')).toEqual([expect.stringMatching(/node_modules\/mysql2\/promise\.js$/)]);
  });

  it('is ASCII in every file, so V8 keeps each source at one byte per character', () => {
    const twoByte = builtFiles().filter((file) => /[\x80-\xff]/.test(readFileSync(file.path, 'latin1')));
    expect(twoByte.map((file) => file.key)).toEqual([]);
  });

  it('starts with the hashbang that lets the entry run as a program', () => {
    expect(readFileSync(entry, 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env node');
  });

  it('prints the version it was built with', async () => {
    expect(await runCli(['--version'], { JUMPGATE_DATA_DIR: join(app, 'version-data') }, { built: entry })).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('keeps its compiled code in the cache folder and starts from it the next time, without parsing the program again', async () => {
    const env = { JUMPGATE_DATA_DIR: join(app, 'cache-data') };
    expect(await runCli(['--version'], env, { built: entry })).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    const compiled = join(app, 'cache-data', 'cache', 'compiled');
    expect(statSync(compiled).mode & 0o777).toBe(0o700);
    expect(readdirSync(compiled, { recursive: true }).length).toBeGreaterThan(0);
    // Node's own account of its compile cache (NODE_DEBUG_NATIVE) says whether V8 took the cached code for the program.
    const again = await runCli(['--version'], { ...env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }, { built: entry });
    expect(again).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    expect(again.stderr).toContain(`cache for ${pathToFileURL(programChunk().path).href} was accepted`);
  });

  it('starts when two commands fill the cache at once, and when its files are garbage', async () => {
    const env = { JUMPGATE_DATA_DIR: join(app, 'shared-cache-data') };
    const both = await Promise.all([runCli(['--version'], env, { built: entry }), runCli(['--version'], env, { built: entry })]);
    expect(both.map((run) => [run.code, run.stdout])).toEqual([
      [0, `${VERSION}\n`],
      [0, `${VERSION}\n`],
    ]);
    const compiled = join(app, 'shared-cache-data', 'cache', 'compiled');
    const files = readdirSync(compiled, { recursive: true, withFileTypes: true }).filter((file) => file.isFile());
    expect(files.length).toBeGreaterThan(0);
    // What another version, a full disk or a tampering hand may leave: V8 checks each file and compiles afresh.
    for (const file of files) writeFileSync(join(file.parentPath, file.name), Buffer.alloc(4096, 0x5a));
    const afterGarbage = await runCli(['--version'], { ...env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }, { built: entry });
    expect(afterGarbage).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    expect(afterGarbage.stderr).not.toContain(`cache for ${pathToFileURL(programChunk().path).href} was accepted`);
  });

  it('links every chunk from the built layout: each imports its siblings, Node built-ins through its own require, and the externals', () => {
    // Not the program chunk: importing it runs the CLI (the other tests here run it as a command).
    const chunks = builtFiles().filter((file) => file.path !== entry && file.key !== programChunk().key);
    expect(chunks.length).toBeGreaterThan(0);
    const urls = JSON.stringify(chunks.map((file) => pathToFileURL(file.path).href));
    const loaded = spawnSync(process.execPath, ['--input-type=module', '-e', `for (const url of ${urls}) await import(url);`], { encoding: 'utf8', cwd: tmpdir() });
    expect(loaded.stderr).toBe('');
    expect(loaded.status).toBe(0);
  });

  it('serves the renderer found beside dist/cli, whatever the working directory', async () => {
    const renderer = join(app, 'dist', 'renderer');
    mkdirSync(renderer, { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>beside dist/cli</title>\n');
    const child = spawnCli(['serve'], { JUMPGATE_DATA_DIR: join(app, 'serve-data') }, { built: entry, cwd: tmpdir() });
    try {
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(await waitForLine(child, /http:\/\/127\.0\.0\.1:\d+\//))?.[0] ?? '';
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe('<!doctype html><title>beside dist/cli</title>\n');
    } finally {
      // A serve that ended on its own (no renderer found) has already sent its 'exit'.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGINT');
        await exited;
      }
    }
  });
});

describe.skipIf(!peersAvailable('sshd', 'ssh-keygen', 'moto_server'))('the built CLI against the rig', () => {
  const passphrase = 'unlocked on a worker';
  let dir: string;
  let sshd: SshdPeer;
  let echo: TcpPeer;
  let moto: MotoPeer;
  let groupId: string;
  let dataDir: string;
  let localPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-built-cli-rig-'));
    dataDir = join(dir, 'data');
    // An encrypted key: its bcrypt derivation runs on the worker (electron/core/ssh/kdfWorker.ts),
    // which loads bcrypt-pbkdf by a path the built CLI resolves from its own folder.
    const key = await makeOpenSshKey(dir, { type: 'ed25519', format: 'openssh', passphrase });
    [sshd, echo, moto] = await Promise.all([SshdPeer.start({ authorizedKeys: [key.publicKey] }), startEchoServer(), startMoto()]);
    groupId = await createJumpBoxGroup(moto, 'bastion-built-cli');
    localPort = await pickPort();
    const jumpHost = { host: sshd.host, port: sshd.port, user: sshd.user, auth: { kind: 'key', keyPath: key.privatePath } };
    await saveProfiles(
      dataDir,
      { id: 'rig', name: 'Rig', jumpHost, targets: [{ id: 'echo', name: 'Echo', engine: 'mariadb', remote: { kind: 'host', host: '127.0.0.1', port: echo.port }, localPort }] },
      { id: 'office', name: 'Office', jumpHost, aws: { region: 'eu-west-2', securityGroupId: groupId }, targets: [] },
    );
    await trustJumpBox(dataDir, sshd);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([sshd?.dispose(), echo?.close(), moto?.dispose()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('unlocks the key, connects and carries bytes through the tunnel, then ends on SIGINT, without loading Node\'s web modules', async () => {
    // Node's own list of the modules the process loaded, written as it exits (a preload of the test's, not of the CLI).
    const loadedList = join(dir, 'connect-modules.json');
    const probe = join(dir, 'module-probe.cjs');
    writeFileSync(probe, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loadedList)}, JSON.stringify(process.moduleLoadList)));\n`);
    const child = spawnCli(
      ['connect', 'rig', 'echo', '--passphrase-env', 'JUMPGATE_TEST_PASSPHRASE'],
      { JUMPGATE_DATA_DIR: dataDir, SSH_AUTH_SOCK: '', JUMPGATE_TEST_PASSPHRASE: passphrase, NODE_OPTIONS: `--require ${probe}` },
      { built: entry },
    );
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    try {
      expect(await waitForLine(child, /^ready echo /)).toContain(`127.0.0.1:${localPort} -> 127.0.0.1:${echo.port}`);
      expect(await roundTrip(localPort, 'through the built cli')).toBe('through the built cli');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    // A tunnel needs net and crypto; http, https and tls came with ssh2's index (its HTTP agents) and ws (serve's web host).
    const loaded = JSON.parse(readFileSync(loadedList, 'utf8')) as string[];
    expect(loaded).toEqual(expect.arrayContaining(['NativeModule net', 'NativeModule crypto']));
    expect(loaded.filter((name) => /^NativeModule (https?|tls|_http_\w+)$/.test(name))).toEqual([]);
  });

  it('loads the EC2 client from its chunk on first use and asks moto', async () => {
    const checked = await runCli(['allow-ip', 'office', '--ip', '81.2.3.77', '--check'], awsCliEnv(moto, dataDir), { built: entry });
    expect(checked).toMatchObject({ code: 1, stdout: `81.2.3.77 is NOT allowed on port ${sshd.port} in ${groupId}\n`, stderr: '' });
  });
});
