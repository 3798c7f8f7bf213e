// The shell: top bar with navigation and global search, and the page for the current route.
import { lazy, Suspense } from 'react';
import { Link } from '../components/common/link';
import { SearchBox } from '../components/common/search-box';
import { Spinner } from '../components/common/feedback';
import { Toasts } from '../components/common/toasts';
import { useRoute } from '../hooks/use-route';
import type { Route } from '../lib/routes';
import { DashboardEditorPage } from './pages/dashboard-editor-page';
import { DashboardsPage } from './pages/dashboards-page';
import { DatasetPage } from './pages/dataset-page';
import { HomePage } from './pages/home-page';
import { JobPage } from './pages/job-page';
import { LineagePage } from './pages/lineage-page';
import { NotFoundPage } from './pages/not-found-page';
import { SearchPage } from './pages/search-page';

const BenchPage = lazy(() => import('./pages/bench-page'));

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'search':
      return <SearchPage q={route.q} filter={route.filter} />;
    case 'lineage':
      return <LineagePage />;
    case 'dataset':
      return <DatasetPage key={`${route.namespace}/${route.dataset}`} namespace={route.namespace} name={route.dataset} />;
    case 'job':
      return <JobPage key={`${route.namespace}/${route.job}`} namespace={route.namespace} name={route.job} />;
    case 'dashboards':
      return <DashboardsPage />;
    case 'dashboard':
      return <DashboardEditorPage key={route.id} id={route.id} />;
    case 'bench':
      return <Suspense fallback={<Spinner />}><BenchPage search={route.search} /></Suspense>;
    case 'not-found':
      return <NotFoundPage path={route.path} />;
  }
}

const NAV: Array<[Route['name'], string, Route]> = [
  ['home', 'Home', { name: 'home' }],
  ['lineage', 'Lineage', { name: 'lineage', search: '' }],
  ['dashboards', 'Dashboards', { name: 'dashboards' }],
];

export function App() {
  const route = useRoute();
  const section = route.name === 'dashboard' ? 'dashboards' : route.name;
  const fullBleed = route.name === 'lineage' || route.name === 'dashboard' || route.name === 'bench';
  return (
    <div className={`app${fullBleed ? ' app-full' : ''}`}>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <Link to={{ name: 'home' }} className="brand" aria-label="LineageLens home">
          <svg width="22" height="22" viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="7" fill="#1e3a8a" /><circle cx="9" cy="16" r="4" fill="#93c5fd" /><circle cx="23" cy="9" r="4" fill="#c4b5fd" /><circle cx="23" cy="23" r="4" fill="#5eead4" /><path d="M12.5 14.5 19.5 10.5M12.5 17.5l7 4" stroke="#fff" strokeWidth="2" strokeLinecap="round" /></svg>
          <span>LineageLens</span>
        </Link>
        <nav aria-label="Main">
          {NAV.map(([name, label, to]) => (
            <Link key={name} to={to} className={`nav-link${section === name ? ' is-active' : ''}`} aria-current={section === name ? 'page' : undefined}>{label}</Link>
          ))}
        </nav>
        {route.name !== 'home' ? <SearchBox className="topbar-search" /> : null}
      </header>
      <main id="main" className="main">
        <Page route={route} />
      </main>
      <Toasts />
    </div>
  );
}
