// state.import with a keepalived.conf: detected, previewed with its warnings
// as "line N: ...", applied; an error names its line and changes nothing;
// an include is refused (the agent reads no file a request names).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommitOutcome, StateSnapshot } from '@lvs-console/shared/api';
import { data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ demo: false });
});
afterAll(async () => {
  await h.close();
});

const CONF = `! keepalived on lb1
virtual_server 192.0.2.50 80 {
    protocol TCP
    lvs_sched rr
    lvs_method NAT
    real_server 10.0.0.1 8080 {
        weight 2
        HTTP_GET {
            url {
                path /health
                digest 640205b7b0fc66c1ea91c463fac6334d
            }
        }
    }
}
`;

async function revision(): Promise<number> {
  return data<StateSnapshot>(await trpcQuery(h.url, 'state.get')).revision;
}

describe('state.import of a keepalived.conf', () => {
  it('detects the format, previews with the warnings, and applies', async () => {
    const preview = data<CommitOutcome>(await trpcMutation(h.url, 'state.import', { baseRevision: await revision(), text: CONF, mode: 'merge' }));
    expect(preview.dryRun).toBe(true);
    expect(preview.warnings).toContain(
      'line 11: HTTP_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
    );
    expect(preview.lines.some((line) => line.includes('192.0.2.50:80'))).toBe(true);
    const applied = data<CommitOutcome>(
      await trpcMutation(h.url, 'state.import', { baseRevision: await revision(), text: CONF, format: 'keepalived', mode: 'merge', dryRun: false }),
    );
    expect(applied.dryRun).toBe(false);
    const desired = data<StateSnapshot>(await trpcQuery(h.url, 'state.get')).desired;
    const service = desired.services.find((s) => s.key.kind === 'addr' && s.key.address === '192.0.2.50');
    expect(service?.destinations).toEqual([{ address: '10.0.0.1', port: 8080, forwarding: 'masq', weight: 2, upperThreshold: 0, lowerThreshold: 0 }]);
    expect(service?.health?.checks[0]).toMatchObject({ kind: 'http', path: '/health', intervalMs: 60_000 });
  });

  it('an error names its line and changes nothing; include is refused', async () => {
    const before = await revision();
    const broken = await trpcMutation(h.url, 'state.import', {
      baseRevision: before,
      text: 'virtual_server 192.0.2.51 80 {\n  protocol TCP\n',
      format: 'keepalived',
      dryRun: false,
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error?.message).toBe("line 1: unbalanced braces: the '{' here is never closed");
    const include = await trpcMutation(h.url, 'state.import', { baseRevision: before, text: 'include /etc/passwd\n', format: 'keepalived', dryRun: false });
    expect(include.status).toBe(400);
    expect(include.body.error?.message).toMatch(/^line 1: include "\/etc\/passwd": included files cannot be read here/);
    expect(await revision()).toBe(before);
  });
});
