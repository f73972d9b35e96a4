import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal: labelled by its title, Escape closes it, focus starts inside it and
 * returns to where it was when it closes, so the keyboard never gets lost.
 */
export function Dialog({
  title,
  onClose,
  children,
  tone = 'normal',
  role = 'dialog',
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  tone?: 'normal' | 'danger';
  role?: 'dialog' | 'alertdialog';
}) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>('[autofocus], input, select, textarea, button');
    first?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <div className="backdrop">
      <div
        ref={box}
        className={`dialog ${tone === 'danger' ? 'danger' : ''}`}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.stopPropagation();
            onClose();
          }
        }}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** Ask before something that cannot be undone; the confirm button names the act. */
export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  cancelLabel = 'Cancel',
  onConfirm,
  onCancel,
}: {
  title: string;
  body: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog title={title} onClose={onCancel} tone="danger" role="alertdialog">
      {body}
      <div className="actions">
        <button className="danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button className="secondary" onClick={onCancel} autoFocus>
          {cancelLabel}
        </button>
      </div>
    </Dialog>
  );
}
