import { secondsUntil } from '../format';
import { useNow } from '../hooks/useNow';
import { useStores } from '../storesContext';

/** What Jumpgate left on the clipboard and when it goes: a countdown that ends with the real clear. */
export function ClipboardBanner() {
  const now = useNow();
  const { useSecrets } = useStores();
  const { pending, lastCleared, clearClipboard } = useSecrets();
  if (!pending && !lastCleared) return null;
  return (
    <section className="clipboard" aria-label="Clipboard" role="status">
      {pending ? (
        <>
          <span>
            {pending.label} is on the clipboard. Cleared in <strong aria-label="Seconds until the clipboard is cleared">{secondsUntil(pending.clearsAt, now)}</strong> s.
          </span>
          <button className="secondary" onClick={() => void clearClipboard()}>
            Clear clipboard now
          </button>
        </>
      ) : (
        <span>Clipboard cleared: {lastCleared} is no longer on it.</span>
      )}
    </section>
  );
}
