import type { ReactNode } from 'react';
import type { ErrorInfo } from '../../shared/model/errors';
import { DoctorPointer } from './DoctorPointer';

/**
 * An error as a sentence and what to do next; never a stack trace. A failed connect also says
 * where the doctor found it breaks. With `onDismiss`, the user can put it away.
 */
export function ErrorNote({ error, onDismiss, actions }: { error: ErrorInfo; onDismiss?: () => void; actions?: ReactNode }) {
  return (
    <div className="error" role="alert">
      <strong>{error.message}</strong>
      {error.hint ? <p>{error.hint}</p> : null}
      <code>{error.code}</code>
      <DoctorPointer error={error} />
      {actions}
      {onDismiss ? (
        <button type="button" className="secondary dismiss" onClick={onDismiss}>
          Dismiss
        </button>
      ) : null}
    </div>
  );
}
