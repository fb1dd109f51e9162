// Alerting, pure part: events from state transitions, grouping and repeat
// interval, retry back-off, payloads (own JSON and Alertmanager's), settings.
// Delivery (HTTP, commands) lives in the agent (apps/agent/src/alerts).
export * from './events';
export * from './grouping';
export * from './payload';
export * from './settings';
