import { serviceSchema, type Service, type ServiceInput } from '../../src/model';

export const T0 = 1_700_000_000_000;

/** A parsed service (defaults filled) with three real servers of weight 10, 20, 30 unless given. */
export function service(input: Partial<ServiceInput> = {}): Service {
  return serviceSchema.parse({
    key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
    scheduler: 'wlc',
    destinations: [
      { address: '10.0.0.1', port: 80, forwarding: 'masq', weight: 10 },
      { address: '10.0.0.2', port: 80, forwarding: 'masq', weight: 20 },
      { address: '10.0.0.3', port: 80, forwarding: 'masq', weight: 30 },
    ],
    ...input,
  });
}
