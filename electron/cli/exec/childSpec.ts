import type { Transform } from 'node:stream';

/** What `jumpgate exec` runs, the same whichever way it is attached. */
export interface ChildSpec {
  program: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** A fresh masking stream per output (undefined with --no-masking): each holds its own partial match. */
  createMask: (() => Transform) | undefined;
}

/** Whether this process talks to a person at a terminal: then the terminal, not exec, delivers Ctrl-C. */
export function onTerminal(): boolean {
  return Boolean(process.stdin.isTTY || process.stdout.isTTY || process.stderr.isTTY);
}
