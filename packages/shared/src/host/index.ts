// What each forwarding method needs on the director and on the real servers,
// as declarative HostSetting rows, each carrying the reason it exists. Pure:
// the agent's host layer applies and checks the rows; the console shows them
// and offers renderShellSnippet() as a copyable script.
import type { DescribedText, DesiredState, HostSetting, MessageId, MessageParams, Service, ServiceKey } from '../model';
import { describedText, familyOf, messageText, serviceFamily, serviceId, serviceLabel } from '../model';

export type RealServerMode = 'dr' | 'tun';

/** A setting row plus the identity used to merge duplicates. */
export function hostSettingId(setting: HostSetting): string {
  switch (setting.kind) {
    case 'sysctl':
      return `sysctl:${setting.name}`;
    case 'address':
      return `address:${setting.interface}:${setting.address}/${setting.prefixLength}`;
    case 'module':
      return `module:${setting.name}`;
    case 'snat':
      return `snat:${serviceId(setting.service)}:${setting.sourceAddress}`;
  }
}

/** A row's one-liner as a message id and parameters (the console says it in its language). */
export function hostSettingDescription(setting: HostSetting): { id: MessageId; params: MessageParams } {
  switch (setting.kind) {
    case 'sysctl':
      return { id: 'hostSysctlRow', params: { name: setting.name, value: setting.value } };
    case 'address':
      return { id: 'hostAddressRow', params: { address: `${setting.address}/${setting.prefixLength}`, interface: setting.interface } };
    case 'module':
      return { id: 'hostModuleRow', params: { name: setting.name } };
    case 'snat':
      return { id: 'hostSnatRow', params: { service: serviceLabel(setting.service), source: setting.sourceAddress } };
  }
}

/** Human one-liner for a row: "sysctl net.ipv4.ip_forward = 1". */
export function describeHostSetting(setting: HostSetting): string {
  const { id, params } = hostSettingDescription(setting);
  return messageText(id, params);
}

/** A message about a row that names the row itself ("set: sysctl net.ipv4.ip_forward = 1"). */
export function aboutHostSetting(id: MessageId, setting: HostSetting, params: MessageParams = {}): DescribedText {
  return describedText(id, { ...params, setting: describeHostSetting(setting) });
}

/** What a host has of a sysctl row, in words: missing, equal, or another value. */
export function sysctlStatusText(setting: Extract<HostSetting, { kind: 'sysctl' }>, actual: string | null, ok: boolean): DescribedText {
  if (actual === null) return describedText('hostSysctlAbsent', { name: setting.name });
  return ok
    ? describedText('hostSysctlIs', { name: setting.name, actual })
    : describedText('hostSysctlWrong', { name: setting.name, actual, value: setting.value });
}

/** Whether an address row's address is on its interface, in words. */
export function addressStatusText(setting: Extract<HostSetting, { kind: 'address' }>, ok: boolean): DescribedText {
  return describedText(ok ? 'hostAddressOn' : 'hostAddressNotOn', { address: `${setting.address}/${setting.prefixLength}`, interface: setting.interface });
}

/** Whether a module row's module is loaded, in words. */
export function moduleStatusText(setting: Extract<HostSetting, { kind: 'module' }>, ok: boolean): DescribedText {
  return describedText(ok ? 'hostModuleLoaded' : 'hostModuleNotLoaded', { name: setting.name });
}

/** "already set: <the row's status>", the status's own id kept for the console. */
export function alreadySetText(status: { message: string; messageId?: MessageId; params?: MessageParams }): DescribedText {
  return describedText('hostAlreadySet', { ...status.params, status: status.message, ...(status.messageId ? { statusId: status.messageId } : {}) });
}

const sysctl = (name: string, value: string, reason: string): HostSetting => ({ kind: 'sysctl', name, value, reason });
const moduleRow = (name: string, reason: string): HostSetting => ({ kind: 'module', name, reason });
const addressRow = (address: string, prefixLength: number, iface: string, reason: string): HostSetting => ({
  kind: 'address',
  address,
  prefixLength,
  interface: iface,
  reason,
});

/** Merge rows with the same identity, keeping the first and joining reasons. */
export function mergeHostSettings(rows: readonly HostSetting[]): HostSetting[] {
  const byId = new Map<string, HostSetting>();
  for (const row of rows) {
    const id = hostSettingId(row);
    const seen = byId.get(id);
    if (!seen) {
      byId.set(id, { ...row });
    } else if (row.reason && !seen.reason.includes(row.reason)) {
      seen.reason = seen.reason ? `${seen.reason}; ${row.reason}` : row.reason;
    }
  }
  return [...byId.values()];
}

export interface DirectorOptions {
  /** Interface that carries the VIPs (e.g. eth0). When absent, no VIP address rows are produced. */
  vipInterface?: string;
  /** Director address real servers see as the client for FULLNAT services, per service id. */
  fullnatSource?: Readonly<Record<string, string>>;
}

function hostPrefix(address: string): number {
  return familyOf(address) === 'inet6' ? 128 : 32;
}

