import type { ErrorInfo } from '../../shared/model/errors';
import { DoctorPointer } from './DoctorPointer';

/** An error as a sentence and what to do next; never a stack trace. A failed connect also says where the doctor found it breaks. */
export function ErrorNote({ error }: { error: ErrorInfo }) {
  return (
    <div className="error" role="alert">
      <strong>{error.message}</strong>
      {error.hint ? <p>{error.hint}</p> : null}
      <code>{error.code}</code>
      <DoctorPointer error={error} />
    </div>
  );
}
