import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { onTestFinished } from 'vitest';

/**
 * The `jumpgate` command as a user runs it: a child process on the source entry
 * point (through tsx) or on a built one (scripts/cliBuildOptions.mjs), with the test's
 * environment over this one. One place for the CLI tests, which each had their own copy.
 */

export const CLI_ENTRY = resolve('electron/cli/main.ts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Which `jumpgate` runs, and where. */
export interface CliRunOptions {
  /** A build's entry file, run by Node alone; the source through tsx when absent. */
  built?: string;
  /** The working directory; this process's when absent. */
  cwd?: string;
}

/** The running command; stdin is closed unless asked for (scripts and CI give none). */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv, options: { stdin?: 'pipe' | 'ignore' } & CliRunOptions = {}): ChildProcess {
  const entry = options.built === undefined ? ['--import', 'tsx', CLI_ENTRY] : [options.built];
  const child = spawn(process.execPath, [...entry, ...args], {
    env: { ...process.env, ...env },
    cwd: options.cwd,
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  killWhenItsTestEnds(child);
  return child;
}

/**
 * CLIs still running. A test whose assertion fails before it stops its CLI must not leave it
 * behind: a `jumpgate connect` from a failed test kept running for two hours after the run, its
 * ports held, until found by hand. Each is killed when the test that started it ends (spawned
 * outside a test, in a hook, when the worker exits).
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function killWhenItsTestEnds(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  try {
    onTestFinished(() => {
      if (running.has(child)) child.kill('SIGKILL');
    });
  } catch {
    // Not inside a test (a beforeAll): the worker's exit is the bound.
  }
}

/** Everything it printed and how it ended, once it has exited and its pipes are drained. */
export function collect(child: ChildProcess): Promise<CliResult> {
  return new Promise((done, fail) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** Run to completion. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, options: { input?: string } & CliRunOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, env, { stdin: options.input === undefined ? 'ignore' : 'pipe', built: options.built, cwd: options.cwd });
  const result = collect(child);
  if (options.input !== undefined) child.stdin?.end(options.input);
  return result;
}

/** Resolve with the first stdout line matching `pattern` (the user-visible readiness). */
export function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((done, fail) => {
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((entry) => pattern.test(entry));
      if (line) done(line);
    });
    child.once('exit', (code) => fail(new Error(`exited ${code} before ${pattern}: ${stdout}\n${stderr}`)));
  });
}
