// state.since per service (issue 16, speed): a tab that keeps merging the
// answers with applyStateChanges (as the console's poller does) holds every
// service's settings as state.get has them after each kind of change, while
// new counters alone bring no service at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceId, type ObservedTable } from '@lvs-console/shared';
import { applyStateChanges, observedServiceFingerprint, type StateChanges, type StateSnapshot } from '@lvs-console/shared/api';
import { data, startHarness, trpcQuery, type Harness } from '../http/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

function settingsOf(table: ObservedTable | null): Record<string, string> {
  return Object.fromEntries((table?.services ?? []).map((s) => [serviceId(s.key), observedServiceFingerprint(s)]));
}

describe('state.since answers per service', () => {
  it('brings only the services that changed, and the merged table matches state.get after each change', async () => {
    let held = data<StateSnapshot>(await trpcQuery(h.url, 'state.get'));
    expect(held.observed?.services.length).toBeGreaterThan(1);
    const poll = async (): Promise<StateChanges> => {
      await h.running.agent.stats.sampleOnce();
      const changes = data<StateChanges>(await trpcQuery(h.url, 'state.since', { sinceRevision: held.revision, sinceObservation: held.observationSeq }));
      held = applyStateChanges(held, changes);
      const now = data<StateSnapshot>(await trpcQuery(h.url, 'state.get'));
      expect(held.observationSeq).toBe(now.observationSeq);
      expect(settingsOf(held.observed)).toEqual(settingsOf(now.observed));
      expect(held.observed?.services.map((s) => serviceId(s.key)).sort()).toEqual(now.observed?.services.map((s) => serviceId(s.key)).sort());
      return changes;
    };

    // Traffic moves the counters: not a change of any service.
    h.sim.advanceBy(2000);
    const quiet = await poll();
    expect(quiet.observed).toBeUndefined();
    expect(quiet.observedChanges?.changed).toEqual([]);

    // A weight changed by hand in one service: that service only, whole.
    const [first, second] = held.observed?.services ?? [];
    if (!first || !second) throw new Error('the demo has at least two services');
    const dest = first.destinations[0];
    if (!dest) throw new Error('the demo service has a real server');
    const { activeConns: _a, inactiveConns: _i, persistentConns: _p, stats: _s, rates: _r, overloaded: _o, local: _l, ...destination } = dest;
    await h.sim.apply([{ kind: 'edit-destination', service: first.key, from: destination, to: { ...destination, weight: destination.weight + 7 } }]);
    const edited = await poll();
    expect(edited.observedChanges?.changed.map((s) => serviceId(s.key))).toEqual([serviceId(first.key)]);
    expect(edited.observedChanges?.removed).toEqual([]);

    // A service added by hand, then one deleted by hand.
    const { destinations: _d, stats: _ss, rates: _rr, ...settings } = second;
    const addedKey = second.key.kind === 'fwmark' ? { ...second.key, fwmark: second.key.fwmark + 1000 } : { ...second.key, port: 65001 };
    await h.sim.apply([{ kind: 'add-service', service: { ...settings, key: addedKey } }]);
    const added = await poll();
    expect(added.observedChanges?.changed.map((s) => serviceId(s.key))).toEqual([serviceId(addedKey)]);

    await h.sim.apply([{ kind: 'delete-service', service: settings }]);
    const deleted = await poll();
    expect(deleted.observedChanges?.changed).toEqual([]);
    expect(deleted.observedChanges?.removed).toEqual([serviceId(second.key)]);
    expect(held.observed?.services.some((s) => serviceId(s.key) === serviceId(second.key))).toBe(false);
  });
});
