// The header's live indicator: the state of the page's live streams (connected / reconnecting /
// offline), the worst of them; nothing when the page has none open.
import { overallState, type ConnectionState } from '../../lib/live-connection';
import { useLiveStore } from '../../store/live-store';

const LABEL: Record<ConnectionState, string> = {
  connecting: 'Connecting…', connected: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline',
};

const HINT: Record<ConnectionState, string> = {
  connecting: 'Opening the live status stream',
  connected: 'Run states and source health update as they happen',
  reconnecting: 'The live stream dropped; reconnecting (what is shown may be out of date)',
  offline: 'Not receiving live updates (what is shown may be out of date); retrying',
};

export function LiveIndicator() {
  const streams = useLiveStore((s) => s.streams);
  const list = Object.values(streams);
  const state = overallState(list.map((s) => s.state));
  if (!state) return null;
  const reason = list.find((s) => s.reason)?.reason;
  const title = reason ? `Live updates stopped: ${reason}` : HINT[state];
  return (
    <span className={`live-indicator live-${state}`} data-testid="live-indicator" data-state={state} role="status" title={title}>
      <span className="live-indicator-dot" aria-hidden="true" />
      {LABEL[state]}
    </span>
  );
}
