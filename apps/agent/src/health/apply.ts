// The smallest correct wiring of health into a kernel: plan the effective
// table (not the raw desired state) against what the kernel has, and apply.
// The reconcile loop does the same inside its own mutex, audit and drift
// handling; tests and the benchmark use this directly.
import type { DesiredState } from '@lvs-console/shared';
import { effectiveTable, type HealthSnapshot } from '@lvs-console/shared/health';
import { plan } from '@lvs-console/shared/plan';
import type { ApplyResult, KernelBackend } from '../kernel/backend';

export async function applyEffectiveTable(backend: KernelBackend, desired: DesiredState, snapshot: HealthSnapshot, now: number): Promise<ApplyResult> {
  const wanted = effectiveTable(desired, snapshot, now);
  const observed = await backend.observe();
  // Timeouts and sync daemons are the reconcile loop's business; only services here.
  const changes = plan({ services: wanted.services }, { services: observed.services });
  if (changes.length === 0) return { results: [], durationMs: 0 };
  return backend.apply(changes);
}
