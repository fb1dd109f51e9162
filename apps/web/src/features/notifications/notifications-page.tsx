// Notifications (issue 17, admin): webhooks (own JSON or Alertmanager),
// grouping and repeat interval, the operator's commands (read only: they
// come from the agent's notify-commands.json), a test button, and the
// delivery log (what was sent where, and the answer).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '../../components/ui/button';
import { CheckboxField, SelectField, TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { useIsAdmin } from '../../lib/agent';
import { dateTime } from '../../lib/format-time';
import { errorMessage, trpc, trpcClient, type RouterInputs, type RouterOutputs } from '../../lib/trpc';
import { t } from '../../lib/i18n';
import { localRecorded, localRecordedText } from '../../lib/error-text';
import { Trans } from 'react-i18next';

type Settings = RouterOutputs['notifications']['settings'];
type SettingsInput = RouterInputs['notifications']['update'];
type WebhookInput = SettingsInput['webhooks'][number];

/** The settings as sent back: tokens left out keep the stored ones (the screen never has them). */
function inputOf(settings: Settings, webhooks: WebhookInput[] = settings.webhooks.map(({ token: _token, ...hook }) => hook)): SettingsInput {
  return { enabled: settings.enabled, groupWaitMs: settings.groupWaitMs, repeatIntervalMs: settings.repeatIntervalMs, webhooks };
}

function useSaveSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: SettingsInput) => trpcClient.notifications.update.mutate(input),
    onSuccess: () => client.invalidateQueries({ queryKey: trpc.notifications.pathKey() }),
  });
}

export default function NotificationsPage() {
  const isAdmin = useIsAdmin();
  const settings = useQuery({ ...trpc.notifications.settings.queryOptions(), enabled: isAdmin });
  if (!isAdmin) return <Notice tone="warn">{t('Notifications are for admins: log in with an admin link to see and change them.')}</Notice>;
  if (settings.error) return <Notice tone="error">{errorMessage(settings.error)}</Notice>;
  if (!settings.data)
    return (
      <p role="status" className="text-sm text-slate-500">
        {t('Loading…')}
      </p>
    );
  return (
    <div className="flex flex-col gap-3">
      <h1 className="text-lg font-semibold">{t('Notifications')}</h1>
      <p className="text-sm text-slate-600">
        {t('The agent tells someone when a real server goes down, a service loses quorum, the kernel drifts, applying fails or a director fails over.')}{' '}
        <Trans
          i18nKey={'Prometheus users can alert on <code>/metrics</code> with the rules in <code>deploy/prometheus/lvs-console.rules.yml</code> instead.'}
          components={{ code: <span className="font-mono" /> }}
        />
      </p>
      <div className="grid grid-cols-1 gap-3 xl:grid-cols-2">
        <WebhooksPanel settings={settings.data} />
        <GroupingPanel settings={settings.data} />
      </div>
      <DeliveryLogPanel settings={settings.data} />
    </div>
  );
}

