import { spawn, execFile } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DEFAULT_CLIPBOARD_CLEAR_MS } from '../../../shared/contract';
import { JumpgateError } from '../../../shared/model/errors';
import { findProgram } from '../platform/findProgram';

/**
 * The system clipboard, injected: Electron's `clipboard` in the app, the OS one
 * (createOsClipboard) in the CLI, a test double in unit tests.
 */
export interface Clipboard {
  readText(): string | Promise<string>;
  writeText(text: string): void | Promise<void>;
}

/** Time, injected so tests can run a 30-second countdown instantly. */
export interface Scheduler {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock. The globals are looked up on every call (not captured at
 * import), so vitest's fake timers apply to it as well.
 */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface CopyOptions {
  /** Milliseconds until the clipboard is cleared; 30 s unless set. */
  clearAfterMs?: number;
  /** What was copied, for the countdown ("Password for prod-mysql"). Never the value. */
  label: string;
}

export interface PendingClear {
  label: string;
  /** Epoch milliseconds (scheduler time) at which the clear runs. */
  clearsAt: number;
}

/** A clear that could not be done: the copy named by `label` may still be on the clipboard. */
export interface ClearFailure {
  label: string;
  /** CLIPBOARD_UNAVAILABLE saying what failed; never the value. */
  error: JumpgateError;
}

export interface ClipboardGuardOptions {
  scheduler?: Scheduler;
  /**
   * A clear that could not read or write the clipboard. The error never holds
   * the value; the app shows it so the user knows to clear by hand.
   */
  onError?: (error: unknown) => void;
  /**
   * The pending clear changed: a copy scheduled one (`pending`), or it ran, was
   * cancelled or replaced (undefined when nothing is pending any more). Lets a UI
   * show a countdown that ends when the clear really happened, not when its own
   * clock says so. `failed` is set when the clear could not read or write the
   * clipboard: the value may still be there, so a UI must not say "cleared"
   * (issue #17); clearNow tries that copy again.
   */
  onChange?: (pending: PendingClear | undefined, failed?: ClearFailure) => void;
}

export const DEFAULT_CLEAR_AFTER_MS = DEFAULT_CLIPBOARD_CLEAR_MS;

interface Copied {
  label: string;
  clearsAt: number;
  timer: unknown;
  /** A keyed digest of the value, so the guard does not keep the secret itself alive for 30 s. */
  digest: Buffer;
}

/**
 * Copies secrets to the clipboard and clears them after a while, but only if
 * the clipboard still holds what we put there: a user who has since copied
 * something else keeps it. One secret at a time: a new copy replaces the
 * pending clear of the previous one.
 *
 * Every clipboard operation (copy, scheduled clear, clearNow, dispose) runs
 * one after another on an internal queue, so a clear can never read our value,
 * let a newer copy write, and then wipe that newer value.
 */
export class ClipboardGuard {
  private readonly scheduler: Scheduler;
  private readonly onError: ((error: unknown) => void) | undefined;
  private readonly onChange: ((pending: PendingClear | undefined, failed?: ClearFailure) => void) | undefined;
  /** Random per guard: the digests are useless outside this process. */
  private readonly key = randomBytes(32);
  private current: Copied | undefined;
  /** The last copy whose clear failed: it may still be on the clipboard, and clearNow tries again. */
  private failedCopy: Copied | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private idle: Promise<void> = Promise.resolve();
  private settle: (() => void) | undefined;

  constructor(
    private readonly clipboard: Clipboard,
    options: ClipboardGuardOptions = {},
  ) {
    this.scheduler = options.scheduler ?? systemScheduler;
    this.onError = options.onError;
    this.onChange = options.onChange;
  }

  /**
   * Write `secret` to the clipboard and schedule its clear. If the write fails,
   * the previous copy (if any) keeps its own pending clear.
   */
  copy(secret: string, options: CopyOptions): Promise<PendingClear> {
    const clearAfterMs = options.clearAfterMs ?? DEFAULT_CLEAR_AFTER_MS;
    if (!Number.isFinite(clearAfterMs) || clearAfterMs < 0) {
      return Promise.reject(new JumpgateError('BAD_REQUEST', 'The clipboard clear time must be zero or more milliseconds.'));
    }
    return this.enqueue(async () => {
      await this.clipboard.writeText(secret);
      this.failedCopy = undefined;
      if (this.current) this.scheduler.clearTimeout(this.current.timer);
      const copied: Copied = {
        label: options.label,
        clearsAt: this.scheduler.now() + clearAfterMs,
        timer: undefined,
        digest: this.digest(secret),
      };
      copied.timer = this.scheduler.setTimeout(() => {
        void this.enqueue(() => this.clearIfOurs(copied)).catch(() => undefined);
      }, clearAfterMs);
      this.setCurrent(copied);
      return { label: copied.label, clearsAt: copied.clearsAt };
    });
  }

  /** The clear that is scheduled, for a countdown; undefined when nothing is pending. */
  pending(): PendingClear | undefined {
    return this.current ? { label: this.current.label, clearsAt: this.current.clearsAt } : undefined;
  }