/**
 * Rows a director needs for one service: ip_forward for NAT, the ipip module
 * for TUN, the VIP on an interface, and conntrack + SNAT for FULLNAT.
 */
export function directorRequirements(service: Service, options: DirectorOptions = {}): HostSetting[] {
  const rows: HostSetting[] = [];
  const label = serviceLabel(service.key);
  const family = serviceFamily(service.key);
  const methods = new Set(service.destinations.map((d) => d.forwarding));
  const fullnatSource = options.fullnatSource?.[serviceId(service.key)];
  rows.push(moduleRow('ip_vs', `${label}: the IPVS core module`));
  if (methods.has('masq') || fullnatSource) {
    rows.push(
      family === 'inet6'
        ? sysctl('net.ipv6.conf.all.forwarding', '1', `${label}: NAT replies are forwarded back through the director`)
        : sysctl('net.ipv4.ip_forward', '1', `${label}: NAT replies are forwarded back through the director`),
    );
  }
  if (service.destinations.some((d) => d.forwarding === 'tunnel' && (d.tunnel?.type ?? 'ipip') === 'ipip')) {
    rows.push(moduleRow('ipip', `${label}: IP-in-IP encapsulation to tunnelled real servers`));
  }
  if (service.destinations.some((d) => d.forwarding === 'tunnel' && d.tunnel?.type === 'gre')) {
    rows.push(moduleRow('ip_gre', `${label}: GRE encapsulation to tunnelled real servers`));
  }
  if (service.destinations.some((d) => d.forwarding === 'tunnel' && d.tunnel?.type === 'gue')) {
    rows.push(moduleRow('fou', `${label}: GUE (foo-over-UDP) encapsulation to tunnelled real servers`));
  }
  if (service.key.kind === 'addr' && options.vipInterface) {
    rows.push(addressRow(service.key.address, hostPrefix(service.key.address), options.vipInterface, `${label}: the director answers for the virtual IP`));
  }
  if (fullnatSource) {
    rows.push(sysctl('net.ipv4.vs.conntrack', '1', `${label}: FULLNAT source NAT needs conntrack entries for IPVS traffic`));
    rows.push({
      kind: 'snat',
      service: service.key,
      sourceAddress: fullnatSource,
      reason: `${label}: FULLNAT, real servers reply to ${fullnatSource} and need no special gateway`,
    });
  }
  return rows;
}

/**
 * A director on its own owns its VIPs: one host address per distinct
 * service VIP on its VIP interface. None without a VIP interface, and none
 * for a pair (keepalived moves those).
 */
export function directorVipSettings(state: Pick<DesiredState, 'services' | 'vipInterface' | 'ha'>): HostSetting[] {
  const iface = state.vipInterface;
  if (iface === undefined || state.ha) return [];
  const seen = new Set<string>();
  const rows: HostSetting[] = [];
  for (const service of state.services) {
    if (service.key.kind !== 'addr' || seen.has(service.key.address)) continue;
    seen.add(service.key.address);
    rows.push(addressRow(service.key.address, hostPrefix(service.key.address), iface, `the director answers for the virtual IP ${service.key.address}`));
  }
  return rows;
}

/** Rows for every service of a desired state, merged. */
export function directorRequirementsForState(state: Pick<DesiredState, 'services'>, options: DirectorOptions = {}): HostSetting[] {
  return mergeHostSettings(state.services.flatMap((svc) => directorRequirements(svc, options)));
}

export interface RealServerOptions {
  mode: RealServerMode;
  vips: readonly string[];
  /** The interface that faces the director (e.g. eth0); gets its own ARP sysctls in DR mode. */
  interface?: string;
}

/**
 * Rows a real server needs. DR: VIP/32 on lo and arp_ignore=1, arp_announce=2
 * on all and the egress interface, so it never answers ARP for the VIP.
 * TUN: tunl0 carries the VIP, rp_filter relaxed so decapsulated packets are
 * accepted, and the ipip module loaded.
 */
