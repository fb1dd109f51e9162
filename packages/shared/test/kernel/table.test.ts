import { describe, expect, it } from 'vitest';
import { emptyState, type Destination, type Service } from '../../src';
import { KERNEL_MESSAGES, KernelTable, IPVSADM_MESSAGES } from '../../src/kernel';
import { applyChanges, settingsOf } from '../../src/plan';

const key = { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 } as const;
const dest = (address: string, extra: Partial<Destination> = {}): Destination => ({
  address,
  port: 8080,
  forwarding: 'masq',
  weight: 1,
  upperThreshold: 0,
  lowerThreshold: 0,
  ...extra,
});
const web: Service = { key, scheduler: 'wrr', flags: [], persistence: null, onePacket: false, destinations: [] };

describe('KernelTable', () => {
  it('puts a new destination at the head of the list and lists them in address order', () => {
    const table = KernelTable.of({ services: [{ ...web, destinations: [dest('10.0.0.2'), dest('10.0.0.1'), dest('10.0.0.3')] }] });
    const service = table.services.get('tcp:192.0.2.10:80');
    expect(service?.dests.map((d) => d.config.address)).toEqual(['10.0.0.3', '10.0.0.1', '10.0.0.2']);
    expect(table.config().services[0]?.destinations.map((d) => d.address)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });

  it('keeps a timeout the change leaves at 0, as ipvsadm --set does', () => {
    const table = KernelTable.of({ services: [], timeouts: { tcp: 900, tcpFin: 120, udp: 300 } });
    table.apply({ kind: 'set-timeouts', from: null, to: { tcp: 0, tcpFin: 30, udp: 0 } });
    expect(table.timeouts).toEqual({ tcp: 900, tcpFin: 30, udp: 300 });
  });

  it('stores a DR or TUN destination on the service port, a NAT one on its own', () => {
    const table = KernelTable.of({ services: [{ ...web, destinations: [dest('10.0.0.1', { forwarding: 'route', port: 8080 }), dest('10.0.0.2')] }] });
    expect(table.config().services[0]?.destinations.map((d) => d.port)).toEqual([80, 8080]);
  });

  it("refuses with the kernel's and ipvsadm's words and changes nothing", () => {
    const table = KernelTable.of({ services: [{ ...web, destinations: [dest('10.0.0.1')] }] }, ['rr', 'wrr']);
    const before = table.config();
    expect(table.apply({ kind: 'add-service', service: settingsOf(web) })).toEqual({ ok: false, error: KERNEL_MESSAGES.serviceExists });
    expect(table.apply({ kind: 'add-destination', service: key, destination: dest('10.0.0.1') })).toEqual({
      ok: false,
      error: KERNEL_MESSAGES.destinationExists,
    });
    expect(table.apply({ kind: 'edit-destination', service: key, from: dest('10.0.0.9'), to: dest('10.0.0.9') })).toEqual({
      ok: false,
      error: KERNEL_MESSAGES.noSuchDestination,
    });
    expect(table.apply({ kind: 'add-destination', service: { ...key, port: 81 }, destination: dest('10.0.0.1') })).toEqual({
      ok: false,
      error: KERNEL_MESSAGES.serviceNotDefined,
    });
    expect(table.apply({ kind: 'add-service', service: settingsOf({ ...web, key: { ...key, port: 0 } }) })).toEqual({
      ok: false,
      error: IPVSADM_MESSAGES.zeroPort,
    });
    expect(table.apply({ kind: 'add-destination', service: key, destination: dest('2001:db8::1') })).toEqual({
      ok: false,
      error: IPVSADM_MESSAGES.familyMismatch,
    });
    const refusedScheduler = table.apply({ kind: 'edit-service', from: settingsOf(web), to: settingsOf({ ...web, scheduler: 'mh' }) });
    expect(refusedScheduler.ok ? '' : refusedScheduler.error).toMatch(/no ip_vs_mh module .*4\.18/);
    expect(table.config()).toEqual(before);
  });

  it('remembers the last non-zero weight through a weight of 0', () => {
    const table = KernelTable.of({ services: [{ ...web, destinations: [dest('10.0.0.1', { weight: 5 })] }] });
    table.apply({ kind: 'edit-destination', service: key, from: dest('10.0.0.1', { weight: 5 }), to: dest('10.0.0.1', { weight: 0 }) });
    const entry = table.services.get('tcp:192.0.2.10:80')?.dests[0];
    expect([entry?.config.weight, entry?.lastWeight]).toEqual([0, 5]);
  });
});

describe("applyChanges (the plan's apply, through the kernel model)", () => {
  it('follows "0 keeps" for timeouts, like the kernel', () => {
    const state = { ...emptyState(), timeouts: { tcp: 900, tcpFin: 120, udp: 300 } };
    const after = applyChanges(state, [{ kind: 'set-timeouts', from: state.timeouts, to: { tcp: 60, tcpFin: 0, udp: 0 } }]);
    expect(after.timeouts).toEqual({ tcp: 60, tcpFin: 120, udp: 300 });
  });

  it("throws the kernel's refusal, naming the change", () => {
    expect(() => applyChanges(emptyState(), [{ kind: 'delete-service', service: settingsOf(web) }])).toThrow(
      `delete service TCP 192.0.2.10:80: ${KERNEL_MESSAGES.noSuchService}`,
    );
  });
});
