// Two (and three) real agents on loopback, each with its own simulated
// kernel and state directory, forming a cluster: changes reach every
// kernel, racing writers get one winner and one conflict, a member that was
// away catches up, strangers are refused, and the simulated VRRP election
// moves the VIPs and the sync daemon's role.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderRules } from '@lvs-console/shared/ipvsadm';
import { ManualClock } from '../../src/config/clock';
import { newestFromPeers, type MemberView } from '../../src/cluster/cluster';
import { silentLogger } from '../../src/log';
import { CLUSTER_HEADER, DIRECTOR_HEADER, PEER_REFUSAL_WINDOW_MS, PEER_REFUSALS_PER_WINDOW, TOKEN_HEADER } from '../../src/cluster/peer-http';
import { SimBackend } from '../../src/kernel/sim';
import { SimHostBackend } from '../../src/host';
import { hostPortOf, type HostPort } from '../../src/reconcile/ports';
import { ADMIN_TOKEN, data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

const TOKEN = 'cluster-token-0123456789abcdef';
const WEB = { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 } as const;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Member {
  name: string;
  port: number;
  stateDir: string;
  sim: SimBackend;
  h: Harness | null;
}

const clock = new ManualClock(1_700_000_000_000);
let members: Member[] = [];
const dirs: string[] = [];

async function member(name: string): Promise<Member> {
  const stateDir = await mkdtemp(join(tmpdir(), `lvs-cluster-${name}-`));
  dirs.push(stateDir);
  return { name, port: await freePort(), stateDir, sim: new SimBackend({ clock, seed: 3 }), h: null };
}

async function up(m: Member, peers: Member[], overrides: { token?: string; cluster?: string; host?: HostPort } = {}): Promise<Harness> {
  m.h = await startHarness({
    listen: `127.0.0.1:${m.port}`,
    stateDir: m.stateDir,
    sim: m.sim,
    demo: false,
    clock,
    ...(overrides.host ? { host: overrides.host } : {}),
    cluster: {
      name: overrides.cluster ?? 'pair',
      self: m.name,
      peers: peers.map((p) => `${p.name}=http://127.0.0.1:${p.port}`),
      tokenFromEnv: overrides.token ?? TOKEN,
    },
  });
  return m.h;
}

async function pollAll(): Promise<void> {
  for (let round = 0; round < 3; round++) {
    await Promise.all(members.map((m) => m.h?.running.agent.cluster?.poll() ?? Promise.resolve()));
  }
}

const revisionOf = async (m: Member) => data<{ revision: number }>(await trpcQuery(m.h!.url, 'state.get')).revision;
const kernelText = async (m: Member) => renderRules(await m.sim.observe());
const membersOf = async (m: Member) => data<{ members: MemberView[] }>(await trpcQuery(m.h!.url, 'cluster.members')).members;

afterEach(async () => {
  for (const m of members) await m.h?.close();
  members = [];
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 5 })));
});

async function pair(): Promise<[Member, Member]> {
  const a = await member('lb1');
  const b = await member('lb2');
  members = [a, b];
  await up(a, [b]);
  await up(b, [a]);
  await pollAll();
  return [a, b];
}

const addWeb = (baseRevision: number) => ({
  baseRevision,
  service: { key: WEB, scheduler: 'rr', destinations: [{ address: '198.51.100.11', port: 80, forwarding: 'route', weight: 1 }] },
});

