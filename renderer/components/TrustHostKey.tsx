import { useState } from 'react';
import { detailsOf, type ErrorInfo } from '../../shared/model/errors';
import { useStores } from '../storesContext';

/**
 * A jump box the doctor met for the first time (HOST_KEY_UNKNOWN): its
 * fingerprint to compare with the administrator's, and the button that pins
 * it, as the connect prompt does. A changed key (HOST_KEY_MISMATCH) gets no
 * button: that is a refusal, not a question.
 */
export function TrustHostKey({ error, onTrusted }: { error: ErrorInfo; onTrusted: () => void }) {
  const trust = useStores().useHostKeys((state) => state.trust);
  const [busy, setBusy] = useState(false);
  const details = detailsOf(error, 'HOST_KEY_UNKNOWN');
  if (!details) return null;
  return (
    <div className="trust-host-key">
      <span>
        {details.keyType} fingerprint <code aria-label="Host key fingerprint">{details.fingerprint}</code>
      </span>
      <button
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void trust(error).then((trusted) => {
            setBusy(false);
            if (trusted) onTrusted();
          });
        }}
      >
        Trust this host key
      </button>
    </div>
  );
}
