import { Link } from '../../components/common/link';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <div className="page page-narrow">
      <h1>Page not found</h1>
      <p className="muted">Nothing lives at <code>/{path}</code>.</p>
      <Link className="btn" to={{ name: 'home' }}>Go home</Link>
    </div>
  );
}
