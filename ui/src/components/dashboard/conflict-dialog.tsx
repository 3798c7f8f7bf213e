import { Modal } from '../common/modal';

/** A stale save (409): keep the other version or overwrite it with ours. */
export function ConflictDialog({ currentVersion, onReload, onOverwrite, onClose }: {
  currentVersion: number | null; onReload(): void; onOverwrite(): void; onClose(): void;
}) {
  return (
    <Modal title="This dashboard changed elsewhere" open onClose={onClose}
           footer={<>
             <button type="button" className="btn" onClick={onReload}>Reload theirs</button>
             <button type="button" className="btn btn-danger" onClick={onOverwrite}>Overwrite with mine</button>
           </>}>
      <p>Someone saved this dashboard {currentVersion !== null ? <>(now version {currentVersion}) </> : null}after you opened it, so your
        changes were not saved.</p>
      <p className="muted">Reload theirs to discard your unsaved changes, or overwrite to replace their version with yours.</p>
    </Modal>
  );
}
