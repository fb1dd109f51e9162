// The API's input schemas and edits (packages/shared/src/api): strictness,
// shell metacharacters, and edits as pure state transforms.
import { describe, expect, it } from 'vitest';
import { emptyState, type DesiredState } from '@lvs-console/shared';
import { applyEdit, describeEdit, findUnsafeStrings, setHealthInput, setWeightInput, importInput, previewInput } from '@lvs-console/shared/api';

const WEB = { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 } as const;

const base: DesiredState = {
  ...emptyState(),
  services: [
    {
      key: WEB,
      scheduler: 'wrr',
      flags: [],
      persistence: null,
      onePacket: false,
      destinations: [{ address: '10.0.0.1', port: 80, forwarding: 'masq', weight: 2, upperThreshold: 0, lowerThreshold: 0 }],
    },
  ],
};

describe('input schemas', () => {
  it('should accept a good weight change and canonicalise addresses', () => {
    const parsed = setWeightInput.parse({
      baseRevision: 3,
      service: { ...WEB, address: ' 192.0.2.10 ' },
      destination: { address: '10.0.0.1', port: 80 },
      weight: 5,
    });
    expect(parsed.service).toEqual(WEB);
  });

  it('should find shell metacharacters anywhere but in import text', () => {
    expect(findUnsafeStrings({ a: 'ok', b: [{ c: 'x|y' }], text: '# comments; are fine' })).toEqual(['b[0].c']);
    expect(importInput.safeParse({ baseRevision: 1, text: '-A -t 192.0.2.1:80 -s rr # web' }).success).toBe(true);
  });

  it('should refuse unknown fields at every level', () => {
    const result = previewInput.safeParse({ baseRevision: 1, edit: { op: 'drain', service: WEB, destination: { address: '10.0.0.1', port: 80, weight: 0 } } });
    expect(result.success).toBe(false);
  });
});

describe('applyEdit', () => {
  it('should set a weight without touching the original state', () => {
    const next = applyEdit(base, { op: 'set-weight', service: WEB, destination: { address: '10.0.0.1', port: 80 }, weight: 9 });
    expect(next.services[0]?.destinations[0]?.weight).toBe(9);
    expect(base.services[0]?.destinations[0]?.weight).toBe(2);
  });

  it('should drain to weight 0', () => {
    const next = applyEdit(base, { op: 'drain', service: WEB, destination: { address: '10.0.0.1', port: 80 } });
    expect(next.services[0]?.destinations[0]?.weight).toBe(0);
  });

  it('should refuse duplicates and missing things with domain codes', () => {
    expect(() => applyEdit(base, { op: 'add-service', service: base.services[0] ?? (undefined as never) })).toThrow(
      expect.objectContaining({ code: 'ALREADY_EXISTS' }) as Error,
    );
    expect(() => applyEdit(base, { op: 'remove-service', service: { ...WEB, port: 81 } })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }) as Error);
    expect(() => applyEdit(base, { op: 'set-weight', service: WEB, destination: { address: '10.0.0.9', port: 80 }, weight: 1 })).toThrow(
      /10\.0\.0\.9:80 is not a destination/,
    );
  });

  it('should clear scheduler flags when the scheduler changes without new flags', () => {
    const sh = applyEdit(base, { op: 'set-scheduler', service: WEB, scheduler: 'sh', flags: ['sh-port'] });
    const back = applyEdit(sh, { op: 'edit-service', service: WEB, patch: { scheduler: 'rr' } });
    expect(back.services[0]?.flags).toEqual([]);
  });

  it('should upsert and remove managed sysctls', () => {
    const set = applyEdit(base, { op: 'set-sysctl', name: 'net.ipv4.ip_forward', value: '1', reason: 'NAT' });
    expect(set.hostSettings).toEqual([{ kind: 'sysctl', name: 'net.ipv4.ip_forward', value: '1', reason: 'NAT' }]);
    const changed = applyEdit(set, { op: 'set-sysctl', name: 'net.ipv4.ip_forward', value: '0', reason: '' });
    expect(changed.hostSettings).toEqual([{ kind: 'sysctl', name: 'net.ipv4.ip_forward', value: '0', reason: 'NAT' }]);
    expect(applyEdit(changed, { op: 'set-sysctl', name: 'net.ipv4.ip_forward', value: null, reason: '' }).hostSettings).toEqual([]);
  });

  it('should describe edits for the audit log', () => {
    expect(describeEdit({ op: 'set-weight', service: WEB, destination: { address: '10.0.0.1', port: 80 }, weight: 9 })).toBe(
      'set weight of 10.0.0.1:80 in TCP 192.0.2.10:80 to 9',
    );
  });

  it("should set and remove one service's health settings, leaving the rest as it was", () => {
    const health = setHealthInput.parse({ baseRevision: 1, service: WEB, health: { checks: [{ kind: 'http', path: '/healthz' }] } }).health;
    expect(health?.onFailure).toBe('quiesce');
    const edit = { op: 'set-health', service: WEB, health } as const;
    const withHealth = applyEdit(base, edit);
    expect(withHealth.services[0]?.health?.checks[0]?.kind).toBe('http');
    expect(withHealth.services[0]?.destinations).toEqual(base.services[0]?.destinations);
    expect(describeEdit(edit)).toBe('set health checks of TCP 192.0.2.10:80: http, on failure quiesce');
    const removed = applyEdit(withHealth, { op: 'set-health', service: WEB, health: null });
    expect(removed).toEqual(base);
    expect(describeEdit({ op: 'set-health', service: WEB, health: null })).toBe('remove health checks of TCP 192.0.2.10:80');
    expect(() => applyEdit(base, { ...edit, service: { ...WEB, port: 81 } })).toThrow(/does not exist/);
    expect(setHealthInput.safeParse({ baseRevision: 1, service: WEB, health: { checks: [{ kind: 'tcp', bogus: 1 }] } }).success).toBe(false);
  });
});
