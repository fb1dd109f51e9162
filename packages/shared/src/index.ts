// Public surface of the pure core. Subfolders may also be imported directly
// (e.g. '@lvs-console/shared/schedulers').
export * from './model';
export * from './validate';
export * from './plan';
