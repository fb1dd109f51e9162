// Add a real server to a service. DR and TUN need the real server's port to
// equal the service's (the packet is not rewritten), so the port is locked
// to it there; NAT may map ports. Checked by the shared schema and rules.
import { useState } from 'react';
import type { ForwardingMethod, ServiceKey } from '@lvs-console/shared';
import { canonicalIp, serviceSchema, validateDestination } from '@lvs-console/shared';
import { TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { ApplyWithPreview } from '../changes/apply-with-preview';
import { ForwardingField } from './forwarding-field';
import { t } from '../../lib/i18n';
import { issuesByField, numberOf } from '../../lib/form-issues';

const FIELDS = new Set(['destination.address', 'destination.port', 'destination.weight']);

export function AddDestinationForm({ serviceKey, defaultForwarding }: { serviceKey: ServiceKey; defaultForwarding: ForwardingMethod }) {
  const servicePort = serviceKey.kind === 'addr' ? serviceKey.port : 0;
  const [address, setAddress] = useState('');
  const [port, setPort] = useState(String(servicePort || 80));
  const [forwarding, setForwarding] = useState<ForwardingMethod>(defaultForwarding);
  const [weight, setWeight] = useState('1');
  const portLocked = forwarding !== 'masq';
  const shownPort = portLocked ? String(servicePort) : port;
  const methodName = forwarding === 'route' ? 'DR' : 'TUN';
  const lockReason =
    servicePort === 0
      ? t("{{method}} keeps the client's port: every port of the VIP (0).", { method: methodName })
      : t('{{method}} sends the packet unchanged: the real server port is the VIP port.', { method: methodName });
  const checked = address.trim()
    ? validateDestination(serviceSchema.parse({ key: serviceKey }), {
        address: canonicalIp(address.trim()) ?? address.trim(),
        port: numberOf(shownPort),
        forwarding,
        weight: numberOf(weight),
        upperThreshold: 0,
        lowerThreshold: 0,
      })
    : null;
  const problems = checked && !checked.ok ? issuesByField(checked.issues, FIELDS) : new Map<string, string>();
  const destination = checked?.ok ? checked.value : null;
  return (
    <form className="flex flex-col gap-3" aria-label={t('Add real server')} onSubmit={(e) => e.preventDefault()}>
      <div className="flex flex-wrap items-start gap-3">
        <TextField
          label={t('Real server address')}
          placeholder="10.0.0.7"
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          className="w-48"
          error={problems.get('destination.address')}
        />
        <TextField
          label={t('Port')}
          type="number"
          min={0}
          max={65535}
          value={shownPort}
          readOnly={portLocked}
          onChange={(e) => setPort(e.target.value)}
          className={portLocked ? 'w-56' : 'w-24'}
          hint={portLocked ? lockReason : null}
          error={problems.get('destination.port')}
        />
        <ForwardingField value={forwarding} onChange={setForwarding} />
        <TextField
          label={t('Weight')}
          type="number"
          min={0}
          max={65535}
          value={weight}
          onChange={(e) => setWeight(e.target.value)}
          className="w-24"
          error={problems.get('destination.weight')}
        />
      </div>
      {problems.has('') ? <Notice tone="error">{problems.get('')}</Notice> : null}
      <ApplyWithPreview
        edit={destination ? { op: 'add-destination', service: serviceKey, destination } : null}
        applyLabel={t('Add real server')}
        disabledReason={address.trim() ? t('Fix the problems marked in the form first.') : t("Enter the real server's address first.")}
        onApplied={() => setAddress('')}
      />
    </form>
  );
}
