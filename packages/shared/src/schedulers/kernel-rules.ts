// Kernel rules around the schedulers: destination list order, the overload
// flag driven by thresholds, and persistence templates.
import { addressBytes } from './hash';
import type { SchedConnection, SchedDestination, SchedService } from './types';

// ---------------------------------------------------------------------------
// List order

/**
 * __ip_vs_update_dest() adds a new destination with list_add_rcu(), i.e. at the
 * head of svc->destinations. The kernel's list order (the order every
 * scheduler walks, and `ipvsadm -L` prints) is therefore the reverse of the
 * order the destinations were added. Edits keep a destination's place;
 * deleting and re-adding one moves it to the head.
 */
export function kernelListOrder<T>(insertionOrder: readonly T[]): T[] {
  return [...insertionOrder].reverse();
}

/** The list after adding one destination (at the head). */
export function withDestinationAdded<T>(kernelList: readonly T[], added: T): T[] {
  return [added, ...kernelList];
}

// ---------------------------------------------------------------------------
// Overload flag (IP_VS_DEST_F_OVERLOAD)

/** ip_vs_dest_totalconns(): active + inactive (persistence templates are not counted). */
export function totalConns(dest: Pick<SchedDestination, 'activeConns' | 'inactConns'>): number {
  return dest.activeConns + dest.inactConns;
}

type ThresholdView = Pick<SchedDestination, 'activeConns' | 'inactConns' | 'overloaded' | 'upperThreshold' | 'lowerThreshold'>;

/**
 * ip_vs_bind_dest() (ip_vs_conn.c), after the counters were incremented for a
 * new connection or template: set OVERLOAD once active + inactive reaches the
 * upper threshold.
 */
export function overloadAfterBind(dest: ThresholdView): boolean {
  if (dest.upperThreshold !== 0 && totalConns(dest) >= dest.upperThreshold) return true;
  return dest.overloaded;
}

/**
 * ip_vs_unbind_dest(), after the counters were decremented for an expired
 * connection: clear OVERLOAD below the lower threshold, or below 3/4 of the
 * upper one when no lower threshold is set (`total * 4 < upper * 3`), or at
 * once when no threshold is set at all. Nothing happens when a connection
 * merely turns from active to inactive.
 */
export function overloadAfterUnbind(dest: ThresholdView): boolean {
  const total = totalConns(dest);
  if (dest.lowerThreshold !== 0) return total < dest.lowerThreshold ? false : dest.overloaded;
  if (dest.upperThreshold !== 0) return total * 4 < dest.upperThreshold * 3 ? false : dest.overloaded;
  return false;
}

/**
 * __ip_vs_update_dest() on an edit: OVERLOAD is cleared when the new upper
 * threshold is 0 or larger than the old one; otherwise it stays until the
 * next unbind re-evaluates it.
 */
export function overloadAfterThresholdEdit(overloaded: boolean, oldUpper: number, newUpper: number): boolean {
  return newUpper === 0 || newUpper > oldUpper ? false : overloaded;
}

/** __ip_vs_update_dest(): last_weight keeps the latest non-zero weight (and the first weight on add). */
export function lastWeightAfterEdit(previousLastWeight: number, newWeight: number, isAdd: boolean): number {
  return isAdd || newWeight !== 0 ? newWeight : previousLastWeight;
}

// ---------------------------------------------------------------------------
// Persistence templates (ip_vs_sched_persist in ip_vs_core.c)

const FTP_PORT = 21;

/** The client address with all but `prefix` leading bits cleared (snet), as text of its bytes. */
export function maskedClientNetwork(address: string, prefix: number | undefined): string {
  const bytes = addressBytes(address);
  if (!bytes) throw new Error(`not a numeric IP address: "${address}"`);
  const bits = Math.max(0, Math.min(prefix ?? bytes.length * 8, bytes.length * 8));
  const masked = Uint8Array.from(bytes);
  for (let i = 0; i < masked.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    masked[i] = (masked[i] ?? 0) & ((0xff00 >> keep) & 0xff);
  }
  return bytes.length === 4 ? masked.join('.') : Array.from(masked, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The template's identity <protocol, client network, 0, vaddr, vport>:
 * - a service on a port: vport is the service port (0 for FTP, port 21, so the
 *   data connections follow the control connection);
 * - a port-0 service: vport 0, so every port of the VIP shares the template;
 * - a fwmark service: protocol IP and the fwmark in place of the address.
 */
export function persistenceTemplateKey(service: SchedService, conn: SchedConnection): string {
  const network = maskedClientNetwork(conn.clientAddress, service.persistence?.netmaskPrefix);
  const virtual = service.virtualService;
  if (virtual?.kind === 'fwmark') return `ip|${network}|fwmark:${virtual.fwmark}|0`;
  const servicePort = virtual?.port ?? conn.virtualPort;
  const vport = conn.virtualPort === servicePort && servicePort !== FTP_PORT ? conn.virtualPort : 0;
  return `${conn.protocol}|${network}|${conn.virtualAddress}|${vport}`;
}

export interface PersistenceTemplate {
  readonly destinationId: string;
  /** When the template's timer fires. Each connection it serves re-arms it to now + timeout. */
  readonly expiresAtMs: number;
}

export interface TemplateCheckOptions {
  /** net.ipv4.vs.expire_quiescent_template: a weight-0 destination invalidates its templates. */
  readonly expireQuiescentTemplate?: boolean;
}

/**
 * ip_vs_check_template(): a template still routes when its destination is in
 * the service and not (quiescent while expire_quiescent_template is set).
 * The overload flag and weight 0 do NOT stop a template: persistent clients
 * keep reaching a drained server until their template expires.
 */
export function templateDestination(
  template: PersistenceTemplate | undefined,
  service: SchedService,
  nowMs: number,
  options: TemplateCheckOptions = {},
): number {
  if (!template || nowMs >= template.expiresAtMs) return -1;
  const index = service.destinations.findIndex((dest) => dest.id === template.destinationId);
  if (index < 0) return -1;
  const dest = service.destinations[index] as SchedDestination;
  if (options.expireQuiescentTemplate === true && dest.weight === 0) return -1;
  return index;
}