  /** Clear now (if the clipboard still holds our value) instead of waiting; also retries a clear that failed. */
  clearNow(): Promise<void> {
    return this.enqueue(async () => {
      const copied = this.current ?? this.failedCopy;
      if (!copied) return;
      this.scheduler.clearTimeout(copied.timer);
      await this.clearIfOurs(copied);
    });
  }

  /**
   * Resolves when nothing is pending any more (cleared or disposed). The CLI
   * awaits it so it does not exit with a secret still on the clipboard.
   */
  settled(): Promise<void> {
    return this.idle;
  }

  /** On quit: clear if the clipboard still holds our value, and cancel the timer. */
  dispose(): Promise<void> {
    return this.clearNow();
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Runs on the queue. A failure goes to onError and to onChange as `failed` (a
   * timer has nobody else to tell): the guard stops waiting, but never reports
   * "cleared" for a value it could not check or wipe.
   */
  private async clearIfOurs(copied: Copied): Promise<void> {
    if (this.current !== copied && this.failedCopy !== copied) return;
    let failure: ClearFailure | undefined;
    try {
      const text = await this.clipboard.readText();
      if (this.digestEquals(copied.digest, text)) await this.clipboard.writeText('');
    } catch (error) {
      this.onError?.(error);
      failure = { label: copied.label, error: clearFailedError(copied.label, error) };
    }
    const retried = this.failedCopy === copied;
    this.failedCopy = failure ? copied : undefined;
    // A retry that changes nothing for `current` still has news: cleared after all, or failed again.
    this.setCurrent(undefined, failure, retried);
  }

  private setCurrent(copied: Copied | undefined, failed?: ClearFailure, force = false): void {
    const changed = this.current !== copied || failed !== undefined || force;
    this.current = copied;
    if (changed) this.onChange?.(this.pending(), failed);
    if (copied && !this.settle) {
      this.idle = new Promise<void>((resolve) => {
        this.settle = resolve;
      });
    } else if (!copied && this.settle) {
      const settle = this.settle;
      this.settle = undefined;
      settle();
    }
  }

  private digest(text: string): Buffer {
    return createHmac('sha256', this.key).update(text, 'utf8').digest();
  }

  private digestEquals(expected: Buffer, text: string): boolean {
    return timingSafeEqual(expected, this.digest(text));
  }
}


/** What a failed clear tells the user: the copy may still be there, and what to do. Only our own coded messages are quoted. */
function clearFailedError(label: string, cause: unknown): JumpgateError {
  const why = cause instanceof JumpgateError ? ` (${cause.message.replace(/\.$/, '')})` : '';
  return new JumpgateError('CLIPBOARD_UNAVAILABLE', `${label} may still be on the clipboard: Jumpgate could not check and clear it${why}.`, {
    hint: 'Clear the clipboard yourself (copy something harmless), or press "Clear clipboard now" to try again.',
  });
}

/** A clipboard program: how to write (value on stdin) and how to read (value on stdout). */
interface ClipboardTool {
  name: string;
  write: { command: string; args: string[]; encoding?: 'utf16le-bom' };
  /** Writing '' through some tools leaves a newline or nothing at all; these clear properly. */
  clear?: { command: string; args: string[] };
  /**
   * `trimNewline`: the program appends a line break of its own (PowerShell output does).
   * `timeoutMs`: a program slower to start than the rest (PowerShell can take seconds on a busy laptop).
   */
  read: { command: string; args: string[]; trimNewline?: boolean; timeoutMs?: number };
}

export interface OsClipboardOptions {
  /** PATH and WAYLAND_DISPLAY/DISPLAY come from here; process.env unless set (tests). */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** How long a clipboard program may take before it counts as failed. */
  timeoutMs?: number;
}

/** The first usable clipboard program, in the order a desktop of that kind expects. */
function chooseTool(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): ClipboardTool | undefined {
  const on = (name: string) => findProgram(name, env, platform);
  const candidates: Array<() => ClipboardTool | undefined> = [];
  if (platform === 'darwin') {
    candidates.push(() => {
      const copy = on('pbcopy');
      const paste = on('pbpaste');
      return copy && paste ? { name: 'pbcopy', write: { command: copy, args: [] }, read: { command: paste, args: [] } } : undefined;
    });
  }
  if (platform !== 'darwin' && platform !== 'win32') {
    const wayland = () => {
      const copy = on('wl-copy');
      const paste = on('wl-paste');
      return copy && paste
        ? {
            name: 'wl-copy',
            write: { command: copy, args: [] },
            clear: { command: copy, args: ['--clear'] },
            read: { command: paste, args: ['--no-newline'] },
          }
        : undefined;
    };
    const xclip = () => {
      const path = on('xclip');
      return path
        ? {
            name: 'xclip',
            write: { command: path, args: ['-selection', 'clipboard', '-in'] },
            read: { command: path, args: ['-selection', 'clipboard', '-out'] },
          }
        : undefined;
    };
    const xsel = () => {
      const path = on('xsel');
      return path
        ? {
            name: 'xsel',
            write: { command: path, args: ['--clipboard', '--input'] },
            clear: { command: path, args: ['--clipboard', '--clear'] },
            read: { command: path, args: ['--clipboard', '--output'] },
          }
        : undefined;
    };
    // A Wayland session prefers wl-copy; under X11 (or XWayland only) the X tools.
    if (env.WAYLAND_DISPLAY) candidates.push(wayland, xclip, xsel);
    else candidates.push(xclip, xsel, wayland);
  }
  // Windows, and WSL (where the Windows tools are on PATH). Writing goes through clip.exe: it
  // starts in milliseconds, and input that opens with a UTF-16LE byte order mark it takes as
  // Unicode (anything else it reads in the console's OEM code page, where a password's '€' or 'ä'
  // would be mangled). clip.exe cannot read, so PowerShell's Get-Clipboard reads, which happens
  // once per copy (the check before the clear), so its slow start costs little. The secret never
  // passes through PowerShell's command line or its own input decoding.
  candidates.push(() => {
    const clip = on('clip.exe');
    const powershell = on('powershell.exe');
    return clip && powershell
      ? {
          name: 'clip.exe',
          write: { command: clip, args: [], encoding: 'utf16le-bom' },
          read: {
            command: powershell,
            // UTF-8 without a byte order mark on stdout: by default PowerShell writes in the OEM code
            // page, and anything outside it comes back as '?', which would never match our value.
            args: ['-NoProfile', '-NonInteractive', '-Command', '[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false; Get-Clipboard -Raw'],
            trimNewline: true,
            timeoutMs: 15_000,
          },
        }
      : undefined;
  });
  for (const candidate of candidates) {
    const tool = candidate();
    if (tool) return tool;
  }
  return undefined;
}

function unavailable(platform: NodeJS.Platform, why?: string): JumpgateError {
  const install =
    platform === 'darwin'
      ? 'pbcopy and pbpaste should be in /usr/bin; check PATH.'
      : platform === 'win32'
        ? 'clip.exe and powershell.exe should be in C:\\Windows\\System32; check PATH.'
        : 'Install wl-clipboard (Wayland) or xclip or xsel (X11), e.g. sudo apt install xclip.';
  return new JumpgateError('CLIPBOARD_UNAVAILABLE', why ? `The clipboard could not be used: ${why}.` : 'No clipboard program was found.', {
    hint: install,
  });
}

/**
 * The OS clipboard for the CLI, through the platform's clipboard program found
 * on PATH. Programs run with execFile/spawn and no shell; the value goes
 * through stdin and stdout only, never the command line (which `ps` shows).
 * Throws CLIPBOARD_UNAVAILABLE when no program is found.
 */
export function createOsClipboard(options: OsClipboardOptions = {}): Clipboard {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const tool = chooseTool(env, platform);
  if (!tool) throw unavailable(platform);
  const toolName = tool.name;

  function write(command: string, args: string[], input: Buffer | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // xclip and wl-copy fork a child that keeps serving the selection. It
      // inherits stdout/stderr, so waiting for those pipes to close (what
      // execFile does) would hang until someone else copies: ignore them and
      // wait for our process to exit instead.
      const child = spawn(command, args, { env, stdio: ['pipe', 'ignore', 'ignore'], windowsHide: true });
      const timer = setTimeout(() => {
        child.kill();
        reject(unavailable(platform, `${toolName} did not finish in ${timeoutMs} ms`));
      }, timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(unavailable(platform, `${toolName} could not start (${(error as NodeJS.ErrnoException).code ?? 'error'})`));
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(unavailable(platform, `${toolName} exited with status ${code}`));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? Buffer.alloc(0));
    });
  }

  return {
    readText: () =>
      new Promise<string>((resolve, reject) => {
        execFile(
          tool.read.command,
          tool.read.args,
          { env, encoding: 'utf8', timeout: Math.max(timeoutMs, tool.read.timeoutMs ?? 0), windowsHide: true, maxBuffer: 16 * 1024 * 1024 },
          (error, stdout) => {
            // An empty clipboard makes xclip and wl-paste exit non-zero: that is "nothing of ours".
            if (error && typeof error.code === 'number') resolve('');
            else if (error) reject(unavailable(platform, `${tool.name} could not read the clipboard`));
            // A byte order mark is the encoding's, never the clipboard's (kept out above; dropped here should a PowerShell add one).
            else resolve(tool.read.trimNewline ? stdout.replace(/^\uFEFF/, '').replace(/\r?\n$/, '') : stdout);
          },
        );
      }),
    writeText: (text: string) => {
      if (text === '' && tool.clear) return write(tool.clear.command, tool.clear.args, undefined);
      const input =
        tool.write.encoding === 'utf16le-bom'
          ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
          : Buffer.from(text, 'utf8');
      return write(tool.write.command, tool.write.args, input);
    },
  };
}
