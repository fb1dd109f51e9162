// Add a real server to a service. DR and TUN need the real server's port to
// equal the service's (the packet is not rewritten); NAT may map ports.
import { useState } from 'react';
import type { ForwardingMethod, ServiceKey } from '@lvs-console/shared';
import { canonicalIp } from '@lvs-console/shared';
import { SelectField, TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { trpcClient } from '../../lib/trpc';
import { ApplyWithPreview } from '../changes/apply-with-preview';
import { FORWARDING_OPTIONS } from './forwarding';
import { parseWeight } from './share-math';
import { t } from '../../lib/i18n';

export function AddDestinationForm({ serviceKey, defaultForwarding }: { serviceKey: ServiceKey; defaultForwarding: ForwardingMethod }) {
  const servicePort = serviceKey.kind === 'addr' ? serviceKey.port : 0;
  const [address, setAddress] = useState('');
  const [port, setPort] = useState(String(servicePort || 80));
  const [forwarding, setForwarding] = useState<ForwardingMethod>(defaultForwarding);
  const [weight, setWeight] = useState('1');
  const canonical = canonicalIp(address.trim());
  const portN = Number(port);
  const parsedWeight = parseWeight(weight);
  const problems: string[] = [];
  if (address.trim() && !canonical) problems.push(t('"{{text}}" is not a numeric IPv4 or IPv6 address', { text: address.trim() }));
  if (!Number.isInteger(portN) || portN < 0 || portN > 65535) problems.push(t('port must be 0..65535'));
  if (!parsedWeight.ok) problems.push(parsedWeight.message);
  const portMismatch = forwarding !== 'masq' && servicePort !== 0 && portN !== servicePort;
  const destination = canonical && parsedWeight.ok && problems.length === 0
    ? { address: canonical, port: portN, forwarding, weight: parsedWeight.weight, upperThreshold: 0, lowerThreshold: 0 }
    : null;
  return (
    <form className="flex flex-col gap-3" aria-label={t('Add real server')} onSubmit={(e) => e.preventDefault()}>
      <div className="flex flex-wrap items-end gap-3">
        <TextField label={t('Real server address')} placeholder="10.0.0.7" value={address} onChange={(e) => setAddress(e.target.value)} className="w-48" />
        <TextField label={t('Port')} type="number" min={0} max={65535} value={port} onChange={(e) => setPort(e.target.value)} className="w-24" />
        <SelectField label={t('Forwarding')} value={forwarding} onChange={(e) => setForwarding(e.target.value as ForwardingMethod)}>
          {FORWARDING_OPTIONS.map((o) => <option key={o.value} value={o.value}>{t(o.label)}</option>)}
        </SelectField>
        <TextField label={t('Weight')} type="number" min={0} max={65535} value={weight} onChange={(e) => setWeight(e.target.value)} className="w-24" />
      </div>
      {problems.map((p) => <Notice key={p} tone="error">{p}</Notice>)}
      {portMismatch ? <Notice tone="warn">{t('With {{method}} the packet reaches the real server unchanged: its port must be {{port}}. Use NAT to map ports.', { method: forwarding === 'route' ? 'DR' : 'TUN', port: servicePort })}</Notice> : null}
      <ApplyWithPreview
        edit={destination ? { op: 'add-destination', service: serviceKey, destination } : null}
        apply={(baseRevision) => {
          if (!destination) throw new Error(t('the form is incomplete'));
          return trpcClient.destinations.add.mutate({ baseRevision, service: serviceKey, destination });
        }}
        applyLabel={t('Add real server')}
        onApplied={() => setAddress('')}
      />
    </form>
  );
}
