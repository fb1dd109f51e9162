// Import: paste ipvsadm rules (or a seed's whole write-up), a keepalived.conf
// or desired-state JSON; the format is detected; see what was read and
// skipped, see the plan, apply (a replace that deletes services asks first,
// naming the count). Export: `ipvsadm -Sn` text, keepalived.conf, and JSON.
import { useMutation } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import type { ImportOutcome } from '@lvs-console/shared/api';
import { nothingToImportSaid, readPaste, renderRulesFor, type IpvsadmTarget, type PasteResult } from '@lvs-console/shared/ipvsadm';
import { detectImportFormat, formatPlace, readKeepalivedConf, writeKeepalivedConf, type ImportFormat } from '@lvs-console/shared/keepalived';
import { Button } from '../../components/ui/button';
import { ConfirmDialog, LinesToRun } from '../../components/ui/confirm-dialog';
import { CopyButton } from '../../components/ui/copy-button';
import { SelectField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { noteRevision, useInvalidateAfterChange, useIsAdmin, useRevision, useSnapshot } from '../../lib/agent';
import { errorMessage, trpcClient } from '../../lib/trpc';
import { PlanLines } from '../changes/plan-view';
import { msg, t } from '../../lib/i18n';
import { Trans } from 'react-i18next';
import { downloadText } from '../../lib/download';
import { localMessage, localNestedMessage } from '../../lib/error-text';

export default function ImportExportPage() {
  const isAdmin = useIsAdmin();
  return (
    <div className="flex flex-col gap-3">
      <h1 className="text-lg font-semibold">{t('Import / export')}</h1>
      <div className="grid grid-cols-1 gap-3 xl:grid-cols-2">
        {isAdmin ? <ImportPanel /> : <Notice tone="info">{t('Viewers can export but not import.')}</Notice>}
        <ExportPanel />
      </div>
    </div>
  );
}

function ImportPanel() {
  const textId = useId();
  const [text, setText] = useState('');
  const [format, setFormat] = useState<ImportFormat>('ipvsadm');
  const [mode, setMode] = useState<'merge' | 'replace'>('merge');
  const [plan, setPlan] = useState<ImportOutcome | null>(null);
  const [confirming, setConfirming] = useState(false);
  const revision = useRevision();
  const invalidate = useInvalidateAfterChange();
  const desired = useSnapshot().data?.desired;
  // The same reader the agent runs: a merge reads the paste against the live desired state.
  const read = useMemo(
    () => (format === 'ipvsadm' && text.trim() ? readPaste(text, mode === 'merge' && desired ? { base: desired } : {}) : null),
    [format, text, mode, desired],
  );
  const keepalived = useMemo(() => (format === 'keepalived' && text.trim() ? readKeepalivedConf(text) : null), [format, text]);
  const nothing = (read !== null && read.ok && read.source === 'nothing') || (keepalived !== null && keepalived.ok && keepalived.state.services.length === 0);
  const reset = () => {
    setPlan(null);
    setConfirming(false);
  };
  const run = useMutation({
    mutationFn: ({ dryRun, confirmDeletes }: { dryRun: boolean; confirmDeletes: boolean }) =>
      trpcClient.state.import.mutate({ baseRevision: revision(), text, format, mode, dryRun, confirmDeletes }),
    onSuccess: async (outcome) => {
      setConfirming(false);
      if (outcome.dryRun) {
        setPlan(outcome);
      } else {
        noteRevision(outcome.revision);
        setPlan(null);
        await invalidate();
      }
    },
  });
  const deletes = plan?.import.replaces ? plan.import.deletes : [];
  const apply = () => (deletes.length > 0 ? setConfirming(true) : run.mutate({ dryRun: false, confirmDeletes: false }));
  return (
    <Panel title={t('Import rules')}>
      <form
        className="flex flex-col gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate({ dryRun: true, confirmDeletes: false });
        }}
      >
        <label htmlFor={textId} className="text-sm font-medium">
          {t('Rules to import')}
        </label>
        <p className="text-xs text-slate-600">
          <Trans
            i18nKey={
              'Paste <code>ipvsadm -Sn</code> output, ipvsadm commands as typed in a shell (prompts, notes, listing commands and prose are skipped and listed), an <code>ipvsadm -L -n</code> listing, a <code>keepalived.conf</code>, or a desired-state JSON document. The format is detected as you paste. In merge mode the commands run on the live table, as a shell would.'
            }
            components={{ code: <code className="font-mono" /> }}
          />
        </p>
        <textarea
          id={textId}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setFormat(detectImportFormat(e.target.value));
            reset();
          }}
          rows={12}
          spellCheck={false}
          className="rounded border border-slate-300 p-2 font-mono text-xs"
          placeholder={'[root@lvs ~]# ipvsadm -A -t 172.25.254.100:80 -s rr\n[root@lvs ~]# ipvsadm -a -t 172.25.254.100:80 -r 172.25.254.2:80 -g'}
        />
        <div className="flex flex-wrap items-end gap-3">
          <SelectField
            label={t('Format')}
            value={format}
            onChange={(e) => {
              setFormat(e.target.value as ImportFormat);
              reset();
            }}
          >
            <option value="ipvsadm">{t('ipvsadm rules')}</option>
            <option value="keepalived">keepalived.conf</option>
            <option value="json">{t('desired-state JSON')}</option>
          </SelectField>
          <SelectField
            label={t('Mode')}
            value={mode}
            onChange={(e) => {
              setMode(e.target.value as 'merge' | 'replace');
              reset();
            }}
          >
            <option value="merge">{t('merge: run these commands on the live table')}</option>
            <option value="replace">{t('replace: these rules become the whole table')}</option>
          </SelectField>
          <Button type="submit" disabled={run.isPending || !text.trim() || nothing || (read !== null && !read.ok) || (keepalived !== null && !keepalived.ok)}>
            {t('Preview plan')}
          </Button>
        </div>
      </form>
      {read ? <PasteSummary read={read} /> : null}
      {keepalived ? <KeepalivedPreview result={keepalived} showWarnings={!plan} /> : null}
      {run.error ? (
        <Notice tone="error" className="mt-2">
          {errorMessage(run.error)}
        </Notice>
      ) : null}
      {plan ? (
        <div className="mt-3 flex flex-col gap-2">
          <PlanLines outcome={plan} title={t('These ipvsadm lines will run')} />
          {deletes.length > 0 ? (
            <Notice tone="warn">{t('This import replaces the table: it deletes {{count}} services it does not define.', { count: deletes.length })}</Notice>
          ) : null}
          <div className="flex gap-2">
            <Button variant="primary" disabled={run.isPending} onClick={apply}>
              {t('Apply import')}
            </Button>
            <Button variant="ghost" onClick={reset}>
              {t('Discard')}
            </Button>
          </div>
        </div>
      ) : null}
      {confirming && plan ? (
        <ConfirmDialog
          title={t('Delete {{count}} services?', { count: deletes.length })}
          confirmLabel={t('Delete {{count}} services and apply', { count: deletes.length })}
          busy={run.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => run.mutate({ dryRun: false, confirmDeletes: true })}
        >
          <p>{t('This import replaces the whole table. These services are not in it and will be deleted, cutting their open connections:')}</p>
          <ul className="list-disc pl-5 font-mono text-xs">
            {deletes.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
          <LinesToRun lines={plan.lines} />
        </ConfirmDialog>
      ) : null}
      {run.isSuccess && !run.data.dryRun ? (
        <Notice tone="ok" className="mt-2">
          {t('Imported: revision {{revision}}, {{count}} ipvsadm lines ran.', { revision: run.data.revision, count: run.data.lines.length })}
        </Notice>
      ) : null}
    </Panel>
  );
}

