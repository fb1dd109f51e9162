// The agent as every procedure sees it (ctx.agent): its parts, a plain
// object built once by server.ts. Operations that combine several parts live
// beside the router that exposes them (routers/*).
import type { Caller } from '@lvs-console/shared/api';
import type { DesiredState, HostSetting } from '@lvs-console/shared';
import type { NotificationService } from '../alerts/service';
import type { AuthService } from '../auth/auth-service';
import type { LoginThrottle } from '../auth/login-throttle';
import type { RefusalCounter } from '../auth/refusals';
import type { ClusterService } from '../cluster/cluster';
import type { BackendChoice } from '../config/backend-choice';
import type { Clock } from '../config/clock';
import type { VipMonitor } from '../ha/vip-monitor';
import type { HealthManager } from '../health/manager';
import type { KernelBackend } from '../kernel/backend';
import type { RealServerRegistry } from '../realservers/registry';
import type { AgentMetrics } from '../reconcile/agent-metrics';
import type { EventBus } from '../reconcile/events';
import type { HostPort, SimPort } from '../reconcile/ports';
import type { DriftMode, Reconciler } from '../reconcile/reconciler';
import type { StatsSampler } from '../stats/sampler';
import type { AuditLog } from '../store/audit-log';
import type { StateStore } from '../store/state-store';

export type { Caller };

export const AGENT_VERSION = '0.1.0';

export interface AgentSettings {
  stateDir: string;
  driftMode: DriftMode;
  listenUrl: string;
  tls: boolean;
  demo: boolean;
  startedAt: number;
}

export interface Agent {
  readonly settings: AgentSettings;
  readonly clock: Clock;
  readonly backend: KernelBackend;
  readonly backendChoice: BackendChoice;
  readonly store: StateStore;
  readonly audit: AuditLog;
  readonly reconciler: Reconciler;
  readonly stats: StatsSampler;
  readonly events: EventBus;
  readonly auth: AuthService;
  readonly refusals: RefusalCounter;
  readonly loginThrottle: LoginThrottle;
  readonly metrics: AgentMetrics;
  readonly host: HostPort | null;
  readonly sim: SimPort | null;
  readonly health: HealthManager;
  readonly realServers: RealServerRegistry;
  /** This director's cluster membership, or null for a director on its own. */
  readonly cluster: ClusterService | null;
  /** Where each service VIP is (this director's interface, or the pair's MASTER). */
  readonly vips: VipMonitor | null;
  /** Webhooks and commands that tell someone when something breaks (issue 17). */
  readonly notifications: NotificationService | null;
  /** Host settings a service needs for its forwarding methods (from the host module). */
  readonly requirementsOf: (desired: DesiredState) => Array<{ service: string; settings: HostSetting[] }>;
}