function WebhooksPanel({ settings }: { settings: Settings }) {
  const save = useSaveSettings();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [mode, setMode] = useState<'json' | 'alertmanager'>('json');
  const [token, setToken] = useState('');
  const current = inputOf(settings).webhooks;
  const add = () => {
    const id =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 40) || `hook-${current.length + 1}`;
    const hook: WebhookInput = { id, name, url, mode, kinds: [], enabled: true, ...(token ? { token } : {}) };
    save.mutate(inputOf(settings, [...current, hook]), {
      onSuccess: () => {
        setName('');
        setUrl('');
        setToken('');
      },
    });
  };
  return (
    <Panel title={t('Webhooks')}>
      {settings.webhooks.length === 0 ? (
        <p className="mb-2 text-sm text-slate-500">{t('No webhooks yet.')}</p>
      ) : (
        <table className="mb-3 w-full text-left text-sm">
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1">{t('Name')}</th>
              <th>{t('Where')}</th>
              <th>{t('Format')}</th>
              <th>{t('Token')}</th>
              <th>
                <span className="sr-only">{t('Actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {settings.webhooks.map((hook) => (
              <tr key={hook.id} className="border-t border-slate-100">
                <td className="py-1">{hook.name}</td>
                <td className="max-w-[18rem] truncate font-mono text-xs" title={hook.url}>
                  {hook.url}
                </td>
                <td>{hook.mode === 'alertmanager' ? 'Alertmanager' : 'JSON'}</td>
                <td className="font-mono text-xs">{hook.token ?? '—'}</td>
                <td className="text-right">
                  <Button
                    variant="danger"
                    aria-label={t('Remove webhook {{name}}', { name: hook.name })}
                    disabled={save.isPending}
                    onClick={() =>
                      save.mutate(
                        inputOf(
                          settings,
                          current.filter((h) => h.id !== hook.id),
                        ),
                      )
                    }
                  >
                    {t('Remove')}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {settings.commands.length ? (
        <div className="mb-3 text-sm">
          <h3 className="text-xs font-medium text-slate-600">{t('Commands (from notify-commands.json on the director; not editable here)')}</h3>
          <ul className="font-mono text-xs">
            {settings.commands.map((c) => (
              <li key={c.name}>{t('{{name}}: {{command}} (as {{user}})', { name: c.name, command: c.argv.join(' '), user: c.user })}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <TextField label={t('Webhook name')} value={name} onChange={(e) => setName(e.target.value)} className="w-36" required />
        <TextField
          label={t('Webhook URL')}
          value={url}
          placeholder="https://hooks.example.net/lvs"
          onChange={(e) => setUrl(e.target.value)}
          className="w-72"
          required
        />
        <SelectField label={t('Format')} value={mode} onChange={(e) => setMode(e.target.value === 'alertmanager' ? 'alertmanager' : 'json')}>
          <option value="json">{t('JSON (docs/alerts.md)')}</option>
          <option value="alertmanager">{t('Alertmanager (/api/v2/alerts)')}</option>
        </SelectField>
        <TextField
          label={t('Bearer token (optional)')}
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          className="w-48"
        />
        <Button type="submit" variant="primary" disabled={save.isPending || !name || !url}>
          {t('Add webhook')}
        </Button>
      </form>
      {save.error ? (
        <Notice tone="error" className="mt-2">
          {errorMessage(save.error)}
        </Notice>
      ) : null}
    </Panel>
  );
}

function GroupingPanel({ settings }: { settings: Settings }) {
  const save = useSaveSettings();
  const [repeat, setRepeat] = useState<string | null>(null);
  const [wait, setWait] = useState<string | null>(null);
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const input = {
    ...inputOf(settings),
    enabled: enabled ?? settings.enabled,
    repeatIntervalMs: Math.round(Number(repeat ?? settings.repeatIntervalMs / 1000) * 1000),
    groupWaitMs: Number(wait ?? settings.groupWaitMs),
  };
  return (
    <Panel title={t('Grouping and repeat interval')}>
      <p className="mb-2 text-sm text-slate-600">
        {t(
          'Events of one service wait the group wait, then go out together; a service sends at most once per repeat interval, so a flapping server does not send a storm.',
        )}
      </p>
      <div className="flex flex-wrap items-end gap-3">
        <CheckboxField label={t('Send notifications')} checked={enabled ?? settings.enabled} onChange={(e) => setEnabled(e.target.checked)} />
        <TextField
          label={t('Group wait (ms)')}
          type="number"
          min={0}
          max={60000}
          value={wait ?? String(settings.groupWaitMs)}
          onChange={(e) => setWait(e.target.value)}
          className="w-32"
        />
        <TextField
          label={t('Repeat interval (s)')}
          type="number"
          min={1}
          value={repeat ?? String(settings.repeatIntervalMs / 1000)}
          onChange={(e) => setRepeat(e.target.value)}
          className="w-32"
        />
        <Button
          variant="primary"
          disabled={save.isPending}
          onClick={() =>
            save.mutate(input, {
              onSuccess: () => {
                setRepeat(null);
                setWait(null);
                setEnabled(null);
              },
            })
          }
        >
          {t('Save')}
        </Button>
      </div>
      {save.error ? (
        <Notice tone="error" className="mt-2">
          {errorMessage(save.error)}
        </Notice>
      ) : null}
      {save.isSuccess ? (
        <Notice tone="ok" className="mt-2">
          {t('Saved.')}
        </Notice>
      ) : null}
    </Panel>
  );
}

function DeliveryLogPanel({ settings }: { settings: Settings }) {
  const client = useQueryClient();
  const log = useQuery({ ...trpc.notifications.log.queryOptions({ limit: 100 }), refetchInterval: 3000 });
  const test = useMutation({
    mutationFn: () => trpcClient.notifications.test.mutate({}),
    onSettled: () => client.invalidateQueries({ queryKey: trpc.notifications.log.queryKey() }),
  });
  return (
    <Panel
      title={t('Delivery log')}
      actions={
        <Button variant="secondary" disabled={test.isPending || settings.targets.length === 0} onClick={() => test.mutate()}>
          {t('Send a test notification')}
        </Button>
      }
    >
      {test.data ? (
        <Notice tone={test.data.every((r) => r.ok) ? 'ok' : 'warn'} className="mb-2">
          {t('Test sent to {{count}} targets: {{answers}}', { count: test.data.length, answers: test.data.map((r) => `${r.target} — ${r.answer}`).join('; ') })}
        </Notice>
      ) : null}
      {test.error ? (
        <Notice tone="error" className="mb-2">
          {errorMessage(test.error)}
        </Notice>
      ) : null}
      {log.data?.length ? (
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1">{t('When')}</th>
              <th>{t('What')}</th>
              <th>{t('Where')}</th>
              <th>{t('Try')}</th>
              <th>{t('Answer')}</th>
            </tr>
          </thead>
          <tbody>
            {log.data.map((entry) => (
              <tr key={entry.id} className="border-t border-slate-100 align-top">
                <td className="whitespace-nowrap py-1 text-xs">{dateTime(entry.time)}</td>
                <td className="text-xs">{deliveredWhat(entry)}</td>
                <td className="text-xs">
                  {entry.target} <span className="font-mono text-slate-500">{entry.where}</span>
                </td>
                <td className="text-xs">{entry.attempt}</td>
                <td className={`text-xs ${entry.ok ? 'text-green-800' : 'text-red-700'}`}>
                  {entry.ok ? t('ok: {{answer}}', { answer: entry.answer }) : t('failed: {{answer}}', { answer: entry.answer })}
                  {entry.retryAt ? t(' (retry at {{time}})', { time: dateTime(entry.retryAt) }) : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="text-sm text-slate-500">{t('Nothing sent yet.')}</p>
      )}
    </Panel>
  );
}

/** What a delivery sent, alert by alert in the console's language; an entry logged before ids were kept as it was logged. */
function deliveredWhat(entry: RouterOutputs['notifications']['log'][number]): string {
  return entry.whatParts?.length ? entry.whatParts.map(localRecorded).join(t('; ')) : localRecordedText(entry.what);
}
