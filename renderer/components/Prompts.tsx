import { useId, useState } from 'react';
import { detailsOf, type ErrorInfo } from '../../shared/model/errors';
import { unlockFor, type SshQuestion, type Unlock } from '../sshQuestions';
import { Dialog } from './Dialog';

/** What answering a question goes on to do: connect (the default), or check again (the doctor). */
export type QuestionAction = 'connect' | 'check';

/** First contact with a jump box: show the fingerprint, let the user trust and pin it, or cancel. */
export function HostKeyPrompt({ error, onTrust, onCancel, action = 'connect' }: { error: ErrorInfo; onTrust: () => void; onCancel: () => void; action?: QuestionAction }) {
  const details = detailsOf(error, 'HOST_KEY_UNKNOWN');
  return (
    <Dialog title="Trust this jump box?" onClose={onCancel}>
      <p>
        First connection to <strong>{details?.host}:{details?.port}</strong>. Compare its {details?.keyType} fingerprint
        with the one your administrator published:
      </p>
      <pre aria-label="Host key fingerprint">{details?.fingerprint}</pre>
      <div className="actions">
        <button onClick={onTrust}>Trust and {action}</button>
        <button className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

/** A changed host key: a refusal, not a question. */
export function HostKeyMismatch({ error, onClose }: { error: ErrorInfo; onClose: () => void }) {
  return (
    <Dialog title="The jump box's identity has changed: connection refused" onClose={onClose} tone="danger" role="alertdialog">
      <p>{error.message}</p>
      <p>{error.hint}</p>
      <div className="actions">
        <button onClick={onClose}>Close</button>
      </div>
    </Dialog>
  );
}

/** The SSH key is encrypted: ask for its passphrase (kept in memory; in the keychain only if asked). */
export function PassphrasePrompt({
  keyPath,
  wrong,
  onSubmit,
  onCancel,
  action = 'connect',
}: {
  keyPath: string;
  wrong: boolean;
  onSubmit: (passphrase: string, remember: boolean) => void;
  onCancel: () => void;
  action?: QuestionAction;
}) {
  const [passphrase, setPassphrase] = useState('');
  const [remember, setRemember] = useState(false);
  const fieldId = useId();
  return (
    <Dialog title="Unlock your SSH key" onClose={onCancel}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (passphrase !== '') onSubmit(passphrase, remember);
        }}
      >
        <p>
          {wrong ? 'That passphrase does not unlock the key. ' : ''}Passphrase for <code>{keyPath}</code>
        </p>
        <label htmlFor={fieldId}>Passphrase</label>
        <input id={fieldId} type="password" autoFocus autoComplete="off" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} />
        <label className="inline">
          <input type="checkbox" checked={remember} onChange={(event) => setRemember(event.target.checked)} />
          Remember in the system keychain
        </label>
        <div className="actions">
          <button type="submit" disabled={passphrase === ''}>
            Unlock and {action}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The dialog for what a failed SSH login asks (sshQuestions.ts), the same wherever the login was tried. */
export function SshQuestionDialog({
  question,
  onTrust,
  onUnlock,
  onClose,
  action = 'connect',
}: {
  question: SshQuestion;
  /** Called with the HOST_KEY_UNKNOWN error whose key the user accepted. */
  onTrust: (error: ErrorInfo) => void;
  /** The passphrase, addressed to the key the question named. */
  onUnlock: (unlock: Unlock) => void;
  onClose: () => void;
  /** What the answer goes on to do, as the buttons say it. */
  action?: QuestionAction;
}) {
  switch (question.kind) {
    case 'hostKey':
      return <HostKeyPrompt error={question.error} onTrust={() => onTrust(question.error)} onCancel={onClose} action={action} />;
    case 'mismatch':
      return <HostKeyMismatch error={question.error} onClose={onClose} />;
    case 'passphrase':
      return <PassphrasePrompt keyPath={question.keyPath} wrong={question.wrong} onSubmit={(passphrase, remember) => onUnlock(unlockFor(question, passphrase, remember))} onCancel={onClose} action={action} />;
  }
}
