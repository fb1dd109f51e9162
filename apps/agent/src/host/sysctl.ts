// Dotted sysctl names to /proc/sys paths, refusing anything that could
// leave /proc/sys/net. Interface names with dots are written with '/' in the
// dotted form (net.ipv4.conf.eth0/100.rp_filter), as sysctl(8) does.
import { DomainError } from '@lvs-console/shared';

const COMPONENT = /^[A-Za-z0-9_:@-][A-Za-z0-9_.:@-]*$/;

export function sysctlPath(name: string, root = '/proc/sys'): string {
  if (!/^net\.ipv[46]\./.test(name)) {
    throw new DomainError('INVALID_INPUT', `sysctl ${name}: only net.ipv4.* and net.ipv6.* are managed`);
  }
  const components = name.split('.').map((part) => part.replaceAll('/', '.'));
  for (const part of components) {
    if (!COMPONENT.test(part) || part === '.' || part === '..' || part.includes('..')) {
      throw new DomainError('INVALID_INPUT', `sysctl ${name}: "${part}" is not a valid name component`);
    }
  }
  return `${root}/${components.join('/')}`;
}

/** Values compare by their numbers: "3 50" equals "3\t50\n". */
export function sameSysctlValue(a: string, b: string): boolean {
  return a.trim().split(/\s+/).join(' ') === b.trim().split(/\s+/).join(' ');
}
