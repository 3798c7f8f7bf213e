// A run id as a link to its run page (/runs/<id>), shortened to its first 8 characters.
import { Link } from './link';

export function RunLink({ id, full = false }: { id: string; full?: boolean }) {
  return <Link className="mono run-link" to={{ name: 'run', id }} title={`Run ${id}`}>{full ? id : id.slice(0, 8)}</Link>;
}
