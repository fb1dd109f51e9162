// Add a virtual service: TCP/UDP/SCTP address and port, or a firewall mark;
// scheduler; persistence; and its first real servers, all in one plan.
// The form is checked by the shared schema and rules (validateService), the
// same the agent applies, and each problem is said next to its field.
import { useState } from 'react';
import type { ForwardingMethod, Protocol, SchedulerName } from '@lvs-console/shared';
import { canonicalIp, serviceId, validateService } from '@lvs-console/shared';
import { Button } from '../../components/ui/button';
import { CheckboxField, SelectField, TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { useIsAdmin } from '../../lib/agent';
import { useNavigate } from '@tanstack/react-router';
import { ApplyWithPreview } from '../changes/apply-with-preview';
import { SCHEDULER_CATALOG } from '../schedulers/catalog';
import { ForwardingField } from '../weights/forwarding-field';
import { t } from '../../lib/i18n';
import { issuesByField, numberOf } from '../../lib/form-issues';

/** port null: the row follows the VIP port (NAT until the operator types one; DR/TUN always). */
interface DestinationRow {
  address: string;
  port: string | null;
  weight: string;
}

export default function NewServicePage() {
  const isAdmin = useIsAdmin();
  const navigate = useNavigate();
  const [kind, setKind] = useState<'addr' | 'fwmark'>('addr');
  const [protocol, setProtocol] = useState<Protocol>('tcp');
  const [address, setAddress] = useState('');
  const [port, setPort] = useState('80');
  const [fwmark, setFwmark] = useState('1');
  const [scheduler, setScheduler] = useState<SchedulerName>('wlc');
  const [forwarding, setForwarding] = useState<ForwardingMethod>('route');
  const [persistent, setPersistent] = useState(false);
  const [timeout, setTimeoutText] = useState('300');
  const [rows, setRows] = useState<DestinationRow[]>([{ address: '', port: null, weight: '1' }]);

  if (!isAdmin) return <Notice tone="warn">{t('Viewers cannot add services.')}</Notice>;

  const vipPort = kind === 'addr' ? port : '0';
  // DR and TUN deliver the packet unchanged: the real server's port is the VIP's (0 for a fwmark).
  const portLocked = forwarding !== 'masq';
  const methodName = forwarding === 'route' ? 'DR' : 'TUN';
  const lockReason =
    vipPort.trim() === '0'
      ? t("{{method}} keeps the client's port: every port of the VIP (0).", { method: methodName })
      : t('{{method}} sends the packet unchanged: the real server port is the VIP port.', { method: methodName });
  const rowPort = (row: DestinationRow) => (portLocked || row.port === null ? vipPort : row.port);

  const filled = rows.map((row, index) => ({ row, index })).filter(({ row }) => row.address.trim());
  const input = {
    key:
      kind === 'addr'
        ? { kind: 'addr', protocol, address: canonicalIp(address.trim()) ?? address.trim(), port: numberOf(port) }
        : { kind: 'fwmark', fwmark: numberOf(fwmark), family: 'inet' },
    scheduler,
    flags: [],
    onePacket: false,
    persistence: persistent ? { timeout: numberOf(timeout) } : null,
    destinations: filled.map(({ row }) => ({
      address: canonicalIp(row.address.trim()) ?? row.address.trim(),
      port: numberOf(rowPort(row)),
      forwarding,
      weight: numberOf(row.weight),
      upperThreshold: 0,
      lowerThreshold: 0,
    })),
  };
  const vipMissing = kind === 'addr' && !address.trim();
  const checked = vipMissing ? null : validateService(input);
  const fields = new Set([
    'key.address',
    'key.port',
    'key.fwmark',
    'persistence',
    ...filled.flatMap((_, i) => [`destinations[${i}].address`, `destinations[${i}].port`, `destinations[${i}].weight`]),
  ]);
  const problems = checked && !checked.ok ? issuesByField(checked.issues, fields) : new Map<string, string>();
  // Field errors by what the operator sees: the nth filled row is row `index`.
  const rowProblem = (index: number, field: 'address' | 'port' | 'weight') => {
    const at = filled.findIndex((f) => f.index === index);
    return at < 0 ? null : (problems.get(`destinations[${at}].${field}`) ?? null);
  };
  const service = checked?.ok ? checked.value : null;
  const disabledReason = vipMissing ? t('Enter the virtual IP (VIP) first.') : service ? null : t('Fix the problems marked in the form first.');

  const setRow = (index: number, patch: Partial<DestinationRow>) => setRows(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <div className="flex max-w-4xl flex-col gap-3">
      <h1 className="text-lg font-semibold">{t('Add virtual service')}</h1>
      <Panel title={t('Virtual service')}>
        <div className="flex flex-wrap items-start gap-3">
          <SelectField label={t('Identified by')} value={kind} onChange={(e) => setKind(e.target.value as 'addr' | 'fwmark')}>
            <option value="addr">{t('Address and port')}</option>
            <option value="fwmark">{t('Firewall mark (-f)')}</option>
          </SelectField>
          {kind === 'addr' ? (
            <>
              <SelectField label={t('Protocol')} value={protocol} onChange={(e) => setProtocol(e.target.value as Protocol)}>
                <option value="tcp">TCP (-t)</option>
                <option value="udp">UDP (-u)</option>
                <option value="sctp">SCTP</option>
              </SelectField>
              <TextField
                label={t('Virtual IP (VIP)')}
                placeholder="172.25.254.100"
                value={address}
                onChange={(e) => setAddress(e.target.value)}
                error={problems.get('key.address')}
              />
              <TextField
                label={t('Port')}
                type="number"
                min={0}
                max={65535}
                value={port}
                onChange={(e) => setPort(e.target.value)}
                className="w-56"
                hint={t('0 = all ports (needs persistence)')}
                error={problems.get('key.port')}
              />
            </>
          ) : (
            <TextField
              label={t('Firewall mark')}
              type="number"
              min={1}
              value={fwmark}
              onChange={(e) => setFwmark(e.target.value)}
              className="w-32"
              error={problems.get('key.fwmark')}
            />
          )}
          <SelectField label={t('Scheduler')} value={scheduler} onChange={(e) => setScheduler(e.target.value as SchedulerName)}>
            {SCHEDULER_CATALOG.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name} — {t(s.title)}
              </option>
            ))}
          </SelectField>
          <ForwardingField label={t('Forwarding method')} value={forwarding} onChange={setForwarding} />
        </div>
        <div className="mt-3 flex flex-wrap items-start gap-3">
          <CheckboxField label={t('Persistent (-p)')} checked={persistent} onChange={(e) => setPersistent(e.target.checked)} />
          {persistent ? (
            <TextField
              label={t('Persistence timeout (s)')}
              type="number"
              min={1}
              value={timeout}
              onChange={(e) => setTimeoutText(e.target.value)}
              className="w-40"
              error={problems.get('persistence')}
            />
          ) : null}
        </div>
      </Panel>
      <Panel title={t('Real servers')}>
        <div className="flex flex-col gap-2">
          {rows.map((row, index) => (
            <div key={index} className="flex flex-wrap items-start gap-3">
              <TextField
                label={t('Real server {{n}} address', { n: index + 1 })}
                placeholder="10.0.0.7"
                value={row.address}
                onChange={(e) => setRow(index, { address: e.target.value })}
                error={rowProblem(index, 'address')}
              />
              <TextField
                label={t('Real server {{n}} port', { n: index + 1 })}
                type="number"
                min={0}
                max={65535}
                value={rowPort(row)}
                readOnly={portLocked}
                onChange={(e) => setRow(index, { port: e.target.value })}
                className={portLocked ? 'w-64' : 'w-28'}
                hint={portLocked ? lockReason : row.port === null ? t('follows the VIP port') : null}
                error={rowProblem(index, 'port')}
              />
              <TextField
                label={t('Real server {{n}} weight', { n: index + 1 })}
                type="number"
                min={0}
                max={65535}
                value={row.weight}
                onChange={(e) => setRow(index, { weight: e.target.value })}
                className="w-28"
                error={rowProblem(index, 'weight')}
              />
              <Button
                className="mt-5"
                variant="ghost"
                aria-label={t('Remove real server {{n}}', { n: index + 1 })}
                onClick={() => setRows(rows.filter((_, i) => i !== index))}
              >
                {t('Remove')}
              </Button>
            </div>
          ))}
          <div>
            <Button onClick={() => setRows([...rows, { address: '', port: null, weight: '1' }])}>{t('Add another real server')}</Button>
          </div>
        </div>
      </Panel>
      {problems.has('') ? <Notice tone="error">{problems.get('')}</Notice> : null}
      <ApplyWithPreview
        edit={service ? { op: 'add-service', service } : null}
        applyLabel={t('Create service')}
        disabledReason={disabledReason}
        onApplied={() => {
          if (service) void navigate({ to: '/services/$id', params: { id: serviceId(service.key) } });
        }}
      />
    </div>
  );
}
