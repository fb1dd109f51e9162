import type { ForwardingMethod } from '@lvs-console/shared';
import { msg } from '../../lib/i18n';

export const FORWARDING_OPTIONS: ReadonlyArray<{ value: ForwardingMethod; label: string; flag: string }> = [
  { value: 'route', label: msg('DR — direct routing (-g)'), flag: '-g' },
  { value: 'masq', label: msg('NAT — masquerading (-m)'), flag: '-m' },
  { value: 'tunnel', label: msg('TUN — IP tunnel (-i)'), flag: '-i' },
];
