// Health checks, drains and slow start: the agent side. See README.md here
// for how the reconcile loop and the app router use it.
export { HealthManager } from './manager';
export type {
  CheckView,
  DesiredStateEdit,
  DestinationHealthView,
  HealthManagerOptions,
  HealthStatusView,
  ServiceHealthView,
  SimFailureSource,
  SubmitEdit,
} from './manager';
export { applyEffectiveTable } from './apply';
export { ManualTimers, systemTimers } from './timers';
export type { HealthTimers, TimerHandle } from './timers';
export { runCheck } from './checkers';
export type { ProbeOutcome, ProbeTarget } from './checkers';
