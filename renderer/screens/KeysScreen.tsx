import { useId, useState } from 'react';
import type { GeneratedKey, InspectedKey } from '../stores/keys';
import { useStores } from '../storesContext';

/**
 * What PuTTYgen was for: make a key pair (ed25519 recommended, RSA-4096 where a
 * box needs it), or open an existing OpenSSH or PuTTY key, and hand over the one
 * line the jump box's administrator needs.
 */
export function KeysScreen() {
  const [made, setMade] = useState<GeneratedKey | undefined>();
  const [loaded, setLoaded] = useState<InspectedKey & { path: string } | undefined>();
  return (
    <section aria-labelledby="keys-title" className="keys">
      <h2 id="keys-title">Keys</h2>
      <GenerateKey onMade={setMade} />
      {made ? <PublicKeyCard title="Your new key" publicKey={made.publicKey} fingerprint={made.fingerprint} privatePath={made.privatePath} /> : null}
      <LoadKey onLoaded={setLoaded} />
      {loaded ? <PublicKeyCard title="The key you opened" publicKey={loaded.publicKey} fingerprint={loaded.fingerprint} privatePath={loaded.path} detail={`${formatName(loaded.format)}, ${loaded.encrypted ? 'protected by a passphrase' : 'not protected by a passphrase'}`} /> : null}
    </section>
  );
}

function formatName(format: string): string {
  return { openssh: 'OpenSSH', pem: 'PEM', pkcs8: 'PKCS#8', ppk2: 'PuTTY .ppk v2', ppk3: 'PuTTY .ppk v3' }[format] ?? format;
}

