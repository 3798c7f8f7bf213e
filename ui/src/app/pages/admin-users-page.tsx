// Admin › Users: list local users, create one with a role, change a role, reset a password, delete.
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../api/client';
import { createUser, deleteUser, listUsers, updateUser } from '../../api/users';
import { AdminLayout } from '../../components/admin/admin-tabs';
import { ConfirmDialog } from '../../components/common/confirm-dialog';
import { Empty, ErrorBox, Spinner } from '../../components/common/feedback';
import { Modal } from '../../components/common/modal';
import { useAsync } from '../../hooks/use-async';
import { MIN_PASSWORD_LENGTH, passwordProblem } from '../../lib/admin-forms';
import { formatDateTime, formatRelative } from '../../lib/format';
import { ROLE_HELP, ROLES, isRole, withArticle } from '../../lib/roles';
import { useSessionStore } from '../../store/session-store';
import { toast } from '../../store/toast-store';
import type { Role, User } from '../../types/auth';

function RoleSelect({ id, value, onChange, label }: { id: string; value: Role; onChange(role: Role): void; label?: string }) {
  return (
    <select id={id} value={value} aria-label={label} onChange={(e) => { if (isRole(e.target.value)) onChange(e.target.value); }}>
      {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
    </select>
  );
}

function CreateUserForm({ onCreated }: { onCreated(): void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = passwordProblem(password);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await createUser({ name: name.trim(), role, password });
      toast.success(`Created user ${name.trim()}`);
      setName('');
      setPassword('');
      setRole('viewer');
      onCreated();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)} aria-labelledby="create-user-title">
      <h2 id="create-user-title">Add a user</h2>
      <div className="admin-form-fields">
        <div className="form-row">
          <label htmlFor="new-user-name">User name</label>
          <input id="new-user-name" value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" spellCheck={false} />
        </div>
        <div className="form-row">
          <label htmlFor="new-user-role">Role</label>
          <RoleSelect id="new-user-role" value={role} onChange={setRole} />
        </div>
        <div className="form-row">
          <label htmlFor="new-user-password">Password</label>
          <input id="new-user-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} required
                 autoComplete="new-password" aria-describedby="new-user-password-help" />
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Adding…' : 'Add user'}</button>
      </div>
      <p id="new-user-password-help" className="help small muted">At least {MIN_PASSWORD_LENGTH} characters. The {role} role {ROLE_HELP[role]}.</p>
      <div role="alert" className="error-text">{error}</div>
    </form>
  );
}

function PasswordDialog({ user, onClose }: { user: User; onClose(): void }) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = passwordProblem(password, confirm);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    try {
      await updateUser(user.name, { password });
      toast.success(`Password of ${user.name} reset`);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <Modal title={`Reset the password of ${user.name}`} open onClose={onClose} footer={<>
      <button type="button" className="btn" onClick={onClose}>Cancel</button>
      <button type="submit" form="password-form" className="btn btn-primary" disabled={busy}>Set password</button>
    </>}>
      <form id="password-form" className="form" onSubmit={(e) => void submit(e)}>
        <input type="text" name="username" autoComplete="username" value={user.name} readOnly hidden />
        <div className="form-row">
          <label htmlFor="reset-password">New password</label>
          <input id="reset-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)}
                 required autoFocus />
        </div>
        <div className="form-row">
          <label htmlFor="reset-password-confirm">Repeat it</label>
          <input id="reset-password-confirm" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
        </div>
        <p className="small muted">At least {MIN_PASSWORD_LENGTH} characters. The user's sessions may end; tell them the new password.</p>
        <div role="alert" className="error-text">{error}</div>
      </form>
    </Modal>
  );
}

export function AdminUsersPage() {
  const me = useSessionStore((s) => s.user);
  const list = useAsync((signal) => listUsers(signal), []);
  const [resetting, setResetting] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);

  const changeRole = async (user: User, role: Role) => {
    try {
      await updateUser(user.name, { role });
      toast.success(`${user.name} is now ${withArticle(role)}`);
    } catch (err) {
      toast.error(`Could not change the role: ${errorMessage(err)}`);
    }
    list.reload();
  };

  return (
    <AdminLayout current="admin-users" title="Users" intro="Local users and their roles: viewers read, editors also edit dashboards and sources, admins also manage users, API keys and the audit log.">
      <CreateUserForm onCreated={list.reload} />
      {list.loading && !list.data ? <Spinner /> : null}
      {list.error ? <ErrorBox message={list.error} onRetry={list.reload} /> : null}
      {list.data && list.data.users.length === 0 ? <Empty title="No users yet" /> : null}
      {list.data && list.data.users.length > 0 ? (
        <table className="table" data-testid="user-list">
          <thead><tr><th>User</th><th>Role</th><th>Created</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.data.users.map((u) => (
              <tr key={u.name}>
                <td>{u.name}{u.name === me?.name ? <span className="muted small"> (you)</span> : null}</td>
                <td><RoleSelect id={`role-${u.name}`} value={u.role} label={`Role of ${u.name}`} onChange={(role) => void changeRole(u, role)} /></td>
                <td title={formatDateTime(u.createdAt)}>{u.createdAt ? formatRelative(u.createdAt) : '—'}</td>
                <td className="actions">
                  <button type="button" className="btn btn-small" onClick={() => setResetting(u)} aria-label={`Reset the password of ${u.name}`}>Reset password</button>
                  <button type="button" className="btn btn-small btn-danger" onClick={() => setDeleting(u)} aria-label={`Delete ${u.name}`}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {resetting ? <PasswordDialog user={resetting} onClose={() => setResetting(null)} /> : null}
      {deleting ? (
        <ConfirmDialog title="Delete user?" confirmLabel="Delete user" onClose={() => setDeleting(null)} onConfirm={() => {
          const u = deleting;
          setDeleting(null);
          deleteUser(u.name).then(() => { toast.success(`Deleted ${u.name}`); list.reload(); }, (err: unknown) => toast.error(`Could not delete ${u.name}: ${errorMessage(err)}`));
        }}>
          <p>Delete <strong>{deleting.name}</strong>? They can no longer sign in. What they changed stays in the audit log.</p>
        </ConfirmDialog>
      ) : null}
    </AdminLayout>
  );
}
