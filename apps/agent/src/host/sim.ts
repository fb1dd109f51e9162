// Host settings in memory, for the simulated kernel and for tests. Starts
// from a stock Linux host's defaults, so a check shows what a real one would.
import type { HostSetting } from '@lvs-console/shared';
import { inSubnet } from '@lvs-console/shared';
import { aboutHostSetting, addressStatusText, hostSettingId, moduleStatusText, sysctlStatusText } from '@lvs-console/shared/host';
import { describedText } from '@lvs-console/shared';
import type { InterfaceAddresses } from '@lvs-console/shared/ha';
import type { HostBackend, HostChangePlan, HostSettingResult, HostSettingStatus } from './backend';
import { hostStepLine, planHostSteps } from './steps';
import { sameSysctlValue, sysctlPath } from './sysctl';

export interface SimHostOptions {
  /** Interfaces that exist (lo always does; tunl0 appears once ipip is loaded). */
  interfaces?: readonly string[];
  /** Sysctl values that differ from the defaults below. */
  sysctls?: Readonly<Record<string, string>>;
  modules?: readonly string[];
  /** The host's own addresses with their prefixes: where it sends from toward each subnet. */
  interfaceAddresses?: ReadonlyArray<{ interface: string; address: string; prefixLength: number }>;
}

const DEFAULT_SYSCTLS: Record<string, string> = {
  'net.ipv4.ip_forward': '0',
  'net.ipv6.conf.all.forwarding': '0',
  'net.ipv4.vs.conntrack': '0',
  'net.ipv4.vs.expire_nodest_conn': '0',
  'net.ipv4.vs.expire_quiescent_template': '0',
  'net.ipv4.vs.conn_reuse_mode': '1',
};

/** Per-interface sysctls every interface has, with Linux's defaults. */
const INTERFACE_SYSCTLS: Record<string, string> = { arp_ignore: '0', arp_announce: '0', rp_filter: '0', forwarding: '0' };

export class SimHostBackend implements HostBackend {
  readonly kind = 'sim' as const;
  private readonly interfaces: Set<string>;
  private readonly sysctls: Map<string, string>;
  private readonly modules: Set<string>;
  private readonly addresses = new Set<string>();
  private snat = new Set<string>();

  private readonly ownAddresses: NonNullable<SimHostOptions['interfaceAddresses']>;

  constructor(options: SimHostOptions = {}) {
    this.ownAddresses = options.interfaceAddresses ?? [];
    this.interfaces = new Set(['lo', 'eth0', ...(options.interfaces ?? [])]);
    this.sysctls = new Map(Object.entries({ ...DEFAULT_SYSCTLS, ...options.sysctls }));
    this.modules = new Set(options.modules ?? ['ip_vs']);
  }

  private sysctlValue(name: string): string | null {
    const known = this.sysctls.get(name);
    if (known !== undefined) return known;
    const perInterface = /^net\.ipv4\.conf\.([^.]+)\.([a-z_]+)$/.exec(name);
    if (perInterface) {
      const [, iface = '', key = ''] = perInterface;
      if ((iface === 'all' || iface === 'default' || this.interfaces.has(iface.replaceAll('/', '.'))) && INTERFACE_SYSCTLS[key] !== undefined) {
        return INTERFACE_SYSCTLS[key] ?? null;
      }
    }
    return null;
  }

  private status(setting: HostSetting): HostSettingStatus {
    switch (setting.kind) {
      case 'sysctl': {
        sysctlPath(setting.name);
        const actual = this.sysctlValue(setting.name);
        const ok = actual !== null && sameSysctlValue(actual, setting.value);
        return { setting, actual, ok, ...sysctlStatusText(setting, actual, ok) };
      }
      case 'address': {
        if (!this.interfaces.has(setting.interface))
          return { setting, actual: null, ok: false, ...describedText('hostNoInterface', { interface: setting.interface }) };
        const ok = this.addresses.has(hostSettingId(setting));
        return { setting, actual: ok ? 'present' : 'absent', ok, ...addressStatusText(setting, ok) };
      }
      case 'module': {
        const ok = this.modules.has(setting.name);
        return { setting, actual: ok ? 'loaded' : 'not loaded', ok, ...moduleStatusText(setting, ok) };
      }
      case 'snat': {
        const ok = this.snat.has(hostSettingId(setting));
        return { setting, actual: ok ? 'present' : 'absent', ok, ...aboutHostSetting(ok ? 'hostSnatSet' : 'hostSnatAbsent', setting) };
      }
    }
  }

