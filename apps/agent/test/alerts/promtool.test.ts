// The shipped Prometheus rules (deploy/prometheus/lvs-console.rules.yml),
// checked by Prometheus's own promtool: the file parses, and the recorded
// series in lvs-console.rules.test.yml fire (and clear) the alerts they should.
// Every metric the rules name must be one the agent writes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMetrics } from '@lvs-console/shared/metrics';

const DIR = join(import.meta.dirname, '../../../../deploy/prometheus');
const RULES = join(DIR, 'lvs-console.rules.yml');
const TESTS = join(DIR, 'lvs-console.rules.test.yml');

const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const installed = probe.error === undefined && probe.status === 0;
const required = process.env.LVS_REQUIRE_TOOLS === '1';

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('Prometheus rules', () => {
  it.skipIf(!installed && !required)('should pass promtool check rules (skipped: promtool is not installed; apt-get install prometheus)', () => {
    const { status, output } = promtool('check', 'rules', RULES);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it.skipIf(!installed && !required)('should fire and clear each alert on the recorded series (promtool test rules)', () => {
    const { status, output } = promtool('test', 'rules', TESTS);
    expect(output, output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('should name only metrics the agent writes', () => {
    const text = renderMetrics(null, {
      version: '0',
      backend: 'sim',
      revision: 1,
      driftChanges: 1,
      commitsOk: 0,
      commitsFailed: 0,
      rejected: 0,
      applyDuration: { buckets: [], counts: [], count: 0, sum: 0 },
      observationAgeSeconds: 0,
      samplerDurationSeconds: 0,
      driftSince: 1,
      lastApply: { ok: true, at: 1 },
      health: {
        services: [
          {
            service: 's',
            quorumUp: true,
            quorumChangedAt: 1,
            sorryServer: 'x',
            sorryServerActive: false,
            destinations: [
              { destination: 'd', status: 'up', since: 1, configuredWeight: 1, effectiveWeight: 1, draining: true, drainFraction: 0, drainConnections: 0 },
            ],
          },
        ],
      },
      cluster: {
        cluster: 'c',
        self: 'a',
        members: [{ director: 'a', reachable: true, lastHeardSeconds: 0, lag: 0, vrrp: [{ instance: 'VI_1', state: 'MASTER' }] }],
      },
    });
    const written = new Set(
      text
        .split('\n')
        .filter((line) => line.startsWith('# TYPE '))
        .map((line) => line.split(' ')[2]),
    );
    const named = new Set([...readFileSync(RULES, 'utf8').matchAll(/\bexpr:.*/g)].flatMap((m) => [...m[0].matchAll(/\blvs_[a-z_]+/g)].map((n) => n[0])));
    expect(named.size).toBeGreaterThan(5);
    expect([...named].filter((name) => !written.has(name))).toEqual([]);
  });
});
