// Import: paste ipvsadm rules (or a seed's whole write-up), see the plan,
// apply. Export: the canonical `ipvsadm -Sn` text and the desired state as JSON.
import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { renderRules } from '@lvs-console/shared/ipvsadm';
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
  const [format, setFormat] = useState<'ipvsadm' | 'json'>('ipvsadm');
  const [mode, setMode] = useState<'merge' | 'replace'>('merge');
  const [plan, setPlan] = useState<CommitOutcome | null>(null);
  const revision = useRevision();
  const invalidate = useInvalidateAfterChange();
  const extracted = format === 'ipvsadm' ? extractRules(text) : null;
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
          Paste <code className="font-mono">ipvsadm -Sn</code> output, ipvsadm commands (shell prompts, comments and listing commands are skipped), or a desired-state JSON document.
        </p>
        <textarea id={textId} value={text} onChange={(e) => { setText(e.target.value); setPlan(null); }} rows={12} spellCheck={false}
          className="rounded border border-slate-300 p-2 font-mono text-xs" placeholder={'ipvsadm -A -t 172.25.254.100:80 -s rr\nipvsadm -a -t 172.25.254.100:80 -r 172.25.254.2:80 -g'} />
        <div className="flex flex-wrap items-end gap-3">
          <SelectField label="Format" value={format} onChange={(e) => { setFormat(e.target.value as 'ipvsadm' | 'json'); setPlan(null); }}>
            <option value="ipvsadm">ipvsadm rules</option>
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

function ExportPanel() {
  const snapshot = useSnapshot();
  const [what, setWhat] = useState<'rules' | 'json'>('rules');
  const desired = snapshot.data?.desired;
  const text = !desired ? '' : what === 'rules' ? renderRules(desired) : `${JSON.stringify(desired, null, 2)}\n`;
  const download = () => {
    const blob = new Blob([text], { type: what === 'rules' ? 'text/plain' : 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = what === 'rules' ? 'ipvsadm.rules' : 'lvs-console-state.json';
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Panel title="Export" actions={<><CopyButton text={text} label="Copy export" /><Button onClick={download}>Download</Button></>}>
      <div className="mb-2 flex gap-1" role="group" aria-label="Export format">
        <Button variant={what === 'rules' ? 'primary' : 'secondary'} aria-pressed={what === 'rules'} onClick={() => setWhat('rules')}>ipvsadm -Sn</Button>
        <Button variant={what === 'json' ? 'primary' : 'secondary'} aria-pressed={what === 'json'} onClick={() => setWhat('json')}>JSON</Button>
      </div>
      <pre aria-label={what === 'rules' ? 'Exported ipvsadm rules' : 'Exported desired state JSON'} className="max-h-[480px] overflow-auto rounded bg-slate-900 p-2 font-mono text-xs leading-5 text-slate-100">{text}</pre>
    </Panel>
  );
}
