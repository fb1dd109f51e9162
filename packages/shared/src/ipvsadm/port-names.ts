// Service (port) names as ipvsadm prints them without -n: it asks
// getservbyport(), which reads /etc/services. The common names of Debian's
// netbase and RHEL's setup packages for the ports load balancers serve, with
// the aliases either prints, written down here so that reading a paste never
// depends on the host's own file.

/** name -> port, for tcp and udp alike (these names share one port in both). */
const PORT_OF_NAME: ReadonlyMap<string, number> = new Map<string, number>([
  ['ftp-data', 20], ['ftp', 21], ['ssh', 22], ['telnet', 23], ['smtp', 25], ['mail', 25],
  ['time', 37], ['whois', 43], ['nicname', 43], ['tacacs', 49], ['domain', 53], ['bootps', 67], ['bootpc', 68],
  ['tftp', 69], ['gopher', 70], ['finger', 79], ['http', 80], ['www', 80], ['www-http', 80],
  ['kerberos', 88], ['pop3', 110], ['pop-3', 110], ['sunrpc', 111], ['auth', 113], ['ident', 113],
  ['nntp', 119], ['ntp', 123], ['netbios-ns', 137], ['netbios-dgm', 138], ['netbios-ssn', 139],
  ['imap2', 143], ['imap', 143], ['snmp', 161], ['snmp-trap', 162], ['bgp', 179], ['irc', 194],
  ['ldap', 389], ['https', 443], ['microsoft-ds', 445], ['kpasswd', 464], ['submissions', 465],
  ['smtps', 465], ['isakmp', 500], ['syslog', 514], ['printer', 515], ['submission', 587],
  ['ipp', 631], ['ldaps', 636], ['rsync', 873], ['ftps-data', 989], ['ftps', 990], ['imaps', 993],
  ['pop3s', 995], ['socks', 1080], ['openvpn', 1194], ['ms-sql-s', 1433], ['ms-sql-m', 1434],
  ['radius', 1812], ['radius-acct', 1813], ['nfs', 2049], ['mysql', 3306], ['sip', 5060], ['sip-tls', 5061],
  ['postgresql', 5432], ['postgres', 5432], ['amqp', 5672], ['x11', 6000], ['redis', 6379],
  ['http-alt', 8080], ['webcache', 8080], ['memcache', 11211],
]);

/** The port a service name stands for, or undefined for a name ipvsadm could not have printed. */
export function portOfName(name: string): number | undefined {
  return PORT_OF_NAME.get(name.toLowerCase());
}
