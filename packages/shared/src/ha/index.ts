export * from './keepalived-vrrp';
export * from './roles';
