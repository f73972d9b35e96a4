// `npm start`: the desktop app where Electron's binary is installed, and the same UI in the
// browser mode where it is not (a machine that cannot download it: offline, behind a proxy,
// a locked-down laptop). Run after `npm run build`; `--dist <dir>` names another build.
//
// Requiring the `electron` package would try to download the binary and die with two stack
// traces when that fails, so its files are looked at instead: path.txt names the executable
// in node_modules/electron/dist once the download has happened.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import process, { argv, env, execPath, exit, platform } from 'node:process';
import { CLI_ENTRY_FILE } from './cliBuildOptions.mjs';

const require = createRequire(import.meta.url);
const distIndex = argv.indexOf('--dist');
const dist = resolve(distIndex > 0 ? argv[distIndex + 1] : 'dist');

/** The Electron executable if it is installed, or why it is not. */
function electronBinary() {
  if (env.ELECTRON_OVERRIDE_DIST_PATH) return { path: join(env.ELECTRON_OVERRIDE_DIST_PATH, platform === 'win32' ? 'electron.exe' : 'electron') };
  let packageDir;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { why: 'the electron package is not installed (npm install was not run, or ran with --omit=dev)' };
  }
  const pathFile = join(packageDir, 'path.txt');
  const installed = () => existsSync(pathFile) && existsSync(join(packageDir, 'dist', readFileSync(pathFile, 'utf8')));
  if (installed()) return { path: join(packageDir, 'dist', readFileSync(pathFile, 'utf8')) };
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD) return { why: 'its download was skipped (ELECTRON_SKIP_BINARY_DOWNLOAD is set)' };
  // One quiet try, as `npm install` would have made: a fresh machine with the network gets the desktop app.
  process.stdout.write("Jumpgate: fetching Electron's binary (once)...\n");
  const attempt = spawnSync(execPath, [join(packageDir, 'install.js')], { encoding: 'utf8', timeout: 120_000 });
  if (attempt.status === 0 && installed()) return { path: join(packageDir, 'dist', readFileSync(pathFile, 'utf8')) };
  const said = `${attempt.stderr ?? ''}\n${attempt.stdout ?? ''}`.split('\n').map((line) => line.trim()).find((line) => /error|fail/i.test(line));
  return { why: `it could not be downloaded (${attempt.error ? attempt.error.message : (said ?? `exit ${attempt.status}`).replace(/^\w*Error:\s*/, '')})` };
}

/** The default browser on the user's desktop, when there is one; never in CI or on a machine without a display. */
function openBrowser(url) {
  if (env.CI || env.JUMPGATE_NO_BROWSER) return;
  const [command, args] =
    platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : env.DISPLAY || env.WAYLAND_DISPLAY ? ['xdg-open', [url]] : [];
  if (!command) return;
  const opener = spawn(command, args, { stdio: 'ignore', detached: true });
  opener.on('error', () => undefined);
  opener.unref();
}

function run(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['inherit', options.pipeStdout ? 'pipe' : 'inherit', 'inherit'] });
  // Ctrl-C and a service manager's stop reach the child, which closes its tunnels before it exits.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => exit(code ?? (signal ? 1 : 0)));
  return child;
}

const electron = electronBinary();
if (electron.path) {
  run(electron.path, ['.']);
} else {
  process.stdout.write(
    `Jumpgate: Electron's binary is not available here: ${electron.why}. Starting the same UI in your browser instead. ` +
      'For the desktop app: set ELECTRON_MIRROR (or ELECTRON_CUSTOM_DIR) and run `node node_modules/electron/install.js`, or install the packaged app.\n',
  );
  const cli = join(dist, 'cli', CLI_ENTRY_FILE);
  if (!existsSync(cli)) {
    process.stderr.write(`Jumpgate: ${cli} is missing: run npm run build first.\n`);
    exit(1);
  }
  const serve = run(execPath, [cli, 'serve'], { pipeStdout: true });
  let opened = false;
  serve.stdout.setEncoding('utf8');
  serve.stdout.on('data', (text) => {
    process.stdout.write(text);
    const url = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(text)?.[0];
    if (url && !opened) {
      opened = true;
      openBrowser(url);
    }
  });
}
