/**
 * A modal on the native <dialog> element: the browser traps focus, makes the page behind inert,
 * closes on Escape (reported through onDismiss) and puts it in the top layer. The element marked
 * `data-autofocus` gets the focus when it opens; the opener gets it back when it closes.
 */
import { useEffect, useRef, type ReactNode } from 'react';

export interface ModalProps {
  readonly labelledBy: string;
  readonly describedBy?: string;
  readonly alert?: boolean;
  readonly className?: string;
  readonly onDismiss: () => void;
  readonly children: ReactNode;
}

export function Modal({ labelledBy, describedBy, alert, className, onDismiss, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    // showModal focuses the first focusable element (often a close button); start where the dialog says.
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      dialog.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      role={alert ? 'alertdialog' : undefined}
      aria-modal="true"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      className={`modal ${className ?? ''}`}
      onCancel={(event) => {
        event.preventDefault();
        onDismiss();
      }}
    >
      {children}
    </dialog>
  );
}
