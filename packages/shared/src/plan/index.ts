export * from './change';
export * from './plan';
export * from './lines';
