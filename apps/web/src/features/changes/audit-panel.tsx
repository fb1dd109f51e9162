// The audit log: who changed what and when (absolute times in the console's
// language), filtered by person, service and time, exported as CSV or JSON.
import { useQuery } from '@tanstack/react-query';
import { Button } from '../../components/ui/button';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { errorMessage, trpc } from '../../lib/trpc';
import { localRecorded, localRecordedText } from '../../lib/error-text';
import { WHO_WITHOUT_TOKEN } from '@lvs-console/shared/api';
import { msg, t } from '../../lib/i18n';
import { codeLabel } from '../../lib/labels';
import { dateTime } from '../../lib/format-time';
import { downloadText } from '../../lib/download';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { searchRecord } from '../../app/search-params';
import { useSearchState } from '../../app/use-search-state';
import { localRefusalError } from './refusal-text';
import { auditCsv, auditFilterParams, auditJson, filterAudit, type AuditFilter } from './audit-filter';

/** The agent keeps this many entries in memory; filtering runs over all of them. */
const FETCHED = 1000;

/** "2026-12-06T12:30" for a datetime-local input, in the browser's time zone. */
function localInputValue(time: number | null): string {
  if (time === null) return '';
  const d = new Date(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function parseLocalInput(value: string): number | null {
  const time = value ? new Date(value).getTime() : NaN;
  return Number.isFinite(time) ? time : null;
}

const auditKey = (filter: AuditFilter) => auditFilterParams(filter).toString();

export function AuditPanel() {
  const audit = useQuery({ ...trpc.audit.list.queryOptions({ limit: FETCHED }), refetchInterval: 5000 });
  // The filters live in the Changes page's URL (routes.tsx parses them), replaced as they are typed.
  const navigate = useNavigate();
  const [filter, setAuditFilter] = useSearchState(
    useSearch({ from: '/changes' }).audit,
    auditKey,
    (next) => void navigate({ to: '/changes', search: searchRecord(auditFilterParams(next)), replace: true, resetScroll: false }),
  );
  const setFilter = (patch: Partial<AuditFilter>) => setAuditFilter({ ...filter, ...patch });
  const all = audit.data ?? [];
  const shown = filterAudit(all, filter);
  const people = [...new Set(all.map((e) => e.who))].sort();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const exportActions = (
    <>
      <Button onClick={() => downloadText(`lvs-audit-${stamp}.csv`, 'text/csv', auditCsv(shown))} disabled={shown.length === 0}>
        {t('Export CSV')}
      </Button>
      <Button onClick={() => downloadText(`lvs-audit-${stamp}.json`, 'application/json', auditJson(shown))} disabled={shown.length === 0}>
        {t('Export JSON')}
      </Button>
    </>
  );
  return (
    <Panel title={t('Audit log')} actions={exportActions}>
      {audit.error ? <Notice tone="error">{errorMessage(audit.error)}</Notice> : null}
      <div role="search" aria-label={t('Filter the audit log')} className="mb-2 flex flex-wrap items-end gap-2 text-sm">
        <label className="flex flex-col gap-0.5">
          <span className="text-xs text-slate-600">{t('Who')}</span>
          <select value={filter.who} onChange={(e) => setFilter({ who: e.target.value })} className="rounded border border-slate-300 bg-white px-2 py-1">
            <option value="">{t('Everyone')}</option>
            {people.map((p) => (
              <option key={p} value={p}>
                {whoLabel(p)}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-0.5">
          <span className="text-xs text-slate-600">{t('Service or text')}</span>
          <input
            type="search"
            value={filter.service}
            onChange={(e) => setFilter({ service: e.target.value })}
            placeholder="192.0.2.10:80"
            className="w-44 rounded border border-slate-300 bg-white px-2 py-1 font-mono"
          />
        </label>
        <label className="flex flex-col gap-0.5">
          <span className="text-xs text-slate-600">{t('From')}</span>
          <input
            type="datetime-local"
            value={localInputValue(filter.from)}
            onChange={(e) => setFilter({ from: parseLocalInput(e.target.value) })}
            className="rounded border border-slate-300 bg-white px-2 py-1"
          />
        </label>
        <label className="flex flex-col gap-0.5">
          <span className="text-xs text-slate-600">{t('To')}</span>
          <input
            type="datetime-local"
            value={localInputValue(filter.to)}
            onChange={(e) => setFilter({ to: parseLocalInput(e.target.value) })}
            className="rounded border border-slate-300 bg-white px-2 py-1"
          />
        </label>
        <span role="status" className="text-xs text-slate-600">
          {t('{{shown}} of {{total}} entries', { shown: shown.length, total: all.length })}
        </span>
      </div>
      <div className="overflow-x-auto">
        <table className="stack-table w-full text-sm">
          <caption className="sr-only">{t('Audit log, newest first')}</caption>
          <thead className="text-left text-xs uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="py-1 pr-3">
                {t('When')}
              </th>
              <th scope="col" className="py-1 pr-3">
                {t('Who')}
              </th>
              <th scope="col" className="py-1 pr-3">
                {t('What')}
              </th>
              <th scope="col" className="whitespace-nowrap py-1">
                {t('Result')}
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.seq} className="border-t border-slate-100 align-top">
                <td data-label={t('When')} className="whitespace-nowrap py-1 pr-3 text-xs">
                  <time dateTime={new Date(e.time).toISOString()}>{dateTime(e.time)}</time>
                </td>
                <td data-label={t('Who')} className="py-1 pr-3">
                  {whoLabel(e.who)} <span className="text-xs text-slate-600">({codeLabel(e.role)})</span>
                </td>
                <td data-label={t('What')} className="stack-full py-1 pr-3 [overflow-wrap:anywhere]">
                  {localRecorded(e)}
                  {e.lines?.length ? (
                    <details>
                      <summary className="cursor-pointer text-xs text-slate-600">{t('{{count}} ipvsadm lines', { count: e.lines.length })}</summary>
                      <pre className="overflow-x-auto font-mono text-xs">{e.lines.join('\n')}</pre>
                    </details>
                  ) : null}
                  {e.error ? (
                    <div className="text-xs text-red-700">{e.who === WHO_WITHOUT_TOKEN ? localRefusalError(e.error) : localRecordedText(e.error)}</div>
                  ) : null}
                </td>
                <td data-label={t('Result')} className={`whitespace-nowrap py-1 text-xs font-medium ${e.result === 'ok' ? 'text-green-800' : 'text-red-700'}`}>
                  {codeLabel(e.result)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}

const WITHOUT_TOKEN_LABEL = msg('(no valid token)');

/** A user's name as recorded; the agent's fixed name for requests without a valid token in the console's language. */
function whoLabel(who: string): string {
  return who === WHO_WITHOUT_TOKEN ? t(WITHOUT_TOKEN_LABEL) : who;
}
