// Every bad input gets a clear error through the real HTTP server and
// changes nothing: neither the desired state nor the kernel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configOfService, serviceId } from '@lvs-console/shared';
import { ADMIN_TOKEN, VIEWER_TOKEN, WEB, WEB1, data, startHarness, trpcMutation, trpcQuery, type Harness } from './harness';

let h: Harness;
let revision: number;

async function kernelConfig(): Promise<string> {
  const table = await h.sim.observe();
  return JSON.stringify(table.services.map(configOfService));
}

beforeAll(async () => {
  h = await startHarness();
  revision = data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision;
});
afterAll(async () => {
  await h.close();
});

function ipvsadmTextWithErrorOnLine40(): string {
  const lines: string[] = [];
  for (let i = 1; i <= 50; i++) {
    if (i === 40) lines.push('-a -t 192.0.2.200:80 -r 10.9.9.9:80 -m -w 70000');
    else if (i === 1) lines.push('-A -t 192.0.2.200:80 -s rr');
    else lines.push(`# filler line ${i}`);
  }
  return lines.join('\n');
}

interface BadCase {
  desc: string;
  path: string;
  input: () => unknown;
  token?: string | null;
  status: number;
  code: string;
  message: RegExp;
}

const setWeight = (weight: unknown) => ({ baseRevision: revision, service: WEB, destination: WEB1, weight });

