// The admin section's header and tabs: Users, API keys, Audit log.
import type { ReactNode } from 'react';
import { Link } from '../common/link';
import type { Route } from '../../lib/routes';
import { withArticle } from '../../lib/roles';

const TABS: Array<[Route['name'], string, Route]> = [
  ['admin-users', 'Users', { name: 'admin-users' }],
  ['admin-api-keys', 'API keys', { name: 'admin-api-keys' }],
  ['admin-audit', 'Audit log', { name: 'admin-audit', search: '' }],
];

export function AdminLayout({ current, title, intro, children }: { current: Route['name']; title: string; intro: ReactNode; children: ReactNode }) {
  return (
    <div className="page">
      <header className="page-head page-head-plain">
        <div>
          <h1>{title}</h1>
          <p className="muted">{intro}</p>
        </div>
      </header>
      <nav className="tabs" aria-label="Administration">
        {TABS.map(([name, label, to]) => (
          <Link key={name} to={to} className={`tab${current === name ? ' is-active' : ''}`} aria-current={current === name ? 'page' : undefined}>{label}</Link>
        ))}
      </nav>
      {children}
    </div>
  );
}

export function Forbidden({ role }: { role: string }) {
  return (
    <div className="page page-narrow">
      <div className="error-box" role="alert">
        <strong>You need the admin role</strong>
        <p>This page manages users, API keys and the audit log. You are signed in as {role === '' ? 'a user without a role' : withArticle(role)}; ask an admin if you need access.</p>
      </div>
    </div>
  );
}
