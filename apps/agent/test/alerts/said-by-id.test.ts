// What the agent says in words the console translates (web13): alert
// summaries and delivery-log entries by message id, the events' `what` by id,
// words inside parameters (sync daemon states, onFailure, roles, "none") as
// their own ids, and refusal summaries in a form the console reads back.
import { afterEach, describe, expect, it } from 'vitest';
import { describedEdit, OTHER_REFUSALS, parseRefusalSummary, refusalSummaryText, type AgentEvent } from '@lvs-console/shared/api';
import { ALERT_KINDS, applyFailedEvent, deriveAlertEvents, testEvent, type AlertEvent, type AlertSnapshot } from '@lvs-console/shared/alerts';
import { describedText, isMessageId, messageText, serviceHealthSchema, type MessageParams } from '@lvs-console/shared';
import { data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

/** The English text an id and its parameters make, nested messages included (as the console resolves them). */
function spoken(id: string | undefined, params: MessageParams = {}): string {
  if (!isMessageId(id)) throw new Error(`not a message id: ${String(id)}`);
  const resolved: MessageParams = { ...params };
  for (const [name, value] of Object.entries(params)) {
    if (!name.endsWith('Id') || !isMessageId(value)) continue;
    const rest = { ...params };
    delete rest[name];
    resolved[name.slice(0, -2)] = spoken(value, rest);
  }
  return messageText(id, resolved);
}

const bySummary = (event: AlertEvent) => spoken(event.summaryId, event.summaryParams);

describe('alert summaries by message id', () => {
  const WEB = 'tcp:192.0.2.10:80';
  const before: AlertSnapshot = {
    destinations: { [`${WEB} 10.0.0.1:80`]: { service: WEB, destination: '10.0.0.1:80', healthy: true, drainFinished: false } },
    services: { [WEB]: { quorumUp: true, sorryServer: '10.0.0.9:80', sorryServerActive: false } },
    drift: { count: 0, descriptions: [] },
    vrrp: { 'd1 VI_1': { director: 'd1', instance: 'VI_1', state: 'BACKUP' } },
  };
  const after: AlertSnapshot = {
    destinations: { [`${WEB} 10.0.0.1:80`]: { service: WEB, destination: '10.0.0.1:80', healthy: false, drainFinished: true } },
    services: { [WEB]: { quorumUp: false, sorryServer: '10.0.0.9:80', sorryServerActive: true } },
    drift: { count: 2, descriptions: ['weight 9 in the kernel, 3 desired'] },
    vrrp: { 'd1 VI_1': { director: 'd1', instance: 'VI_1', state: 'MASTER' } },
  };

  it('gives every derived event an id whose text is its summary, both ways', () => {
    const events = [...deriveAlertEvents(before, after, 1), ...deriveAlertEvents(after, before, 2)];
    // Every kind a snapshot change makes (apply failures and tests come from elsewhere); a failover each way.
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(ALERT_KINDS.filter((kind) => kind !== 'apply-failed' && kind !== 'test')));
    expect(events).toHaveLength(11);
    for (const event of events) expect(bySummary(event), event.kind).toBe(event.summary);
    expect(events.find((e) => e.kind === 'destination-down')?.summary).toBe('real server 10.0.0.1:80 of tcp:192.0.2.10:80 is down');
  });

  it('says VRRP states as words of their own', () => {
    const [became] = deriveAlertEvents(before, after, 1).filter((e) => e.kind === 'failover');
    expect(became?.summary).toBe('d1 became MASTER of VRRP instance VI_1 (was BACKUP)');
    expect(became?.summaryParams).toMatchObject({ previous: 'BACKUP', previousId: 'vrrpStateBackup' });
    const [left] = deriveAlertEvents(after, { ...after, vrrp: { 'd1 VI_1': { director: 'd1', instance: 'VI_1', state: 'FAULT' } } }, 2);
    expect(left?.summaryParams).toMatchObject({ state: 'FAULT', stateId: 'vrrpStateFault' });
    // A state the console has no word for stays as it came.
    const [odd] = deriveAlertEvents(after, { ...after, vrrp: { 'd1 VI_1': { director: 'd1', instance: 'VI_1', state: 'STOPPED' } } }, 3);
    expect(odd?.summaryParams).toEqual({ director: 'd1', instance: 'VI_1', state: 'STOPPED' });
  });

  it('nests the failed change by its own id in an apply failure, and keeps an old text without one', () => {
    const edit = describedText('editWeight', { server: '10.0.0.1:80', service: 'TCP 192.0.2.10:80', weight: 0 });
    const failed = applyFailedEvent(1, 'admin', { what: edit.message, whatId: edit.messageId, whatParams: edit.params }, 'No such file or directory');
    expect(failed.summary).toBe('applying "set weight of 10.0.0.1:80 in TCP 192.0.2.10:80 to 0" to the kernel failed: No such file or directory');
    expect(failed.summaryParams).toMatchObject({ whatId: 'editWeight', weight: 0, error: 'No such file or directory' });
    expect(bySummary(failed)).toBe(failed.summary);
    const plain = applyFailedEvent(1, 'agent', { what: 'something older' }, 'boom');
    expect(plain.summary).toBe('applying "something older" to the kernel failed: boom');
    expect(plain.summaryParams).toEqual({ what: 'something older', error: 'boom' });
    expect(bySummary(testEvent(1, 'admin'))).toBe('test notification sent by admin');
  });
});

