// The pair's settings: each director's address on the VRRP segment, the
// VRRP instance that moves the VIPs (interface, virtual_router_id, a
// priority per director, advert interval, preempt, unicast, password) and
// connection sync. Checked with the same schema and rules the agent applies
// before anything is sent.
import { useState } from 'react';
import { formatIssues, haSchema, type HaConfig } from '@lvs-console/shared';
import { checkState } from '@lvs-console/shared/validate';
import { zodIssues } from '@lvs-console/shared/validate';
import { Button } from '../../components/ui/button';
import { CheckboxField, TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { useSnapshot } from '../../lib/agent';
import { useCommit } from '../../lib/commit';
import { errorMessage } from '../../lib/trpc';
import { t } from '../../lib/i18n';
import { Trans } from 'react-i18next';

interface Draft {
  addresses: Record<string, string>;
  priorities: Record<string, string>;
  name: string;
  interface: string;
  virtualRouterId: string;
  advertInterval: string;
  preempt: boolean;
  unicast: boolean;
  password: string;
  sync: boolean;
  syncInterface: string;
  syncId: string;
}

function draftFrom(ha: HaConfig | undefined, names: readonly string[]): Draft {
  const instance = ha?.instances[0];
  return {
    addresses: Object.fromEntries(names.map((n) => [n, ha?.directors.find((d) => d.name === n)?.address ?? ''])),
    priorities: Object.fromEntries(names.map((n, i) => [n, String(instance?.priorities[n] ?? Math.max(1, 150 - 50 * i))])),
    name: instance?.name ?? 'VI_1',
    interface: instance?.interface ?? 'eth0',
    virtualRouterId: String(instance?.virtualRouterId ?? 51),
    advertInterval: String(instance?.advertInterval ?? 1),
    preempt: instance?.preempt ?? true,
    unicast: instance?.unicast ?? false,
    password: instance?.password ?? '',
    sync: ha ? ha.sync !== undefined : true,
    syncInterface: ha?.sync?.interface ?? instance?.interface ?? 'eth0',
    syncId: String(ha?.sync?.syncId ?? 1),
  };
}

function toInput(draft: Draft, names: readonly string[]): unknown {
  return {
    directors: names.map((name) => ({ name, address: draft.addresses[name]?.trim() ?? '' })),
    instances: [
      {
        name: draft.name.trim(),
        interface: draft.interface.trim(),
        virtualRouterId: Number(draft.virtualRouterId),
        priorities: Object.fromEntries(names.map((n) => [n, Number(draft.priorities[n])])),
        advertInterval: Number(draft.advertInterval),
        preempt: draft.preempt,
        unicast: draft.unicast,
        ...(draft.password ? { password: draft.password } : {}),
      },
    ],
    ...(draft.sync ? { sync: { interface: draft.syncInterface.trim(), syncId: Number(draft.syncId) } } : {}),
  };
}

export function PairSettings({ members, isAdmin }: { members: readonly string[]; isAdmin: boolean }) {
  const snapshot = useSnapshot();
  const ha = snapshot.data?.desired.ha;
  const [draft, setDraft] = useState<Draft | null>(null);
  const current = draft ?? draftFrom(ha, members);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft({ ...current, [key]: value });
  const save = useCommit((value: HaConfig | null) => ({ op: 'set-ha', ha: value }), { onSuccess: () => setDraft(null) });

  if (ha && ha.instances.length > 1) {
    return (
      <Panel title={t('Pair settings')}>
        <p className="text-sm text-slate-700">
          <Trans
            i18nKey={'This pair has {{count}} VRRP instances ({{names}}); edit them through an import or the API (<code>cluster.setHa</code>).'}
            values={{ count: ha.instances.length, names: ha.instances.map((i) => i.name).join(', ') }}
            components={{ code: <code className="font-mono" /> }}
          />
        </p>
      </Panel>
    );
  }

  const parsed = haSchema.safeParse(toInput(current, members));
  const issues = parsed.success
    ? checkState({ services: snapshot.data?.desired.services ?? [], timeouts: null, syncDaemons: [], hostSettings: [], ha: parsed.data }).filter((i) =>
        i.path.startsWith('ha'),
      )
    : zodIssues(parsed.error);
  const disabledWhy = !isAdmin
    ? t('Only admins change the pair')
    : issues.length
      ? t('Fix the settings above first')
      : draft === null
        ? t('Nothing changed yet')
        : null;

  return (
    <Panel title={t('Pair settings')}>
      <fieldset disabled={!isAdmin} className="flex flex-col gap-3">
        <legend className="sr-only">{t('VRRP and connection sync')}</legend>
        <div className="flex flex-wrap gap-3">
          {members.map((name) => (
            <div key={name} className="flex gap-2 rounded border border-slate-200 p-2">
              <TextField
                label={t('{{director}}: address on the VRRP segment', { director: name })}
                value={current.addresses[name] ?? ''}
                placeholder="198.51.100.1"
                onChange={(e) => set('addresses', { ...current.addresses, [name]: e.target.value })}
                className="w-52"
              />
              <TextField
                label={t('{{director}}: priority', { director: name })}
                type="number"
                min={1}
                max={254}
                value={current.priorities[name] ?? ''}
                onChange={(e) => set('priorities', { ...current.priorities, [name]: e.target.value })}
                className="w-28"
                hint={t('1-254, highest is MASTER')}
              />
            </div>
          ))}
        </div>
        <div className="flex flex-wrap gap-3">
          <TextField label={t('VRRP instance')} value={current.name} onChange={(e) => set('name', e.target.value)} className="w-32" />
          <TextField label={t('Interface')} value={current.interface} onChange={(e) => set('interface', e.target.value)} className="w-28" />
          <TextField
            label="virtual_router_id"
            type="number"
            min={1}
            max={255}
            value={current.virtualRouterId}
            onChange={(e) => set('virtualRouterId', e.target.value)}
            className="w-32"
            hint={t('unique on the segment')}
          />
          <TextField
            label={t('Advert interval (s)')}
            type="number"
            min={1}
            max={255}
            value={current.advertInterval}
            onChange={(e) => set('advertInterval', e.target.value)}
            className="w-36"
          />
          <TextField
            label={t('Password (optional)')}
            value={current.password}
            maxLength={8}
            onChange={(e) => set('password', e.target.value)}
            className="w-36"
            hint={t('auth_type PASS, up to 8')}
          />
        </div>
        <div className="flex flex-wrap gap-6">
          <CheckboxField
            label={t('Preempt')}
            checked={current.preempt}
            onChange={(e) => set('preempt', e.target.checked)}
            hint={t('a recovered higher priority takes the VIPs back')}
          />
          <CheckboxField
            label={t('Unicast adverts')}
            checked={current.unicast}
            onChange={(e) => set('unicast', e.target.checked)}
            hint={t('for networks that drop multicast')}
          />
          <CheckboxField
            label={t('Keep connections across a failover')}
            checked={current.sync}
            onChange={(e) => set('sync', e.target.checked)}
            hint={t("the kernel's sync daemon follows the VRRP role")}
          />
        </div>
        {current.sync ? (
          <div className="flex flex-wrap gap-3">
            <TextField label={t('Sync interface')} value={current.syncInterface} onChange={(e) => set('syncInterface', e.target.value)} className="w-28" />
            <TextField
              label={t('Sync id')}
              type="number"
              min={0}
              max={255}
              value={current.syncId}
              onChange={(e) => set('syncId', e.target.value)}
              className="w-24"
              hint={t('one per pair')}
            />
          </div>
        ) : null}
      </fieldset>
      {issues.length && draft !== null ? (
        <Notice tone="error" className="mt-2">
          <span className="whitespace-pre-line">{formatIssues(issues)}</span>
        </Notice>
      ) : null}
      {isAdmin ? (
        <div className="mt-3 flex flex-wrap items-center gap-2">
          <Button
            variant="primary"
            disabled={disabledWhy !== null || save.isPending}
            title={disabledWhy ?? undefined}
            onClick={() => {
              if (parsed.success) save.mutate(parsed.data);
            }}
          >
            {t('Save pair settings')}
          </Button>
          {disabledWhy ? <span className="text-xs text-slate-600">{disabledWhy}</span> : null}
          {ha ? (
            <Button variant="ghost" disabled={save.isPending} onClick={() => save.mutate(null)}>
              {t('Stop running as a pair')}
            </Button>
          ) : null}
        </div>
      ) : null}
      {save.error ? (
        <Notice tone="error" className="mt-2">
          {errorMessage(save.error)}
        </Notice>
      ) : null}
      {save.isSuccess ? (
        <Notice tone="ok" className="mt-2">
          {t('Saved as revision {{revision}}.', { revision: save.data.revision })}
          {save.data.members?.length ? ` ${save.data.members.map((m) => `${m.director}: ${m.ok ? t('applied') : m.message}`).join('; ')}` : ''}
        </Notice>
      ) : null}
    </Panel>
  );
}
