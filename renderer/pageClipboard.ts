/**
 * The browser page's own clipboard guard, for the browser mode where the service has no
 * clipboard (jumpgate serve on a machine without xclip/wl-copy, say): the page copies a
 * secret with the browser's clipboard and clears it later the way the service's guard does,
 * only if the clipboard still holds it. A page can do less than the service, and says so:
 * the browser lets it touch the clipboard only while the tab has focus, reading it may be
 * refused, and a closed tab clears nothing. Each of those ends in a state that says what is
 * true instead of "cleared".
 */

/** The part of navigator.clipboard this uses (injected: tests and pages without it). */
export interface PageClipboardApi {
  writeText(text: string): Promise<void>;
  readText(): Promise<string>;
}

/** The page's focus, so a clear the browser refused while the tab was in the background runs when the user comes back. */
export interface PageFocus {
  hasFocus(): boolean;
  onceFocused(run: () => void): () => void;
}

export type PageClipboardState =
  | { kind: 'empty' }
  /** On the clipboard, cleared at `clearsAt` (ms since the epoch) if still there. */
  | { kind: 'pending'; label: string; clearsAt: number }
  /** The clear is due but the tab is in the background: it runs when the tab has focus again. */
  | { kind: 'waitingForFocus'; label: string }
  /** The browser would not let the page read the clipboard, so whether the secret is still there is unknown. */
  | { kind: 'unknown'; label: string; why: string }
  /** Checked: the secret is no longer on the clipboard (cleared, or the user copied something else since). */
  | { kind: 'cleared'; label: string };

export interface PageClipboardOptions {
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  onChange: (state: PageClipboardState) => void;
}

interface Copied {
  label: string;
  /** SHA-256 of the secret, so the page does not hold the secret itself until the clear. */
  digest: string;
  timer: unknown;
  stopWaiting?: () => void;
}

async function sha256(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function reason(error: unknown): string {
  return error instanceof Error && error.message ? error.message : String(error);
}

export class PageClipboardGuard {
  private current: Copied | undefined;
  private readonly now: () => number;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;
  /** One clipboard operation at a time: a clear never reads our value, lets a new copy write, then wipes the new value. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly clipboard: PageClipboardApi,
    private readonly focus: PageFocus,
    private readonly options: PageClipboardOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  /** Put `secret` on the clipboard and clear it after `clearAfterMs` if it is still there. Rejects (nothing scheduled) if the browser refuses the write. */
  copy(secret: string, label: string, clearAfterMs: number): Promise<void> {
    return this.enqueue(async () => {
      await this.clipboard.writeText(secret);
      this.forget();
      const copied: Copied = { label, digest: await sha256(secret), timer: undefined };
      copied.timer = this.setTimer(() => void this.enqueue(() => this.clearIfOurs(copied, false)).catch(() => undefined), clearAfterMs);
      this.current = copied;
      this.options.onChange({ kind: 'pending', label, clearsAt: this.now() + clearAfterMs });
    });
  }

  /**
   * The user's "Clear clipboard now": where the page cannot read the clipboard it empties it
   * anyway (the user asked), which it never does on its own.
   */
  clearNow(): Promise<void> {
    return this.enqueue(async () => {
      const copied = this.current;
      if (copied) await this.clearIfOurs(copied, true);
    });
  }

  /** Resolves once every operation queued so far (copies, clears) has run. */
  async settled(): Promise<void> {
    await this.queue;
  }

  private async clearIfOurs(copied: Copied, userAsked: boolean): Promise<void> {
    if (this.current !== copied) return;
    this.clearTimer(copied.timer);
    if (!this.focus.hasFocus()) {
      // Chromium refuses clipboard access to a page in the background ("Document is not focused").
      copied.stopWaiting?.();
      copied.stopWaiting = this.focus.onceFocused(() => void this.enqueue(() => this.clearIfOurs(copied, false)).catch(() => undefined));
      this.options.onChange({ kind: 'waitingForFocus', label: copied.label });
      return;
    }
    let onClipboard: string;
    try {
      onClipboard = await this.clipboard.readText();
    } catch (error) {
      if (!userAsked) {
        // Emptying a clipboard we cannot read could wipe something the user copied since: say so, and leave it to them.
        this.options.onChange({ kind: 'unknown', label: copied.label, why: reason(error) });
        return;
      }
      await this.clipboard.writeText('');
      this.finish(copied);
      return;
    }
    if ((await sha256(onClipboard)) === copied.digest) await this.clipboard.writeText('');
    this.finish(copied);
  }

  private finish(copied: Copied): void {
    this.forget();
    this.options.onChange({ kind: 'cleared', label: copied.label });
  }

  private forget(): void {
    if (!this.current) return;
    this.clearTimer(this.current.timer);
    this.current.stopWaiting?.();
    this.current = undefined;
  }

  private enqueue<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** The guard over this page's navigator.clipboard and window focus; undefined where the page has no clipboard API. */
export function createPageClipboard(onChange: (state: PageClipboardState) => void): PageClipboardGuard | undefined {
  if (typeof navigator === 'undefined' || !navigator.clipboard || typeof crypto === 'undefined' || !crypto.subtle) return undefined;
  const focus: PageFocus = {
    hasFocus: () => document.hasFocus(),
    onceFocused: (run) => {
      window.addEventListener('focus', run, { once: true });
      return () => window.removeEventListener('focus', run);
    },
  };
  return new PageClipboardGuard(navigator.clipboard, focus, { onChange });
}
