// The clusters of the Chinese ops write-ups in shared/seeds, as the lines an
// operator would paste (prompts and comments included, as in the notes).
// Shell variables ($VIP, $RIP1) are filled in with concrete addresses.
export interface SeedCluster {
  seed: string;
  method: 'NAT' | 'DR' | 'TUN';
  vip: string;
  text: string;
}

export const SEED_CLUSTERS: readonly SeedCluster[] = [
  {
    seed: '000 (DR, rr)',
    method: 'DR',
    vip: '172.25.254.100:80',
    text: [
      '[root@server1 ~]# ip addr add 172.25.254.100/24 dev eth0 #添加一个ip',
      '[root@server1 ~]# ipvsadm -A -t 172.25.254.100:80 -s rr #将这个ip设置成lvs的虚拟ip,rr表示论询算法',
      '[root@server1 ~]# ipvsadm -l ##此时在lvs规则中可以看到添加vip,但没有规则',
      '[root@server1 ~]# ipvsadm -a -t 172.25.254.100:80 -r 172.25.254.2:80 -g ##添加规则 -g表示DR直接路由模式',
      '[root@server1 ~]# ipvsadm -a -t 172.25.254.100:80 -r 172.25.254.3:80 -g',
      '[root@server1 ~]# /etc/init.d/ipvsadm save ##保存规则',
    ].join('\n'),
  },
  {
    seed: '001 (NAT, rr then wlc, weight 4)',
    method: 'NAT',
    vip: '192.168.0.1:80',
    text: [
      'ipvsadm -A -t 192.168.0.1:80 -s rr 定义一个集群服务,这个VIP在实际应用中应该是外网地址',
      'ipvsadm -a -t 192.168.0.1:80 -r 192.168.1.2 -m',
      'ipvsadm -a -t 192.168.0.1:80 -r 192.168.1.3 -m 添加两台REALSERVER',
      '查看ipvsadm -L -n',
      'ipvsadm -E -t 192.168.0.1:80 -s wlc 设置算法为wlc',
      'ipvsadm -e -t 192.168.0.1:80 -r 192.168.1.2 -m -w 4 设置权重为4,即1.2服务器的性能是1.3服务器的4倍',
    ].join('\n'),
  },
  {
    seed: '002 (NAT, rr)',
    method: 'NAT',
    vip: '192.168.168.200:80',
    text: [
      '#ipvsadm -A -t 192.168.168.200:80 -s rr              #创建一个集群服务，调度算法rr',
      '# ipvsadm -a -t 192.168.168.200:80 -r 192.168.40.201 -m    #添加rs1 nat方式',
      '# ipvsadm -a -t 192.168.168.200:80 -r 192.168.40.201 -m    #添加rs1 nat方式',
      '# ipvsadm -a -t 192.168.168.200:80 -r 192.168.40.203 -m    #添加rs3 nat方式',
      '# echo 1 >/proc/sys/net/ipv4/ip_forward #打开ipv的ip转发机制，当前生效',
    ].join('\n'),
  },
  {
    seed: '004 (TUN, wlc)',
    method: 'TUN',
    vip: '192.168.0.40:80',
    text: [
      'ipvsadm -A -t 192.168.0.40:80 -s wlc',
      'ipvsadm -a -t 192.168.0.40:80 -r 10.20.0.51 -i -w 1',
      'ipvsadm -a -t 192.168.0.40:80 -r 10.30.0.52 -i -w 1',
      'ipvsadm -l',
    ].join('\n'),
  },
];

/** Seed 003 (NAT, wrr) is built through the forms instead of the import. */
export const FORM_SEED = { vip: '192.168.10.100', port: 80, scheduler: 'wrr', realServers: ['10.0.0.7', '10.0.0.17'] } as const;
