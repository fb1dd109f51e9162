import type { ForwardingMethod } from '@lvs-console/shared';

export const FORWARDING_OPTIONS: ReadonlyArray<{ value: ForwardingMethod; label: string; flag: string }> = [
  { value: 'route', label: 'DR — direct routing (-g)', flag: '-g' },
  { value: 'masq', label: 'NAT — masquerading (-m)', flag: '-m' },
  { value: 'tunnel', label: 'TUN — IP tunnel (-i)', flag: '-i' },
];
