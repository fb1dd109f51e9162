// The kernel layer: one interface, three implementations, and the helper that picks one.
export type * from './backend';
export { IpvsadmBackend, restoreLine } from './ipvsadm';
export type { IpvsadmBackendOptions } from './ipvsadm';
export { NetlinkBackend } from './netlink/backend';
export type { NetlinkBackendOptions } from './netlink/backend';
export { SimBackend, QUIET_TRAFFIC } from './sim';
export type { SimBackendOptions, TrafficSettings } from './sim';
export { DEMO_STATE, DEMO_TRAFFIC, createDemoSim, loadDemo } from './demo';
export { ManualClock, systemClock } from '../config/clock';
export type { Clock } from '../config/clock';
export { chooseBackend, findProgram } from './select';
export type { BackendChoice, ChooseBackendOptions } from './select';
export { createExecRunner, CommandError } from './runner';
export type { CommandResult, CommandRunner, ExecRunnerOptions } from './runner';
export { missingSchedulerMessage, schedulerAvailability, KERNEL_MESSAGES } from '@lvs-console/shared/kernel';
export type { SchedulerAvailability } from '@lvs-console/shared/kernel';
export { readConnectionFile, parseProcConnLine, MAX_CONNECTION_LIMIT } from './conn-table';
