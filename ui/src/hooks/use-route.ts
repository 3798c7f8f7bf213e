// History-API routing: the current Route from window.location, and navigate()/replace() helpers that
// keep the runtime base path. Links use <Link> (components/link.tsx) so middle-click still works.
import { useSyncExternalStore } from 'react';
import { formatRoute, parseRoute, type Route } from '../lib/routes';
import { runtimeConfig } from '../lib/runtime-config';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const href = () => window.location.pathname + window.location.search;

export function useLocationHref(): string {
  return useSyncExternalStore(subscribe, href, () => '/');
}

export function currentRoute(): Route {
  return parseRoute(window.location.pathname, window.location.search, runtimeConfig().basePath);
}

export function useRoute(): Route {
  const h = useLocationHref();
  const q = h.indexOf('?');
  return parseRoute(q >= 0 ? h.slice(0, q) : h, q >= 0 ? h.slice(q) : '', runtimeConfig().basePath);
}

export function urlOf(route: Route): string {
  return formatRoute(route, runtimeConfig().basePath);
}

export function navigate(to: Route | string, options: { replace?: boolean } = {}): void {
  const url = typeof to === 'string' ? to : urlOf(to);
  if (url === href()) return;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  notify();
  if (!options.replace) window.scrollTo(0, 0);
}
