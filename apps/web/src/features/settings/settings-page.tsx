// Director-wide settings: connection timeouts (ipvsadm --set), the IPVS
// sysctls with explanations and recommended values, and the sync daemon.
import { useMutation } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import type { SyncDaemon } from '@lvs-console/shared';
import { KERNEL_DEFAULT_TIMEOUTS, canonicalIp } from '@lvs-console/shared';
import { Button } from '../../components/ui/button';
import { SelectField, TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { useInvalidateAfterChange, useIsAdmin, useRevision, useSnapshot } from '../../lib/agent';
import { useCommit } from '../../lib/commit';
import { errorMessage, trpcClient } from '../../lib/trpc';
import { ApplyWithPreview } from '../changes/apply-with-preview';
import { IPVS_SYSCTLS } from './sysctl-catalog';
import { useHostStatus } from '../realservers/host-problems';
import { localHostMessage } from '../realservers/host-messages';
import { t } from '../../lib/i18n';
import { codeLabel } from '../../lib/labels';

export default function SettingsPage() {
  return (
    <div className="flex flex-col gap-3">
      <h1 className="text-lg font-semibold">{t('Settings')}</h1>
      <div className="grid grid-cols-1 gap-3 xl:grid-cols-2">
        <TimeoutsPanel />
        <SyncDaemonPanel />
      </div>
      <SysctlsPanel />
    </div>
  );
}

function TimeoutsPanel() {
  const snapshot = useSnapshot();
  const isAdmin = useIsAdmin();
  const current = snapshot.data?.desired.timeouts ?? snapshot.data?.observed?.timeouts ?? KERNEL_DEFAULT_TIMEOUTS;
  const [tcp, setTcp] = useState<string | null>(null);
  const [tcpFin, setTcpFin] = useState<string | null>(null);
  const [udp, setUdp] = useState<string | null>(null);
  const timeouts = { tcp: Number(tcp ?? current.tcp), tcpFin: Number(tcpFin ?? current.tcpFin), udp: Number(udp ?? current.udp) };
  const valid = Object.values(timeouts).every((v) => Number.isInteger(v) && v >= 0);
  const observed = snapshot.data?.observed?.timeouts;
  return (
    <Panel title={t('Connection timeouts (ipvsadm --set)')}>
      <p className="mb-2 text-sm text-slate-600">
        {t('How long an idle connection entry lives: established TCP, TCP after FIN, and UDP. 0 keeps the current value. Kernel defaults: 900 120 300.')}
      </p>
      {observed ? (
        <p className="mb-2 font-mono text-xs text-slate-600">
          {t('Kernel now: Timeout (tcp tcpfin udp):')} {observed.tcp} {observed.tcpFin} {observed.udp}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-3">
        <TextField
          label="TCP (s)"
          type="number"
          min={0}
          disabled={!isAdmin}
          value={tcp ?? String(current.tcp)}
          onChange={(e) => setTcp(e.target.value)}
          className="w-28"
        />
        <TextField
          label="TCP FIN (s)"
          type="number"
          min={0}
          disabled={!isAdmin}
          value={tcpFin ?? String(current.tcpFin)}
          onChange={(e) => setTcpFin(e.target.value)}
          className="w-28"
        />
        <TextField
          label="UDP (s)"
          type="number"
          min={0}
          disabled={!isAdmin}
          value={udp ?? String(current.udp)}
          onChange={(e) => setUdp(e.target.value)}
          className="w-28"
        />
      </div>
      {isAdmin ? (
        <div className="mt-3">
          <ApplyWithPreview edit={valid ? { op: 'set-timeouts', timeouts } : null} applyLabel={t('Apply timeouts')} />
        </div>
      ) : null}
    </Panel>
  );
}

function SyncDaemonPanel() {
  const snapshot = useSnapshot();
  const pairSync = snapshot.data?.desired.ha?.sync;
  return (
    <Panel title={t('Connection sync daemon')}>
      <p className="mb-2 text-sm text-slate-600">
        {t('Sends connection state to a standby director (multicast 224.0.0.81:8848 by default) so a failover keeps established connections.')}
      </p>
      {pairSync ? (
        // The pair starts and switches the daemon with the VRRP role (the agent refuses a hand-set one meanwhile).
        <>
          <Notice>
            {t('The director pair runs it: master on the MASTER, backup on the other director, on {{interface}} with sync ID {{id}}.', {
              interface: pairSync.interface,
              id: pairSync.syncId,
            })}{' '}
            <Link to="/directors" className="underline">
              {t('Change it under Directors.')}
            </Link>
          </Notice>
          <SyncDaemonList title={t('Running on this director:')} daemons={snapshot.data?.observed?.syncDaemons ?? []} />
        </>
      ) : (
        <HandSetSyncDaemons daemons={snapshot.data?.desired.syncDaemons ?? []} />
      )}
    </Panel>
  );
}

/** A director without a pair: the daemons of the desired state, started and stopped here. */
function HandSetSyncDaemons({ daemons }: { daemons: readonly SyncDaemon[] }) {
  const isAdmin = useIsAdmin();
  const [state, setState] = useState<SyncDaemon['state']>('master');
  const [iface, setIface] = useState('eth0');
  const [syncId, setSyncId] = useState('0');
  const [group, setGroup] = useState('');
  const groupAddress = group.trim() ? canonicalIp(group.trim()) : null;
  const daemon: SyncDaemon | null =
    /^[A-Za-z0-9_.:@-]{1,15}$/.test(iface) && Number.isInteger(Number(syncId)) && (group.trim() === '' || groupAddress)
      ? { state, interface: iface, syncId: Number(syncId), ...(groupAddress ? { group: groupAddress } : {}) }
      : null;
  const next = daemon ? [...daemons.filter((d) => d.state !== daemon.state), daemon] : null;
  return (
    <>
      <SyncDaemonList daemons={daemons} />
      {isAdmin ? (
        <>
          <div className="flex flex-wrap items-end gap-3">
            <SelectField label={t('Role')} value={state} onChange={(e) => setState(e.target.value as SyncDaemon['state'])}>
              <option value="master">{t('master')}</option>
              <option value="backup">{t('backup')}</option>
            </SelectField>
            <TextField label={t('Interface')} value={iface} onChange={(e) => setIface(e.target.value)} className="w-28" />
            <TextField label={t('Sync ID')} type="number" min={0} max={255} value={syncId} onChange={(e) => setSyncId(e.target.value)} className="w-24" />
            <TextField label={t('Multicast group (optional)')} value={group} onChange={(e) => setGroup(e.target.value)} className="w-44" />
          </div>
          <div className="mt-3 flex flex-col gap-2">
            <ApplyWithPreview edit={next ? { op: 'set-sync-daemons', daemons: next } : null} applyLabel={t('Start / update daemon')} />
            {daemons.length > 0 ? <ApplyWithPreview edit={{ op: 'set-sync-daemons', daemons: [] }} applyLabel={t('Stop all sync daemons')} /> : null}
          </div>
        </>
      ) : null}
    </>
  );
}

/** Sync daemons as ipvsadm -L --daemon words them, the role in the console's language. */
function SyncDaemonList({ title, daemons }: { title?: string; daemons: readonly SyncDaemon[] }) {
  return (
    <div className="mt-2 text-sm">
      {title ? <p>{title}</p> : null}
      {daemons.length === 0 ? (
        <p>{t('No sync daemon.')}</p>
      ) : (
        <ul className="mb-2">
          {daemons.map((d) => (
            <li key={d.state} className="font-mono">
              {t('{{state}} sync daemon (mcast={{interface}}, syncid={{id}})', { state: codeLabel(d.state), interface: d.interface, id: d.syncId })}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function SysctlsPanel() {
  const snapshot = useSnapshot();
  const isAdmin = useIsAdmin();
  const revision = useRevision();
  const invalidate = useInvalidateAfterChange();
  const hostStatus = useHostStatus();
  const desired = new Map((snapshot.data?.desired.hostSettings ?? []).flatMap((s) => (s.kind === 'sysctl' ? [[s.name, s.value] as const] : [])));
  const actual = new Map((hostStatus.data?.settings ?? []).map((s) => [s.id, s]));
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const save = useCommit(({ name, value }: { name: string; value: string | null }) => ({
    op: 'set-sysctl',
    name,
    value,
    reason: 'set in the console settings',
  }));
  const apply = useMutation({
    mutationFn: () => trpcClient.host.apply.mutate({ baseRevision: revision() }),
    onSuccess: () => invalidate(),
  });
  return (
    <Panel
      title={t('IPVS sysctls')}
      actions={
        isAdmin ? (
          <Button variant="primary" disabled={apply.isPending} onClick={() => apply.mutate()}>
            {t('Apply host settings now')}
          </Button>
        ) : null
      }
    >
      <p className="mb-2 text-sm text-slate-600">
        {t('Managed values are part of the desired state: saved here, then applied to this host (and re-checked) with “Apply host settings now”.')}
      </p>
      {save.error ? <Notice tone="error">{errorMessage(save.error)}</Notice> : null}
      {apply.error ? <Notice tone="error">{errorMessage(apply.error)}</Notice> : null}
      {apply.data ? (
        <Notice tone={apply.data.every((r) => r.ok) ? 'ok' : 'error'}>
          {t('{{done}} of {{total}} host settings applied.', { done: apply.data.filter((r) => r.ok).length, total: apply.data.length })}{' '}
          {apply.data
            .filter((r) => !r.ok)
            .map((r) => localHostMessage(r))
            .join(' ')}
        </Notice>
      ) : null}
      <table className="w-full text-sm">
        <caption className="sr-only">{t('IPVS sysctls')}</caption>
        <thead className="text-left text-xs uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="pr-3">
              {t('Sysctl')}
            </th>
            <th scope="col" className="pr-3">
              {t('What it does')}
            </th>
            <th scope="col" className="px-2">
              {t('Default')}
            </th>
            <th scope="col" className="px-2">
              {t('Recommended')}
            </th>
            <th scope="col" className="px-2">
              {t('Desired')}
            </th>
            {isAdmin ? (
              <th scope="col">
                <span className="sr-only">{t('Actions')}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {IPVS_SYSCTLS.map((s) => {
            const want = desired.get(s.name);
            const status = actual.get(`sysctl:${s.name}`);
            return (
              <tr key={s.name} className="border-t border-slate-100 align-top">
                <th scope="row" className="py-1 pr-2 text-left font-mono text-xs font-normal">
                  {s.name}
                </th>
                <td className="py-1 pr-2 text-xs text-slate-700">{t(s.explanation)}</td>
                <td className="px-2 py-1 font-mono">{s.kernelDefault}</td>
                <td className="px-2 py-1 font-mono">{s.recommended}</td>
                <td className="px-2 py-1 font-mono">
                  {want ?? <span className="text-slate-500">{t('unmanaged')}</span>}
                  {status ? (
                    <div className={`text-xs ${status.ok ? 'text-green-700' : 'text-red-700'}`}>
                      {status.ok ? t('in place') : t('host: {{actual}}', { actual: status.actual ?? t('missing') })}
                    </div>
                  ) : null}
                </td>
                {isAdmin ? (
                  <td className="py-1">
                    <div className="flex items-center gap-1">
                      <input
                        aria-label={t('Value of {{name}}', { name: s.name })}
                        className="w-14 rounded border border-slate-300 px-1 font-mono text-xs"
                        value={drafts[s.name] ?? want ?? s.recommended}
                        onChange={(e) => setDrafts({ ...drafts, [s.name]: e.target.value })}
                      />
                      <Button
                        aria-label={t('Save {{name}}', { name: s.name })}
                        disabled={save.isPending}
                        onClick={() => save.mutate({ name: s.name, value: (drafts[s.name] ?? want ?? s.recommended).trim() })}
                      >
                        {t('Save')}
                      </Button>
                      {want !== undefined ? (
                        <Button
                          variant="ghost"
                          aria-label={t('Stop managing {{name}}', { name: s.name })}
                          onClick={() => save.mutate({ name: s.name, value: null })}
                        >
                          {t('Unmanage')}
                        </Button>
                      ) : null}
                    </div>
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </Panel>
  );
}
