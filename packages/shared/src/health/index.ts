// Health checks, drains and slow start: the pure part. The agent's
// HealthManager (apps/agent/src/health) runs the probes and holds the state.
export * from './state';
export * from './config';
export * from './weight';
export * from './drain';
export * from './table';
export * from './explain';
export * from './edits';
export * from './dns-message';
export * from './inputs';
export * from './adopt';
export * from './commands';
