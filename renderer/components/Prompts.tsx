import { useState } from 'react';
import type { ErrorInfo } from '../../shared/model/errors';

/** First contact with a jump box: show the fingerprint, let the user trust and pin it, or cancel. */
export function HostKeyPrompt({ error, onTrust, onCancel }: { error: ErrorInfo; onTrust: () => void; onCancel: () => void }) {
  const details = error.details ?? {};
  return (
    <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="hostkey-title">
      <h2 id="hostkey-title">Trust this jump box?</h2>
      <p>
        First connection to <strong>{String(details.host)}:{String(details.port)}</strong>. Compare its {String(details.keyType)} fingerprint
        with the one your administrator published:
      </p>
      <pre aria-label="Host key fingerprint">{String(details.fingerprint)}</pre>
      <div className="actions">
        <button onClick={onTrust}>Trust and connect</button>
        <button className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** A changed host key: a refusal, not a question. */
export function HostKeyMismatch({ error, onClose }: { error: ErrorInfo; onClose: () => void }) {
  return (
    <div className="dialog danger" role="alertdialog" aria-modal="true" aria-labelledby="mismatch-title">
      <h2 id="mismatch-title">The jump box's identity has changed: connection refused</h2>
      <p>{error.message}</p>
      <p>{error.hint}</p>
      <div className="actions">
        <button onClick={onClose}>Close</button>
      </div>
    </div>
  );
}

/** The SSH key is encrypted: ask for its passphrase (kept in memory; in the keychain only if asked). */
export function PassphrasePrompt({ keyPath, wrong, onSubmit, onCancel }: { keyPath: string; wrong: boolean; onSubmit: (passphrase: string, remember: boolean) => void; onCancel: () => void }) {
  const [passphrase, setPassphrase] = useState('');
  const [remember, setRemember] = useState(false);
  return (
    <form
      className="dialog"
      role="dialog"
      aria-modal="true"
      aria-labelledby="passphrase-title"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(passphrase, remember);
      }}
    >
      <h2 id="passphrase-title">Unlock your SSH key</h2>
      <p>{wrong ? 'That passphrase does not unlock the key. ' : ''}Passphrase for {keyPath}</p>
      <label>
        Passphrase
        <input type="password" autoFocus value={passphrase} onChange={(event) => setPassphrase(event.target.value)} />
      </label>
      <label className="inline">
        <input type="checkbox" checked={remember} onChange={(event) => setRemember(event.target.checked)} />
        Remember in the system keychain
      </label>
      <div className="actions">
        <button type="submit">Unlock and connect</button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
