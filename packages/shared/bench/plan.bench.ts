// plan() for 10,000 services × 10 destinations with 1% of them changed.
// Target (issue 2): under 100 ms. Baseline: merely indexing both tables by id,
// the least any diff must do.
import { serviceId, destinationId, type DesiredState } from '../src/model';
import { plan } from '../src/plan';
import { bigTable, medianMs, type BenchResult } from './support';

export function run(): Promise<BenchResult[]> {
  const observed = bigTable(10_000, 10);
  const desired: DesiredState = {
    ...observed,
    services: observed.services.map((service, i) =>
      i % 100 === 0 ? { ...service, destinations: service.destinations.map((d, j) => (j === 0 ? { ...d, weight: d.weight + 5 } : d)) } : service,
    ),
  };
  let changes = 0;
  const planMs = medianMs(7, () => {
    changes = plan(desired, observed).length;
  });
  if (changes !== 100) throw new Error(`expected 100 changes, got ${changes}`);
  const indexMs = medianMs(7, () => {
    for (const table of [desired, observed]) {
      const index = new Map<string, Set<string>>();
      for (const s of table.services) index.set(serviceId(s.key), new Set(s.destinations.map(destinationId)));
    }
  });
  return Promise.resolve([{ name: 'plan-10k', value: planMs, unit: 'ms', baseline: { name: 'index-both-tables-10k', value: indexMs, unit: 'ms' } }]);
}
