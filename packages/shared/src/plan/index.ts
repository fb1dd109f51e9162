export * from './change';
export * from './plan';
