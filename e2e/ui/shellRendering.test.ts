import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickPort } from '../rig/daemon';
import { peersAvailable } from '../rig/peers';
import { ProfilePage } from './profilePage';
import { saveEchoProfile, startUiRig, type UiRig } from './uiRig';

/** One glyph of a terminal row as the page laid it out: its character and its box, in CSS pixels. */
interface Glyph {
  char: string;
  left: number;
  width: number;
}

/** A row of the terminal's screen: where it sits and its glyphs, one per column (ASCII only). */
interface MeasuredRow {
  text: string;
  left: number;
  top: number;
  height: number;
  glyphs: Glyph[];
}

/** A CSP violation as the page's securitypolicyviolation event reported it. */
interface Violation {
  directive: string;
  blockedURI: string;
  sample: string;
}

/**
 * The lines under test, typed at the jump box's bash. `%-10s` pads to ten columns (so "ab" is
 * followed by a run of eight spaces) and lets a longer word run on ("snake_case_name" is 15); `%5d`
 * right-aligns 42 in five. The i/W line puts the narrowest and the widest letter side by side.
 */
const COMMAND = "printf '%-10s|%5d|\\n' snake_case_name 42; printf '%-10s|%5d|\\n' ab 42; printf '%s|%s|\\n' iiiiiiii WWWWWWWW; stty size\n";
const SNAKE = /^snake_case_name\| {3}42\|$/;
const PADDED = /^ab {8}\| {3}42\|$/;
const LETTERS = /^i{8}\|W{8}\|$/;

/**
 * Issue #13: the Shell tab under the app's strict CSP (style-src 'self', no 'unsafe-inline').
 * The terminal must lay out like a terminal: every character in its own fixed-width cell (so
 * columns line up and runs of spaces are kept) and underscores painted, with no CSP violation
 * on the way. Chromium against the web host and the rig's real sshd; positions are measured in
 * the page, the underscore in the screenshot's pixels.
 */
