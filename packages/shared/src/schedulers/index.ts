// The kernel's IPVS schedulers as pure models, with predictions and helpers.
export * from './types';
export * from './hash';
export * from './prng';
export { bindList, type BoundList, type PickContext, type SchedulerCore } from './core';
export * from './least-connection';
export { HEAD, RrCore, WrrCore, type WrrMark } from './round-robin';
export * from './hashing';
export * from './locality';
export * from './engine';
export * from './kernel-rules';
export * from './predict';
