import { describe, expect, it } from 'vitest';
import { desiredStateSchema, healthCheckSchema, serviceHealthSchema, serviceSchema } from '../../src/model';
import { zodIssues } from '../../src/validate';
import { checkServiceHealth, checksFor, defaultHealthCheck } from '../../src/health';
import { service } from './support';

function messages(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown): string[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return zodIssues(result.error as Parameters<typeof zodIssues>[0]).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
}

describe('health schema', () => {
  it('fills defaults: TCP-connect timing, quiesce on failure, quorum 1', () => {
    const health = serviceHealthSchema.parse({});
    expect(health).toMatchObject({ enabled: true, checks: [], onFailure: 'quiesce', quorum: 1, alpha: false, historySize: 30, drains: {} });
    expect(defaultHealthCheck()).toMatchObject({ kind: 'tcp', intervalMs: 5000, timeoutMs: 2000, rise: 2, fall: 3, target: {} });
  });

  it('refuses rise/fall below 1 and a timeout not shorter than the interval', () => {
    expect(messages(healthCheckSchema, { kind: 'tcp', rise: 0, fall: 0 })).toEqual(['rise: rise must be at least 1', 'fall: fall must be at least 1']);
    expect(messages(healthCheckSchema, { kind: 'tcp', intervalMs: 1000, timeoutMs: 1000 })).toEqual([
      'timeoutMs: timeout (1000 ms) must be shorter than the interval (1000 ms)',
    ]);
  });

  it('refuses an unknown check kind and unknown fields with clear words', () => {
    expect(messages(healthCheckSchema, { kind: 'ping' })[0]).toMatch(/check kind must be one of tcp, http, https, udp, dns, command/);
    expect(messages(healthCheckSchema, { kind: 'tcp', retries: 3 })).toEqual(['unknown field "retries"']);
  });

  it('external commands: absolute path, argv array, no shells', () => {
    expect(messages(healthCheckSchema, { kind: 'command', program: 'check.sh' })).toEqual([
      'program: program must be an absolute path (e.g. /usr/local/bin/check-app), not "check.sh"',
    ]);
    expect(messages(healthCheckSchema, { kind: 'command', program: '/bin/sh', args: ['-c', 'curl localhost'] })).toEqual([
      'program: "/bin/sh" is a shell or launcher; give the check program itself and its arguments as an argv array',
    ]);
    expect(messages(healthCheckSchema, { kind: 'command', program: '/usr/bin/env', args: ['bash'] })[0]).toMatch(/shell or launcher/);
    expect(messages(healthCheckSchema, { kind: 'command', program: '/opt/../bin/x' })[0]).toMatch(/must not contain "\.\."/);
    expect(messages(healthCheckSchema, { kind: 'command', program: '/usr/local/bin/check', args: 'a b' })[0]).toMatch(/^args:/);
    expect(messages(healthCheckSchema, { kind: 'command', program: '/usr/local/bin/check', args: ['--port', '8080'], dynamicWeight: true })).toEqual([]);
  });

  it('http: status ranges, path, body regex', () => {
    expect(messages(healthCheckSchema, { kind: 'http', path: 'health' })).toEqual(['path: path must start with "/" and contain no spaces']);
    expect(messages(healthCheckSchema, { kind: 'http', expectStatus: [{ min: 300, max: 200 }] })).toEqual([
      'expectStatus[0]: status range min must not exceed max',
    ]);
    expect(messages(healthCheckSchema, { kind: 'https', bodyMatch: { kind: 'regex', text: '(' } })[0]).toMatch(
      /^bodyMatch.text: not a valid regular expression/,
    );
    expect(messages(healthCheckSchema, { kind: 'https', host: 'app.example.com', bodyMatch: { kind: 'regex', text: '"status":\\s*"ok"' } })).toEqual([]);
  });

  it('udp payloads in hex must be hex pairs; dns names must be names', () => {
    expect(messages(healthCheckSchema, { kind: 'udp', payload: { encoding: 'hex', text: 'abc' } })).toEqual([
      'payload.text: hex payloads are pairs of hex digits, e.g. "0a1b"',
    ]);
    expect(messages(healthCheckSchema, { kind: 'dns', name: 'bad name' })[0]).toMatch(/name must be a DNS name/);
    expect(messages(healthCheckSchema, { kind: 'dns', name: 'www.example.com', recordType: 'AAAA' })).toEqual([]);
  });

  it('target overrides: a numeric address and a port (a health port)', () => {
    expect(healthCheckSchema.parse({ kind: 'tcp', target: { port: 8081 } }).target).toEqual({ port: 8081 });
    expect(messages(healthCheckSchema, { kind: 'tcp', target: { address: 'db.local' } })[0]).toMatch(/hostname/);
  });

  it('per-destination overrides are keyed by canonical destination ids', () => {
    expect(messages(serviceHealthSchema, { destinations: { '10.0.0.1:80': { disabled: true } } })).toEqual([]);
    expect(messages(serviceHealthSchema, { destinations: { '[2001:db8::1]:80': {} } })).toEqual([]);
    expect(messages(serviceHealthSchema, { destinations: { '10.0.0.1': {} } })[0]).toMatch(/"10.0.0.1" is not a destination id; write "address:port"/);
    expect(messages(serviceHealthSchema, { destinations: { '[2001:DB8::1]:80': {} } })[0]).toMatch(/canonical form/);
  });

  it('a service carries health optionally; the whole desired state round-trips through JSON', () => {
    const svc = service({
      health: {
        checks: [{ kind: 'http', path: '/healthz', target: { port: 8080 } }],
        quorum: 20,
        sorryServer: { address: '10.0.9.9', port: 80, forwarding: 'masq', weight: 1 },
      },
    });
    const state = desiredStateSchema.parse({ services: [svc] });
    expect(desiredStateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(serviceSchema.parse({ key: { kind: 'fwmark', fwmark: 1, family: 'inet' } }).health).toBeUndefined();
  });

  it('cross-field checks: override keys and drains must name real servers; the sorry server must not be one', () => {
    const svc = service({
      health: {
        destinations: { '10.0.0.7:80': {} },
        drains: { '10.0.0.8:80': { startedAt: 1 } },
        sorryServer: { address: '10.0.0.1', port: 80, forwarding: 'masq', weight: 1 },
      },
    });
    expect(checkServiceHealth(svc, 'services[0]').map((i) => `${i.path}: ${i.message}`)).toEqual([
      'services[0].health.destinations.10.0.0.7:80: 10.0.0.7:80 is not a real server of TCP 192.0.2.10:80',
      'services[0].health.drains.10.0.0.8:80: cannot drain 10.0.0.8:80: it is not a real server of TCP 192.0.2.10:80',
      'services[0].health.sorryServer: the sorry server 10.0.0.1:80 is also a real server of this service; use a different address or port',
    ]);
  });

  it('checksFor: default TCP connect, per-destination replacement, disabled, health off', () => {
    const http = { kind: 'http' as const, path: '/ok' };
    const svc = service({ health: { destinations: { '10.0.0.2:80': { checks: [http] }, '10.0.0.3:80': { disabled: true } } } });
    const [d1, d2, d3] = svc.destinations;
    if (!d1 || !d2 || !d3) throw new Error('fixture');
    expect(checksFor(svc.health ?? null, d1)).toEqual([defaultHealthCheck()]);
    expect(checksFor(svc.health ?? null, d2).map((c) => c.kind)).toEqual(['http']);
    expect(checksFor(svc.health ?? null, d3)).toEqual([]);
    expect(checksFor(serviceHealthSchema.parse({ enabled: false }), d1)).toEqual([]);
    expect(checksFor(null, d1)).toEqual([]);
  });
});
