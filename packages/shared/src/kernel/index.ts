// The kernel's IPVS table and its rules, as one pure model (see table.ts).
export * from './messages';
export * from './table';
