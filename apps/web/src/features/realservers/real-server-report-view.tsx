// A real server's live checklist as its own agent reported it, with who
// reported and when, a stale warning, and for an admin a one-click fix the
// real server applies at its next report.
import type { Destination, ServiceKey } from '@lvs-console/shared';
import type { RealServerReport } from '@lvs-console/shared/api';
import { hostSettingId } from '@lvs-console/shared/host';
import { Age } from '../../components/ui/age';
import { Button } from '../../components/ui/button';
import { Notice } from '../../components/ui/notice';
import { clockTime } from '../../lib/format-time';
import { errorMessage } from '../../lib/trpc';
import { reportFindings } from './real-server-reports';
import { localHostSetting } from './host-messages';
import { useForgetRealServerReport, useRequestRealServerFix } from './use-real-server-reports';
import { t } from '../../lib/i18n';

export function RealServerReportView({
  report,
  destination,
  serviceKey,
  isAdmin,
}: {
  report: RealServerReport;
  destination: Pick<Destination, 'address' | 'forwarding'>;
  serviceKey: ServiceKey;
  isAdmin: boolean;
}) {
  const fix = useRequestRealServerFix();
  const forget = useForgetRealServerReport();
  const findings = reportFindings(report, destination, serviceKey);
  const address = destination.address;
  const canFix = isAdmin && !report.stale && !report.fixRequested && report.rows.some((row) => !row.ok);
  return (
    <div className="flex flex-col gap-2">
      <p className="flex flex-wrap items-center gap-x-2 text-xs text-slate-600">
        <span>
          {report.hostname ? t('Reported by its own agent on {{host}}', { host: report.hostname }) : t('Reported by its own agent')} (
          {report.mode.toUpperCase()})
        </span>
        {/* Reports come every interval (30 s by default): only a stale one is coloured. */}
        <Age at={report.receivedAt} label={t('last report')} neutral={!report.stale} />
        <span>{t('· reports every {{seconds}} s', { seconds: report.intervalSeconds })}</span>
      </p>
      {report.stale ? (
        <Notice tone="warn">
          {t('No report from {{address}} since {{time}}: its agent stopped reporting or cannot reach the director. The checklist below may be out of date.', {
            address,
            time: clockTime(report.receivedAt),
          })}
        </Notice>
      ) : null}
      <ul aria-label={t('Settings reported by {{address}}', { address })} className={`flex flex-col gap-1 text-sm ${report.stale ? 'opacity-60' : ''}`}>
        {report.rows.map((row) => (
          <li key={hostSettingId(row.setting)} className="flex items-start gap-2">
            <span aria-hidden="true" className={row.ok ? 'text-green-700' : 'text-red-700'}>
              {row.ok ? '✓' : '✗'}
            </span>
            <span>
              <span className="font-mono text-xs">{localHostSetting(row.setting)}</span>
              {row.ok ? <span className="sr-only"> {t('— in place')}</span> : <span className="text-red-700"> — {row.message}</span>}
            </span>
          </li>
        ))}
      </ul>
      {findings.scope.map((problem) => (
        <Notice key={problem} tone="warn">
          {problem}
        </Notice>
      ))}
      {report.fixRequested ? (
        <Notice tone="info">
          {t('Fix requested by {{who}}, waiting for the real server to apply it at its next report.', { who: report.fixRequested.by })}{' '}
          <Age at={report.fixRequested.at} label="" neutral />
        </Notice>
      ) : null}
      {canFix ? (
        <div>
          <Button variant="primary" disabled={fix.isPending} onClick={() => fix.mutate({ address: report.address })}>
            {t('Fix on {{address}}', { address })}
          </Button>
        </div>
      ) : null}
      {isAdmin && report.stale ? (
        <div>
          <Button disabled={forget.isPending} onClick={() => forget.mutate({ address: report.address })}>
            {t('Forget the report of {{address}}', { address })}
          </Button>
          <span className="ml-2 text-xs text-slate-600">{t('for a retired real server; one still running reports again')}</span>
        </div>
      ) : null}
      {fix.error ? <Notice tone="error">{errorMessage(fix.error)}</Notice> : null}
      {forget.error ? <Notice tone="error">{errorMessage(forget.error)}</Notice> : null}
      {report.lastFix ? (
        <Notice tone={report.lastFix.ok ? 'ok' : 'error'}>
          {t('Last fix (requested by {{who}}, applied at {{time}}):', { who: report.lastFix.by, time: clockTime(report.lastFix.appliedAt) })}{' '}
          {report.lastFix.ok ? t('every setting applied.') : report.lastFix.messages.join(' ') || t('some settings could not be applied.')}
        </Notice>
      ) : null}
    </div>
  );
}
