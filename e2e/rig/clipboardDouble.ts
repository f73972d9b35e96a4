import type { Clipboard, Scheduler } from '../../electron/core/secrets/clipboardGuard';

/** The system clipboard cannot run here: a double that behaves like one. */
export class TestClipboard implements Clipboard {
  text = '';
  /** Make reads fail, as a clipboard another application holds locked does. */
  failReads = false;
  readText(): string {
    if (this.failReads) throw new Error('the clipboard is locked by another application');
    return this.text;
  }
  writeText(text: string): void {
    this.text = text;
  }
}

/**
 * A clock the test moves by hand, so a 30-second auto-clear runs instantly.
 * Its time is `base()` plus what the test advanced: a fixed base for unit
 * tests, Date.now for a UI whose countdown reads the real clock.
 */
export class ManualScheduler implements Scheduler {
  private advanced = 0;
  private timers = new Map<number, { at: number; run: () => void }>();
  private nextId = 1;

  constructor(private readonly base: () => number = () => 1_000_000) {}

  now(): number {
    return this.base() + this.advanced;
  }
  setTimeout(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now() + ms, run });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Move the clock on and run every timer that is due by then. */
  advance(ms: number): void {
    this.advanced += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at <= this.now()) {
        this.timers.delete(id);
        timer.run();
      }
    }
  }
  /** Timers waiting to run, so a test can see a clear was scheduled before moving the clock. */
  get pendingTimers(): number {
    return this.timers.size;
  }
}
