// Health checks of one service (Service.health): the checks, their timing,
// what a failure does, slow start, quorum and the sorry server. Saved with
// services.setHealth on top of the newest revision; drains and per-server
// overrides are carried over. Lazy-loaded.
import { useState, type ReactNode } from 'react';
import type { Service } from '@lvs-console/shared';
import { CHECK_KINDS, FORWARDING_METHODS, type CheckKind } from '@lvs-console/shared';
import { Button } from '../../components/ui/button';
import { CheckboxField, SelectField, TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { ApplyWithPreview } from '../changes/apply-with-preview';
import { draftToHealth, healthToDraft, newCheckDraft, type CheckDraft, type HealthDraft } from './health-draft';
import { msg, t } from '../../lib/i18n';

const KIND_LABELS: Record<CheckKind, string> = {
  tcp: msg('TCP connect'),
  http: msg('HTTP request'),
  https: msg('HTTPS request'),
  udp: msg('UDP payload'),
  dns: msg('DNS query'),
  command: msg('Command (argv)'),
};
const FORWARDING_LABELS = { masq: 'NAT (masq)', route: 'DR (route)', tunnel: 'TUN (tunnel)' } as const;

function Row({ children }: { children: ReactNode }) {
  return <div className="flex flex-wrap items-start gap-3">{children}</div>;
}

function CheckEditor({
  index,
  draft,
  problems,
  onChange,
  onRemove,
  isAdmin,
}: {
  index: number;
  draft: CheckDraft;
  /** The schema's messages about this check, shown inside it. */
  problems: readonly string[];
  onChange: (next: CheckDraft) => void;
  onRemove: () => void;
  isAdmin: boolean;
}) {
  const set = <K extends keyof CheckDraft>(field: K, value: CheckDraft[K]) => onChange({ ...draft, [field]: value });
  const text = (field: { [K in keyof CheckDraft]: CheckDraft[K] extends string ? K : never }[keyof CheckDraft]) => ({
    value: draft[field],
    onChange: (e: { target: { value: string } }) => set(field, e.target.value),
  });
  const isHttp = draft.kind === 'http' || draft.kind === 'https';
  return (
    <fieldset className="flex flex-col gap-2 rounded border border-slate-200 p-2">
      <legend className="px-1 text-sm font-medium">{t('Check {{n}}: {{kind}}', { n: index + 1, kind: t(KIND_LABELS[draft.kind]) })}</legend>
      <Row>
        <SelectField
          label={t('Kind of check {{n}}', { n: index + 1 })}
          value={draft.kind}
          onChange={(e) => onChange({ ...newCheckDraft(e.target.value as CheckKind), ...pickTiming(draft) })}
        >
          {CHECK_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {t(KIND_LABELS[kind])}
            </option>
          ))}
        </SelectField>
        <TextField label={t('Interval (ms)')} type="number" min={100} className="w-28" {...text('intervalMs')} />
        <TextField label={t('Timeout (ms)')} type="number" min={10} className="w-28" {...text('timeoutMs')} hint={t('shorter than the interval')} />
        <TextField label={t('Rise')} type="number" min={1} max={100} className="w-20" {...text('rise')} hint={t('successes to come up')} />
        <TextField label={t('Fall')} type="number" min={1} max={100} className="w-20" {...text('fall')} hint={t('failures to go down')} />
        <TextField
          label={t('Warmup (ms)')}
          type="number"
          min={0}
          className="w-28"
          placeholder={t('1 interval')}
          {...text('warmupMs')}
          hint={t('first probe spread')}
        />
      </Row>
      <Row>
        <TextField label={t('Target address')} placeholder={t("the real server's")} className="w-44" {...text('targetAddress')} />
        <TextField
          label={t('Target port')}
          type="number"
          min={0}
          max={65535}
          placeholder={t("the real server's")}
          className="w-32"
          {...text('targetPort')}
          hint={t('e.g. a health port')}
        />
      </Row>
      {isHttp ? (
        <>
          <Row>
            <TextField label={t('Path')} className="w-56" {...text('path')} />
            <TextField
              label={t('Host header')}
              placeholder={t('the target address')}
              className="w-56"
              {...text('host')}
              hint={draft.kind === 'https' ? t('also the TLS SNI name') : undefined}
            />
            <TextField label={t('Accepted status codes')} className="w-44" {...text('expectStatus')} hint={t('ranges, e.g. "200-399, 404"')} />
          </Row>
          <Row>
            <SelectField
              label={t('Body must contain')}
              value={draft.bodyMatchKind}
              onChange={(e) => set('bodyMatchKind', e.target.value as CheckDraft['bodyMatchKind'])}
            >
              <option value="none">{t('anything')}</option>
              <option value="substring">{t('this text')}</option>
              <option value="regex">{t('a match of this regular expression')}</option>
            </SelectField>
            {draft.bodyMatchKind !== 'none' ? <TextField label={t('Body match')} className="w-64" {...text('bodyMatchText')} /> : null}
            {draft.kind === 'https' ? (
              <div className="pt-5">
                <CheckboxField label={t('Verify the certificate')} checked={draft.verifyTls} onChange={(e) => set('verifyTls', e.target.checked)} />
              </div>
            ) : null}
          </Row>
        </>
      ) : null}
      {draft.kind === 'udp' ? (
        <Row>
          <SelectField
            label={t('Encoding')}
            value={draft.payloadEncoding}
            onChange={(e) => set('payloadEncoding', e.target.value as CheckDraft['payloadEncoding'])}
          >
            <option value="utf8">{t('text (UTF-8)')}</option>
            <option value="hex">{t('hex bytes')}</option>
          </SelectField>
          <TextField label={t('Payload to send')} className="w-56" {...text('payloadText')} />
          <TextField label={t('Reply must contain')} placeholder={t('any reply')} className="w-56" {...text('expectText')} />
          <div className="pt-5">
            <CheckboxField
              label={t('Require a reply')}
              hint={t('off: success unless ICMP port unreachable')}
              checked={draft.requireReply}
              onChange={(e) => set('requireReply', e.target.checked)}
            />
          </div>
        </Row>
      ) : null}
      {draft.kind === 'dns' ? (
        <Row>
          <TextField label={t('Name to resolve')} placeholder="www.example.com" className="w-56" {...text('dnsName')} />
          <SelectField label={t('Record type')} value={draft.recordType} onChange={(e) => set('recordType', e.target.value as CheckDraft['recordType'])}>
            <option value="A">A</option>
            <option value="AAAA">AAAA</option>
          </SelectField>
          <TextField
            label={t('Expected addresses')}
            placeholder={t('any answer')}
            className="w-64"
            {...text('expectAddresses')}
            hint={t('comma separated; one must be answered')}
          />
        </Row>
      ) : null}
      {draft.kind === 'command' ? (
        <Row>
          <TextField
            label={t('Program (absolute path)')}
            placeholder="/usr/local/bin/check-app"
            className="w-64"
            {...text('program')}
            hint={t('run directly, never through a shell')}
          />
          <div className="flex flex-col gap-1">
            <label htmlFor={`check-${index}-args`} className="text-xs font-medium text-slate-600">
              {t('Arguments, one per line')}
            </label>
            <textarea
              id={`check-${index}-args`}
              rows={3}
              className="w-64 rounded border border-slate-300 px-2 py-1 font-mono text-sm"
              value={draft.args}
              onChange={(e) => set('args', e.target.value)}
            />
          </div>
          <TextField label={t('Healthy exit code')} type="number" min={0} max={255} className="w-32" {...text('expectExitCode')} />
          <div className="pt-5">
            <CheckboxField
              label={t('Exit code sets the weight')}
              hint={t('0 = configured, 1 = down, 2-255 = weight code-2')}
              checked={draft.dynamicWeight}
              onChange={(e) => set('dynamicWeight', e.target.checked)}
            />
          </div>
        </Row>
      ) : null}
      {problems.map((problem) => (
        <Notice key={problem} tone="error">
          {problem}
        </Notice>
      ))}
      {isAdmin ? (
        <div>
          <Button variant="danger" onClick={onRemove}>
            {t('Remove check {{n}}', { n: index + 1 })}
          </Button>
        </div>
      ) : null}
    </fieldset>
  );
}

