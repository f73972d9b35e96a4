import { constants } from 'node:os';

/**
 * The exit status a shell gives a command: its own code, or 128 + N when signal N ended it
 * (kill -9 -> 137, HUP -> 129, TERM -> 143, INT -> 130). Scripts around `jumpgate exec` test
 * these exactly as they would the command run on its own.
 */
export function shellExitStatus(code: number | null, signal: NodeJS.Signals | number | null | undefined): number {
  if (typeof signal === 'number' && signal > 0) return 128 + signal;
  if (typeof signal === 'string') return 128 + (constants.signals[signal] ?? 0);
  return code ?? 1;
}

/**
 * Hand the signals exec receives to the child until the returned function is called. Only the
 * ones the child cannot get by itself: a Ctrl-C typed on a terminal already reaches every process
 * of the foreground group, the child included, and a second one made a database client kill its
 * connection, not just the query. Every listed signal is caught either way, so exec outlives it,
 * waits for the child and exits with the child's status, never leaving it behind.
 */
export function relaySignals(signals: readonly NodeJS.Signals[], caught: readonly NodeJS.Signals[], deliver: (signal: NodeJS.Signals) => void): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of new Set([...signals, ...caught])) {
    const handler = signals.includes(signal) ? () => deliver(signal) : () => undefined;
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

/**
 * The signals a terminal sends the whole foreground group (Ctrl-C, and Ctrl-\ where there is
 * SIGQUIT: Windows has none, and Node refuses to listen for it there).
 */
export const TERMINAL_SIGNALS: readonly NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT'] : ['SIGINT', 'SIGQUIT'];

/** What exec passes on: a script's kill, a closed terminal or SSH session (SIGHUP) and, off a terminal, Ctrl-C's. */
export function relayedSignals(onTerminal: boolean): NodeJS.Signals[] {
  return onTerminal ? ['SIGTERM', 'SIGHUP'] : ['SIGTERM', 'SIGHUP', ...TERMINAL_SIGNALS];
}
