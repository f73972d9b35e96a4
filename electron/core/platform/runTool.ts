import { execFile } from 'node:child_process';

/** What a system tool printed, and how it exited (a tool such as lsof exits 1 when it found nothing). */
export interface ToolOutput {
  stdout: string;
  exitCode: number;
}

export interface RunToolOptions {
  /** Killed after this long: a hung tool must not hold up the error it was asked to explain. */
  timeoutMs?: number;
  /** Stdout past this many bytes is a failure, not a partial read that looks complete. */
  maxBytes?: number;
  /**
   * How stdout is decoded. Windows console tools print in the OEM code page (850, 437, 932, ...),
   * never UTF-8: 'latin1' maps every byte to one character, so the ASCII parts (addresses, PIDs,
   * CSV quotes) parse whatever the code page, and nothing throws on a byte UTF-8 would refuse.
   */
  encoding?: 'utf8' | 'latin1';
}

/**
 * Runs a system program by absolute path with no shell (nothing in `args` is ever interpreted)
 * and a bounded wait and output. Resolves with stdout and the exit code, non-zero included;
 * rejects when the program could not start, took too long or printed too much.
 */
export type ToolRunner = (command: string, args: readonly string[], options?: RunToolOptions) => Promise<ToolOutput>;

export const DEFAULT_TOOL_TIMEOUT_MS = 3_000;
export const DEFAULT_TOOL_MAX_BYTES = 4 * 1024 * 1024;

export const runTool: ToolRunner = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      {
        encoding: 'buffer',
        timeout: options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS,
        maxBuffer: options.maxBytes ?? DEFAULT_TOOL_MAX_BYTES,
        windowsHide: true,
        shell: false,
      },
      (error, stdout) => {
        const output = (stdout as Buffer | undefined)?.toString(options.encoding ?? 'utf8') ?? '';
        if (!error) {
          resolve({ stdout: output, exitCode: 0 });
          return;
        }
        const failure = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean; signal?: string | null };
        // A plain non-zero exit carries a numeric code; timeouts (killed), spawn errors and output overflow do not.
        if (typeof failure.code === 'number' && !failure.killed) resolve({ stdout: output, exitCode: failure.code });
        else reject(new Error(`${command} failed: ${failure.killed ? 'timed out' : String(failure.code ?? failure.message)}`));
      },
    );
  });
