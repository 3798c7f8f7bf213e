// The explorer's view state, read from and written to the URL (lib/lineage-url.ts).
import { useCallback, useMemo } from 'react';
import { parseExplorerState, serializeExplorerState, type ExplorerState } from '../lib/lineage-url';
import { navigate, urlOf, useRoute } from './use-route';

export function useExplorerState(): [ExplorerState, (patch: Partial<ExplorerState>, options?: { push?: boolean }) => void] {
  const route = useRoute();
  const search = route.name === 'lineage' ? route.search : '';
  const state = useMemo(() => parseExplorerState(search), [search]);
  const update = useCallback((patch: Partial<ExplorerState>, options: { push?: boolean } = {}) => {
    const next = { ...parseExplorerState(window.location.search), ...patch };
    navigate(urlOf({ name: 'lineage', search: serializeExplorerState(next) }), { replace: !options.push });
  }, []);
  return [state, update];
}
