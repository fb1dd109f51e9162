// The one interface behind which the kernel's IPVS table lives. Three
// implementations: `ipvsadm` (the real kernel, through the ipvsadm program),
// `netlink` (the real kernel over IPVS generic netlink) and `sim` (an
// in-memory kernel that moves synthetic traffic). One contract test suite
// runs against all three.
import type { ConnectionEntry, KernelInfo, ObservedTable, ServiceKey, SyncDaemon, Timeouts } from '@lvs-console/shared';
import type { Change } from '@lvs-console/shared/plan';
import type { CounterSample } from './sampling';

export type BackendKind = 'sim' | 'ipvsadm' | 'netlink';

/** What happened to one change of a plan. */
export interface ChangeResult {
  change: Change;
  ok: boolean;
  /** The kernel's or ipvsadm's message when not ok, in words an operator can act on. */
  error?: string;
}

export interface ApplyResult {
  results: ChangeResult[];
  /** Wall time of the kernel work, for the agent's apply-duration metric. */
  durationMs: number;
  /** The table as read after the apply, counters included: only when asked for with `observeAfter`. */
  observed?: ObservedTable;
}

export interface ApplyOptions {
  /**
   * The table the changes were planned against, read just now by the caller:
   * a backend that needs the table as it was before the apply uses it
   * instead of reading the kernel once more.
   */
  before?: Pick<ObservedTable, 'services' | 'timeouts' | 'syncDaemons'>;
  /** Return the table as it is after the apply (one read that also judges the changes). */
  observeAfter?: boolean;
}

export interface ConnectionQuery {
  /** Return at most this many entries (the first ones in the kernel's table order after filtering). */
  limit: number;
  offset?: number;
  /** Keep only entries matching all given fields. */
  virtualAddress?: string;
  virtualPort?: number;
  destAddress?: string;
  destPort?: number;
  state?: string;
  /** Client address prefix, e.g. "198.51.100." or a CIDR "198.51.100.0/24". */
  clientPrefix?: string;
  includeTemplates?: boolean;
}

export interface ConnectionPage {
  /** Entries matching the query, bounded by limit. */
  entries: ConnectionEntry[];
  /** How many entries matched in total. */
  matched: number;
  /** How many entries the kernel's table holds in total. */
  total: number;
}

export interface KernelBackend {
  readonly kind: BackendKind;
  /**
   * Destination lists read from the kernel since the backend opened, one per
   * service whose destinations a read listed (observe, observeWithin,
   * sample, the read of an apply): how much of the table the agent's reads
   * cost, whichever asked (/metrics: lvs_console_kernel_destination_lists_read_total).
   */
  readonly destinationListsRead: number;
  /** "Simulated kernel" or "Linux IPVS 1.2.1, kernel 6.1.0-27-amd64". */
  describe(): Promise<string>;
  info(): Promise<KernelInfo>;
  /** Config plus counters of every service and destination, timeouts and sync daemons. */
  observe(): Promise<ObservedTable>;
  /**
   * One 1 Hz counter sample, given the one before (null at first): netlink
   * reads every service row but only the destination lists
   * planDestinationReads picks, keeping the others from `previous`; the
   * other backends observe() in full. Never for planning: plans read fresh.
   */
  sample(previous: CounterSample | null, now: number): Promise<CounterSample>;
  /**
   * The table for a plan scoped to `services` (serviceIds): every service
   * row, timeouts and daemons afresh, these services' destinations afresh
   * (and those of services `base` lacks), the other services' destinations
   * as in `base` (the latest observation). Backends that cannot read less
   * observe() in full.
   */
  observeWithin(services: ReadonlySet<string>, base: ObservedTable): Promise<ObservedTable>;
  /**
   * Apply a plan in order. Never throws for a rejected change: each change
   * gets its own result. Throws only when the kernel cannot be reached at all.
   */
  apply(changes: readonly Change[], options?: ApplyOptions): Promise<ApplyResult>;
  connections(query: ConnectionQuery): Promise<ConnectionPage>;
  /** Scheduler modules the running kernel has (or can load), e.g. 6.1 has no twos. */
  availableSchedulers(): Promise<string[]>;
  setTimeouts(timeouts: Timeouts): Promise<void>;
  startDaemon(daemon: SyncDaemon): Promise<void>;
  stopDaemon(state: SyncDaemon['state']): Promise<void>;
  /** `ipvsadm -Z [service]`: the packet, byte and connection counters (and rates) start from zero. */
  zero(service?: ServiceKey): Promise<void>;
  close(): Promise<void>;
}