describe.skipIf(!peersAvailable('chromium', 'sshd', 'ssh-keygen'))('the Shell tab renders a terminal under the strict CSP', () => {
  let rig: UiRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startUiRig();
    await saveEchoProfile(rig, { id: 'box', name: 'Box', localPort: await pickPort() });
    page = await rig.browser.newPage({ viewport: { width: 1200, height: 900 } });
    // Recorded from the first script on, whoever causes it (CDP's init script is not itself subject to the CSP).
    await page.addInitScript(() => {
      const scope = globalThis as unknown as { cspViolations: Violation[]; document: { addEventListener(type: string, listener: (event: Violation & { effectiveDirective: string }) => void): void } };
      scope.cspViolations = [];
      scope.document.addEventListener('securitypolicyviolation', (event) =>
        scope.cspViolations.push({ directive: event.effectiveDirective, blockedURI: event.blockedURI, sample: event.sample }),
      );
    });
  }, 120_000);

  afterAll(async () => {
    await rig?.dispose();
  });

  it('is served with the same strict policy the Electron window loads: no inline styles or scripts', async () => {
    const response = await page.request.get(rig.host.url);
    const header = response.headers()['content-security-policy'] ?? '';
    // The Electron window loads index.html from disk: its meta tag is the policy there (and applies here too).
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(await response.text())?.[1] ?? '';
    for (const policy of [header, meta]) {
      expect(directive(policy, 'style-src')).toEqual(["'self'"]);
      expect(directive(policy, 'script-src')).toEqual(["'self'"]);
      expect(directive(policy, 'default-src')).toEqual(["'none'"]);
    }
  });

  it('puts every character in its column, keeps runs of spaces, paints underscores, and breaks no CSP rule', async () => {
    const profile = new ProfilePage(page);
    await profile.open(rig.host.url, 'Box');
    await page.getByRole('tab', { name: 'Shell' }).click();
    await page.getByRole('button', { name: 'Open shell' }).click();
    await profile.trustHostKey();
    await page.getByRole('status', { name: 'Shell status' }).filter({ hasText: 'Connected to' }).waitFor();
    // bash's prompt first, so the line is typed at the prompt rather than echoed ahead of it.
    await page.getByRole('region', { name: 'Terminal' }).locator('.xterm-rows > div').filter({ hasText: /[$#]\s*$/ }).first().waitFor();
    await page.keyboard.type(COMMAND);

    const rows = await waitForRows(page, [SNAKE, PADDED, LETTERS]);
    const cols = await waitForColumns(page);
    const screenWidth = await page.getByRole('region', { name: 'Terminal' }).locator('.xterm-screen').evaluate((screen) => screen.getBoundingClientRect().width);
    const cell = screenWidth / cols;
    // A terminal cell is as wide as the monospace font's advance: about 8.4 px at 14 px.
    expect(cell).toBeGreaterThan(6);
    expect(cell).toBeLessThan(12);

    const [snake, padded, letters] = rows as [MeasuredRow, MeasuredRow, MeasuredRow];
    // Where a terminal puts the bars: column index times the cell width, from the row's left edge.
    expect.soft(barColumns(snake, cell)).toEqual([15, 21]);
    expect.soft(barColumns(padded, cell)).toEqual([10, 16]);
    expect.soft(barColumns(letters, cell)).toEqual([8, 17]);
    // And every other glyph: a run of spaces keeps its width, no letter drifts.
    const misplaced = rows.flatMap((row) =>
      row.glyphs.filter((glyph, column) => Math.abs(glyph.left - row.left - column * cell) > 1).map((glyph) => `'${glyph.char}' of "${row.text}" at ${(glyph.left - row.left).toFixed(1)} px`),
    );
    expect.soft(misplaced).toEqual([]);
    // Monospace: the narrowest and the widest letter take the same cell.
    const widthOf = (char: string) => letters.glyphs.find((glyph) => glyph.char === char)?.width ?? 0;
    expect.soft(Math.abs(widthOf('i') - widthOf('W'))).toBeLessThanOrEqual(0.5);
    expect.soft(Math.abs(widthOf('W') - cell)).toBeLessThanOrEqual(0.5);

    // The underscores of snake_case_name (columns 5 and 10) are painted inside their row: the
    // glyph's own box shows text-coloured pixels (inset a pixel, so a neighbour's edge does not
    // count), where a blank cell shows none.
    for (const column of [5, 10]) {
      const underscore = snake.glyphs[column] as Glyph;
      expect(underscore.char).toBe('_');
      const box = { x: underscore.left + 1, y: snake.top, width: underscore.width - 2, height: snake.height };
      expect.soft(await litPixels(page, rig.browser, box), `lit pixels of the '_' at column ${column}`).toBeGreaterThan(0);
    }
    const blank = { x: padded.left + 5 * cell + 1, y: padded.top, width: cell - 2, height: padded.height };
    expect.soft(await litPixels(page, rig.browser, blank), 'lit pixels of the blank cell at column 5').toBe(0);

    // From page load through the open shell: xterm's styles and zod's schemas break no rule of the CSP.
    const violations = await page.evaluate(() => (globalThis as unknown as { cspViolations: Violation[] }).cspViolations);
    expect(violations.map((violation) => `${violation.directive} blocked ${violation.blockedURI} ${violation.sample}`.trim())).toEqual([]);
  });
});

/** The sources a CSP directive allows, in order; [] when the policy lacks it. */
function directive(policy: string, name: string): string[] {
  const entry = policy
    .split(';')
    .map((part) => part.trim().split(/\s+/))
    .find(([key]) => key === name);
  return entry?.slice(1) ?? [];
}

/** The column each '|' of the row is drawn at, by its measured position (rounded to the nearest cell). */
function barColumns(row: MeasuredRow, cell: number): number[] {
  return row.glyphs.filter((glyph) => glyph.char === '|').map((glyph) => Math.round((glyph.left - row.left) / cell));
}

/**
 * The screen's rows whose text (as the terminal holds it: raw text, spaces included) matches each
 * pattern in turn, measured glyph by glyph with a Range over the row's text nodes.
 */
async function waitForRows(page: Page, patterns: RegExp[]): Promise<MeasuredRow[]> {
  const screen = page.getByRole('region', { name: 'Terminal' }).locator('.xterm-rows');
  let found: MeasuredRow[] = [];
  await expect
    .poll(
      async () => {
        const measured = await screen.evaluate((container) => {
          type Box = { left: number; top: number; width: number; height: number };
          type TextNode = { textContent: string | null };
          type Doc = {
            createRange(): { setStart(node: TextNode, offset: number): void; setEnd(node: TextNode, offset: number): void; getBoundingClientRect(): Box };
            createTreeWalker(root: unknown, show: number): { nextNode(): TextNode | null };
          };
          const doc = (globalThis as unknown as { document: Doc }).document;
          const rowElements = Array.from(container.children) as unknown as { getBoundingClientRect(): Box; textContent: string | null }[];
          return rowElements.map((row) => {
            const box = row.getBoundingClientRect();
            const glyphs: Glyph[] = [];
            const walker = doc.createTreeWalker(row, 4 /* NodeFilter.SHOW_TEXT */);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const text = node.textContent ?? '';
              for (let offset = 0; offset < text.length; offset++) {
                const range = doc.createRange();
                range.setStart(node, offset);
                range.setEnd(node, offset + 1);
                const rect = range.getBoundingClientRect();
                glyphs.push({ char: text.charAt(offset), left: rect.left, width: rect.width });
              }
            }
            return { text: (row.textContent ?? '').replace(/\s+$/, ''), left: box.left, top: box.top, height: box.height, glyphs };
          });
        });
        found = patterns.map((pattern) => measured.find((row) => pattern.test(row.text))).filter((row) => row !== undefined);
        return found.length;
      },
      { timeout: 15_000 },
    )
    .toBe(patterns.length);
  return found;
}

