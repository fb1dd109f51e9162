export * from './keepalived-vrrp';
export * from './roles';
export * from './vip-subnets';
