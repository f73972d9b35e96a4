import type { ErrorInfo } from '../../shared/model/errors';

/** An error as a sentence and what to do next; never a stack trace. */
export function ErrorNote({ error }: { error: ErrorInfo }) {
  return (
    <div className="error" role="alert">
      <strong>{error.message}</strong>
      {error.hint ? <p>{error.hint}</p> : null}
      <code>{error.code}</code>
    </div>
  );
}
