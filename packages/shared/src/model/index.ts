export * from './address';
export * from './ipvs';
export * from './health';
export * from './ha';
export * from './keys';
export * from './observed';
export * from './errors';
export * from './messages';
