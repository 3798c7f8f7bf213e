// The alerts section's header and tabs: Incidents, Rules, Channels, Deliveries.
import type { ReactNode } from 'react';
import { Link } from '../common/link';
import type { Route } from '../../lib/routes';
import type { IncidentState, Severity } from '../../types/alerts';

const TABS: Array<[Route['name'], string, Route]> = [
  ['incidents', 'Incidents', { name: 'incidents', search: '' }],
  ['alert-rules', 'Rules', { name: 'alert-rules' }],
  ['alert-channels', 'Channels', { name: 'alert-channels' }],
  ['alert-notifications', 'Deliveries', { name: 'alert-notifications', search: '' }],
];

export function AlertsLayout({ current, title, intro, actions, children }: {
  current: Route['name']; title: string; intro: ReactNode; actions?: ReactNode; children: ReactNode;
}) {
  return (
    <div className="page">
      <header className="page-head page-head-plain">
        <div>
          <h1>{title}</h1>
          <p className="muted">{intro}</p>
        </div>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </header>
      <nav className="tabs" aria-label="Alerts">
        {TABS.map(([name, label, to]) => (
          <Link key={name} to={to} className={`tab${current === name ? ' is-active' : ''}`} aria-current={current === name ? 'page' : undefined}>{label}</Link>
        ))}
      </nav>
      {children}
    </div>
  );
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`badge alert-sev alert-sev-${severity}`}>{severity}</span>;
}

export function IncidentStateBadge({ state }: { state: IncidentState }) {
  return <span className={`badge alert-state alert-state-${state}`} data-testid="incident-state">{state}</span>;
}
