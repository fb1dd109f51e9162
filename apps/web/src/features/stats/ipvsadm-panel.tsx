// Exactly what `ipvsadm -L -n` (--stats, --rate) would print now, rendered
// from the latest observed table.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { serviceId } from '@lvs-console/shared';
import { Button } from '../../components/ui/button';
import { CheckboxField } from '../../components/ui/field';
import { Panel } from '../../components/ui/panel';
import { CopyButton } from '../../components/ui/copy-button';
import { Age } from '../../components/ui/age';
import { useSnapshot, useSystemInfo } from '../../lib/agent';
import { trpcClient } from '../../lib/trpc';
import { formatIpvsadmListing, type ListingMode } from '@lvs-console/shared/ipvsadm';
import { t } from '../../lib/i18n';

const MODES: ReadonlyArray<{ mode: ListingMode; label: string; flags: string }> = [
  { mode: 'plain', label: '-L -n', flags: '' },
  { mode: 'stats', label: '--stats', flags: ' --stats' },
  { mode: 'rate', label: '--rate', flags: ' --rate' },
];

/** "Linux IPVS 1.2.1, kernel 6.1" -> "1.2.1"; the sim reports 1.2.1 too. */
export function ipvsVersionFrom(description: string | undefined): string {
  return /IPVS (\d+\.\d+\.\d+)/.exec(description ?? '')?.[1] ?? '1.2.1';
}

export function IpvsadmPanel({ serviceIdValue }: { serviceIdValue?: string }) {
  const snapshot = useSnapshot();
  const info = useSystemInfo();
  const [mode, setMode] = useState<ListingMode>('plain');
  const [onlyThis, setOnlyThis] = useState(false);
  const [exact, setExact] = useState(false);
  // --stats prints the kernel's counters, which the 1 s poll does not carry: the whole table, while shown.
  const counters = useQuery({
    queryKey: ['ipvsadm-panel', 'state.get'],
    queryFn: () => trpcClient.state.get.query(),
    refetchInterval: 1000,
    enabled: mode === 'stats',
  });
  const observed = mode === 'stats' ? counters.data?.observed : snapshot.data?.observed;
  const services = (observed?.services ?? []).filter((s) => !onlyThis || !serviceIdValue || serviceId(s.key) === serviceIdValue);
  const text = observed
    ? formatIpvsadmListing(
        { services },
        { mode, exact, info: info.data?.kernel ?? { ipvsVersion: ipvsVersionFrom(info.data?.backend.description), connTableSize: 4096 } },
      )
    : '';
  const command = `ipvsadm -L -n${MODES.find((m) => m.mode === mode)?.flags ?? ''}${exact ? ' --exact' : ''}`;
  return (
    <Panel title={t('ipvsadm now')} actions={<CopyButton text={text} label={t('Copy ipvsadm listing')} />}>
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <div role="group" aria-label={t('Listing format')} className="flex gap-1">
          {MODES.map((m) => (
            <Button key={m.mode} variant={m.mode === mode ? 'primary' : 'secondary'} aria-pressed={m.mode === mode} onClick={() => setMode(m.mode)}>
              {m.label}
            </Button>
          ))}
        </div>
        <CheckboxField label="--exact" checked={exact} onChange={(e) => setExact(e.target.checked)} />
        {serviceIdValue ? <CheckboxField label={t('This service only')} checked={onlyThis} onChange={(e) => setOnlyThis(e.target.checked)} /> : null}
        <Age at={(mode === 'stats' ? counters.data : snapshot.data)?.observedAt} label={t('observed')} />
      </div>
      <p className="mb-1 font-mono text-xs text-slate-600"># {command}</p>
      {/* Focusable: on a phone the wide listing scrolls sideways, by keyboard too. */}
      <pre
        role="region"
        tabIndex={0}
        aria-label={t('Output of {{command}}', { command })}
        className="overflow-x-auto rounded bg-slate-900 p-2 font-mono text-[11px] leading-5 text-slate-100"
      >
        {text}
      </pre>
    </Panel>
  );
}
