export * from './keepalived-vrrp';
