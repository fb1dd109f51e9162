// The real-server role: what a DR or TUN real server needs (VIP on lo or
// tunl0, ARP and rp_filter sysctls, the ipip module), checked and applied
// through a HostBackend. `lvs-console realserver check|apply` calls these.
import { canonicalIp } from '@lvs-console/shared';
import type { HostSetting } from '@lvs-console/shared';
import { realServerRequirements } from '@lvs-console/shared/host';
import type { RealServerMode } from '@lvs-console/shared/host';
import { DomainError } from '@lvs-console/shared';
import type { HostBackend, HostSettingResult, HostSettingStatus } from './backend';
import { LinuxHostBackend } from './linux';

export interface RealServerRoleOptions {
  mode: RealServerMode;
  /** The virtual IPs this server answers for. */
  vips: readonly string[];
  /** The interface facing the director (gets its own ARP / rp_filter rows). */
  interface?: string;
}

export interface RealServerCheck {
  /** Every row ok. */
  passed: boolean;
  rows: HostSettingStatus[];
}

export interface RealServerApply {
  passed: boolean;
  rows: HostSettingResult[];
}

const IFACE = /^[A-Za-z0-9_.:@-]{1,15}$/;

/** Validate at the edge: numeric VIPs only, a sane interface name. */
export function realServerSettings(options: RealServerRoleOptions): HostSetting[] {
  if (options.mode !== 'dr' && options.mode !== 'tun') throw new DomainError('INVALID_INPUT', `mode must be dr or tun, not "${String(options.mode)}"`);
  if (options.vips.length === 0) throw new DomainError('INVALID_INPUT', 'give at least one --vip address');
  const vips = options.vips.map((vip) => {
    const canonical = canonicalIp(vip.trim());
    if (!canonical) throw new DomainError('INVALID_INPUT', `"${vip}" is not an IPv4 or IPv6 address`);
    return canonical;
  });
  if (options.interface !== undefined && !IFACE.test(options.interface)) {
    throw new DomainError('INVALID_INPUT', `"${options.interface}" is not an interface name`);
  }
  return realServerRequirements({ mode: options.mode, vips, ...(options.interface ? { interface: options.interface } : {}) });
}

export async function realserverCheck(options: RealServerRoleOptions, host: HostBackend = new LinuxHostBackend()): Promise<RealServerCheck> {
  const rows = await host.read(realServerSettings(options));
  return { passed: rows.every((r) => r.ok), rows };
}

export async function realserverApply(options: RealServerRoleOptions, host: HostBackend = new LinuxHostBackend()): Promise<RealServerApply> {
  const rows = await host.apply(realServerSettings(options));
  return { passed: rows.every((r) => r.ok), rows };
}

/** One line per row for the CLI: "ok   sysctl net.ipv4.conf.all.arp_ignore = 1". */
export function formatRealServerRows(rows: readonly (HostSettingStatus | HostSettingResult)[]): string {
  return rows
    .map((row) => `${row.ok ? 'ok  ' : 'FAIL'} ${row.message}${row.ok ? '' : row.setting.reason ? `\n     why: ${row.setting.reason}` : ''}`)
    .join('\n');
}
