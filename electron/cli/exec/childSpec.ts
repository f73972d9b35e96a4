import { CliFailure } from '../session';
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

/** The command could not be started (not found, not executable): the same words however it is attached. */
export function couldNotRun(program: string, reason: string): CliFailure {
  return new CliFailure({ code: 'BAD_REQUEST', message: `Could not run ${program}: ${reason}.`, hint: 'Check the command name and your PATH.' });
}