function pickTiming(draft: CheckDraft): Pick<CheckDraft, 'intervalMs' | 'timeoutMs' | 'rise' | 'fall' | 'warmupMs' | 'targetAddress' | 'targetPort'> {
  const { intervalMs, timeoutMs, rise, fall, warmupMs, targetAddress, targetPort } = draft;
  return { intervalMs, timeoutMs, rise, fall, warmupMs, targetAddress, targetPort };
}

export default function HealthEditor({ service, isAdmin }: { service: Service; isAdmin: boolean }) {
  const saved = healthToDraft(service.health);
  const [draft, setDraft] = useState<HealthDraft>(saved);
  const [newKind, setNewKind] = useState<CheckKind>('tcp');
  const result = draftToHealth(draft, service.health);
  const changed = JSON.stringify(draft) !== JSON.stringify(saved);
  const set = <K extends keyof HealthDraft>(field: K, value: HealthDraft[K]) => setDraft((prev) => ({ ...prev, [field]: value }));
  const problems = !result.ok && changed ? result.problems : [];
  const checkProblems = (index: number) => problems.filter((problem) => problem.startsWith(`Check ${index + 1} ·`));
  const otherProblems = problems.filter((problem) => !/^Check \d+ ·/.test(problem));

  if (!isAdmin && !service.health)
    return <p className="text-sm text-slate-600">{t('No health checks are configured for this service: every real server gets its configured weight.')}</p>;

  return (
    <form className="flex flex-col gap-3" aria-label={t('Health check settings')} onSubmit={(e) => e.preventDefault()}>
      <fieldset disabled={!isAdmin} className="flex flex-col gap-3">
        <CheckboxField
          label={t('Health checks enabled')}
          hint={t('Off: no probes; every real server gets its configured weight (drains still apply).')}
          checked={draft.enabled}
          onChange={(e) => set('enabled', e.target.checked)}
        />
        <div className="flex flex-col gap-2">
          <h3 className="text-sm font-semibold">{t('Checks')}</h3>
          {draft.checks.length === 0 ? (
            <p className="text-xs text-slate-600">
              {t(
                'No checks configured: every real server gets a TCP connect to its own address and port. With the sim backend it follows the sim\'s failing flag (shown as "simulated").',
              )}
            </p>
          ) : null}
          {draft.checks.map((check, index) => (
            <CheckEditor
              key={index}
              index={index}
              draft={check}
              isAdmin={isAdmin}
              problems={checkProblems(index)}
              onChange={(next) =>
                set(
                  'checks',
                  draft.checks.map((c, i) => (i === index ? next : c)),
                )
              }
              onRemove={() =>
                set(
                  'checks',
                  draft.checks.filter((_, i) => i !== index),
                )
              }
            />
          ))}
          {isAdmin && draft.checks.length < 8 ? (
            <div className="flex items-end gap-2">
              <SelectField label={t('New check kind')} value={newKind} onChange={(e) => setNewKind(e.target.value as CheckKind)}>
                {CHECK_KINDS.map((kind) => (
                  <option key={kind} value={kind}>
                    {t(KIND_LABELS[kind])}
                  </option>
                ))}
              </SelectField>
              <Button onClick={() => set('checks', [...draft.checks, newCheckDraft(newKind)])}>{t('Add check')}</Button>
            </div>
          ) : null}
          <p className="text-xs text-slate-600">{t('Every check must pass for a real server to be up.')}</p>
        </div>
        <div className="flex flex-col gap-2">
          <h3 className="text-sm font-semibold">{t('When a server fails and recovers')}</h3>
          <Row>
            <SelectField
              label={t('On failure')}
              value={draft.onFailure}
              onChange={(e) => set('onFailure', e.target.value as HealthDraft['onFailure'])}
              hint={t('quiesce keeps its connections; remove cuts them')}
            >
              <option value="quiesce">{t('quiesce (weight 0)')}</option>
              <option value="remove">{t('remove from the kernel')}</option>
            </SelectField>
            <TextField
              label={t('Probe history kept')}
              type="number"
              min={1}
              max={500}
              className="w-32"
              value={draft.historySize}
              onChange={(e) => set('historySize', e.target.value)}
            />
            <div className="pt-5">
              <CheckboxField
                label={t('Alpha: start down')}
                hint={t('until the first successful check')}
                checked={draft.alpha}
                onChange={(e) => set('alpha', e.target.checked)}
              />
            </div>
          </Row>
          <CheckboxField
            label={t('Slow start after recovery')}
            hint={t('Ramp the weight up in steps instead of all at once.')}
            checked={draft.slowStart}
            onChange={(e) => set('slowStart', e.target.checked)}
          />
          {draft.slowStart ? (
            <Row>
              <TextField
                label={t('Ramp duration (s)')}
                type="number"
                min={1}
                className="w-32"
                value={draft.slowStartSeconds}
                onChange={(e) => set('slowStartSeconds', e.target.value)}
              />
              <TextField
                label={t('Steps')}
                type="number"
                min={1}
                max={100}
                className="w-24"
                value={draft.slowStartSteps}
                onChange={(e) => set('slowStartSteps', e.target.value)}
              />
            </Row>
          ) : null}
        </div>
        <div className="flex flex-col gap-2">
          <h3 className="text-sm font-semibold">{t('Quorum and sorry server')}</h3>
          <Row>
            <TextField
              label={t('Quorum (healthy weight)')}
              type="number"
              min={1}
              className="w-44"
              value={draft.quorum}
              onChange={(e) => set('quorum', e.target.value)}
              hint={t('sum of the weights of healthy servers')}
            />
            <TextField
              label={t('Hysteresis')}
              type="number"
              min={0}
              className="w-28"
              value={draft.hysteresis}
              onChange={(e) => set('hysteresis', e.target.value)}
              hint={t('lost below q-h, back at q+h')}
            />
          </Row>
          <CheckboxField label={t('Sorry server while quorum is lost')} checked={draft.sorryServer} onChange={(e) => set('sorryServer', e.target.checked)} />
          {draft.sorryServer ? (
            <Row>
              <TextField label={t('Sorry server address')} className="w-44" value={draft.sorryAddress} onChange={(e) => set('sorryAddress', e.target.value)} />
              <TextField
                label={t('Sorry server port')}
                type="number"
                min={0}
                max={65535}
                className="w-32"
                value={draft.sorryPort}
                onChange={(e) => set('sorryPort', e.target.value)}
              />
              <TextField
                label={t('Sorry server weight')}
                type="number"
                min={0}
                className="w-32"
                value={draft.sorryWeight}
                onChange={(e) => set('sorryWeight', e.target.value)}
              />
              <SelectField
                label={t('Sorry server forwarding')}
                value={draft.sorryForwarding}
                onChange={(e) => set('sorryForwarding', e.target.value as HealthDraft['sorryForwarding'])}
              >
                {FORWARDING_METHODS.map((method) => (
                  <option key={method} value={method}>
                    {FORWARDING_LABELS[method]}
                  </option>
                ))}
              </SelectField>
              <div className="pt-5">
                <CheckboxField
                  label={t('Replaces the real servers')}
                  hint={t('off: serves beside them')}
                  checked={draft.sorryServerReplaces}
                  onChange={(e) => set('sorryServerReplaces', e.target.checked)}
                />
              </div>
            </Row>
          ) : null}
        </div>
      </fieldset>
      {otherProblems.length > 0 ? (
        <div className="flex flex-col gap-1" aria-label={t('Problems with the health settings')} role="group">
          {otherProblems.map((problem) => (
            <Notice key={problem} tone="error">
              {problem}
            </Notice>
          ))}
        </div>
      ) : null}
      {problems.length > otherProblems.length ? (
        <p className="text-xs text-red-800">{t('Fix the problems shown in the checks above before applying.')}</p>
      ) : null}
      {isAdmin ? (
        <>
          <p className="text-xs text-slate-600">
            {t("Saving changes no ipvsadm lines by itself: the kernel's weights then follow the checks, while the configured weights stay as they are.")}
          </p>
          <ApplyWithPreview
            disabled={!changed}
            edit={result.ok ? { op: 'set-health', service: service.key, health: result.health ?? null } : null}
            applyLabel={t('Apply health checks')}
          />
        </>
      ) : null}
    </form>
  );
}
