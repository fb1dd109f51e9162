// The forwarding-method picker of the new-service form and the real-server forms (add and edit).
import type { ForwardingMethod } from '@lvs-console/shared';
import { SelectField } from '../../components/ui/field';
import { t } from '../../lib/i18n';
import { FORWARDING_OPTIONS } from './forwarding';

export function ForwardingField({
  value,
  onChange,
  label = t('Forwarding'),
}: {
  value: ForwardingMethod;
  onChange: (method: ForwardingMethod) => void;
  label?: string;
}) {
  return (
    <SelectField label={label} value={value} onChange={(e) => onChange(e.target.value as ForwardingMethod)}>
      {FORWARDING_OPTIONS.map((o) => (
        <option key={o.value} value={o.value}>
          {t(o.label)}
        </option>
      ))}
    </SelectField>
  );
}