describe('words inside parameters', () => {
  const service = { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 } as const;

  it('says sync daemons by a nested id with their states as words, the English text as before', () => {
    const two = describedEdit({
      op: 'set-sync-daemons',
      daemons: [
        { state: 'master', interface: 'eth0', syncId: 7 },
        { state: 'backup', interface: 'eth1', syncId: 8 },
      ],
    });
    expect(two.message).toBe('set sync daemons: master on eth0 (id 7), backup on eth1 (id 8)');
    expect(two.params).toMatchObject({ daemonsId: 'syncDaemonTwo', stateId: 'syncStateMaster', state2Id: 'syncStateBackup' });
    expect(spoken(two.messageId, two.params)).toBe(two.message);
    const one = describedEdit({ op: 'set-sync-daemons', daemons: [{ state: 'backup', interface: 'eth0', syncId: 0 }] });
    expect(one.message).toBe('set sync daemons: backup on eth0 (id 0)');
    expect(one.params).toMatchObject({ daemonsId: 'syncDaemonOne', stateId: 'syncStateBackup' });
    expect(describedEdit({ op: 'set-sync-daemons', daemons: [] }).messageId).toBe('editNoSyncDaemons');
  });

  it('says the onFailure rule of a health edit as a word', () => {
    const off = describedEdit({ op: 'set-health', service, health: serviceHealthSchema.parse({ enabled: false, checks: [], onFailure: 'remove' }) });
    expect(off.message).toBe('set health checks of TCP 192.0.2.10:80: off, on failure remove');
    expect(off.params).toMatchObject({ onFailure: 'remove', onFailureId: 'onFailureRemove' });
    const on = describedEdit({ op: 'set-health', service, health: serviceHealthSchema.parse({ enabled: true, checks: [], onFailure: 'quiesce' }) });
    expect(on.params).toMatchObject({ onFailureId: 'onFailureQuiesce' });
  });

  it('writes a refusal summary the console reads back', () => {
    const counts = [
      { reason: 'no token', procedure: 'services.remove', calls: 100 },
      { reason: 'wrong or expired token', procedure: 'audit.list (batch of 3)', calls: 2 },
      { reason: OTHER_REFUSALS, procedure: null, calls: 5 },
    ] as const;
    const text = refusalSummaryText(counts);
    expect(text).toBe('no token: services.remove ×100; wrong or expired token: audit.list (batch of 3) ×2; other ×5');
    expect(parseRefusalSummary(text)).toEqual(counts);
    expect(parseRefusalSummary('the kernel refused: no such file')).toBeNull();
    expect(parseRefusalSummary('made up reason: x ×1')).toBeNull();
  });
});

describe('a running agent', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('publishes its events with the message id beside the English text', async () => {
    h = await startHarness();
    const events: AgentEvent[] = [];
    const stop = h.running.agent.events.subscribe((event) => events.push(event));
    const state = data<{ revision: number }>(await trpcQuery(h.url, 'state.get'));
    const done = await trpcMutation(h.url, 'host.setSyncDaemons', {
      baseRevision: state.revision,
      daemons: [{ state: 'master', interface: 'eth0', syncId: 3 }],
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    stop();
    const revision = events.find((e) => e.type === 'revision');
    expect(revision).toMatchObject({ what: 'set sync daemons: master on eth0 (id 3)', whatId: 'editSyncDaemons' });
    const apply = events.find((e) => e.type === 'apply');
    expect(apply && 'whatParams' in apply ? apply.whatParams : null).toMatchObject({ daemonsId: 'syncDaemonOne', stateId: 'syncStateMaster' });
  });

  it('logs each delivered alert by message id, and says roles and "none" as words in the audit log', async () => {
    h = await startHarness({ demo: false });
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('ok')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address();
      const port = address !== null && typeof address === 'object' ? address.port : 0;
      const hook = { id: 'ops', name: 'Ops', url: `http://127.0.0.1:${port}/hook` };
      const settings = { enabled: true, groupWaitMs: 0, repeatIntervalMs: 1000 };
      expect((await trpcMutation(h.url, 'notifications.update', { ...settings, webhooks: [hook] })).status).toBe(200);
      expect((await trpcMutation(h.url, 'notifications.test', {})).status).toBe(200);
      const log = data<Array<{ what: string; whatParts?: Array<{ what: string; whatId?: string; whatParams?: MessageParams }> }>>(
        await trpcQuery(h.url, 'notifications.log'),
      );
      expect(log[0]?.what).toBe('test notification sent by admin');
      expect(log[0]?.whatParts).toEqual([{ what: 'test notification sent by admin', whatId: 'alertTest', whatParams: { who: 'admin' } }]);
      expect((await trpcMutation(h.url, 'notifications.update', { ...settings, webhooks: [] })).status).toBe(200);
      expect((await trpcMutation(h.url, 'users.add', { name: 'kim', role: 'operator', password: 'a long enough password 1' })).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    const audit = data<Array<{ what: string; whatId?: string; whatParams?: MessageParams }>>(await trpcQuery(h.url, 'audit.list', { limit: 20 }));
    const none = audit.find((e) => e.whatId === 'auditNotifyOn' && e.whatParams?.webhooks === 0);
    expect(none?.what).toBe('notification settings: on, 0 webhooks (none), group wait 0 ms, repeat 1000 ms');
    expect(none?.whatParams).toMatchObject({ ids: 'none', idsId: 'wordNone' });
    const ops = audit.find((e) => e.whatId === 'auditNotifyOn' && e.whatParams?.webhooks === 1);
    expect(ops?.whatParams).toMatchObject({ ids: 'ops' });
    expect(ops?.whatParams).not.toHaveProperty('idsId');
    const added = audit.find((e) => e.whatId === 'auditUserAdded');
    expect(added?.what).toBe('added user kim (operator)');
    expect(added?.whatParams).toMatchObject({ role: 'operator', roleId: 'roleOperator' });
  });
});
