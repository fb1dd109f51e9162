// Edit one real server: forwarding method, thresholds and tunnel type.
import { useState } from 'react';
import type { Destination, ForwardingMethod, ServiceKey } from '@lvs-console/shared';
import { TUNNEL_TYPES, type TunnelType } from '@lvs-console/shared';
import { SelectField, TextField } from '../../components/ui/field';
import { Button } from '../../components/ui/button';
import { ApplyWithPreview } from '../changes/apply-with-preview';
import { ForwardingField } from './forwarding-field';
import { t } from '../../lib/i18n';

export function EditDestinationForm({ serviceKey, destination, onDone }: { serviceKey: ServiceKey; destination: Destination; onDone: () => void }) {
  const [forwarding, setForwarding] = useState<ForwardingMethod>(destination.forwarding);
  const [upper, setUpper] = useState(String(destination.upperThreshold));
  const [lower, setLower] = useState(String(destination.lowerThreshold));
  const [tunnelType, setTunnelType] = useState<TunnelType>(destination.tunnel?.type ?? 'ipip');
  const upperN = Number(upper);
  const lowerN = Number(lower);
  const valid = Number.isInteger(upperN) && Number.isInteger(lowerN) && upperN >= 0 && lowerN >= 0 && upperN <= 65535 && lowerN <= 65535;
  const ref = { address: destination.address, port: destination.port };
  const patch = {
    forwarding,
    upperThreshold: upperN,
    lowerThreshold: lowerN,
    tunnel: forwarding === 'tunnel' ? { type: tunnelType } : null,
  };
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-3">
        <ForwardingField value={forwarding} onChange={setForwarding} />
        {forwarding === 'tunnel' ? (
          <SelectField label={t('Tunnel type')} value={tunnelType} onChange={(e) => setTunnelType(e.target.value as TunnelType)}>
            {TUNNEL_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </SelectField>
        ) : null}
        <TextField
          label={t('Upper threshold (-x)')}
          type="number"
          min={0}
          max={65535}
          value={upper}
          onChange={(e) => setUpper(e.target.value)}
          hint={t('0 = no limit')}
        />
        <TextField
          label={t('Lower threshold (-y)')}
          type="number"
          min={0}
          max={65535}
          value={lower}
          onChange={(e) => setLower(e.target.value)}
          hint={t('0 = 3/4 of upper')}
        />
        <Button variant="ghost" onClick={onDone}>
          {t('Close')}
        </Button>
      </div>
      <ApplyWithPreview
        edit={valid ? { op: 'edit-destination', service: serviceKey, destination: ref, patch } : null}
        applyLabel={t('Save real server')}
        onApplied={onDone}
      />
    </div>
  );
}
