// Directors: every member of the pair with its VRRP role, the VIPs it
// holds, how far its desired state is behind, whether its kernel matches,
// its sync daemon and when it was last heard from. A member nobody has heard
// from lately shows what it last said, greyed, never as a confident MASTER.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Age, useNow } from '../../components/ui/age';
import { Button } from '../../components/ui/button';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { useInvalidateAfterChange, useIsAdmin, useSnapshot } from '../../lib/agent';
import { useCommit } from '../../lib/commit';
import { errorMessage, trpc, trpcClient, type RouterOutputs } from '../../lib/trpc';
import { PairSettings } from './pair-settings';
import { t } from '../../lib/i18n';
import { codeLabel } from '../../lib/labels';
import { Trans } from 'react-i18next';

type ClusterView = NonNullable<RouterOutputs['cluster']['members']>;
type MemberView = ClusterView['members'][number];

export function useClusterMembers() {
  return useQuery({ ...trpc.cluster.members.queryOptions(), refetchInterval: 1000 });
}

const ROLE_STYLES: Record<string, string> = {
  MASTER: 'border-green-300 bg-green-100 text-green-900',
  BACKUP: 'border-sky-300 bg-sky-50 text-sky-900',
  FAULT: 'border-red-300 bg-red-100 text-red-900',
};

