// Add a virtual service: TCP/UDP/SCTP address and port, or a firewall mark;
// scheduler; persistence; and its first real servers, all in one plan.
import { useState } from 'react';
import type { ForwardingMethod, Protocol, SchedulerName, Service } from '@lvs-console/shared';
import { canonicalIp, checkService, familyOf, serviceId } from '@lvs-console/shared';
import { Button } from '../../components/ui/button';
import { CheckboxField, SelectField, TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { useIsAdmin } from '../../lib/agent';
import { trpcClient } from '../../lib/trpc';
import { navigate, serviceHref } from '../../app/router';
import { ApplyWithPreview } from '../changes/apply-with-preview';
import { SCHEDULER_CATALOG } from '../schedulers/catalog';
import { FORWARDING_OPTIONS } from '../weights/forwarding';
import { t } from '../../lib/i18n';

interface DestinationRow { address: string; port: string; weight: string }

export default function NewServicePage() {
  const isAdmin = useIsAdmin();
  const [kind, setKind] = useState<'addr' | 'fwmark'>('addr');
  const [protocol, setProtocol] = useState<Protocol>('tcp');
  const [address, setAddress] = useState('');
  const [port, setPort] = useState('80');
  const [fwmark, setFwmark] = useState('1');
  const [scheduler, setScheduler] = useState<SchedulerName>('wlc');
  const [forwarding, setForwarding] = useState<ForwardingMethod>('route');
  const [persistent, setPersistent] = useState(false);
  const [timeout, setTimeoutText] = useState('300');
  const [rows, setRows] = useState<DestinationRow[]>([{ address: '', port: '80', weight: '1' }]);

  if (!isAdmin) return <Notice tone="warn">{t('Viewers cannot add services.')}</Notice>;

  const vip = canonicalIp(address.trim());
  const problems: string[] = [];
  if (kind === 'addr' && address.trim() && !vip) problems.push(t('"{{text}}" is not a numeric IP address', { text: address.trim() }));
  const key = kind === 'addr'
    ? (vip ? { kind: 'addr' as const, protocol, address: vip, port: Number(port) } : null)
    : { kind: 'fwmark' as const, fwmark: Number(fwmark), family: 'inet' as const };
  const destinations = rows.filter((r) => r.address.trim()).map((r) => ({
    address: canonicalIp(r.address.trim()) ?? r.address.trim(), port: Number(r.port), forwarding, weight: Number(r.weight), upperThreshold: 0, lowerThreshold: 0,
  }));
  const service: Service | null = key ? {
    key, scheduler, flags: [], onePacket: false, destinations,
    persistence: persistent ? { timeout: Number(timeout) } : null,
  } : null;
  if (service) problems.push(...checkService(service).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)));
  for (const r of rows) if (r.address.trim() && !canonicalIp(r.address.trim())) problems.push(t('"{{text}}" is not a numeric IP address', { text: r.address.trim() }));
  if (vip && destinations.some((d) => familyOf(d.address) !== familyOf(vip))) problems.push(t('Real servers must be of the same address family as the VIP.'));
  const ready = service !== null && problems.length === 0;

  const setRow = (index: number, patch: Partial<DestinationRow>) => setRows(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <div className="flex max-w-4xl flex-col gap-3">
      <h1 className="text-lg font-semibold">{t('Add virtual service')}</h1>
      <Panel title={t('Virtual service')}>
        <div className="flex flex-wrap items-end gap-3">
          <SelectField label={t('Identified by')} value={kind} onChange={(e) => setKind(e.target.value as 'addr' | 'fwmark')}>
            <option value="addr">{t('Address and port')}</option>
            <option value="fwmark">{t('Firewall mark (-f)')}</option>
          </SelectField>
          {kind === 'addr' ? (
            <>
              <SelectField label={t('Protocol')} value={protocol} onChange={(e) => setProtocol(e.target.value as Protocol)}>
                <option value="tcp">TCP (-t)</option><option value="udp">UDP (-u)</option><option value="sctp">SCTP</option>
              </SelectField>
              <TextField label={t('Virtual IP (VIP)')} placeholder="172.25.254.100" value={address} onChange={(e) => setAddress(e.target.value)} />
              <TextField label={t('Port')} type="number" min={0} max={65535} value={port} onChange={(e) => setPort(e.target.value)} className="w-24" hint={t('0 = all ports (needs persistence)')} />
            </>
          ) : <TextField label={t('Firewall mark')} type="number" min={1} value={fwmark} onChange={(e) => setFwmark(e.target.value)} className="w-32" />}
          <SelectField label={t('Scheduler')} value={scheduler} onChange={(e) => setScheduler(e.target.value as SchedulerName)}>
            {SCHEDULER_CATALOG.map((s) => <option key={s.name} value={s.name}>{s.name} — {t(s.title)}</option>)}
          </SelectField>
          <SelectField label={t('Forwarding method')} value={forwarding} onChange={(e) => setForwarding(e.target.value as ForwardingMethod)}>
            {FORWARDING_OPTIONS.map((o) => <option key={o.value} value={o.value}>{t(o.label)}</option>)}
          </SelectField>
        </div>
        <div className="mt-3 flex flex-wrap items-end gap-3">
          <CheckboxField label={t('Persistent (-p)')} checked={persistent} onChange={(e) => setPersistent(e.target.checked)} />
          {persistent ? <TextField label={t('Persistence timeout (s)')} type="number" min={1} value={timeout} onChange={(e) => setTimeoutText(e.target.value)} className="w-40" /> : null}
        </div>
      </Panel>
      <Panel title={t('Real servers')}>
        <div className="flex flex-col gap-2">
          {rows.map((row, index) => (
            <div key={index} className="flex flex-wrap items-end gap-3">
              <TextField label={t('Real server {{n}} address', { n: index + 1 })} placeholder="10.0.0.7" value={row.address} onChange={(e) => setRow(index, { address: e.target.value })} />
              <TextField label={t('Real server {{n}} port', { n: index + 1 })} type="number" min={0} max={65535} value={row.port} onChange={(e) => setRow(index, { port: e.target.value })} className="w-28" />
              <TextField label={t('Real server {{n}} weight', { n: index + 1 })} type="number" min={0} max={65535} value={row.weight} onChange={(e) => setRow(index, { weight: e.target.value })} className="w-28" />
              <Button variant="ghost" aria-label={t('Remove real server {{n}}', { n: index + 1 })} onClick={() => setRows(rows.filter((_, i) => i !== index))}>{t('Remove')}</Button>
            </div>
          ))}
          <div><Button onClick={() => setRows([...rows, { address: '', port: port || '80', weight: '1' }])}>{t('Add another real server')}</Button></div>
        </div>
      </Panel>
      {problems.map((p) => <Notice key={p} tone="error">{p}</Notice>)}
      <ApplyWithPreview
        edit={ready && service ? { op: 'add-service', service } : null}
        apply={(baseRevision) => {
          if (!service) throw new Error(t('the form is incomplete'));
          return trpcClient.services.add.mutate({ baseRevision, service });
        }}
        applyLabel={t('Create service')}
        onApplied={() => { if (service) navigate(serviceHref(serviceId(service.key))); }}
      />
    </div>
  );
}
