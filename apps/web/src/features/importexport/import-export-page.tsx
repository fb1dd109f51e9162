// Import: paste ipvsadm rules (or a seed's whole write-up), a keepalived.conf
// or desired-state JSON; the format is detected, then see the plan, apply.
// Export: the canonical `ipvsadm -Sn` text, keepalived.conf, and JSON.
import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { renderRules } from '@lvs-console/shared/ipvsadm';
import { detectImportFormat, formatPlace, readKeepalivedConf, writeKeepalivedConf, type ImportFormat } from '@lvs-console/shared/keepalived';
import { Button } from '../../components/ui/button';
import { CopyButton } from '../../components/ui/copy-button';
import { SelectField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { noteRevision, useInvalidateAfterChange, useIsAdmin, useRevision, useSnapshot } from '../../lib/agent';
import { errorMessage, trpcClient } from '../../lib/trpc';
import type { CommitOutcome } from '../../lib/types';
import { PlanLines } from '../changes/plan-view';
import { extractRules } from './extract-rules';

export default function ImportExportPage() {
  const isAdmin = useIsAdmin();
  return (
    <div className="flex flex-col gap-3">
      <h1 className="text-lg font-semibold">Import / export</h1>
      <div className="grid grid-cols-1 gap-3 xl:grid-cols-2">
        {isAdmin ? <ImportPanel /> : <Notice tone="info">Viewers can export but not import.</Notice>}
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
  const [plan, setPlan] = useState<CommitOutcome | null>(null);
  const revision = useRevision();
  const invalidate = useInvalidateAfterChange();
  const extracted = format === 'ipvsadm' ? extractRules(text) : null;
  const keepalived = format === 'keepalived' && text.trim() ? readKeepalivedConf(text) : null;
  const payload = extracted ? `${extracted.lines.join('\n')}\n` : text;
  const run = useMutation({
    mutationFn: (dryRun: boolean) => trpcClient.state.import.mutate({ baseRevision: revision(), text: payload, format, mode, dryRun }),
    onSuccess: async (outcome) => {
      if (outcome.dryRun) {
        setPlan(outcome);
      } else {
        noteRevision(outcome.revision);
        setPlan(null);
        await invalidate();
      }
    },
  });
  return (
    <Panel title="Import rules">
      <form className="flex flex-col gap-2" onSubmit={(e) => { e.preventDefault(); run.mutate(true); }}>
        <label htmlFor={textId} className="text-sm font-medium">Rules to import</label>
        <p className="text-xs text-slate-600">
          Paste <code className="font-mono">ipvsadm -Sn</code> output, ipvsadm commands (shell prompts, comments and listing commands are skipped), a <code className="font-mono">keepalived.conf</code>, or a desired-state JSON document. The format is detected as you paste.
        </p>
        <textarea id={textId} value={text} onChange={(e) => { setText(e.target.value); setFormat(detectImportFormat(e.target.value)); setPlan(null); }} rows={12} spellCheck={false}
          className="rounded border border-slate-300 p-2 font-mono text-xs" placeholder={'ipvsadm -A -t 172.25.254.100:80 -s rr\nipvsadm -a -t 172.25.254.100:80 -r 172.25.254.2:80 -g'} />
        <div className="flex flex-wrap items-end gap-3">
          <SelectField label="Format" value={format} onChange={(e) => { setFormat(e.target.value as ImportFormat); setPlan(null); }}>
            <option value="ipvsadm">ipvsadm rules</option>
            <option value="keepalived">keepalived.conf</option>
            <option value="json">desired-state JSON</option>
          </SelectField>
          <SelectField label="Mode" value={mode} onChange={(e) => { setMode(e.target.value as 'merge' | 'replace'); setPlan(null); }}>
            <option value="merge">merge: add these services, keep the others</option>
            <option value="replace">replace: these rules become the whole table</option>
          </SelectField>
          <Button type="submit" disabled={run.isPending || !text.trim()}>Preview plan</Button>
        </div>
      </form>
      {extracted && text.trim() ? (
        <div className="mt-2 text-xs text-slate-700">
          <p>{extracted.lines.length} rule lines found.</p>
          {extracted.notes.length ? <ul className="list-disc pl-5 text-amber-800">{extracted.notes.map((n) => <li key={n}>{n}</li>)}</ul> : null}
        </div>
      ) : null}
      {keepalived ? <KeepalivedPreview result={keepalived} showWarnings={!plan} /> : null}
      {run.error ? <Notice tone="error" className="mt-2">{errorMessage(run.error)}</Notice> : null}
      {plan ? (
        <div className="mt-3 flex flex-col gap-2">
          <PlanLines outcome={plan} title="These ipvsadm lines will run" />
          <div className="flex gap-2">
            <Button variant="primary" disabled={run.isPending} onClick={() => run.mutate(false)}>Apply import</Button>
            <Button variant="ghost" onClick={() => setPlan(null)}>Discard</Button>
          </div>
        </div>
      ) : null}
      {run.isSuccess && !run.data.dryRun ? <Notice tone="ok" className="mt-2">Imported: revision {run.data.revision}, {run.data.lines.length} ipvsadm lines ran.</Notice> : null}
    </Panel>
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
    <section aria-label="keepalived.conf preview" className="mt-2 flex flex-col gap-1 text-xs text-slate-700">
      {result.ok
        ? <p>Will create {services.length} virtual services with {realServers} real servers ({checked} with health checks){result.state.timeouts ? ', connection timeouts' : ''}{result.state.syncDaemons.length ? ', the sync daemon' : ''}.</p>
        : <Notice tone="error">Nothing can be imported: fix {errors.length === 1 ? 'this error' : `these ${errors.length} errors`} first.</Notice>}
      {errors.length ? <ul aria-label="Import errors" className="list-disc pl-5 text-red-700">{errors.map((n, i) => <li key={i}>{formatPlace(n)}: {n.message}</li>)}</ul> : null}
      {warnings.length && showWarnings ? (
        <>
          <p className="font-medium">{warnings.length} {warnings.length === 1 ? 'thing is' : 'things are'} not carried over as written:</p>
          <ul aria-label="Import warnings" className="list-disc pl-5 text-amber-800">{warnings.map((n, i) => <li key={i}>{formatPlace(n)}: {n.message}</li>)}</ul>
        </>
      ) : null}
    </section>
  );
}

const EXPORTS = {
  rules: { label: 'ipvsadm -Sn', name: 'ipvsadm.rules', type: 'text/plain', aria: 'Exported ipvsadm rules' },
  keepalived: { label: 'keepalived.conf', name: 'keepalived.conf', type: 'text/plain', aria: 'Exported keepalived.conf' },
  json: { label: 'JSON', name: 'lvs-console-state.json', type: 'application/json', aria: 'Exported desired state JSON' },
} as const;

function ExportPanel() {
  const snapshot = useSnapshot();
  const [what, setWhat] = useState<keyof typeof EXPORTS>('rules');
  const desired = snapshot.data?.desired;
  const text = !desired ? '' : what === 'rules' ? renderRules(desired) : what === 'keepalived' ? writeKeepalivedConf(desired) : `${JSON.stringify(desired, null, 2)}\n`;
  const download = () => {
    const blob = new Blob([text], { type: EXPORTS[what].type });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = EXPORTS[what].name;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Panel title="Export" actions={<><CopyButton text={text} label="Copy export" /><Button onClick={download}>Download</Button></>}>
      <div className="mb-2 flex gap-1" role="group" aria-label="Export format">
        {(Object.keys(EXPORTS) as Array<keyof typeof EXPORTS>).map((key) => (
          <Button key={key} variant={what === key ? 'primary' : 'secondary'} aria-pressed={what === key} onClick={() => setWhat(key)}>{EXPORTS[key].label}</Button>
        ))}
      </div>
      <pre aria-label={EXPORTS[what].aria} className="max-h-[480px] overflow-auto rounded bg-slate-900 p-2 font-mono text-xs leading-5 text-slate-100">{text}</pre>
    </Panel>
  );
}