/** "line 3" (the readers' place of a note) in the console's language; "file:3" stays as it is. */
function localPlace(path: string): string {
  const line = /^line (\d+)$/.exec(path)?.[1];
  return line ? t('line {{n}}', { n: Number(line) }) : path;
}

/** What the reader found: rule lines, errors, warnings, and every skipped line with its number. */
function PasteSummary({ read }: { read: PasteResult }) {
  const found =
    read.source === 'listing'
      ? t('Read as a listing: {{count}} services.', { count: read.state.services.length })
      : read.clears
        ? t('{{count}} rule lines found (ipvsadm -C: the paste replaces the whole table).', { count: read.commands.length })
        : t('{{count}} rule lines found.', { count: read.commands.length });
  const nothing = nothingToImportSaid(read);
  return (
    <div className="mt-2 flex flex-col gap-1 text-xs text-slate-700">
      {read.ok && read.source === 'nothing' ? (
        <Notice tone="warn">{localNestedMessage(nothing.messageId, nothing.params, nothing.message)}.</Notice>
      ) : (
        <p>{found}</p>
      )}
      {read.errors.length ? (
        <Notice tone="error">
          <ul className="list-disc pl-5">
            {read.errors.map((e) => (
              <li key={`${e.path}${e.message}`}>
                {localPlace(e.path)}: {localNestedMessage(e.messageId, e.params, e.message)}
              </li>
            ))}
          </ul>
        </Notice>
      ) : null}
      {read.warnings.length ? (
        <ul className="list-disc pl-5 text-amber-800">
          {read.warnings.map((w) => (
            <li key={`${w.path}${w.message}`}>
              {localPlace(w.path)}: {localNestedMessage(w.messageId, w.params, w.message)}
            </li>
          ))}
        </ul>
      ) : null}
      {read.skipped.length ? (
        <details>
          <summary className="cursor-pointer">{t('Skipped lines ({{count}})', { count: read.skipped.length })}</summary>
          <ul aria-label={t('Skipped lines')} className="max-h-64 overflow-auto pl-2">
            {read.skipped.map((s) => (
              <li key={`${s.line} ${s.text}`}>
                <span className="font-mono">{t('line {{n}}', { n: s.line })}</span>: {localMessage(s.whyId, s.whyParams, s.why)}{' '}
                <span className="font-mono text-slate-600">{s.text.length > 80 ? `${s.text.slice(0, 80)}…` : s.text}</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

/** What a keepalived.conf will create, and every note with its line, before anything is sent (the plan then shows the agent's). */
function KeepalivedPreview({ result, showWarnings }: { result: ReturnType<typeof readKeepalivedConf>; showWarnings: boolean }) {
  const services = result.state.services;
  const realServers = services.reduce((sum, s) => sum + s.destinations.length, 0);
  const checked = services.filter((s) => s.health).length;
  const errors = result.notes.filter((n) => n.level === 'error');
  const warnings = result.notes.filter((n) => n.level === 'warning');
  return (
    <section aria-label={t('keepalived.conf preview')} className="mt-2 flex flex-col gap-1 text-xs text-slate-700">
      {result.ok ? (
        <p>
          {t('Will create {{services}} virtual services with {{servers}} real servers ({{checked}} with health checks)', {
            services: services.length,
            servers: realServers,
            checked,
          })}
          {result.state.timeouts ? t(', connection timeouts') : ''}
          {result.state.syncDaemons.length ? t(', the sync daemon') : ''}.
        </p>
      ) : (
        <Notice tone="error">{t('Nothing can be imported: fix these {{count}} errors first.', { count: errors.length })}</Notice>
      )}
      {errors.length ? (
        <ul aria-label={t('Import errors')} className="list-disc pl-5 text-red-700">
          {errors.map((n, i) => (
            <li key={i}>
              {localPlace(formatPlace(n))}: {localNestedMessage(n.messageId, n.params, n.message)}
            </li>
          ))}
        </ul>
      ) : null}
      {warnings.length && showWarnings ? (
        <>
          <p className="font-medium">{t('{{count}} things are not carried over as written:', { count: warnings.length })}</p>
          <ul aria-label={t('Import warnings')} className="list-disc pl-5 text-amber-800">
            {warnings.map((n, i) => (
              <li key={i}>
                {localPlace(formatPlace(n))}: {localNestedMessage(n.messageId, n.params, n.message)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

const EXPORTS = {
  rules: { label: 'ipvsadm -Sn', name: 'ipvsadm.rules', type: 'text/plain', aria: msg('Exported ipvsadm rules') },
  keepalived: { label: 'keepalived.conf', name: 'keepalived.conf', type: 'text/plain', aria: msg('Exported keepalived.conf') },
  json: { label: 'JSON', name: 'lvs-console-state.json', type: 'application/json', aria: msg('Exported desired state JSON') },
} as const;

function ExportPanel() {
  const snapshot = useSnapshot();
  const [what, setWhat] = useState<keyof typeof EXPORTS>('rules');
  const [target, setTarget] = useState<IpvsadmTarget>('1.31');
  const desired = snapshot.data?.desired;
  const rules = desired && what === 'rules' ? renderRulesFor(desired, target) : null;
  const text = !desired ? '' : rules ? rules.text : what === 'keepalived' ? writeKeepalivedConf(desired) : `${JSON.stringify(desired, null, 2)}\n`;
  const download = () => downloadText(EXPORTS[what].name, EXPORTS[what].type, text);
  return (
    <Panel
      title={t('Export')}
      actions={
        <>
          <CopyButton text={text} label={t('Copy export')} />
          <Button onClick={download}>{t('Download')}</Button>
        </>
      }
    >
      <div className="mb-2 flex gap-1" role="group" aria-label={t('Export format')}>
        {(Object.keys(EXPORTS) as Array<keyof typeof EXPORTS>).map((key) => (
          <Button key={key} variant={what === key ? 'primary' : 'secondary'} aria-pressed={what === key} onClick={() => setWhat(key)}>
            {EXPORTS[key].label}
          </Button>
        ))}
      </div>
      {what === 'rules' ? (
        <SelectField label={t('For ipvsadm')} value={target} onChange={(e) => setTarget(e.target.value as IpvsadmTarget)}>
          <option value="1.31">{t('1.31 and later (exactly ipvsadm -Sn)')}</option>
          <option value="pre-1.31">{t("before 1.31 (CentOS 7's 1.27, Debian 10's 1.29)")}</option>
        </SelectField>
      ) : null}
      {rules?.omitted.length ? (
        <Notice tone="warn" className="my-2">
          <p>{t('Left out, as ipvsadm before 1.31 cannot restore them:')}</p>
          <ul className="list-disc pl-5 font-mono text-xs">
            {rules.omitted.map((o) => (
              <li key={o}>{o}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <pre aria-label={t(EXPORTS[what].aria)} className="max-h-[480px] overflow-auto rounded bg-slate-900 p-2 font-mono text-xs leading-5 text-slate-100">
        {text}
      </pre>
    </Panel>
  );
}
