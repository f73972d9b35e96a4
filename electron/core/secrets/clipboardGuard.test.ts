import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { isJumpgateError } from '../../../shared/model/errors';
import { ManualScheduler, TestClipboard } from '../../../e2e/rig/clipboardDouble';
import { ClipboardGuard, createOsClipboard, type Clipboard, type Scheduler } from './clipboardGuard';

const SECRET = 'hunter2-MARKER-@:/?#%+ &é🔑';

/**
 * A clipboard test double: what the OS clipboard would hold, with optional
 * latency (on the fake clock) to expose races between copies and clears.
 */
class FakeClipboard implements Clipboard {
  readonly writes: string[] = [];
  failNextWrite = false;
  failReads = false;
  #text = '';

  constructor(private readonly latencyMs = 0) {}

  get text(): string {
    return this.#text;
  }

  /** Another application copies something. */
  userCopies(text: string): void {
    this.#text = text;
  }

  async readText(): Promise<string> {
    await this.delay();
    if (this.failReads) throw new Error('clipboard is locked by another application');
    return this.#text;
  }

  async writeText(text: string): Promise<void> {
    await this.delay();
    if (this.failNextWrite) {
      this.failNextWrite = false;
      throw new Error('clipboard is locked by another application');
    }
    this.#text = text;
    this.writes.push(text === '' ? '<cleared>' : text === SECRET ? '<secret>' : text);
  }

  private delay(): Promise<void> {
    return this.latencyMs > 0 ? new Promise((resolve) => setTimeout(resolve, this.latencyMs)) : Promise.resolve();
  }
}

