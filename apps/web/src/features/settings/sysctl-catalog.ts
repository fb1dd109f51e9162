// The IPVS sysctls under net.ipv4.vs, each with what it does and the value we
// recommend for a console-managed director (and why).
import { msg } from '../../lib/i18n';

export interface SysctlInfo {
  name: string;
  kernelDefault: string;
  recommended: string;
  explanation: string;
}

export const IPVS_SYSCTLS: readonly SysctlInfo[] = [
  {
    name: 'net.ipv4.vs.expire_nodest_conn',
    kernelDefault: '0',
    recommended: '1',
    explanation: msg(
      'When a real server is removed, expire its connections on their next packet instead of silently dropping packets until they time out (clients hang for up to 15 min otherwise).',
    ),
  },
  {
    name: 'net.ipv4.vs.expire_quiescent_template',
    kernelDefault: '0',
    recommended: '1',
    explanation: msg('Expire persistence templates of a drained server (weight 0), so persistent clients move on instead of returning to it.'),
  },
  {
    name: 'net.ipv4.vs.conn_reuse_mode',
    kernelDefault: '1',
    recommended: '1',
    explanation: msg(
      'Reschedule a new connection that reuses a port of an old one. On kernels 4.1–5.8 mode 1 causes ~1 s stalls under port reuse; set 0 there.',
    ),
  },
  {
    name: 'net.ipv4.vs.conntrack',
    kernelDefault: '0',
    recommended: '0',
    explanation: msg('Keep netfilter conntrack entries for IPVS traffic. Needed for FULLNAT source NAT and stateful iptables rules; costs memory otherwise.'),
  },
  {
    name: 'net.ipv4.vs.sloppy_tcp',
    kernelDefault: '0',
    recommended: '0',
    explanation: msg('Create connection entries from any TCP packet, not only SYN. Useful on a backup director taking over mid-connection.'),
  },
  {
    name: 'net.ipv4.vs.schedule_icmp',
    kernelDefault: '0',
    recommended: '0',
    explanation: msg('Schedule ICMP packets that arrive without a connection (e.g. ping of the VIP) to a real server.'),
  },
  {
    name: 'net.ipv4.vs.pmtu_disc',
    kernelDefault: '1',
    recommended: '1',
    explanation: msg('Reject oversized DF packets with ICMP "fragmentation needed". Set 0 for TUN only if paths drop ICMP.'),
  },
  {
    name: 'net.ipv4.vs.snat_reroute',
    kernelDefault: '1',
    recommended: '1',
    explanation: msg('Route NAT replies as if they came from the director, so policy routing picks the right way out.'),
  },
  {
    name: 'net.ipv4.vs.backup_only',
    kernelDefault: '0',
    recommended: '0',
    explanation: msg('Disable the director function while the sync daemon is backup (avoids loops in DR/TUN HA pairs).'),
  },
  {
    name: 'net.ipv4.vs.secure_tcp',
    kernelDefault: '0',
    recommended: '0',
    explanation: msg('DoS defence: shorter timeouts for half-open connections. 0 off, 1–2 automatic on low memory, 3 always.'),
  },
  {
    name: 'net.ipv4.vs.drop_entry',
    kernelDefault: '0',
    recommended: '0',
    explanation: msg('DoS defence: randomly drop connection entries under memory pressure (0 off, 1–2 automatic, 3 always).'),
  },
  {
    name: 'net.ipv4.vs.drop_packet',
    kernelDefault: '0',
    recommended: '0',
    explanation: msg('DoS defence: drop packets at a rate under memory pressure (0 off, 1–2 automatic, 3 always).'),
  },
  {
    name: 'net.ipv4.vs.cache_bypass',
    kernelDefault: '0',
    recommended: '0',
    explanation: msg('With no cache server available, forward to the original destination (transparent cache clusters).'),
  },
  { name: 'net.ipv4.vs.nat_icmp_send', kernelDefault: '0', recommended: '0', explanation: msg('Send ICMP errors for NAT replies that match no connection.') },
  {
    name: 'net.ipv4.vs.ignore_tunneled',
    kernelDefault: '0',
    recommended: '0',
    explanation: msg('Do not schedule packets that arrived tunnelled (a director that is also a real server).'),
  },
  {
    name: 'net.ipv4.vs.run_estimation',
    kernelDefault: '1',
    recommended: '1',
    explanation: msg('Run the kernel rate estimator; with 0, ipvsadm --rate shows zeros (the console computes its own rates).'),
  },
  {
    name: 'net.ipv4.ip_forward',
    kernelDefault: '0',
    recommended: '1',
    explanation: msg('NAT: the director forwards replies from real servers back to clients.'),
  },
];
