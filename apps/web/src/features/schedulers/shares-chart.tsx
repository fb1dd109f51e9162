// Bars of the predicted share of new connections per real server, now and
// with the scheduler being considered: the difference is visible at a glance,
// the table beside it has the exact figures. Drawn only when the choice or the
// service changes (memoised), so Recharts' cost stays off the 1 s updates.
import { memo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { formatShare } from '../weights/share-math';
import { t } from '../../lib/i18n';
import { formatPercent } from '../../lib/format-number';

export interface ShareRow {
  id: string;
  now: number | null;
  next: number | null;
}

const ROW_HEIGHT = 26;

const SharesChart = memo(function SharesChart({ rows, nowLabel, nextLabel }: { rows: readonly ShareRow[]; nowLabel: string; nextLabel: string }) {
  const data = rows.map((r) => ({ id: r.id, now: r.now ?? 0, next: r.next ?? 0 }));
  const top = Math.max(0.05, ...data.flatMap((d) => [d.now, d.next]));
  return (
    <figure role="img" aria-label={t('Predicted share of new connections per real server: {{now}} and {{next}}', { now: nowLabel, next: nextLabel })}>
      <BarChart
        width={360}
        height={60 + rows.length * ROW_HEIGHT}
        data={data}
        layout="vertical"
        margin={{ top: 4, right: 12, bottom: 4, left: 4 }}
        barCategoryGap={4}
      >
        <CartesianGrid stroke="var(--chart-grid)" strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" domain={[0, Math.min(1, Math.ceil(top * 10) / 10)]} tickFormatter={(v: number) => formatPercent(v, 0)} fontSize={10} />
        <YAxis type="category" dataKey="id" width={130} fontSize={10} fontFamily="ui-monospace, monospace" />
        <Tooltip isAnimationActive={false} formatter={(v) => formatShare(Number(v))} />
        <Legend wrapperStyle={{ fontSize: 11 }} />
        <Bar dataKey="now" name={nowLabel} fill="var(--chart-muted)" isAnimationActive={false} />
        <Bar dataKey="next" name={nextLabel} fill="var(--chart-accent)" isAnimationActive={false} />
      </BarChart>
    </figure>
  );
});

export default SharesChart;
