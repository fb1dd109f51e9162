// The API contract shared by the agent (which enforces it) and the console
// (which builds forms and views from it): procedure inputs, edits, outputs.
export * from './inputs';
export * from './edits';
export * from './outputs';
export * from './sched';
export * from './observed-changes';
export * from './refusals';
