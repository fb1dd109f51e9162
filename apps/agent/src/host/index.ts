// Host settings: sysctls, VIP addresses, modules and FULLNAT SNAT, real and simulated.
export type * from './backend';
export { LinuxHostBackend } from './linux';
export type { LinuxHostOptions } from './linux';
export { SimHostBackend } from './sim';
export type { SimHostOptions } from './sim';
export { sysctlPath, sameSysctlValue } from './sysctl';
export { realserverCheck, realserverApply, realServerSettings, formatRealServerRows } from './realserver';
export type { RealServerRoleOptions, RealServerCheck, RealServerApply } from './realserver';
