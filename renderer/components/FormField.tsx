import { useId, type ReactNode } from 'react';

export interface FormControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

/**
 * A label above its control (joined by id, never by wrapping, so tests and
 * screen readers find the control by its label), with help and error text the
 * control is described by.
 */
export function FormField({
  label,
  help,
  error,
  narrow,
  children,
}: {
  label: string;
  help?: ReactNode;
  error?: string | undefined;
  narrow?: boolean;
  children: (props: FormControlProps) => ReactNode;
}) {
  const id = useId();
  const described = [error ? `${id}-error` : '', help ? `${id}-help` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${narrow ? 'narrow' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': described })}
      {error ? (
        <small className="field-error" id={`${id}-error`}>
          {error}
        </small>
      ) : null}
      {help ? (
        <small className="help" id={`${id}-help`}>
          {help}
        </small>
      ) : null}
    </div>
  );
}
