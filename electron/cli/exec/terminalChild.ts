import type * as NodePtyModule from 'node-pty';
import type { IPty } from 'node-pty';
import { PassThrough, type Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { relayedSignals, relaySignals, shellExitStatus } from './childExit';
import { couldNotRun, type ChildSpec } from './childSpec';
import { findProgram } from '../../core/platform/findProgram';

type NodePty = typeof NodePtyModule;

/**
 * node-pty is a native module (a prebuilt one on Windows and macOS, compiled at install on
 * Linux). Loaded only when a terminal session needs it, so a build without it still runs every
 * other command, and exec falls back to pipes saying why.
 */
export async function loadNodePty(): Promise<NodePty | Error> {
  try {
    const loaded = (await import('node-pty')) as NodePty & { default?: NodePty };
    return typeof loaded.spawn === 'function' ? loaded : (loaded.default ?? new Error('node-pty has no spawn'));
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Run the child on a pseudo-terminal the size of exec's own, as if typed at the prompt: a
 * database client sees a terminal (banner, prompt, line editing, tables), and what it writes
 * there passes the mask before reaching the real terminal. Exec's terminal is put in raw mode,
 * so every key goes to the child's terminal, whose line discipline makes Ctrl-C one SIGINT to
 * the child's foreground job, exactly once; signals sent to exec itself are passed on.
 */
export async function runOnTerminal(pty: NodePty, spec: ChildSpec): Promise<number> {
  const program = findProgram(spec.program, spec.env);
  if (program === undefined) {
    throw couldNotRun(spec.program, 'ENOENT');
  }
  const { stdin, stdout } = process;
  const child: IPty = pty.spawn(program, [...spec.args], {
    name: spec.env.TERM ?? 'xterm-256color',
    cols: stdout.columns || 80,
    rows: stdout.rows || 24,
    cwd: process.cwd(),
    env: spec.env as Record<string, string>,
    // Bytes, not text: the mask matches bytes, and a UTF-8 character split across reads must not be mangled.
    encoding: null,
  });
  const output: Transform = spec.createMask ? spec.createMask() : new PassThrough();
  output.pipe(stdout, { end: false });
  const written = finished(output).then(() => undefined, () => undefined);
  // The terminal is slower than the child: hold the child (its pty fills, its writes block) instead of buffering without bound.
  let held = false;
  const dataListener = child.onData((data: string | Buffer) => {
    if (output.write(data) || held) return;
    held = true;
    child.pause();
    output.once('drain', () => {
      held = false;
      child.resume();
    });
  });
  const resize = (): void => child.resize(stdout.columns || 80, stdout.rows || 24);
  stdout.on('resize', resize);
  const type = (keys: Buffer): void => child.write(keys);
  const wasRaw = stdin.isRaw;
  stdin.setRawMode(true);
  stdin.on('data', type);
  stdin.resume();
  // Windows' ConPTY has no signals to send: ending the child is all it offers.
  const stopRelay = relaySignals(relayedSignals(false), [], (signal) => (process.platform === 'win32' ? child.kill() : child.kill(signal)));
  try {
    const status = await new Promise<number>((resolve) => child.onExit(({ exitCode, signal }) => resolve(shellExitStatus(exitCode, signal ?? null))));
    dataListener.dispose();
    output.end();
    await written;
    return status;
  } finally {
    stopRelay();
    stdout.off('resize', resize);
    stdin.off('data', type);
    stdin.setRawMode(wasRaw);
    stdin.pause();
  }
}
