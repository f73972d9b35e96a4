import type { Terminal } from '@xterm/xterm';

/**
 * Opens an xterm.js terminal in `parent` so that it renders under the app's strict CSP
 * (`style-src 'self'`, no 'unsafe-inline'; renderer/index.html and electron/host/webHost.ts),
 * and returns what to call after `term.dispose()`. Issue #13.
 *
 * Why this is needed: xterm's DOM renderer (the only one we ship) styles its rows with CSS it
 * generates from the options and theme (font family and size, `white-space: pre`, the cell
 * boxes, cursor, selection, the 256 palette colours, the scrollbar) and writes that CSS into
 * `<style>` elements it appends inside the terminal during `open()`, rewriting their text on
 * every resize and theme change. The CSP blocks inline `<style>` elements, and Chromium reports
 * a violation for each one, even empty. Without those rules the rows take the page's
 * proportional font, collapse runs of spaces and clip underscores below the row.
 *
 * Why not another way:
 * - 'unsafe-inline', or hashes of the CSS: the first is what the CSP is there to forbid; hashes
 *   cannot match, the CSS names a per-instance class (`xterm-dom-renderer-owner-N`) and the theme.
 * - a nonce: xterm has no option for one and appends its `<style>` elements (blocked on insertion)
 *   before app code could mark them; the Electron window loads index.html from disk, whose meta
 *   CSP cannot carry a per-load nonce.
 * - the WebGL renderer addon: not a dependency, needs a GPU context, and the terminal still
 *   opens with the DOM renderer first (xtermjs/xterm.js#4133).
 * - copying xterm's CSS into styles.css: a hand copy of generated rules that drifts from the
 *   options and theme passed to `new Terminal()`.
 *
 * So xterm keeps writing its own CSS, and the CSS reaches the page as a constructed stylesheet
 * (`new CSSStyleSheet()`, `replaceSync`, `document.adoptedStyleSheets`): styles made by our own
 * script through the CSSOM, which script-src 'self' already allows and style-src does not govern
 * (CSP checks `<style>` elements, stylesheet links and `style` attributes). While `open()` runs,
 * synchronously, `document.createElement('style')` hands xterm an inert `<template>` in place of
 * each `<style>`: never rendered, never parsed as CSS, never checked by the CSP. A mutation
 * observer copies whatever xterm writes into it to that stand-in's stylesheet, before the next
 * frame. xterm 6 creates these elements only in `open()` (DomRenderer and Viewport
 * constructors) and afterwards only sets their `textContent` and removes them.
 *
 * Not covered: cells in 24-bit colour (`ESC[38;2;r;g;bm`), which xterm styles through `style`
 * attributes that the CSP still blocks; they show in the default colour. The 16 and 256
 * palette colours are classes in the copied CSS and show as they should.
 */
export function openTerminalUnderCsp(term: Terminal, parent: HTMLElement): () => void {
  const document = parent.ownerDocument;
  const copies: { sheet: CSSStyleSheet; observer: MutationObserver; copy(): void }[] = [];
  const standIn = (): HTMLElement => {
    const element = document.createElement('template');
    const sheet = new CSSStyleSheet();
    const copy = (): void => sheet.replaceSync(element.textContent ?? '');
    const observer = new MutationObserver(copy);
    observer.observe(element, { childList: true, characterData: true, subtree: true });
    copies.push({ sheet, observer, copy });
    return element;
  };

  // An own property shadows Document.prototype.createElement for this one synchronous call.
  const createElement = document.createElement.bind(document) as (tagName: string, options?: ElementCreationOptions) => HTMLElement;
  Object.defineProperty(document, 'createElement', {
    configurable: true,
    value: (tagName: string, options?: ElementCreationOptions) => (tagName.toLowerCase() === 'style' ? standIn() : createElement(tagName, options)),
  });
  try {
    term.open(parent);
  } finally {
    delete (document as { createElement?: unknown }).createElement;
  }
  // What xterm wrote during open(), in place now: the first frame is already styled.
  for (const { observer, copy } of copies) {
    observer.takeRecords();
    copy();
  }
  const sheets = copies.map(({ sheet }) => sheet);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, ...sheets];

  return () => {
    for (const { observer } of copies) observer.disconnect();
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((sheet) => !sheets.includes(sheet));
  };
}
