import { describe, expect, it } from 'vitest';
import { serviceHealthSchema } from '@lvs-console/shared';
import { draftToHealth, healthToDraft, newCheckDraft } from '../src/features/health/health-draft';

describe('health editor draft', () => {
  it('round-trips every check kind and keeps drains and overrides', () => {
    const health = serviceHealthSchema.parse({
      checks: [
        {
          kind: 'http',
          path: '/health',
          host: 'app.example.com',
          expectStatus: [
            { min: 200, max: 299 },
            { min: 404, max: 404 },
          ],
          bodyMatch: { kind: 'regex', text: 'ok|up' },
        },
        { kind: 'https', verifyTls: true, target: { port: 8443 } },
        { kind: 'udp', payload: { encoding: 'hex', text: '0a0b' }, expect: { encoding: 'hex', text: 'ff' } },
        { kind: 'dns', name: 'www.example.com', recordType: 'AAAA', expectAddresses: ['2001:db8::1'] },
        { kind: 'command', program: '/usr/local/bin/check', args: ['--port', '80 81'], dynamicWeight: true },
        { kind: 'tcp', intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 2, warmupMs: 0 },
      ],
      destinations: { '10.0.0.1:80': { disabled: true } },
      drains: { '10.0.0.2:80': { startedAt: 5, by: 'ann' } },
      slowStart: { durationMs: 15_000, steps: 5 },
      quorum: 3,
      hysteresis: 1,
      sorryServer: { address: '10.0.0.9', port: 80, forwarding: 'masq', weight: 1 },
      alpha: true,
    });
    const result = draftToHealth(healthToDraft(health), health);
    expect(result).toEqual({ ok: true, health });
  });

  it('names the check and field of a problem', () => {
    const draft = healthToDraft(undefined);
    draft.checks = [{ ...newCheckDraft('command'), program: 'check-app', timeoutMs: '6000' }];
    const result = draftToHealth(draft, undefined);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContain('Check 1 · program: program must be an absolute path (e.g. /usr/local/bin/check-app), not "check-app"');
    expect(result.problems).toContain('Check 1 · timeout: timeout (6000 ms) must be shorter than the interval (5000 ms)');
  });

  it('refuses an empty number instead of reading it as 0', () => {
    const draft = { ...healthToDraft(undefined), quorum: '' };
    const result = draftToHealth(draft, undefined);
    expect(result.ok).toBe(false);
  });
});
