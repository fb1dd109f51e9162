// What the kernel (and ipvsadm in front of it) says when it refuses a change,
// and how it stores scheduler flags. Used by the kernel table model (which
// refuses what the kernel refuses) and by the ipvsadm backend, which maps the
// kernel's words back onto the change that caused them.
import { SCHEDULERS } from '../model';
import type { SchedFlag, SchedulerName } from '../model';
import type { ChangeKind } from '../plan/change';

/** libipvs ipvs_strerror() texts, as `ipvsadm` prints them on stderr. */
export const KERNEL_MESSAGES = {
  serviceExists: 'Service already exists',
  schedulerNotFound: 'Scheduler or persistence engine not found',
  noSuchService: 'No such service',
  serviceNotDefined: 'Service not defined',
  destinationExists: 'Destination already exists',
  noSuchDestination: 'No such destination',
  daemonRunning: 'Daemon has already run',
  noDaemon: 'No daemon is running',
  permission: 'Permission denied (you must be root)',
  invalid: 'Invalid operation.  Possibly wrong module version, address not unicast, ...',
  noMemory: 'Memory allocation problem',
  notSupportedV6: 'Operation not supported with IPv6',
  familyNotSupported: 'Operation not supported with specified address family',
  outOfRange: 'Numerical result out of range',
} as const;

/** ipvsadm's own refusals (it exits before asking the kernel). */
export const IPVSADM_MESSAGES = {
  zeroPort: 'Zero port specified for non-persistent service',
  onePacketUdpOnly: 'One-Packet Scheduling is only for UDP virtual services',
  familyMismatch: 'Different address family is allowed only for tunneling servers',
} as const;

/** Messages a change kind can produce, so stderr lines map back onto the right change. */
const MESSAGES_BY_KIND: Record<ChangeKind, readonly string[]> = {
  'add-service': [KERNEL_MESSAGES.serviceExists, KERNEL_MESSAGES.schedulerNotFound, IPVSADM_MESSAGES.zeroPort, IPVSADM_MESSAGES.onePacketUdpOnly],
  'edit-service': [KERNEL_MESSAGES.noSuchService, KERNEL_MESSAGES.schedulerNotFound, IPVSADM_MESSAGES.zeroPort, IPVSADM_MESSAGES.onePacketUdpOnly],
  'delete-service': [KERNEL_MESSAGES.noSuchService],
  'add-destination': [KERNEL_MESSAGES.serviceNotDefined, KERNEL_MESSAGES.destinationExists, IPVSADM_MESSAGES.familyMismatch],
  'edit-destination': [KERNEL_MESSAGES.serviceNotDefined, KERNEL_MESSAGES.noSuchDestination, IPVSADM_MESSAGES.familyMismatch],
  'delete-destination': [KERNEL_MESSAGES.serviceNotDefined, KERNEL_MESSAGES.noSuchDestination],
  'set-timeouts': [],
  'start-daemon': [KERNEL_MESSAGES.daemonRunning],
  'stop-daemon': [KERNEL_MESSAGES.noDaemon],
};

const SPECIFIC_MESSAGES = new Set(Object.values(MESSAGES_BY_KIND).flat());

/** Could this change kind have printed this message? Generic errno texts fit any change. */
export function messageFitsChange(kind: ChangeKind, message: string): boolean {
  if (MESSAGES_BY_KIND[kind].includes(message)) return true;
  return !SPECIFIC_MESSAGES.has(message);
}

/**
 * First Linux release with each scheduler, where it is later than the 4.x
 * kernels everyone runs. twos: commit 012da53d1afb, net-next Feb 2021 (5.12).
 */
export const SCHEDULER_SINCE: Partial<Record<SchedulerName, string>> = {
  mh: '4.18',
  twos: '5.12',
};

/** The words an operator sees instead of "Scheduler or persistence engine not found". */
export function missingSchedulerMessage(scheduler: string, engine?: string): string {
  const since = SCHEDULER_SINCE[scheduler as SchedulerName];
  const base = `the running kernel has no ip_vs_${scheduler} module`;
  const schedulerPart = since ? `${base} (scheduler ${scheduler} needs Linux ${since} or later)` : base;
  return engine ? `${schedulerPart}, or no ip_vs_pe_${engine} module for the ${engine} persistence engine` : schedulerPart;
}

export interface SchedulerAvailability {
  scheduler: SchedulerName;
  available: boolean;
  /** Empty when available; otherwise what is missing, in plain words. */
  message: string;
}

/** Every kernel scheduler with whether this kernel has it, for the console's scheduler picker. */
export function schedulerAvailability(available: readonly string[]): SchedulerAvailability[] {
  return SCHEDULERS.map((scheduler) => {
    const has = available.includes(scheduler);
    return { scheduler, available: has, message: has ? '' : missingSchedulerMessage(scheduler) };
  });
}

/** Scheduler flag names to the kernel's three generic bits (IP_VS_SVC_F_SCHED1..3). */
const FLAG_BITS: Record<SchedFlag, number> = {
  'flag-1': 1,
  'sh-fallback': 1,
  'mh-fallback': 1,
  'flag-2': 2,
  'sh-port': 2,
  'mh-port': 2,
  'flag-3': 4,
};

export function schedFlagBits(flags: readonly SchedFlag[]): number {
  return flags.reduce((bits, flag) => bits | FLAG_BITS[flag], 0);
}

/** Names as ipvsadm prints them for this scheduler (print_sched_flags in ipvsadm.c). */
export function schedFlagNames(scheduler: string, bits: number): SchedFlag[] {
  const names: SchedFlag[] = [];
  const [one, two]: [SchedFlag, SchedFlag] =
    scheduler === 'sh' ? ['sh-fallback', 'sh-port'] : scheduler === 'mh' ? ['mh-fallback', 'mh-port'] : ['flag-1', 'flag-2'];
  if (bits & 1) names.push(one);
  if (bits & 2) names.push(two);
  if (bits & 4) names.push('flag-3');
  return names;
}

/** ipvsadm refuses sh-* flags unless the scheduler is sh, and mh-* unless mh. */
export function incompatibleFlag(scheduler: string, flags: readonly SchedFlag[]): SchedFlag | null {
  for (const flag of flags) {
    if (flag.startsWith('sh-') && scheduler !== 'sh') return flag;
    if (flag.startsWith('mh-') && scheduler !== 'mh') return flag;
  }
  return null;
}