describe('a cluster of directors sharing one desired state', () => {
  it("applies a change made through one director in every director's kernel and reports each", async () => {
    const [a, b] = await pair();
    const base = await revisionOf(a);
    const outcome = data<{ revision: number; members: Array<{ director: string; ok: boolean; revision: number; durationMs?: number }> }>(
      await trpcMutation(a.h!.url, 'services.add', addWeb(base)),
    );
    expect(outcome.members).toEqual([expect.objectContaining({ director: 'lb2', ok: true, revision: outcome.revision })]);
    expect(outcome.members[0]?.durationMs).toBeGreaterThan(0);
    expect(await revisionOf(b)).toBe(outcome.revision);
    expect(await kernelText(b)).toBe(await kernelText(a));
    expect(await kernelText(b)).toContain('-a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 1');
    // The history reads the same on both: number, author, description.
    const revs = async (m: Member) => data<Array<{ revision: number; who: string; what: string }>>(await trpcQuery(m.h!.url, 'state.revisions')).slice(0, 1);
    expect(await revs(b)).toEqual(await revs(a));
  });

  it('gives one of two writers from the same base revision a conflict, never a silent overwrite', async () => {
    const [a, b] = await pair();
    const base = data<{ revision: number }>(await trpcMutation(a.h!.url, 'services.add', addWeb(await revisionOf(a)))).revision;
    const weight = (m: Member, value: number) =>
      trpcMutation(m.h!.url, 'destinations.setWeight', {
        baseRevision: base,
        service: WEB,
        destination: { address: '198.51.100.11', port: 80 },
        weight: value,
      });
    const [fromA, fromB] = await Promise.all([weight(a, 5), weight(b, 7)]);
    const statuses = [fromA.status, fromB.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = fromA.status === 409 ? fromA : fromB;
    expect(loser.body.error?.message).toMatch(/reload and try again/);
    await pollAll();
    expect(await revisionOf(a)).toBe(base + 1);
    expect(await revisionOf(b)).toBe(base + 1);
    const winnerWeight = fromA.status === 200 ? 5 : 7;
    for (const m of [a, b]) expect(await kernelText(m)).toContain(`-r 198.51.100.11:80 -g -w ${winnerWeight}`);
  });

  it('applies where it can while a peer is down, shows the peer lagging with the reason, and catches it up when it returns', async () => {
    const [a, b] = await pair();
    await b.h!.close();
    b.h = null;
    const outcome = data<{ revision: number; members: Array<{ director: string; ok: boolean; message: string }> }>(
      await trpcMutation(a.h!.url, 'services.add', addWeb(await revisionOf(a))),
    );
    expect(outcome.members[0]).toMatchObject({ director: 'lb2', ok: false });
    expect(outcome.members[0]?.message).toMatch(/unreachable.*catches up/);
    await pollAll();
    const view = (await membersOf(a)).find((m) => m.name === 'lb2');
    expect(view?.reachable).toBe(false);
    expect(view?.error).toMatch(/unreachable/);
    clock.advance(10_000);
    expect((await membersOf(a)).find((m) => m.name === 'lb2')?.stale).toBe(true);

    // It catches up before it serves: the newest revision from a peer, applied to its kernel.
    const restarted = await up(b, [a]);
    expect(restarted.running.banner.join('\n')).toMatch(/caught up with lb1: applied revision \d+/);
    expect(await revisionOf(b)).toBe(outcome.revision);
    expect(await kernelText(b)).toContain('192.0.2.10:80');
    await pollAll();
    expect(await kernelText(b)).toBe(await kernelText(a));
    const caughtUp = (await membersOf(a)).find((m) => m.name === 'lb2');
    expect(caughtUp).toMatchObject({ reachable: true, stale: false, lag: 0 });
  });

  it('settles a split (both made the same revision apart) on the newer change, in every kernel, and says what was not kept', async () => {
    const [a, b] = await pair();
    const base = await revisionOf(a);
    // Apart: lb1 adds one service while lb2 is away...
    await b.h!.close();
    b.h = null;
    expect((await trpcMutation(a.h!.url, 'services.add', addWeb(base))).status).toBe(200);
    await a.h!.close();
    a.h = null;
    // ... then lb2, alone and later, makes its own revision base + 1.
    clock.advance(60_000);
    await up(b, [a]);
    const other = { kind: 'addr', protocol: 'tcp', address: '192.0.2.20', port: 443 } as const;
    const fromB = await trpcMutation(b.h!.url, 'services.add', {
      baseRevision: base,
      service: { key: other, scheduler: 'wlc', destinations: [{ address: '198.51.100.12', port: 443, forwarding: 'route', weight: 1 }] },
    });
    expect(fromB.status).toBe(200);
    await up(a, [b]);
    expect(await revisionOf(a)).toBe(base + 1);
    expect(await revisionOf(b)).toBe(base + 1);

    await pollAll();
    expect(await revisionOf(a)).toBe(base + 2);
    expect(await revisionOf(b)).toBe(base + 2);
    expect(await kernelText(a)).toBe(await kernelText(b));
    expect(await kernelText(a)).toContain('-A -t 192.0.2.20:443 -s wlc');
    expect(await kernelText(a)).not.toContain('192.0.2.10:80');
    const history = data<Array<{ revision: number; who: string; what: string }>>(await trpcQuery(a.h!.url, 'state.revisions'));
    expect(history[0]).toMatchObject({ revision: base + 2, who: 'cluster' });
    expect(history[0]?.what).toMatch(/kept lb2's revision \d+ after a split: lb1 had made its own revision/);
  });

  it('refuses a member with another cluster name or token, with a message that says which', async () => {
    const a = await member('lb1');
    const b = await member('lb2');
    const c = await member('lb3');
    members = [a, b, c];
    await up(a, [b, c]);
    await up(b, [a], { token: 'another-token-0123456789abcdef' });
    await up(c, [a], { cluster: 'other' });
    await pollAll();
    const view = await membersOf(a);
    expect(view.find((m) => m.name === 'lb2')?.error).toBe('wrong cluster token for cluster "pair"');
    expect(view.find((m) => m.name === 'lb3')?.error).toBe('this director belongs to cluster "other", not "pair"');
    // Nothing crosses: a change on lb1 does not reach lb2's kernel.
    await trpcMutation(a.h!.url, 'services.add', addWeb(await revisionOf(a)));
    expect(await kernelText(b)).not.toContain('192.0.2.10:80');
  });

  it('refuses a pair whose VIP is outside every subnet of the VRRP interface on this director, naming the field', async () => {
    const a = await member('lb1');
    const b = await member('lb2');
    members = [a, b];
    const host = hostPortOf(new SimHostBackend({ interfaceAddresses: [{ interface: 'eth0', address: '198.51.100.1', prefixLength: 24 }] }));
    await up(a, [b], { host });
    await up(b, [a]);
    await pollAll();
    const base = data<{ revision: number }>(await trpcMutation(a.h!.url, 'services.add', addWeb(await revisionOf(a)))).revision;
    const ha = {
      directors: [
        { name: 'lb1', address: '198.51.100.1' },
        { name: 'lb2', address: '198.51.100.2' },
      ],
      instances: [{ name: 'VI_1', interface: 'eth0', virtualRouterId: 51, priorities: { lb1: 150, lb2: 100 } }],
    };
    const bad = await trpcMutation(a.h!.url, 'cluster.setHa', { baseRevision: base, ha });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(
      /ha\.instances\[0\]\.interface: VIP 192\.0\.2\.10 is outside every subnet on eth0 of director "lb1" \(198\.51\.100\.1\/24\)/,
    );
    expect(await revisionOf(a)).toBe(base);
    expect(await revisionOf(b)).toBe(base);
    const missing = await trpcMutation(a.h!.url, 'cluster.setHa', {
      baseRevision: base,
      ha: { ...ha, instances: [{ ...ha.instances[0], interface: 'eth7' }] },
    });
    expect(missing.body.error?.message).toMatch(/ha\.instances\[0\]\.interface: interface eth7 does not exist on director "lb1"/);
    expect(await revisionOf(a)).toBe(base);
  });

  it('cuts off a client that keeps guessing the cluster name or token, without writing to the audit', async () => {
    const [a] = await pair();
    const audit = async () => data<{ entries: unknown[] }>(await trpcQuery(a.h!.url, 'audit.list', { limit: 500 })).entries.length;
    const auditBefore = await audit();
    const call = (token: string, cluster = 'pair') =>
      fetch(`${a.h!.url}/cluster/status`, {
        headers: { [CLUSTER_HEADER]: cluster, [TOKEN_HEADER]: token, [DIRECTOR_HEADER]: 'lb2' },
      }).then((r) => r.status);
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push(await call(`guess-${i}`, i % 2 ? 'pair' : `cluster-${i}`));
    // The first refusals are told why; past the budget the headers are not even looked at.
    expect(statuses.slice(0, PEER_REFUSALS_PER_WINDOW).every((s) => s === 403)).toBe(true);
    expect(statuses.slice(PEER_REFUSALS_PER_WINDOW).every((s) => s === 429)).toBe(true);
    expect(await call(TOKEN)).toBe(429);
    expect(await audit()).toBe(auditBefore);
    // A minute later the client is heard again.
    clock.advance(PEER_REFUSAL_WINDOW_MS);
    expect(await call(TOKEN)).toBe(200);
    expect(await call('wrong')).toBe(403);
  });

  it('refuses bad pair settings with the field named, and changes nothing', async () => {
    const [a, b] = await pair();
    const base = await revisionOf(a);
    const bad = await trpcMutation(a.h!.url, 'cluster.setHa', {
      baseRevision: base,
      ha: {
        directors: [
          { name: 'lb1', address: '198.51.100.1' },
          { name: 'lb2', address: '198.51.100.2' },
        ],
        instances: [{ name: 'VI_1', interface: 'eth0', virtualRouterId: 51, priorities: { lb1: 300, lb2: 100 } }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/ha\.instances\[0\]\.priorities\.lb1: VRRP priority must be 1\.\.254/);
    expect(await revisionOf(a)).toBe(base);
    expect(await revisionOf(b)).toBe(base);
  });

  it('elects the highest priority MASTER, runs the sync daemon by role, and fails over by the button', async () => {
    const [a, b] = await pair();
    const ha = {
      directors: [
        { name: 'lb1', address: '198.51.100.1' },
        { name: 'lb2', address: '198.51.100.2' },
      ],
      instances: [{ name: 'VI_1', interface: 'eth0', virtualRouterId: 51, priorities: { lb1: 150, lb2: 100 } }],
      sync: { interface: 'eth0', syncId: 7 },
    };
    await trpcMutation(a.h!.url, 'services.add', addWeb(await revisionOf(a)));
    const set = await trpcMutation(a.h!.url, 'cluster.setHa', { baseRevision: await revisionOf(a), ha });
    expect(set.status).toBe(200);
    await pollAll();
    const roles = async () => Object.fromEntries((await membersOf(a)).map((m) => [m.name, m.status?.vrrp[0]?.state]));
    expect(await roles()).toEqual({ lb1: 'MASTER', lb2: 'BACKUP' });
    // The instance moves the service VIP.
    expect((await membersOf(a))[0]?.status?.vrrp[0]?.addresses).toEqual(['192.0.2.10']);
    const daemons = async (m: Member) => (await m.sim.observe()).syncDaemons.map((d) => `${d.state}:${d.interface}:${d.syncId}`);
    await expect.poll(() => daemons(a)).toEqual(['master:eth0:7']);
    await expect.poll(() => daemons(b)).toEqual(['backup:eth0:7']);
    // A daemon set by hand would be overridden by the role: refused, and nothing changes.
    const beforeManual = await revisionOf(a);
    const manual = await trpcMutation(a.h!.url, 'host.setSyncDaemons', {
      baseRevision: beforeManual,
      daemons: [{ state: 'master', interface: 'eth1', syncId: 9 }],
    });
    expect(manual.status).toBe(409);
    expect(manual.body.error?.message).toMatch(/the director pair runs the connection sync daemon and switches it with the VRRP role/);
    expect(await revisionOf(a)).toBe(beforeManual);
    expect(await daemons(a)).toEqual(['master:eth0:7']);

    // Prometheus sees the roles, reachability and lag per director.
    const metrics = await (await fetch(`${a.h!.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(metrics).toContain('lvs_vrrp_state{cluster="pair",director="lb1",observer="lb1",instance="VI_1",state="MASTER"} 1');
    expect(metrics).toContain('lvs_vrrp_state{cluster="pair",director="lb2",observer="lb1",instance="VI_1",state="BACKUP"} 1');
    expect(metrics).toContain('lvs_vrrp_state{cluster="pair",director="lb2",observer="lb1",instance="VI_1",state="MASTER"} 0');
    expect(metrics).toContain('lvs_cluster_peer_reachable{cluster="pair",director="lb2",observer="lb1"} 1');
    expect(metrics).toContain('lvs_cluster_revision_lag{cluster="pair",director="lb2",observer="lb1"} 0');

    const viewer = await trpcMutation(a.h!.url, 'cluster.failover', {}, 'test-viewer-token-0123456789');
    expect(viewer.status).toBe(403);
    const failover = await trpcMutation(b.h!.url, 'cluster.failover', {}, ADMIN_TOKEN);
    expect(failover.status).toBe(200);
    await pollAll();
    expect(await roles()).toEqual({ lb1: 'BACKUP', lb2: 'MASTER' });
    await expect.poll(() => daemons(a)).toEqual(['backup:eth0:7']);
    await expect.poll(() => daemons(b)).toEqual(['master:eth0:7']);
    // lb1 stays BACKUP (held) even though its priority is higher, until released.
    await pollAll();
    expect(await roles()).toEqual({ lb1: 'BACKUP', lb2: 'MASTER' });
    await trpcMutation(b.h!.url, 'cluster.release', { director: 'lb1' });
    await pollAll();
    expect(await roles()).toEqual({ lb1: 'MASTER', lb2: 'BACKUP' });

    // A dead MASTER never shows as a confident MASTER: lb2 sees it stale, and takes over.
    await a.h!.close();
    a.h = null;
    clock.advance(5_000);
    await pollAll();
    const fromB = await membersOf(b);
    expect(fromB.find((m) => m.name === 'lb1')).toMatchObject({ stale: true, reachable: false });
    expect(fromB.find((m) => m.name === 'lb2')?.status?.vrrp[0]?.state).toBe('MASTER');
  });
});

/** A TCP relay to 127.0.0.1:port that takes its first connection and never answers it (a peer too busy to answer). */
async function relaySwallowingFirst(port: number): Promise<{ port: number; close: () => Promise<void> }> {
  const held: Socket[] = [];
  let first = true;
  const server: Server = createServer((client) => {
    if (first) {
      first = false;
      held.push(client);
      return;
    }
    const upstream = connect(port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise((resolve) => {
        for (const socket of held) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('a member starting without a desired state of its own', () => {
  it('asks a slow peer again instead of adopting its empty kernel, and passes over a refusing one at once', async () => {
    const a = await member('lb1');
    const b = await member('lb2');
    const gone = await member('lb3');
    members = [a];
    await up(a, [b]);
    const added = data<{ revision: number }>(await trpcMutation(a.h!.url, 'services.add', addWeb(await revisionOf(a))));
    const relay = await relaySwallowingFirst(a.port);
    try {
      const config = {
        name: 'pair',
        self: 'lb2',
        token: TOKEN,
        pollIntervalMs: 1000,
        peers: [
          { name: 'lb1', url: `http://127.0.0.1:${relay.port}` },
          { name: 'lb3', url: `http://127.0.0.1:${gone.port}` },
        ],
      };
      const atStart = await newestFromPeers(config, silentLogger, 10_000, 1000);
      expect(atStart.newest?.from).toBe('lb1');
      expect(atStart.newest?.stored.revision).toBe(added.revision);
      // lb3 is not listening: refused, and said why.
      expect(atStart.unanswered).toEqual([expect.stringMatching(/^lb3 .*unreachable: .*(ECONNREFUSED|refused)/)]);
      // With no time to ask again, the slow peer is passed over too.
      const hurried = await relaySwallowingFirst(a.port);
      try {
        const once = await newestFromPeers({ ...config, peers: [{ name: 'lb1', url: `http://127.0.0.1:${hurried.port}` }] }, silentLogger, 1000, 1000);
        expect(once.newest).toBeNull();
        expect(once.unanswered).toEqual([expect.stringMatching(/no answer within 1000 ms/)]);
      } finally {
        await hurried.close();
      }
    } finally {
      await relay.close();
    }
  });
});
