// system.info: version, live backend, host, caller, settings, kernel.
import { hostname } from 'node:os';
import type { KernelInfo } from '@lvs-console/shared';
import type { Caller } from '@lvs-console/shared/api';
import type { BackendChoice } from '../../config/backend-choice';
import type { KernelBackend } from '../../kernel/backend';
import type { DriftMode } from '../../reconcile/reconciler';
import { AGENT_VERSION, type Agent } from '../agent';

export interface SystemInfo {
  version: string;
  backend: BackendChoice & { description: string; schedulers: string[] };
  host: { name: string; label: string | null };
  caller: Caller;
  startedAt: number;
  now: number;
  stateDir: string;
  driftMode: DriftMode;
  listenUrl: string;
  tls: boolean;
  demo: boolean;
  revision: number;
  statsHistorySeconds: number;
  sim: boolean;
  /** The "IP Virtual Server version ... (size=...)" of this director's kernel (ipvsadm -L's header). */
  kernel: KernelInfo;
}

/** A kernel's scheduler modules do not change while the agent runs: read them once. */
const schedulersOf = new WeakMap<KernelBackend, string[]>();

export async function systemInfo(agent: Agent, caller: Caller): Promise<SystemInfo> {
  let schedulers = schedulersOf.get(agent.backend);
  if (!schedulers) {
    schedulers = await agent.backend.availableSchedulers();
    schedulersOf.set(agent.backend, schedulers);
  }
  return {
    version: AGENT_VERSION,
    backend: { ...agent.backendChoice, description: await agent.backend.describe(), schedulers },
    host: { name: hostname(), label: agent.host?.label ?? null },
    caller,
    startedAt: agent.settings.startedAt,
    now: agent.clock.now(),
    stateDir: agent.settings.stateDir,
    driftMode: agent.settings.driftMode,
    listenUrl: agent.settings.listenUrl,
    tls: agent.settings.tls,
    demo: agent.settings.demo,
    revision: agent.store.revision,
    statsHistorySeconds: agent.stats.historySeconds,
    sim: agent.sim !== null,
    kernel: await agent.backend.info(),
  };
}
