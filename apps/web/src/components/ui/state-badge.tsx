import type { ServerState } from '../../features/topology/layout';
import { msg, t } from '../../lib/i18n';

export const STATE_STYLES: Record<ServerState, { label: string; className: string; fill: string; stroke: string }> = {
  serving: { label: msg('serving'), className: 'bg-green-100 text-green-800 border-green-300', fill: '#dcfce7', stroke: '#15803d' },
  draining: { label: msg('draining'), className: 'bg-amber-100 text-amber-900 border-amber-300', fill: '#fef3c7', stroke: '#b45309' },
  failing: { label: msg('failing'), className: 'bg-red-100 text-red-800 border-red-300', fill: '#fee2e2', stroke: '#b91c1c' },
  overloaded: { label: msg('overloaded'), className: 'bg-purple-100 text-purple-800 border-purple-300', fill: '#f3e8ff', stroke: '#7e22ce' },
};

export function StateBadge({ state }: { state: ServerState }) {
  const style = STATE_STYLES[state];
  return <span className={`inline-block rounded border px-1.5 py-0.5 text-xs font-medium ${style.className}`}>{t(style.label)}</span>;
}
