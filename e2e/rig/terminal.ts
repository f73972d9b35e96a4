import { spawn as spawnPty, type IPty } from 'node-pty';
import { CLI_ENTRY } from './cliProcess';

/**
 * The `jumpgate` command run on a pseudo-terminal, as a person at a terminal runs it: its stdin
 * and stdout are a TTY, keys are typed (Ctrl-C is the byte 0x03, turned into SIGINT by the
 * terminal's line discipline), and what it draws is read back as text.
 */
export interface TerminalSession {
  readonly pid: number;
  /** Everything drawn so far, with carriage returns and escape sequences as they came. */
  output(): string;
  type(keys: string): void;
  /** Resolves with the output once `pattern` appears after position `from` (default: anywhere). */
  waitFor(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<string>;
  resize(cols: number, rows: number): void;
  /** How the command ended: its exit code, or the signal number that ended it. */
  exit: Promise<{ exitCode: number; signal: number }>;
  kill(signal: NodeJS.Signals): void;
}

export function runCliOnTerminal(args: readonly string[], env: NodeJS.ProcessEnv, size = { cols: 120, rows: 40 }): TerminalSession {
  const term: IPty = spawnPty(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], {
    name: 'xterm-256color',
    cols: size.cols,
    rows: size.rows,
    cwd: process.cwd(),
    env: { ...process.env, ...env } as Record<string, string>,
  });
  let text = '';
  const waiters = new Set<() => void>();
  term.onData((data) => {
    text += data;
    for (const check of waiters) check();
  });
  const exit = new Promise<{ exitCode: number; signal: number }>((resolve) => term.onExit(({ exitCode, signal }) => resolve({ exitCode, signal: signal ?? 0 })));
  return {
    pid: term.pid,
    output: () => text,
    type: (keys) => term.write(keys),
    resize: (cols, rows) => term.resize(cols, rows),
    kill: (signal) => process.kill(term.pid, signal),
    exit,
    waitFor: (pattern, options = {}) =>
      new Promise((resolve, reject) => {
        const from = options.from ?? 0;
        const check = (): void => {
          if (!pattern.test(text.slice(from))) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(text);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${pattern} did not appear on the terminal within ${options.timeoutMs ?? 20_000} ms; it shows:\n${text.slice(from)}`));
        }, options.timeoutMs ?? 20_000);
        waiters.add(check);
        check();
        void exit.then(() => {
          if (!waiters.has(check)) return;
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`the command exited before ${pattern} appeared; the terminal shows:\n${text.slice(from)}`));
        });
      }),
  };
}
