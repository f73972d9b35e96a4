import { describe, expect, it } from 'vitest';
import { PageClipboardGuard, type PageClipboardState } from './pageClipboard';

/**
 * The page guard's rules where a browser cannot be made to behave on cue (a tab in the
 * background, a refused write, reads refused mid-way): a double stands for the system
 * clipboard and the tab's focus, a list of timers for the clock. The browser paths
 * (copy, countdown, clear, reads refused) run in e2e/ui/pageClipboard.test.ts.
 */
function rig() {
  const clipboard = {
    text: '',
    readable: true,
    writable: true,
    async writeText(text: string) {
      if (!this.writable) throw new Error('Write permission denied.');
      this.text = text;
    },
    async readText() {
      if (!this.readable) throw new Error('Read permission denied.');
      return this.text;
    },
  };
  let focused = true;
  let onFocus: (() => void) | undefined;
  const timers: Array<() => void> = [];
  const states: PageClipboardState[] = [];
  const guard = new PageClipboardGuard(
    clipboard,
    {
      hasFocus: () => focused,
      onceFocused: (run) => {
        onFocus = run;
        return () => (onFocus = undefined);
      },
    },
    { now: () => 1_000, setTimer: (run) => timers.push(run), clearTimer: () => undefined, onChange: (state) => states.push(state) },
  );
  return {
    clipboard,
    guard,
    states,
    fireTimers: async () => {
      for (const run of timers.splice(0)) run();
      await guard.settled();
    },
    blur: () => (focused = false),
    focus: async () => {
      focused = true;
      onFocus?.();
      await guard.settled();
    },
  };
}

describe('the page clipboard guard', () => {
  it('waits for the tab to come back before clearing, and says so meanwhile', async () => {
    const page = rig();
    await page.guard.copy('s3cret', 'Password for P / T', 30_000);
    expect(page.states.at(-1)).toEqual({ kind: 'pending', label: 'Password for P / T', clearsAt: 31_000 });
    page.blur();
    await page.fireTimers();
    expect(page.states.at(-1)).toEqual({ kind: 'waitingForFocus', label: 'Password for P / T' });
    expect(page.clipboard.text).toBe('s3cret');
    await page.focus();
    expect(page.states.at(-1)).toEqual({ kind: 'cleared', label: 'Password for P / T' });
    expect(page.clipboard.text).toBe('');
  });

  it('schedules nothing and keeps the earlier copy when the browser refuses the write', async () => {
    const page = rig();
    await page.guard.copy('first', 'First', 30_000);
    page.clipboard.writable = false;
    await expect(page.guard.copy('second', 'Second', 30_000)).rejects.toThrow('Write permission denied.');
    expect(page.states.at(-1)).toEqual({ kind: 'pending', label: 'First', clearsAt: 31_000 });
    page.clipboard.writable = true;
    await page.fireTimers();
    expect(page.clipboard.text).toBe('');
    expect(page.states.at(-1)).toEqual({ kind: 'cleared', label: 'First' });
  });

  it('never empties a clipboard it cannot read on its own, but does when the user asks', async () => {
    const page = rig();
    await page.guard.copy('s3cret', 'Password for P / T', 30_000);
    page.clipboard.readable = false;
    await page.fireTimers();
    expect(page.states.at(-1)).toEqual({ kind: 'unknown', label: 'Password for P / T', why: 'Read permission denied.' });
    expect(page.clipboard.text).toBe('s3cret');
    await page.guard.clearNow();
    expect(page.clipboard.text).toBe('');
    expect(page.states.at(-1)).toEqual({ kind: 'cleared', label: 'Password for P / T' });
  });

  it('a newer copy replaces the pending clear of the older one', async () => {
    const page = rig();
    await page.guard.copy('old', 'Old', 30_000);
    await page.guard.copy('new', 'New', 30_000);
    // Both timers fire; only the newer copy's clear acts, once.
    await page.fireTimers();
    expect(page.clipboard.text).toBe('');
    expect(page.states.filter((state) => state.kind === 'cleared')).toEqual([{ kind: 'cleared', label: 'New' }]);
  });
});