  /** The configured address whose subnet holds the destination (the longest prefix wins), as a kernel route lookup would give. */
  sourceAddresses(destinations: readonly string[]): Promise<Map<string, string | null>> {
    const result = new Map<string, string | null>();
    for (const destination of destinations) {
      const matches = this.ownAddresses.filter((a) => inSubnet(destination, a.address, a.prefixLength));
      matches.sort((a, b) => b.prefixLength - a.prefixLength);
      result.set(destination, matches[0]?.address ?? null);
    }
    return Promise.resolve(result);
  }

  /** Unknown (null) unless the simulated host was given its addresses. */
  interfaceAddresses(name: string): Promise<InterfaceAddresses | null> {
    if (this.ownAddresses.length === 0) return Promise.resolve(null);
    const addresses = this.ownAddresses.filter((a) => a.interface === name).map(({ address, prefixLength }) => ({ address, prefixLength }));
    return Promise.resolve({ exists: this.interfaces.has(name) || addresses.length > 0, addresses });
  }

  private statusOrError(setting: HostSetting): HostSettingStatus {
    try {
      return this.status(setting);
    } catch (error) {
      return { setting, actual: null, ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  read(settings: readonly HostSetting[]): Promise<HostSettingStatus[]> {
    return Promise.resolve(settings.map((s) => this.statusOrError(s)));
  }

  /** The lines the Linux backend would run for these rows on this host (a host outside any namespace). */
  private planned(settings: readonly HostSetting[]): { before: HostSettingStatus[]; lines: string[][] } {
    const before = settings.map((setting) => this.statusOrError(setting));
    const rows = planHostSteps(
      settings,
      before.map((status) => status.ok),
      { netns: false, procSysRoot: '/proc/sys' },
    );
    return { before, lines: rows.map((row) => row.steps.map(hostStepLine)) };
  }

  plan(settings: readonly HostSetting[]): Promise<HostChangePlan[]> {
    const { before, lines } = this.planned(settings);
    return Promise.resolve(before.map((status, index) => ({ status, lines: lines[index] ?? [] })));
  }

  apply(settings: readonly HostSetting[]): Promise<HostSettingResult[]> {
    const { lines: plannedLines } = this.planned(settings);
    // Like the real host: modules first (ipip brings tunl0), then the rest.
    for (const setting of settings) {
      if (setting.kind === 'module') {
        this.modules.add(setting.name);
        if (setting.name === 'ipip') this.interfaces.add('tunl0');
      }
    }
    this.snat = new Set(settings.filter((s) => s.kind === 'snat').map(hostSettingId));
    return Promise.resolve(
      settings.map((setting, index): HostSettingResult => {
        const lines = plannedLines[index] ?? [];
        let before: HostSettingStatus;
        try {
          before = this.status(setting);
        } catch (error) {
          return { setting, ok: false, changed: false, message: error instanceof Error ? error.message : String(error), lines };
        }
        if (before.ok)
          return { setting, ok: true, changed: setting.kind === 'module' || setting.kind === 'snat', ...aboutHostSetting('hostSet', setting), lines };
        switch (setting.kind) {
          case 'sysctl':
            if (before.actual === null) return { setting, ok: false, changed: false, ...describedText('hostSysctlNotInKernel', { name: setting.name }), lines };
            this.sysctls.set(setting.name, setting.value);
            break;
          case 'address':
            if (!this.interfaces.has(setting.interface))
              return { setting, ok: false, changed: false, message: `Device "${setting.interface}" does not exist.`, lines };
            this.addresses.add(hostSettingId(setting));
            break;
          case 'module':
          case 'snat':
            break;
        }
        return { setting, ok: true, changed: true, ...aboutHostSetting('hostSet', setting), lines };
      }),
    );
  }

  remove(settings: readonly HostSetting[]): Promise<HostSettingResult[]> {
    return Promise.resolve(
      settings.map((setting): HostSettingResult => {
        switch (setting.kind) {
          case 'address': {
            const changed = this.addresses.delete(hostSettingId(setting));
            return {
              setting,
              ok: true,
              changed,
              ...describedText('hostAddressRemoved', { address: `${setting.address}/${setting.prefixLength}`, interface: setting.interface }),
              lines: [hostStepLine({ kind: 'run', argv: ['ip', 'addr', 'del', `${setting.address}/${setting.prefixLength}`, 'dev', setting.interface] })],
            };
          }
          case 'snat':
            this.snat.clear();
            return { setting, ok: true, changed: true, ...describedText('hostSnatTableDeleted'), lines: [] };
          case 'sysctl':
          case 'module':
            return { setting, ok: true, changed: false, ...aboutHostSetting('hostLeftAsIs', setting), lines: [] };
        }
      }),
    );
  }
}
