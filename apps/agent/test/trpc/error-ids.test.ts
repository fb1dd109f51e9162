// Issue 19, point 1: the agent's refusals carry a stable message id and its
// parameters beside the English message, so the console can say them in its
// language: a stale revision, a service that exists, a bad port, a role that
// may not change anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, VIEWER_TOKEN, WEB, WEB1, data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

type ErrorData = { messageId?: string; params?: Record<string, unknown>; issues?: Array<{ path: string; messageId?: string }> };
const errorData = (res: { body: { error?: { data?: unknown } } }) => (res.body.error?.data ?? {}) as ErrorData;

describe('refusals with message ids', () => {
  it('names a stale revision, an existing service, a bad port and a refused role by id with parameters', async () => {
    const { revision } = data<{ revision: number }>(await trpcQuery(h.url, 'state.get'));
    const stale = await trpcMutation(h.url, 'destinations.setWeight', { baseRevision: revision + 5, service: WEB, destination: WEB1, weight: 4 }, ADMIN_TOKEN);
    expect(stale.status).toBe(409);
    expect(errorData(stale)).toMatchObject({ messageId: 'revisionConflict', params: { base: revision + 5, current: revision } });
    expect(stale.body.error?.message).toContain(`changed since revision ${revision + 5}`);

    const service = {
      key: WEB,
      scheduler: 'wlc',
      flags: [],
      onePacket: false,
      persistence: null,
      destinations: [{ ...WEB1, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
    };
    const exists = await trpcMutation(h.url, 'services.add', { baseRevision: revision, service }, ADMIN_TOKEN);
    expect(exists.status).toBe(409);
    expect(errorData(exists)).toMatchObject({ messageId: 'serviceExists', params: { service: 'TCP 192.0.2.10:80' } });

    const badPort = await trpcMutation(h.url, 'services.add', { baseRevision: revision, service: { ...service, key: { ...WEB, port: 70000 } } }, ADMIN_TOKEN);
    expect(badPort.status).toBe(400);
    expect(errorData(badPort).issues).toContainEqual(expect.objectContaining({ path: 'service.key.port', messageId: 'portRange' }));

    const viewer = await trpcMutation(h.url, 'destinations.setWeight', { baseRevision: revision, service: WEB, destination: WEB1, weight: 4 }, VIEWER_TOKEN);
    expect(viewer.status).toBe(403);
    expect(errorData(viewer)).toMatchObject({ messageId: 'needsOperator', params: { name: 'viewer', role: 'viewer' } });
  });
});