/** The terminal's width in columns, as the shell sees it (the last "rows cols" line `stty size` printed). */
async function waitForColumns(page: Page): Promise<number> {
  const screen = page.getByRole('region', { name: 'Terminal' }).locator('.xterm-rows');
  let cols = 0;
  await expect
    .poll(
      async () => {
        const lines = (await screen.evaluate((container) => Array.from(container.children as unknown as { textContent: string | null }[], (row) => row.textContent ?? ''))).map((line) => line.trim());
        cols = Number(lines.filter((line) => /^\d+ \d+$/.test(line)).at(-1)?.split(' ')[1] ?? 0);
        return cols;
      },
      { timeout: 15_000 },
    )
    .toBeGreaterThan(0);
  return cols;
}

/**
 * How many pixels of `box` are lit (well brighter than the terminal's near-black background),
 * read from a screenshot of exactly that box. The PNG is decoded in a blank page of its own,
 * outside the app's CSP.
 */
async function litPixels(page: Page, browser: Browser, box: { x: number; y: number; width: number; height: number }): Promise<number> {
  const png = await page.screenshot({ clip: box });
  const scratch = await browser.newPage();
  try {
    return await scratch.evaluate(async (base64) => {
      type Pixels = { data: Uint8ClampedArray };
      type Canvas = { getContext(kind: '2d'): { drawImage(image: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): Pixels } };
      const scope = globalThis as unknown as {
        fetch(url: string): Promise<{ blob(): Promise<unknown> }>;
        createImageBitmap(blob: unknown): Promise<{ width: number; height: number }>;
        OffscreenCanvas: new (width: number, height: number) => Canvas;
      };
      const bitmap = await scope.createImageBitmap(await (await scope.fetch(`data:image/png;base64,${base64}`)).blob());
      const context = new scope.OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
      context.drawImage(bitmap, 0, 0);
      const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
      let lit = 0;
      for (let index = 0; index < data.length; index += 4) {
        if ((data[index] ?? 0) + (data[index + 1] ?? 0) + (data[index + 2] ?? 0) > 3 * 96) lit++;
      }
      return lit;
    }, png.toString('base64'));
  } finally {
    await scratch.close();
  }
}
