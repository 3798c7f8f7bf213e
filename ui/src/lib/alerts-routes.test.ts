import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, type Route } from './routes';

describe('alerts routes', () => {
  const cases: Array<[Route, string]> = [
    [{ name: 'incidents', search: '' }, '/p/incidents'],
    [{ name: 'incidents', search: 'state=resolved' }, '/p/incidents?state=resolved'],
    [{ name: 'incident', id: '12' }, '/p/incidents/12'],
    [{ name: 'alert-rules' }, '/p/alerts/rules'],
    [{ name: 'alert-channels' }, '/p/alerts/channels'],
    [{ name: 'alert-notifications', search: 'status=failed' }, '/p/alerts/notifications?status=failed'],
  ];
  it.each(cases)('round-trips %j', (route, url) => {
    const [path, search = ''] = url.split('?');
    expect(formatRoute(route, '/p/')).toBe(url);
    expect(parseRoute(path!, search ? `?${search}` : '', '/p/')).toEqual(route);
  });

  it('opens the incidents for /alerts, and the incident a notification links to', () => {
    expect(parseRoute('/alerts', '', '/')).toEqual({ name: 'incidents', search: '' });
    // ALERT_LINK_BASE_URL + /incidents/<id> (receiver/alerts/incidents.py)
    expect(parseRoute('/incidents/42', '', '/')).toEqual({ name: 'incident', id: '42' });
  });
});
