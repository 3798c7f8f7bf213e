// A modal dialog on the native <dialog> element: focus trapping, Escape and the backdrop for free.
import { useEffect, useRef, type ReactNode } from 'react';

export function Modal({ title, open, onClose, children, footer, wide = false }: {
  title: string; open: boolean; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className={`modal${wide ? ' modal-wide' : ''}`} onClose={onClose} onCancel={(e) => { e.preventDefault(); onClose(); }}
            aria-labelledby="modal-title">
      {open ? (
        <>
          <header className="modal-head">
            <h2 id="modal-title">{title}</h2>
            <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>×</button>
          </header>
          <div className="modal-body">{children}</div>
          {footer ? <footer className="modal-foot">{footer}</footer> : null}
        </>
      ) : null}
    </dialog>
  );
}
