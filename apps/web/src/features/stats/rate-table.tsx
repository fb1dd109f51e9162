// Per real server, as of the newest bucket of the watch view: new connections
// and packets and bytes per second, connections, and the measured share of new
// connections beside the scheduler's prediction (stats.shares).
import { formatNumber } from '../../lib/format-number';
import { t } from '../../lib/i18n';
import { formatShare } from '../weights/share-math';
import { formatRate } from './rates';
import type { RateRow } from './series';

export function RateTable({
  className = '',
  rows,
  measured,
  predicted,
  bucketSeconds,
}: {
  className?: string;
  rows: readonly RateRow[];
  /** Measured share of new connections in the newest bucket, by destination id. */
  measured: ReadonlyMap<string, number>;
  /** The scheduler model's share, by destination id. */
  predicted: ReadonlyMap<string, number | null>;
  bucketSeconds: number;
}) {
  const caption = t('Rates per real server (average of the newest {{seconds}} s)', { seconds: bucketSeconds });
  // A narrower box than the table (many real servers' long IPv6 addresses) scrolls inside itself, never the page;
  // focusable so the keyboard can scroll it too.
  return (
    <div role="region" aria-label={caption} tabIndex={0} className={`min-w-0 max-w-full overflow-x-auto ${className}`}>
      <table className="stack-table w-full text-xs">
        <caption className="mb-1 text-left text-xs font-medium text-slate-700">{caption}</caption>
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="px-2 py-1.5">
              {t('Real server')}
            </th>
            <th scope="col" className="px-2 py-1.5 text-right">
              {t('new conn/s')}
            </th>
            <th scope="col" className="px-2 py-1.5 text-right">
              {t('Packets/s in')}
            </th>
            <th scope="col" className="px-2 py-1.5 text-right">
              {t('Packets/s out')}
            </th>
            <th scope="col" className="px-2 py-1.5 text-right">
              {t('Bytes/s in')}
            </th>
            <th scope="col" className="px-2 py-1.5 text-right">
              {t('Bytes/s out')}
            </th>
            <th scope="col" className="px-2 py-1.5 text-right">
              {t('Active')}
            </th>
            <th scope="col" className="px-2 py-1.5 text-right">
              {t('Inactive')}
            </th>
            <th scope="col" className="px-2 py-1.5 text-right">
              {t('Measured share')}
            </th>
            <th scope="col" className="px-2 py-1.5 text-right">
              {t('Predicted')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} className="border-t border-slate-200">
              <th scope="row" className="px-2 py-1.5 text-left font-mono font-normal">
                {row.id}
              </th>
              <td data-label={t('new conn/s')} className="px-2 py-1.5 text-right font-mono">
                {formatRate(row.cps)}
              </td>
              <td data-label={t('Packets/s in')} className="px-2 py-1.5 text-right font-mono">
                {formatRate(row.inPps)}
              </td>
              <td data-label={t('Packets/s out')} className="px-2 py-1.5 text-right font-mono">
                {formatRate(row.outPps)}
              </td>
              <td data-label={t('Bytes/s in')} className="px-2 py-1.5 text-right font-mono">
                {formatRate(row.inBps)}
              </td>
              <td data-label={t('Bytes/s out')} className="px-2 py-1.5 text-right font-mono">
                {formatRate(row.outBps)}
              </td>
              <td data-label={t('Active')} className="px-2 py-1.5 text-right font-mono">
                {formatNumber(Math.round(row.activeConns))}
              </td>
              <td data-label={t('Inactive')} className="px-2 py-1.5 text-right font-mono">
                {formatNumber(Math.round(row.inactiveConns))}
              </td>
              <td data-label={t('Measured share')} className="px-2 py-1.5 text-right font-mono">
                {formatShare(measured.get(row.id))}
              </td>
              <td data-label={t('Predicted')} className="px-2 py-1.5 text-right font-mono">
                {formatShare(predicted.get(row.id))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
