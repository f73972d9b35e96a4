import { secondsUntil } from '../format';
import { useNow } from '../hooks/useNow';
import type { PageClipboardState } from '../pageClipboard';
import { useStores } from '../storesContext';

/**
 * What Jumpgate left on the clipboard and when it goes: a countdown that ends with the
 * real clear. The service's copy (its guard reports the clear) or, in the browser mode
 * without a service clipboard, the page's own copy, whose limits are said as they are met.
 */
export function ClipboardBanner() {
  const now = useNow();
  const { useSecrets } = useStores();
  const { pending, lastCleared, clearFailed, page, clearClipboard } = useSecrets();
  const clearButton = (
    <button className="secondary" onClick={() => void clearClipboard()}>
      Clear clipboard now
    </button>
  );
  if (page.kind !== 'empty' && page.kind !== 'cleared') {
    return (
      <section className="clipboard" aria-label="Clipboard" role="status">
        <span>{describePageCopy(page, now)}</span>
        {clearButton}
      </section>
    );
  }
  if (clearFailed && !pending) {
    // The clear could not read or write the clipboard: the copy may still be there (issue #17).
    return (
      <section className="clipboard" aria-label="Clipboard" role="alert">
        <span>
          {clearFailed.error.message} {clearFailed.error.hint}
        </span>
        {clearButton}
      </section>
    );
  }
  if (!pending && !lastCleared && page.kind === 'empty') return null;
  return (
    <section className="clipboard" aria-label="Clipboard" role="status">
      {pending ? (
        <>
          <span>
            {pending.label} is on the clipboard. Cleared in <strong aria-label="Seconds until the clipboard is cleared">{secondsUntil(pending.clearsAt, now)}</strong> s.
          </span>
          {clearButton}
        </>
      ) : (
        <span>Clipboard cleared: {page.kind === 'cleared' ? page.label : lastCleared} is no longer on it.</span>
      )}
    </section>
  );
}

function describePageCopy(page: Exclude<PageClipboardState, { kind: 'empty' } | { kind: 'cleared' }>, now: number) {
  switch (page.kind) {
    case 'pending':
      return (
        <>
          {page.label} is on the clipboard. This page clears it in <strong aria-label="Seconds until the clipboard is cleared">{secondsUntil(page.clearsAt, now)}</strong> s: keep this tab open until then.
        </>
      );
    case 'waitingForFocus':
      return <>{page.label} is still on the clipboard: the browser lets this page clear it only while the tab is in front. Come back to this tab, or clear it now.</>;
    case 'unknown':
      return (
        <>
          {page.label} may still be on the clipboard: the browser did not let this page read the clipboard ({page.why}), so it was left alone rather than wiping something you copied since.
        </>
      );
  }
}