function GenerateKey({ onMade }: { onMade: (key: GeneratedKey) => void }) {
  const { useApp, useKeys } = useStores();
  const info = useApp((state) => state.info);
  const ids = { path: useId(), comment: useId(), passphrase: useId(), confirm: useId() };
  const [type, setType] = useState<'ed25519' | 'rsa'>('ed25519');
  const [path, setPath] = useState<string | undefined>();
  const [comment, setComment] = useState<string | undefined>();
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  // Defaults follow the type until the user types their own.
  const shownPath = path ?? (info ? `${info.sshDir}/jumpgate_${type}` : '');
  const shownComment = comment ?? (info ? `${info.user}@jumpgate` : '');
  const mismatch = confirm !== '' && confirm !== passphrase;
  const weak = passphrase !== '' && passphrase.length < 8;

  return (
    <form
      className="panel"
      aria-labelledby="generate-title"
      onSubmit={(event) => {
        event.preventDefault();
        if (mismatch || shownPath.trim() === '' || shownComment.trim() === '') return;
        setBusy(true);
        void useKeys
          .getState()
          .generate({ type, path: shownPath.trim(), comment: shownComment.trim(), ...(passphrase ? { passphrase } : {}) })
          .then((made) => {
            setBusy(false);
            if (!made) return;
            setPassphrase('');
            setConfirm('');
            onMade(made);
          });
      }}
    >
      <h3 id="generate-title">Create a key</h3>
      <div role="radiogroup" aria-label="Key type" className="choices">
        <label className="inline">
          <input type="radio" name="key-type" checked={type === 'ed25519'} onChange={() => setType('ed25519')} />
          ed25519 (recommended)
        </label>
        <label className="inline">
          <input type="radio" name="key-type" checked={type === 'rsa'} onChange={() => setType('rsa')} />
          RSA, 4096 bits (for older servers)
        </label>
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor={ids.path}>Save the private key as</label>
          <input id={ids.path} value={shownPath} onChange={(event) => setPath(event.target.value)} />
          <small className="help">The public key is written beside it as .pub. An existing file is never replaced.</small>
        </div>
        <div className="field">
          <label htmlFor={ids.comment}>Comment</label>
          <input id={ids.comment} value={shownComment} onChange={(event) => setComment(event.target.value)} />
          <small className="help">Tells the administrator whose key it is, e.g. alice@laptop.</small>
        </div>
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor={ids.passphrase}>Passphrase</label>
          <input id={ids.passphrase} type="password" autoComplete="new-password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} aria-describedby={`${ids.passphrase}-help`} />
          <small className="help" id={`${ids.passphrase}-help`}>
            {passphrase === '' ? 'Without one, anyone who copies the file can use the key.' : weak ? 'Longer is stronger: at least 8 characters.' : 'Jumpgate asks for it when you connect.'}
          </small>
        </div>
        <div className="field">
          <label htmlFor={ids.confirm}>Passphrase again</label>
          <input id={ids.confirm} type="password" autoComplete="new-password" value={confirm} onChange={(event) => setConfirm(event.target.value)} aria-invalid={mismatch} aria-describedby={mismatch ? `${ids.confirm}-error` : undefined} />
          {mismatch ? (
            <small className="field-error" id={`${ids.confirm}-error`}>
              The two passphrases differ.
            </small>
          ) : null}
        </div>
      </div>
      <div className="actions">
        <button type="submit" disabled={busy || mismatch || (passphrase !== '' && confirm !== passphrase)}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}

function LoadKey({ onLoaded }: { onLoaded: (key: InspectedKey & { path: string }) => void }) {
  const { useKeys } = useStores();
  const ids = { path: useId(), passphrase: useId() };
  const [path, setPath] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [needsPassphrase, setNeedsPassphrase] = useState(false);
  return (
    <form
      className="panel"
      aria-labelledby="load-title"
      onSubmit={(event) => {
        event.preventDefault();
        if (path.trim() === '') return;
        void useKeys
          .getState()
          .open(path.trim(), passphrase)
          .then((opened) => {
            if (opened && 'key' in opened) {
              setNeedsPassphrase(false);
              setPassphrase('');
              onLoaded({ ...opened.key, path: path.trim() });
            } else if (opened) setNeedsPassphrase(true);
          });
      }}
    >
      <h3 id="load-title">Open an existing key</h3>
      <div className="row">
        <div className="field">
          <label htmlFor={ids.path}>Private key file</label>
          <input id={ids.path} value={path} onChange={(event) => setPath(event.target.value)} placeholder="~/.ssh/id_ed25519 or C:\Keys\prod.ppk" />
          <small className="help">OpenSSH, PEM, PKCS#8 or PuTTY .ppk (v2 or v3).</small>
        </div>
        {needsPassphrase ? (
          <div className="field">
            <label htmlFor={ids.passphrase}>Key passphrase</label>
            <input id={ids.passphrase} type="password" autoFocus value={passphrase} onChange={(event) => setPassphrase(event.target.value)} />
            <small className="help">This key is protected; its passphrase is used once and not kept.</small>
          </div>
        ) : null}
      </div>
      <div className="actions">
        <button type="submit" className="secondary">
          Open key
        </button>
      </div>
    </form>
  );
}

/** The public half, whole and on one line, to send; and a way to use the key in a profile. */
function PublicKeyCard({ title, publicKey, fingerprint, privatePath, detail }: { title: string; publicKey: string; fingerprint: string; privatePath: string; detail?: string }) {
  const { useProfiles, useFeedback } = useStores();
  const profiles = useProfiles((state) => state.profiles);
  const [profileId, setProfileId] = useState<string>('');
  const ids = { text: useId(), profile: useId() };
  const { showError, showNotice } = useFeedback.getState();
  return (
    <section className="panel" aria-label={title}>
      <h3>{title}</h3>
      <p>
        <code>{fingerprint}</code> · {privatePath}
        {detail ? ` · ${detail}` : ''}
      </p>
      <label htmlFor={ids.text}>Public key to send to the jump box's administrator</label>
      <textarea id={ids.text} readOnly rows={3} value={publicKey} onFocus={(event) => event.currentTarget.select()} />
      <div className="actions">
        <button
          onClick={() =>
            void navigator.clipboard.writeText(publicKey).then(
              () => showNotice('The public key is on the clipboard. It is not secret: paste it into a message to your administrator.'),
              () => showError({ code: 'CLIPBOARD_UNAVAILABLE', message: 'The browser did not allow copying.', hint: 'Select the text in the box and copy it.' }),
            )
          }
        >
          Copy public key
        </button>
        <label htmlFor={ids.profile} className="visually-hidden">
          Profile to use this key in
        </label>
        <select id={ids.profile} value={profileId} onChange={(event) => setProfileId(event.target.value)}>
          <option value="">Use it in a profile…</option>
          {profiles.map((profile) => (
            <option key={profile.id} value={profile.id}>
              {profile.name}
            </option>
          ))}
        </select>
        <button
          className="secondary"
          disabled={profileId === ''}
          onClick={() => {
            const profile = profiles.find((entry) => entry.id === profileId);
            if (!profile) return;
            void useProfiles.getState().attachKey(profile, privatePath);
          }}
        >
          Use key
        </button>
      </div>
    </section>
  );
}

