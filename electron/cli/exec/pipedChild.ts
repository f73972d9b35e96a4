import { spawn } from 'node:child_process';
import { finished } from 'node:stream/promises';
import { relayedSignals, relaySignals, shellExitStatus, TERMINAL_SIGNALS } from './childExit';
import { couldNotRun, onTerminal, type ChildSpec } from './childSpec';

/**
 * Run the child with exec's own stdin and, when masking, its output through pipes (a script, CI,
 * output redirected to a file): resolves with its shell exit status once its output is written.
 * Without masking it inherits exec's terminal or files as they are.
 */
export async function runWithPipes(spec: ChildSpec): Promise<number> {
  const masked = spec.createMask !== undefined;
  const child = spawn(spec.program, [...spec.args], { env: spec.env, stdio: ['inherit', masked ? 'pipe' : 'inherit', masked ? 'pipe' : 'inherit'] });
  const written: Promise<void>[] = [];
  if (spec.createMask && child.stdout && child.stderr) {
    for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
      const mask = spec.createMask();
      from.pipe(mask).pipe(to, { end: false });
      written.push(finished(mask).then(() => undefined, () => undefined));
    }
  }
  const stopRelay = relaySignals(relayedSignals(onTerminal()), TERMINAL_SIGNALS, (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
  try {
    const status = await new Promise<number>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(couldNotRun(spec.program, error.code ?? error.message)),
      );
      child.once('close', (code, signal) => resolve(shellExitStatus(code, signal)));
    });
    await Promise.all(written);
    return status;
  } finally {
    stopRelay();
  }
}