describe('ClipboardGuard (fake clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('copies, counts down from 30 s by default, and clears when the time is up', async () => {
    const clipboard = new FakeClipboard();
    const guard = new ClipboardGuard(clipboard);
    const start = Date.now();
    const pending = await guard.copy(SECRET, { label: 'Password for prod-mysql' });
    expect(clipboard.text).toBe(SECRET);
    expect(pending).toEqual({ label: 'Password for prod-mysql', clearsAt: start + 30_000 });
    expect(guard.pending()).toEqual(pending);

    await vi.advanceTimersByTimeAsync(29_999);
    expect(clipboard.text).toBe(SECRET);
    await vi.advanceTimersByTimeAsync(1);
    expect(clipboard.text).toBe('');
    expect(guard.pending()).toBeUndefined();
  });

  it('honours a configured clear time', async () => {
    const clipboard = new FakeClipboard();
    const guard = new ClipboardGuard(clipboard);
    await guard.copy(SECRET, { label: 'pw', clearAfterMs: 5_000 });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(clipboard.text).toBe(SECRET);
    await vi.advanceTimersByTimeAsync(1);
    expect(clipboard.text).toBe('');
  });

  it('leaves the clipboard alone when the user has copied something else since', async () => {
    const clipboard = new FakeClipboard();
    const guard = new ClipboardGuard(clipboard);
    await guard.copy(SECRET, { label: 'pw' });
    await vi.advanceTimersByTimeAsync(10_000);
    clipboard.userCopies('a SQL query the user wants to keep');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(clipboard.text).toBe('a SQL query the user wants to keep');
    expect(clipboard.writes).toEqual(['<secret>']);
    expect(guard.pending()).toBeUndefined();
  });

  it('a second copy cancels the first timer and starts its own', async () => {
    const clipboard = new FakeClipboard();
    const guard = new ClipboardGuard(clipboard);
    await guard.copy(SECRET, { label: 'first' });
    await vi.advanceTimersByTimeAsync(20_000);
    await guard.copy('second-value', { label: 'second' });
    expect(guard.pending()).toEqual({ label: 'second', clearsAt: Date.now() + 30_000 });
    await vi.advanceTimersByTimeAsync(10_000); // the first copy's 30 s are up
    expect(clipboard.text).toBe('second-value');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(clipboard.text).toBe('');
    expect(clipboard.writes).toEqual(['<secret>', 'second-value', '<cleared>']);
  });

  it('tells onChange about each copy, replacement and clear, never the value', async () => {
    const clipboard = new FakeClipboard();
    const changes: unknown[] = [];
    const guard = new ClipboardGuard(clipboard, { onChange: (pending) => changes.push(pending) });
    const start = Date.now();
    await guard.copy(SECRET, { label: 'first', clearAfterMs: 5_000 });
    await guard.copy('second-value', { label: 'second', clearAfterMs: 5_000 });
    expect(changes).toEqual([
      { label: 'first', clearsAt: start + 5_000 },
      { label: 'second', clearsAt: start + 5_000 },
    ]);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(changes).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(changes).toEqual([expect.anything(), expect.anything(), undefined]);
    expect(clipboard.text).toBe('');
    // A failed copy changes nothing, so it says nothing.
    clipboard.failNextWrite = true;
    await expect(guard.copy(SECRET, { label: 'third' })).rejects.toThrow();
    expect(changes).toHaveLength(3);
    expect(JSON.stringify(changes)).not.toContain('second-value');
  });

  it('clearNow clears at once when the value is ours, and does nothing otherwise', async () => {
    const clipboard = new FakeClipboard();
    const guard = new ClipboardGuard(clipboard);
    await guard.copy(SECRET, { label: 'pw' });
    await guard.clearNow();
    expect(clipboard.text).toBe('');
    expect(guard.pending()).toBeUndefined();

    await guard.copy(SECRET, { label: 'pw' });
    clipboard.userCopies('mine');
    await guard.clearNow();
    expect(clipboard.text).toBe('mine');
    // The cancelled timer never fires later.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(clipboard.text).toBe('mine');
  });

  it("dispose clears a value that is still ours and leaves someone else's", async () => {
    const ours = new FakeClipboard();
    const guard = new ClipboardGuard(ours);
    await guard.copy(SECRET, { label: 'pw' });
    await guard.dispose();
    expect(ours.text).toBe('');
    expect(vi.getTimerCount()).toBe(0);

    const theirs = new FakeClipboard();
    const other = new ClipboardGuard(theirs);
    await other.copy(SECRET, { label: 'pw' });
    theirs.userCopies('not ours');
    await other.dispose();
    expect(theirs.text).toBe('not ours');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('settled() resolves once the clear has run', async () => {
    const clipboard = new FakeClipboard();
    const guard = new ClipboardGuard(clipboard);
    await guard.settled(); // nothing pending: resolves at once
    await guard.copy(SECRET, { label: 'pw' });
    let settled = false;
    void guard.settled().then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(29_000);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(settled).toBe(true);
  });

  it('a clear that fires while a slow copy is writing does not wipe the new value', async () => {
    const clipboard = new FakeClipboard(100);
    const guard = new ClipboardGuard(clipboard);
    const first = guard.copy(SECRET, { label: 'first', clearAfterMs: 1_000 });
    await vi.advanceTimersByTimeAsync(100);
    await first;
    await vi.advanceTimersByTimeAsync(950); // t = 1050: the first clear is due at 1100
    const second = guard.copy('second-value', { label: 'second', clearAfterMs: 1_000 });
    await vi.advanceTimersByTimeAsync(100); // the first clear fires in the middle of the second write
    await second;
    await vi.advanceTimersByTimeAsync(200);
    expect(clipboard.text).toBe('second-value');
    expect(clipboard.writes).toEqual(['<secret>', 'second-value']);
  });

  it('a copy that starts while a clear is reading lands after it and survives', async () => {
    const clipboard = new FakeClipboard(100);
    const guard = new ClipboardGuard(clipboard);
    const first = guard.copy(SECRET, { label: 'first', clearAfterMs: 1_000 });
    await vi.advanceTimersByTimeAsync(100);
    await first;
    await vi.advanceTimersByTimeAsync(1_050); // the clear is reading (100 ms) now
    const second = guard.copy('second-value', { label: 'second', clearAfterMs: 1_000 });
    await vi.advanceTimersByTimeAsync(400);
    await second;
    expect(clipboard.text).toBe('second-value');
    expect(clipboard.writes).toEqual(['<secret>', '<cleared>', 'second-value']);
    expect(guard.pending()?.label).toBe('second');
  });

  it('a failed copy rejects and keeps the previous pending clear', async () => {
    const clipboard = new FakeClipboard();
    const guard = new ClipboardGuard(clipboard);
    await guard.copy(SECRET, { label: 'first' });
    clipboard.failNextWrite = true;
    await expect(guard.copy('second-value', { label: 'second' })).rejects.toThrow(/locked/);
    expect(guard.pending()?.label).toBe('first');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(clipboard.text).toBe('');
  });

  it('a clear that cannot read the clipboard reports through onError and does not clear blindly', async () => {
    const clipboard = new FakeClipboard();
    const errors: unknown[] = [];
    const guard = new ClipboardGuard(clipboard, { onError: (error) => errors.push(error) });
    await guard.copy(SECRET, { label: 'pw' });
    clipboard.failReads = true;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).not.toContain('MARKER');
    expect(clipboard.text).toBe(SECRET);
    expect(guard.pending()).toBeUndefined();
  });

  // Issue #17: the guard reported "cleared" (onChange(undefined)) when reading failed and the password was still there.
  it('a clear that cannot read the clipboard (the rig double) reports the failure, never "cleared", and clearNow tries again', async () => {
    const clipboard = new TestClipboard();
    const scheduler = new ManualScheduler();
    const changes: Array<{ pending: unknown; failed: unknown }> = [];
    const guard = new ClipboardGuard(clipboard, { scheduler, onChange: (pending, failed) => changes.push({ pending, failed }) });
    await guard.copy(SECRET, { label: 'Password for Prod / Orders' });
    clipboard.failReads = true;
    scheduler.advance(30_000);
    await guard.settled();
    expect(clipboard.text).toBe(SECRET);
    expect(changes).toHaveLength(2);
    expect(changes[1]).toEqual({
      pending: undefined,
      failed: {
        label: 'Password for Prod / Orders',
        error: expect.objectContaining({ code: 'CLIPBOARD_UNAVAILABLE', message: expect.stringMatching(/may still be on the clipboard/), hint: expect.stringMatching(/Clear the clipboard yourself/) }),
      },
    });
    expect(JSON.stringify(changes)).not.toContain('MARKER');
    // Failing again says so again; once the clipboard can be read, the retry clears it and reports that.
    await guard.clearNow();
    expect(changes[2]?.failed).toMatchObject({ label: 'Password for Prod / Orders' });
    clipboard.failReads = false;
    await guard.clearNow();
    expect(clipboard.text).toBe('');
    expect(changes[3]).toEqual({ pending: undefined, failed: undefined });
    // Nothing left to retry.
    await guard.clearNow();
    expect(changes).toHaveLength(4);
  });

  it('refuses a negative clear time', async () => {
    const guard = new ClipboardGuard(new FakeClipboard());
    await expect(guard.copy(SECRET, { label: 'pw', clearAfterMs: -1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('does not keep the secret itself: only a keyed digest', async () => {
    let text = '';
    const guard = new ClipboardGuard({
      readText: () => text,
      writeText: (value) => {
        text = value;
      },
    });
    await guard.copy(SECRET, { label: 'pw' });
    expect(inspect(guard, { depth: 10, showHidden: true })).not.toContain('MARKER');
    expect(JSON.stringify(guard.pending())).not.toContain('MARKER');
    await guard.dispose();
  });
});

describe('ClipboardGuard (injected scheduler)', () => {
  it('uses the scheduler it is given for the timer and clearsAt', async () => {
    let now = 1_000;
    const timers = new Map<number, { at: number; run: () => void }>();
    let next = 0;
    const scheduler: Scheduler = {
      now: () => now,
      setTimeout: (run, ms) => {
        timers.set(++next, { at: now + ms, run });
        return next;
      },
      clearTimeout: (handle) => void timers.delete(handle as number),
    };
    let text = '';
    const guard = new ClipboardGuard(
      { readText: () => text, writeText: (value) => void (text = value) },
      { scheduler },
    );
    expect(await guard.copy(SECRET, { label: 'pw', clearAfterMs: 500 })).toEqual({ label: 'pw', clearsAt: 1_500 });
    await guard.copy('other', { label: 'pw2', clearAfterMs: 500 });
    expect(timers.size).toBe(1); // the first timer was cancelled
    now = 1_500;
    for (const timer of timers.values()) timer.run();
    await guard.settled();
    expect(text).toBe('');
  });
});

describe('createOsClipboard', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jumpgate-clipboard-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Fake clipboard programs in a directory that is the whole PATH: the value is
   * kept in a file, every argv is logged, and the program exits like the real
   * one (status 1 when the clipboard is empty, for xclip -out and wl-paste).
   */
  function fakeTools(name: string, tools: string[], options: { forkOnWrite?: boolean } = {}): { env: NodeJS.ProcessEnv; store: string; argv: string } {
    const bin = join(dir, name);
    const store = join(bin, 'store');
    const argv = join(bin, 'argv.log');
    mkdirSync(bin, { recursive: true });
    const read = `[ -s '${store}' ] || exit 1\n/bin/cat '${store}'`;
    const clear = `: > '${store}'`;
    // Like xclip and wl-copy: a child stays behind holding the inherited stdout/stderr.
    const write = `/bin/cat > '${store}'${options.forkOnWrite ? '\n/bin/sleep 3 &' : ''}`;
    const byArg = (arg: string, then: string, otherwise: string) =>
      `case " $* " in *" ${arg} "*) ${then.replace(/\n/g, '; ')} ;; *) ${otherwise.replace(/\n/g, '; ')} ;; esac`;
    const bodies: Record<string, string> = {
      xclip: byArg('-out', read, write),
      xsel: byArg('--output', read, byArg('--clear', clear, write)),
      'wl-copy': byArg('--clear', clear, write),
      'wl-paste': read,
      pbcopy: write,
      pbpaste: read,
      // clip.exe keeps the bytes it is given; Get-Clipboard -Raw prints the Unicode text (here as
      // UTF-8, as the read command asks for) and a line break of its own.
      'clip.exe': `/bin/cat > '${store}'`,
      'powershell.exe': `[ -s '${store}' ] || exit 0\n/usr/bin/iconv -f UTF-16 -t UTF-8 '${store}'\nprintf '\\r\\n'`,
    };
    for (const tool of tools) {
      writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> '${argv}'\n${bodies[tool]}\nexit 0\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    return { env: { PATH: bin }, store, argv };
  }

  it('without any clipboard program -> a clear error naming what to install', () => {
    let caught: unknown;
    try {
      createOsClipboard({ env: { PATH: join(dir, 'nothing-here') }, platform: 'linux' });
    } catch (error) {
      caught = error;
    }
    expect(isJumpgateError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'CLIPBOARD_UNAVAILABLE' });
    expect((caught as { hint?: string }).hint).toMatch(/xclip/);
  });

  it('xclip: the value goes through stdin and stdout only, never argv, and survives shell metacharacters', async () => {
    const { env, store, argv } = fakeTools('xclip', ['xclip']);
    const clipboard = createOsClipboard({ env, platform: 'linux' });
    const nasty = `${SECRET} $(touch pwned) \`id\` '"\\ ;|&`;
    await clipboard.writeText(nasty);
    expect(readFileSync(store, 'utf8')).toBe(nasty);
    expect(await clipboard.readText()).toBe(nasty);
    expect(existsSync(join(dir, 'xclip', 'pwned'))).toBe(false);
    const calls = readFileSync(argv, 'utf8');
    expect(calls).toContain('xclip -selection clipboard -in');
    expect(calls).toContain('xclip -selection clipboard -out');
    expect(calls).not.toContain('MARKER');
  });

  it('reads an empty clipboard (the program exits 1) as empty text', async () => {
    const { env } = fakeTools('xclip-empty', ['xclip']);
    const clipboard = createOsClipboard({ env, platform: 'linux' });
    expect(await clipboard.readText()).toBe('');
  });

  it('does not hang on a program that leaves a child holding its output (xclip, wl-copy)', async () => {
    const { env, store } = fakeTools('xclip-fork', ['xclip'], { forkOnWrite: true });
    const clipboard = createOsClipboard({ env, platform: 'linux', timeoutMs: 2_000 });
    const started = Date.now();
    await clipboard.writeText('value');
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(readFileSync(store, 'utf8')).toBe('value');
  });

  it('prefers wl-copy in a Wayland session and clears with --clear', async () => {
    const { env, argv, store } = fakeTools('wayland', ['wl-copy', 'wl-paste', 'xclip']);
    const clipboard = createOsClipboard({ env: { ...env, WAYLAND_DISPLAY: 'wayland-0' }, platform: 'linux' });
    await clipboard.writeText(SECRET);
    expect(await clipboard.readText()).toBe(SECRET);
    await clipboard.writeText('');
    expect(readFileSync(store, 'utf8')).toBe('');
    const calls = readFileSync(argv, 'utf8').trim().split('\n');
    expect(calls).toEqual(['wl-copy ', 'wl-paste --no-newline', 'wl-copy --clear']);
  });

  it('uses pbcopy and pbpaste on macOS', async () => {
    const { env } = fakeTools('mac', ['pbcopy', 'pbpaste']);
    const clipboard = createOsClipboard({ env, platform: 'darwin' });
    await clipboard.writeText(SECRET);
    expect(await clipboard.readText()).toBe(SECRET);
  });

  it('on Windows: clip.exe gets UTF-16LE with a byte order mark on stdin, PowerShell reads it back exactly', async () => {
    const { env, store, argv } = fakeTools('windows', ['clip.exe', 'powershell.exe']);
    const clipboard = createOsClipboard({ env, platform: 'win32' });
    // Outside every OEM code page: the reason clip.exe is given UTF-16 and PowerShell asked for UTF-8.
    const unicode = `${SECRET} pässwörd €5 ключ 🔑 "quoted" & | < >`;
    await clipboard.writeText(unicode);
    expect(readFileSync(store)).toEqual(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(unicode, 'utf16le')]));
    expect(await clipboard.readText()).toBe(unicode);
    // Clearing writes an empty Unicode text, which reads back as nothing.
    await clipboard.writeText('');
    expect(readFileSync(store)).toEqual(Buffer.from([0xff, 0xfe]));
    expect(await clipboard.readText()).toBe('');
    const calls = readFileSync(argv, 'utf8').trim().split('\n');
    expect(calls[0]).toBe('clip.exe ');
    expect(calls[1]).toBe(
      'powershell.exe -NoProfile -NonInteractive -Command [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false; Get-Clipboard -Raw',
    );
    expect(calls.join('\n')).not.toContain('MARKER');
  });

  it('on Windows without clip.exe or PowerShell: says where they should be', () => {
    fakeTools('windows-half', ['clip.exe']);
    expect(() => createOsClipboard({ env: { PATH: join(dir, 'windows-half') }, platform: 'win32' })).toThrow(
      expect.objectContaining({ code: 'CLIPBOARD_UNAVAILABLE', hint: expect.stringMatching(/System32/) }),
    );
  });

  it('on Windows, a clipboard read that keeps a byte order mark or line breaks of its own still compares exactly', async () => {
    const { env, store } = fakeTools('windows-bom', ['clip.exe', 'powershell.exe']);
    const clipboard = createOsClipboard({ env, platform: 'win32' });
    await clipboard.writeText('line one\r\nline two\r\n');
    expect(await clipboard.readText()).toBe('line one\r\nline two\r\n');
    // A PowerShell that wrote a UTF-8 byte order mark anyway.
    writeFileSync(join(dir, 'windows-bom', 'powershell.exe'), `#!/bin/sh\nprintf '\\357\\273\\277'\n/usr/bin/iconv -f UTF-16 -t UTF-8 '${store}'\nprintf '\\r\\n'\n`);
    expect(await clipboard.readText()).toBe('line one\r\nline two\r\n');
  });

  it('drives a ClipboardGuard end to end: copy, then clear only while it is ours', async () => {
    const { env, store } = fakeTools('guarded', ['xsel']);
    const guard = new ClipboardGuard(createOsClipboard({ env, platform: 'linux' }));
    await guard.copy(SECRET, { label: 'pw' });
    expect(readFileSync(store, 'utf8')).toBe(SECRET);
    await guard.clearNow();
    expect(readFileSync(store, 'utf8')).toBe('');
  });
});
