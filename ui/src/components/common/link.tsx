import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from 'react';
import type { Route } from '../../lib/routes';
import { navigate, urlOf } from '../../hooks/use-route';

/** An in-app link: a real href (new tab works) with client-side navigation on plain clicks. */
export function Link({ to, children, ...rest }: { to: Route | string; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  const href = typeof to === 'string' ? to : urlOf(to);
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a {...rest} href={href} onClick={onClick}>{children}</a>;
}
