// "Are you sure?" for destructive actions, on the shared Modal.
import type { ReactNode } from 'react';
import { Modal } from './modal';

export function ConfirmDialog({ title, confirmLabel, children, onConfirm, onClose }: {
  title: string; confirmLabel: string; children: ReactNode; onConfirm(): void; onClose(): void;
}) {
  return (
    <Modal title={title} open onClose={onClose} footer={<>
      <button type="button" className="btn" onClick={onClose}>Cancel</button>
      <button type="button" className="btn btn-danger" onClick={onConfirm}>{confirmLabel}</button>
    </>}>
      {children}
    </Modal>
  );
}
