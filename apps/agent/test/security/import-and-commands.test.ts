// Issue 16, defects 3 and 4: command health checks never come from the API
// (state.import included), and an import meets the same input rules as every
// other call: metacharacters refused, host settings kept, warnings returned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommitOutcome } from '@lvs-console/shared/api';
import { WEB, data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

interface Snapshot {
  revision: number;
  desired: { services: Array<{ key: { address: string }; health?: unknown }>; hostSettings: Array<{ kind: string; name?: string; value?: string }> };
}

async function snapshot(): Promise<Snapshot> {
  return data<Snapshot>(await trpcQuery(h.url, 'state.get'));
}

const COMMAND_CHECK = { kind: 'command', program: '/usr/bin/timeout', args: ['5', '/bin/sh', '-c', 'id'], intervalMs: 5000, timeoutMs: 2000 };

async function documentWith(edit: (state: Snapshot['desired']) => Snapshot['desired']): Promise<string> {
  return JSON.stringify(edit((await snapshot()).desired));
}

describe('command health checks from the API', () => {
  it('are refused by services.setHealth with a message that says where they come from', async () => {
    const before = await snapshot();
    const response = await trpcMutation(h.url, 'services.setHealth', { baseRevision: before.revision, service: WEB, health: { checks: [COMMAND_CHECK] } });
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toMatch(/set only on the director itself.*lvs-console apply FILE/);
    expect((await snapshot()).revision).toBe(before.revision);
  });

  it('are refused inside state.import and state.replace documents', async () => {
    const before = await snapshot();
    const text = await documentWith((state) => ({
      ...state,
      services: state.services.map((s, i) => (i === 0 ? { ...s, health: { checks: [COMMAND_CHECK] } } : s)),
    }));
    const imported = await trpcMutation(h.url, 'state.import', { baseRevision: before.revision, text, format: 'json', dryRun: false });
    expect(imported.status).toBe(400);
    expect(imported.body.error?.message).toMatch(/command check "\/usr\/bin\/timeout 5 \/bin\/sh -c id".*set only on the director/);
    const replaced = await trpcMutation(h.url, 'state.replace', { baseRevision: before.revision, state: JSON.parse(text) as unknown });
    expect(replaced.status).toBe(400);
    expect((await snapshot()).revision).toBe(before.revision);
  });
});

describe('import input rules', () => {
  it('refuses shell metacharacters inside an imported document and changes nothing', async () => {
    const before = await snapshot();
    const text = await documentWith((state) => ({
      ...state,
      services: state.services.map((s, i) => (i === 0 ? { ...s, health: { drains: { '198.51.100.11:8080': { startedAt: 1, by: 'ops; reboot' } } } } : s)),
    }));
    const response = await trpcMutation(h.url, 'state.import', { baseRevision: before.revision, text, format: 'json', dryRun: false });
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toMatch(/by: contains characters that are not allowed/);
    expect((await snapshot()).revision).toBe(before.revision);
    const audit = data<Array<{ what: string; result: string }>>(await trpcQuery(h.url, 'audit.list', { limit: 5 }));
    expect(audit[0]).toMatchObject({ what: 'import json', result: 'rejected' });
  });

  it('keeps the host settings of an imported document instead of dropping them', async () => {
    const before = await snapshot();
    const text = await documentWith((state) => ({
      ...state,
      hostSettings: [{ kind: 'sysctl', name: 'net.ipv4.ip_forward', value: '1', reason: 'NAT replies' }],
    }));
    const outcome = data<CommitOutcome>(await trpcMutation(h.url, 'state.import', { baseRevision: before.revision, text, format: 'json', dryRun: false }));
    expect(outcome.revision).toBe(before.revision + 1);
    expect((await snapshot()).desired.hostSettings).toEqual([{ kind: 'sysctl', name: 'net.ipv4.ip_forward', value: '1', reason: 'NAT replies' }]);
  });

  it('returns the parser warnings', async () => {
    const before = await snapshot();
    const text = '-A -t 192.0.2.99:80 -s rr -M 255.255.255.0\n-a -t 192.0.2.99:80 -r 10.0.0.1:80 -m -w 1\n';
    const outcome = data<CommitOutcome>(
      await trpcMutation(h.url, 'state.import', { baseRevision: before.revision, text, format: 'ipvsadm', mode: 'merge', dryRun: true }),
    );
    expect(outcome.warnings.join('\n')).toMatch(/line 1: -M has no effect without persistence/);
  });
});

describe('sim conflicts', () => {
  it('are audited like every refused change', async () => {
    const before = await snapshot();
    const response = await trpcMutation(h.url, 'sim.setTraffic', { baseRevision: before.revision - 1, connectionsPerSecond: 5 });
    expect(response.status).toBe(409);
    const audit = data<Array<{ what: string; result: string; error?: string }>>(await trpcQuery(h.url, 'audit.list', { limit: 5 }));
    expect(audit[0]).toMatchObject({ what: 'set simulated traffic', result: 'rejected' });
    expect(audit[0]?.error).toMatch(/changed since revision/);
  });
});