export function realServerRequirements(options: RealServerOptions): HostSetting[] {
  const rows: HostSetting[] = [];
  const ifaces = ['all', ...(options.interface ? [options.interface] : [])];
  if (options.mode === 'dr') {
    for (const iface of ['all', 'lo', ...(options.interface ? [options.interface] : [])]) {
      rows.push(
        sysctl(`net.ipv4.conf.${iface}.arp_ignore`, '1', `DR: answer ARP only for addresses on the receiving interface, never for the VIP on lo (${iface})`),
      );
      rows.push(sysctl(`net.ipv4.conf.${iface}.arp_announce`, '2', `DR: never announce the VIP as an ARP source address (${iface})`));
    }
    for (const vip of options.vips) {
      rows.push(addressRow(vip, hostPrefix(vip), 'lo', `DR: accept packets for ${vip} without announcing it`));
    }
  } else {
    rows.push(moduleRow('ipip', 'TUN: decapsulate IP-in-IP packets from the director (creates tunl0)'));
    for (const iface of [...ifaces, 'tunl0']) {
      rows.push(
        sysctl(
          `net.ipv4.conf.${iface}.rp_filter`,
          '0',
          `TUN: decapsulated packets for the VIP arrive on ${iface === 'all' ? 'an interface' : iface} that is not their return path`,
        ),
      );
    }
    rows.push(sysctl('net.ipv4.conf.tunl0.arp_ignore', '1', 'TUN: never answer ARP for the VIP on tunl0'));
    // ARP requests for the VIP arrive on the real interface, not on tunl0
    // (NOARP): with arp_ignore=0 there, Linux answers for the VIP on tunl0
    // and a real server on the client's segment takes the VIP's traffic
    // away from the director (seen on the real kernel: e2e/kernel seeds).
    for (const iface of ifaces) {
      rows.push(
        sysctl(
          `net.ipv4.conf.${iface}.arp_ignore`,
          '1',
          `TUN: answer ARP only for addresses on the receiving interface, never for the VIP on tunl0 (${iface})`,
        ),
      );
      rows.push(sysctl(`net.ipv4.conf.${iface}.arp_announce`, '2', `TUN: never announce the VIP as an ARP source address (${iface})`));
    }
    for (const vip of options.vips) {
      rows.push(addressRow(vip, hostPrefix(vip), 'tunl0', `TUN: accept decapsulated packets for ${vip}`));
    }
  }
  return mergeHostSettings(rows);
}

const SAFE_WORD = /^[A-Za-z0-9_.:/@=-]+$/;

/** Quote a word for POSIX sh; rows are validated, so this is belt and braces. */
export function shellQuote(word: string): string {
  return SAFE_WORD.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function nftTableFamily(key: ServiceKey): 'ip' | 'ip6' {
  return serviceFamily(key) === 'inet6' ? 'ip6' : 'ip';
}

/** The name of the nftables table the agent owns (removed whole on cleanup). */
export const NFT_TABLE = 'lvs_console';

/**
 * nft rule text that source-NATs a service's IPVS traffic: match the
 * connection's original destination (the VIP and port, via conntrack, which
 * IPVS keeps when net.ipv4.vs.conntrack=1) and rewrite the source to the DIP.
 */
export function snatRuleText(setting: Extract<HostSetting, { kind: 'snat' }>): string {
  const fam = nftTableFamily(setting.service);
  if (setting.service.kind === 'fwmark') {
    return `meta mark ${setting.service.fwmark} snat to ${setting.sourceAddress}`;
  }
  const proto = setting.service.protocol;
  const portMatch = setting.service.port === 0 ? '' : ` ct original proto-dst ${setting.service.port}`;
  return `ct original ${fam} daddr ${setting.service.address} ct original protocol ${proto}${portMatch} snat to ${setting.sourceAddress}`;
}

/** The nft commands, one per line, that set up the agent's table for the given SNAT rows. */
export function renderNftScript(rows: readonly Extract<HostSetting, { kind: 'snat' }>[]): string {
  const lines: string[] = [];
  for (const fam of ['ip', 'ip6'] as const) {
    const mine = rows.filter((r) => nftTableFamily(r.service) === fam);
    if (mine.length === 0) continue;
    lines.push(`add table ${fam} ${NFT_TABLE}`);
    lines.push(`flush table ${fam} ${NFT_TABLE}`);
    lines.push(`add chain ${fam} ${NFT_TABLE} postrouting { type nat hook postrouting priority srcnat ; policy accept ; }`);
    for (const row of mine) lines.push(`add rule ${fam} ${NFT_TABLE} postrouting ${snatRuleText(row)}`);
  }
  return lines.join('\n');
}

/** A copyable POSIX shell snippet that applies the rows by hand, with each reason as a comment. */
export function renderShellSnippet(rows: readonly HostSetting[]): string {
  const out: string[] = ['#!/bin/sh', 'set -e'];
  const snat: Extract<HostSetting, { kind: 'snat' }>[] = [];
  for (const row of rows) {
    if (row.kind === 'snat') {
      snat.push(row);
      continue;
    }
    if (row.reason) out.push(`# ${row.reason.replaceAll('\n', ' ')}`);
    switch (row.kind) {
      case 'sysctl':
        out.push(`sysctl -w ${shellQuote(`${row.name}=${row.value}`)}`);
        break;
      case 'module':
        out.push(`modprobe ${shellQuote(row.name)}`);
        break;
      case 'address':
        if (row.interface === 'tunl0') out.push('ip link set tunl0 up');
        out.push(`ip addr replace ${shellQuote(`${row.address}/${row.prefixLength}`)} dev ${shellQuote(row.interface)}`);
        break;
    }
  }
  if (snat.length > 0) {
    for (const row of snat) if (row.reason) out.push(`# ${row.reason.replaceAll('\n', ' ')}`);
    out.push("nft -f - <<'EOF'", renderNftScript(snat), 'EOF');
  }
  return `${out.join('\n')}\n`;
}
