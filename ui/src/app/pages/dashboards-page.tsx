// Dashboards: list, create, rename, delete, export and import.
import { useState } from 'react';
import { createDashboard, deleteDashboard, exportDashboard, getDashboard, listDashboards, saveDashboard } from '../../api/dashboards';
import { errorMessage } from '../../api/client';
import { Empty, ErrorBox, Spinner } from '../../components/common/feedback';
import { Link } from '../../components/common/link';
import { Modal } from '../../components/common/modal';
import { useAsync } from '../../hooks/use-async';
import { useCanEdit } from '../../hooks/use-can-edit';
import { navigate } from '../../hooks/use-route';
import { docOf, rename } from '../../lib/dashboard-doc';
import { downloadText, slug } from '../../lib/download';
import { formatDateTime, formatRelative } from '../../lib/format';
import { toast } from '../../store/toast-store';
import type { DashboardSummary } from '../../types/api';
import { ImportButton } from './dashboard-editor-page';

function RenameDialog({ dashboard, onDone, onClose }: { dashboard: DashboardSummary; onDone(): void; onClose(): void }) {
  const [name, setName] = useState(dashboard.name);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    try {
      const full = await getDashboard(dashboard.id);
      await saveDashboard(full.id, full.version, rename(docOf(full), name));
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <Modal title="Rename dashboard" open onClose={onClose} footer={<>
      <button type="button" className="btn" onClick={onClose}>Cancel</button>
      <button type="submit" form="rename-form" className="btn btn-primary">Rename</button>
    </>}>
      <form id="rename-form" className="form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <div className="form-row">
          <label htmlFor="rename-name">Name</label>
          <input id="rename-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus required />
        </div>
        {error ? <p className="error-text">{error}</p> : null}
      </form>
    </Modal>
  );
}

export function DashboardsPage() {
  const list = useAsync((signal) => listDashboards(signal), []);
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<DashboardSummary | null>(null);
  const [deleting, setDeleting] = useState<DashboardSummary | null>(null);
  const editable = useCanEdit();

  const create = async () => {
    try {
      const d = await createDashboard({ name: name.trim() || 'Untitled dashboard', nodes: [], edges: [], viewport: { x: 0, y: 0, zoom: 1 } });
      navigate({ name: 'dashboard', id: d.id });
    } catch (err) {
      toast.error(`Could not create the dashboard: ${errorMessage(err)}`);
    }
  };

  const doExport = async (d: DashboardSummary) => {
    try {
      downloadText(JSON.stringify(await exportDashboard(d.id), null, 2), `${slug(d.name)}.lineagelens.json`, 'application/json');
    } catch (err) {
      toast.error(`Export failed: ${errorMessage(err)}`);
    }
  };

  return (
    <div className="page">
      <header className="page-head page-head-plain">
        <div>
          <h1>Dashboards</h1>
          <p className="muted">Pictures of your data estate: sources, datasets and jobs, connected by hand where lineage is not observed.</p>
        </div>
      </header>
      {editable ? (
        <form className="create-form" onSubmit={(e) => { e.preventDefault(); void create(); }}>
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="New dashboard name" aria-label="New dashboard name" />
          <button type="submit" className="btn btn-primary">Create dashboard</button>
          <ImportButton label="Import file" />
        </form>
      ) : <p className="muted small read-only-note" data-testid="read-only-note">You can view dashboards; editing needs the editor role.</p>}
      {list.loading ? <Spinner /> : null}
      {list.error ? (list.error && isNotFoundMessage(list.error)
        ? <ErrorBox title="Dashboards are not available" message="This receiver does not serve /api/v1/dashboards yet." />
        : <ErrorBox message={list.error} onRetry={list.reload} />) : null}
      {list.data && list.data.dashboards.length === 0 ? <Empty title="No dashboards yet">{editable ? 'Create one above, or import a dashboard file.' : null}</Empty> : null}
      {list.data && list.data.dashboards.length > 0 ? (
        <table className="table" data-testid="dashboard-list">
          <thead><tr><th>Name</th><th>Nodes</th><th>Version</th><th>Updated</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.data.dashboards.map((d) => (
              <tr key={d.id}>
                <td><Link to={{ name: 'dashboard', id: d.id }}>{d.name}</Link>{d.description ? <div className="muted small">{d.description}</div> : null}</td>
                <td>{d.nodeCount}</td>
                <td>{d.version}</td>
                <td title={formatDateTime(d.updatedAt)}>{formatRelative(d.updatedAt)}</td>
                <td className="actions">
                  {editable ? <button type="button" className="btn btn-small" onClick={() => setRenaming(d)}>Rename</button> : null}
                  <button type="button" className="btn btn-small" onClick={() => void doExport(d)}>Export</button>
                  {editable ? <button type="button" className="btn btn-small btn-danger" onClick={() => setDeleting(d)}>Delete</button> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {renaming ? <RenameDialog dashboard={renaming} onClose={() => setRenaming(null)} onDone={() => { setRenaming(null); list.reload(); }} /> : null}
      {deleting ? (
        <Modal title="Delete dashboard?" open onClose={() => setDeleting(null)} footer={<>
          <button type="button" className="btn" onClick={() => setDeleting(null)}>Cancel</button>
          <button type="button" className="btn btn-danger" onClick={() => {
            const d = deleting;
            setDeleting(null);
            deleteDashboard(d.id).then(() => { toast.success(`Deleted ${d.name}`); list.reload(); }, (err: unknown) => toast.error(errorMessage(err)));
          }}>Delete</button>
        </>}>
          <p>Delete <strong>{deleting.name}</strong>? Its manual lineage edges are removed from the graph too.</p>
        </Modal>
      ) : null}
    </div>
  );
}

function isNotFoundMessage(message: string): boolean {
  return /not found/i.test(message);
}