const cases: BadCase[] = [
  {
    desc: 'an invalid address',
    path: 'destinations.add',
    input: () => ({ baseRevision: revision, service: WEB, destination: { address: '10.0.0.300', port: 80, forwarding: 'masq', weight: 1 } }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /not a valid IPv4 or IPv6 address/,
  },
  {
    desc: 'an IPv4 address written as IPv6',
    path: 'destinations.add',
    input: () => ({ baseRevision: revision, service: WEB, destination: { address: '::ffff:10.0.0.1', port: 8080, forwarding: 'masq', weight: 1 } }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /IPv4 address written as IPv6/,
  },
  {
    desc: 'port 70000',
    path: 'destinations.add',
    input: () => ({ baseRevision: revision, service: WEB, destination: { address: '10.0.0.9', port: 70000, forwarding: 'masq', weight: 1 } }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /port must be between 0 and 65535/,
  },
  {
    desc: 'weight -1',
    path: 'destinations.setWeight',
    input: () => setWeight(-1),
    status: 400,
    code: 'BAD_REQUEST',
    message: /weight must be between 0 and 65535/,
  },
  {
    desc: 'weight 65536',
    path: 'destinations.setWeight',
    input: () => setWeight(65536),
    status: 400,
    code: 'BAD_REQUEST',
    message: /weight must be between 0 and 65535/,
  },
  { desc: 'weight 1.5', path: 'destinations.setWeight', input: () => setWeight(1.5), status: 400, code: 'BAD_REQUEST', message: /whole number/ },
  {
    desc: 'an unknown scheduler',
    path: 'services.setScheduler',
    input: () => ({ baseRevision: revision, service: WEB, scheduler: 'fastest' }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /unknown scheduler "fastest"/,
  },
  {
    desc: 'scheduler flags on the wrong scheduler',
    path: 'services.setScheduler',
    input: () => ({ baseRevision: revision, service: WEB, scheduler: 'rr', flags: ['sh-port'] }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /rr takes no flags/,
  },
  {
    desc: 'shell metacharacters in a free-text field',
    path: 'host.setSysctl',
    input: () => ({ baseRevision: revision, name: 'net.ipv4.ip_forward', value: '1', reason: 'needed; rm -rf /' }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /reason contains characters that are not allowed/,
  },
  {
    desc: 'shell metacharacters in an address',
    path: 'destinations.add',
    input: () => ({ baseRevision: revision, service: WEB, destination: { address: '10.0.0.1;reboot', port: 80, forwarding: 'masq', weight: 1 } }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /not allowed|characters no address has/,
  },
  {
    desc: 'shell metacharacters in a service id',
    path: 'sim.setTraffic',
    input: () => ({ baseRevision: revision, service: 'tcp:192.0.2.10:80$(id)', connectionsPerSecond: 5 }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /service contains characters that are not allowed/,
  },
  {
    desc: 'an unknown field',
    path: 'destinations.setWeight',
    input: () => ({ ...setWeight(5), force: true }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /unknown field "force"/,
  },
  {
    desc: 'a duplicate destination',
    path: 'destinations.add',
    input: () => ({ baseRevision: revision, service: WEB, destination: { ...WEB1, forwarding: 'masq', weight: 1 } }),
    status: 409,
    code: 'CONFLICT',
    message: /198\.51\.100\.11:8080 is already a destination/,
  },
  {
    desc: 'a missing service',
    path: 'destinations.setWeight',
    input: () => ({ baseRevision: revision, service: { ...WEB, address: '192.0.2.99' }, destination: WEB1, weight: 5 }),
    status: 404,
    code: 'NOT_FOUND',
    message: /service TCP 192\.0\.2\.99:80 does not exist/,
  },
  {
    desc: 'a stale revision',
    path: 'destinations.setWeight',
    input: () => ({ ...setWeight(5), baseRevision: revision - 1 }),
    status: 409,
    code: 'CONFLICT',
    message: /changed since revision/,
  },
  { desc: 'no token', path: 'destinations.setWeight', input: () => setWeight(5), token: null, status: 401, code: 'UNAUTHORIZED', message: /token is required/ },
  {
    desc: 'a viewer token on a mutation',
    path: 'destinations.setWeight',
    input: () => setWeight(5),
    token: VIEWER_TOKEN,
    status: 403,
    code: 'FORBIDDEN',
    message: /viewer \(viewer\) may not make this change/,
  },
  {
    desc: 'a wrong token',
    path: 'destinations.setWeight',
    input: () => setWeight(5),
    token: 'not-a-real-token-at-all',
    status: 401,
    code: 'UNAUTHORIZED',
    message: /the token is wrong or expired/,
  },
  {
    desc: 'ipvsadm text with an error on line 40 of 50',
    path: 'state.import',
    input: () => ({ baseRevision: revision, text: ipvsadmTextWithErrorOnLine40(), format: 'ipvsadm', dryRun: false }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /line 40/,
  },
  {
    desc: 'a desired state that fails validation (port 0 without persistence)',
    path: 'services.add',
    input: () => ({ baseRevision: revision, service: { key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.77', port: 0 }, scheduler: 'rr' } }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /port 0/,
  },
];

describe('bad input through the HTTP API', () => {
  it.each(cases)('should refuse $desc and change nothing', async (c) => {
    const kernelBefore = await kernelConfig();
    const response = await trpcMutation(h.url, c.path, c.input(), c.token === undefined ? ADMIN_TOKEN : c.token);
    expect(response.status).toBe(c.status);
    expect(response.body.error?.data.code).toBe(c.code);
    expect(response.body.error?.message).toMatch(c.message);
    expect(await kernelConfig()).toBe(kernelBefore);
    expect(data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision).toBe(revision);
  });

  it('should answer 413 to a 10 MB body and change nothing', async () => {
    const kernelBefore = await kernelConfig();
    const huge = JSON.stringify({ ...setWeight(5), padding: 'x'.repeat(10 * 1024 * 1024) });
    const response = await trpcMutation(h.url, 'destinations.setWeight', huge);
    expect(response.status).toBe(413);
    expect(await kernelConfig()).toBe(kernelBefore);
    expect(data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision).toBe(revision);
  });

  it('should record rejected attempts in the audit log', async () => {
    const entries = data<Array<{ result: string; who: string; what: string }>>(await trpcQuery(h.url, 'audit.list', { limit: 100 }));
    const rejected = entries.filter((e) => e.result === 'rejected');
    expect(rejected.length).toBeGreaterThanOrEqual(cases.length - 1);
    expect(rejected.some((e) => e.who === 'viewer')).toBe(true);
    expect(rejected.some((e) => e.who === '(no valid token)')).toBe(true);
  });

  it('should keep the kernel and the desired state equal after all that', async () => {
    const state = data<{ desired: { services: Array<{ key: typeof WEB }> } }>(await trpcQuery(h.url, 'state.get'));
    const kernel = await h.sim.observe();
    expect(state.desired.services.map((s) => serviceId(s.key)).sort()).toEqual(kernel.services.map((s) => serviceId(s.key)).sort());
  });
});

describe('a change the kernel refuses', () => {
  it('should reach the console with the kernel message and change nothing', async () => {
    const { SimBackend } = await import('../../src/kernel/sim');
    const { loadDemo } = await import('../../src/kernel/demo');
    const { ManualClock } = await import('../../src/config/clock');
    const clock = new ManualClock(1_700_000_000_000);
    const sim = new SimBackend({ clock, availableSchedulers: ['rr', 'wrr', 'wlc'] });
    await loadDemo(sim);
    const k = await startHarness({ sim, clock });
    try {
      const base = data<{ revision: number }>(await trpcQuery(k.url, 'state.get')).revision;
      const before = JSON.stringify((await sim.observe()).services.map(configOfService));
      const response = await trpcMutation(k.url, 'services.setScheduler', { baseRevision: base, service: WEB, scheduler: 'mh' });
      expect(response.status).toBe(500);
      expect(response.body.error?.data.domainCode).toBe('KERNEL_ERROR');
      expect(response.body.error?.message).toMatch(/the kernel refused 1 of 1 changes: ipvsadm -E -t 192\.0\.2\.10:80 -s mh: /);
      expect(response.body.error?.data.issues[0]?.path).toBe('ipvsadm -E -t 192.0.2.10:80 -s mh');
      expect(JSON.stringify((await sim.observe()).services.map(configOfService))).toBe(before);
      expect(data<{ revision: number }>(await trpcQuery(k.url, 'state.get')).revision).toBe(base);
    } finally {
      await k.close();
    }
  });
});