function RoleBadges({ member }: { member: MemberView }) {
  const vrrp = member.status?.vrrp ?? [];
  if (vrrp.length === 0) return <span className="text-xs text-slate-600">{member.status?.vrrpProblem ?? t('no VRRP instance')}</span>;
  return (
    <ul className="flex flex-col gap-1">
      {vrrp.map((v) => (
        <li key={v.instance} className="flex flex-wrap items-center gap-1 text-xs">
          {member.stale ? (
            <span className="rounded border border-slate-300 bg-slate-100 px-1.5 py-0.5 font-medium text-slate-600">
              {t('unknown (last said {{state}})', { state: codeLabel(v.state) })}
            </span>
          ) : (
            <span className={`rounded border px-1.5 py-0.5 font-medium ${ROLE_STYLES[v.state] ?? 'border-slate-300 bg-slate-100 text-slate-700'}`}>
              {codeLabel(v.state)}
            </span>
          )}
          <span className="text-slate-600">
            {v.instance}
            {v.priority !== null ? t(', priority {{priority}}', { priority: v.priority }) : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

function vipsHeld(member: MemberView): string[] {
  if (member.stale) return [];
  return (member.status?.vrrp ?? []).filter((v) => v.state === 'MASTER').flatMap((v) => v.addresses);
}

function KernelCell({ member }: { member: MemberView }) {
  const status = member.status;
  if (!status) return <span className="text-xs text-slate-600">{t('unknown')}</span>;
  const behind = member.lag ?? 0;
  return (
    <div className="flex flex-col text-xs">
      <span>
        {t('revision {{revision}}', { revision: status.revision })}
        {behind > 0 ? <strong className="ml-1 text-amber-800">{t('{{count}} behind', { count: behind })}</strong> : null}
      </span>
      <span className={status.driftChanges ? 'text-amber-800' : 'text-slate-600'}>
        {status.driftChanges ? t('kernel differs in {{count}} places', { count: status.driftChanges }) : t('kernel matches it')}
      </span>
    </div>
  );
}

function SyncCell({ member }: { member: MemberView }) {
  const daemons = member.status?.syncDaemons ?? [];
  if (!member.status) return <span className="text-xs text-slate-600">{t('unknown')}</span>;
  if (daemons.length === 0) return <span className="text-xs text-slate-600">{t('off')}</span>;
  return (
    <span className="text-xs">
      {daemons.map((d) => t('{{state}} on {{interface}} (id {{id}})', { state: codeLabel(d.state), interface: d.interface, id: d.syncId })).join(', ')}
    </span>
  );
}

function HeardCell({ member, pollIntervalMs }: { member: MemberView; pollIntervalMs: number }) {
  if (member.self) return <span className="text-xs text-slate-600">{t('this director')}</span>;
  return (
    <div className="flex flex-col text-xs">
      <Age at={member.lastHeardAt} label={t('heard')} />
      {member.stale ? (
        <span className="font-medium text-red-700">{t('stale: nothing for over {{seconds}} s', { seconds: Math.round((3 * pollIntervalMs) / 1000) })}</span>
      ) : null}
      {member.error ? <span className="text-red-700">{member.error}</span> : null}
    </div>
  );
}

export default function DirectorsPage() {
  const members = useClusterMembers();
  const isAdmin = useIsAdmin();
  const snapshot = useSnapshot();
  const now = useNow();
  if (members.error) return <Notice tone="error">{errorMessage(members.error)}</Notice>;
  if (!members.data) {
    return members.isPending ? (
      <p role="status" className="text-sm text-slate-600">
        {t('Loading…')}
      </p>
    ) : (
      <div className="flex flex-col gap-3">
        <h1 className="text-lg font-semibold">{t('Directors')}</h1>
        <Notice tone="info">
          <Trans
            i18nKey={
              'This director runs on its own. To run a pair, give each director <code>cluster.json</code> in its state directory (or <code>--cluster --node --peer</code>) and restart it; the README\'s "A pair of directors" section shows how.'
            }
            components={{ code: <code className="font-mono" /> }}
          />
        </Notice>
        <SingleDirectorVip vipInterface={snapshot.data?.desired.vipInterface ?? null} isAdmin={isAdmin} />
      </div>
    );
  }
  const view = members.data;
  const ha = snapshot.data?.desired.ha;
  return (
    <div className="flex flex-col gap-3">
      <h1 className="text-lg font-semibold">
        {t('Directors')} <span className="text-sm font-normal text-slate-600">{t('cluster {{name}}', { name: view.cluster })}</span>
      </h1>
      <Panel title={t('Members')} actions={isAdmin && ha ? <FailoverControl members={view.members} syncOn={Boolean(ha.sync)} /> : null}>
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-600">
              <tr>
                <th scope="col" className="px-2 py-1">
                  {t('Director')}
                </th>
                <th scope="col" className="px-2 py-1">
                  {t('VRRP role')}
                </th>
                <th scope="col" className="px-2 py-1">
                  {t('VIPs held')}
                </th>
                <th scope="col" className="px-2 py-1">
                  {t('Desired state and kernel')}
                </th>
                <th scope="col" className="px-2 py-1">
                  {t('Sync daemon')}
                </th>
                <th scope="col" className="px-2 py-1">
                  {t('Last heard')}
                </th>
                {isAdmin ? (
                  <th scope="col" className="px-2 py-1">
                    <span className="sr-only">{t('Actions')}</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {view.members.map((member) => (
                <tr key={member.name} className={`border-t border-slate-100 align-top ${member.stale ? 'bg-slate-50 text-slate-600' : ''}`}>
                  <th scope="row" className="px-2 py-2 font-medium">
                    {member.name}
                    {member.url ? <div className="font-mono text-xs font-normal text-slate-600">{member.url}</div> : null}
                  </th>
                  <td className="px-2 py-2">
                    <RoleBadges member={member} />
                  </td>
                  <td className="px-2 py-2 font-mono text-xs">
                    {vipsHeld(member).join(', ') || <span className="font-sans text-slate-600">{t('none')}</span>}
                  </td>
                  <td className="px-2 py-2">
                    <KernelCell member={member} />
                  </td>
                  <td className="px-2 py-2">
                    <SyncCell member={member} />
                  </td>
                  <td className="px-2 py-2">
                    <HeardCell member={member} pollIntervalMs={view.pollIntervalMs} />
                  </td>
                  {isAdmin ? <td className="px-2 py-2">{member.status?.hold === 'handover' ? <ReleaseButton director={member.name} /> : null}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="mt-2 text-xs text-slate-600">
          {t('Checked every {{seconds}} s; page as of', { seconds: view.pollIntervalMs / 1000 })} <Age at={now} label="" neutral />
        </p>
      </Panel>
      {!ha ? (
        <Notice tone="warn">{t('The directors share a desired state but no VRRP settings yet: nobody moves the VIPs. Describe the pair below.')}</Notice>
      ) : null}
      <PairSettings members={view.members.map((m) => m.name)} isAdmin={isAdmin} />
    </div>
  );
}

function FailoverControl({ members, syncOn }: { members: MemberView[]; syncOn: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const invalidate = useInvalidateAfterChange();
  const failover = useMutation({
    mutationFn: () => trpcClient.cluster.failover.mutate({}),
    onSuccess: async () => {
      setConfirming(false);
      await invalidate();
    },
  });
  const masters = members.filter((m) => !m.stale && m.status?.vrrp.some((v) => v.state === 'MASTER'));
  const takers = members.filter((m) => !m.stale && !masters.includes(m));
  const disabledWhy = masters.length === 0 ? t('No live director is MASTER') : takers.length === 0 ? t('No other live director can take the VIPs') : null;
  const vips = masters.flatMap(vipsHeld);
  return (
    <div className="flex flex-col items-end gap-2">
      <Button variant="danger" disabled={disabledWhy !== null || failover.isPending} title={disabledWhy ?? undefined} onClick={() => setConfirming(true)}>
        {t('Fail over now')}
      </Button>
      {disabledWhy ? <span className="text-xs text-slate-600">{disabledWhy}</span> : null}
      {confirming ? (
        <div role="dialog" aria-label={t('Confirm failover')} className="max-w-md rounded border border-red-300 bg-red-50 p-3 text-sm text-red-950">
          <p>
            {vips.length
              ? t('{{from}} will hand {{vips}} to {{to}}.', {
                  from: masters.map((m) => m.name).join(', '),
                  vips: vips.join(', '),
                  to: takers.map((m) => m.name).join(t(' or ')),
                })
              : t('{{from}} will hand its VIPs to {{to}}.', {
                  from: masters.map((m) => m.name).join(', '),
                  to: takers.map((m) => m.name).join(t(' or ')),
                })}{' '}
            {syncOn
              ? t('Established connections continue there through the synced connection table.')
              : t('Connection sync is off: established connections through the VIPs will be reset.')}{' '}
            {t('{{from}} then stays BACKUP until you release it.', { from: masters.map((m) => m.name).join(', ') })}
          </p>
          <div className="mt-2 flex gap-2">
            <Button variant="danger" disabled={failover.isPending} onClick={() => failover.mutate()}>
              {t('Hand over the VIPs')}
            </Button>
            <Button onClick={() => setConfirming(false)}>{t('Cancel')}</Button>
          </div>
        </div>
      ) : null}
      {failover.error ? <Notice tone="error">{errorMessage(failover.error)}</Notice> : null}
    </div>
  );
}

function ReleaseButton({ director }: { director: string }) {
  const release = useMutation({ mutationFn: () => trpcClient.cluster.release.mutate({ director }) });
  return (
    <div className="flex flex-col gap-1">
      <span className="text-xs text-amber-800">{t('handed over')}</span>
      <Button disabled={release.isPending} onClick={() => release.mutate()} aria-label={t('Release {{director}}', { director })}>
        {t('Release')}
      </Button>
      {release.error ? <span className="text-xs text-red-700">{errorMessage(release.error)}</span> : null}
    </div>
  );
}

function SingleDirectorVip({ vipInterface, isAdmin }: { vipInterface: string | null; isAdmin: boolean }) {
  const [value, setValue] = useState<string | null>(null);
  const save = useCommit((name: string | null) => ({ op: 'set-vip-interface', interface: name }));
  const current = value ?? vipInterface ?? '';
  return (
    <Panel title={t("This director's VIPs")}>
      <p className="mb-2 text-sm text-slate-700">
        {vipInterface ? (
          <Trans
            i18nKey={'Every service VIP belongs on <code>{{interface}}</code>; the setup checklist checks it and "Apply host settings" adds it.'}
            values={{ interface: vipInterface }}
            components={{ code: <code className="font-mono" /> }}
          />
        ) : (
          t('The agent leaves the VIPs alone: something else puts them on an interface. Name the interface to let the console own them.')
        )}
      </p>
      {isAdmin ? (
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(current.trim() ? current.trim() : null);
          }}
        >
          <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
            {t('VIP interface')}
            <input
              className="rounded border border-slate-300 px-2 py-1 font-mono text-sm"
              value={current}
              placeholder="eth0"
              onChange={(e) => setValue(e.target.value)}
            />
          </label>
          <Button type="submit" variant="primary" disabled={save.isPending}>
            {t('Save')}
          </Button>
        </form>
      ) : null}
      {save.error ? (
        <Notice tone="error" className="mt-2">
          {errorMessage(save.error)}
        </Notice>
      ) : null}
      {save.isSuccess ? (
        <Notice tone="ok" className="mt-2">
          {t('Saved as revision {{revision}}.', { revision: save.data.revision })}
        </Notice>
      ) : null}
    </Panel>
  );
}
