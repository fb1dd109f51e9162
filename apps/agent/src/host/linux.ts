// Host settings on a real Linux machine: sysctls through /proc/sys (or
// `sysctl` inside a network namespace), addresses through iproute2, modules
// through modprobe, FULLNAT source NAT through an nftables table the agent
// owns and deletes whole. Every program runs from an argv array.
import { access, readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { canonicalIp } from '@lvs-console/shared';
import type { HostSetting } from '@lvs-console/shared';
import { NFT_TABLE, describeHostSetting, renderNftScript, snatRuleText } from '@lvs-console/shared/host';
import { CommandError, createExecRunner } from '../kernel/runner';
import type { CommandRunner } from '../kernel/runner';
import type { InterfaceAddresses } from '@lvs-console/shared/ha';
import type { HostBackend, HostSettingResult, HostSettingStatus } from './backend';
import { sameSysctlValue, sysctlPath } from './sysctl';

type Row<K extends HostSetting['kind']> = Extract<HostSetting, { kind: K }>;
type SnatRow = Row<'snat'>;

export interface LinuxHostOptions {
  runner?: CommandRunner;
  /** Work inside this network namespace (sysctls then go through `sysctl`). */
  netns?: string;
  procSysRoot?: string;
  /** Where loaded and built-in modules show up. */
  sysModuleRoot?: string;
}

const ipAddrJson = z.array(z.object({
  ifname: z.string(),
  addr_info: z.array(z.object({
    family: z.string(),
    local: z.string().optional(),
    prefixlen: z.number().optional(),
  }).loose()).default([]),
}).loose());

const routeGetJson = z.array(z.object({ prefsrc: z.string().optional() }).loose());

/** The source address of `ip -j route get ADDR` output, or null. */
export function parseRouteSource(stdout: string): string | null {
  try {
    const parsed = routeGetJson.safeParse(JSON.parse(stdout));
    const source = parsed.success ? parsed.data[0]?.prefsrc : undefined;
    return source ? canonicalIp(source) : null;
  } catch {
    return null;
  }
}

/** Routes rarely change; the console asks every few seconds. */
const SOURCE_CACHE_MS = 30_000;
/** Bound on route lookups per call (one `ip` process each). */
const MAX_SOURCE_LOOKUPS = 256;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class LinuxHostBackend implements HostBackend {
  readonly kind = 'linux' as const;
  private readonly runner: CommandRunner;
  private readonly netns: string | undefined;
  private readonly procSysRoot: string;
  private readonly sysModuleRoot: string;

  private readonly sourceCache = new Map<string, { source: string | null; at: number }>();

  constructor(options: LinuxHostOptions = {}) {
    this.netns = options.netns;
    this.runner = options.runner ?? createExecRunner(options.netns ? { netns: options.netns, timeoutMs: 15_000 } : { timeoutMs: 15_000 });
    this.procSysRoot = options.procSysRoot ?? '/proc/sys';
    this.sysModuleRoot = options.sysModuleRoot ?? '/sys/module';
  }

  private async run(argv: string[], stdin?: string): Promise<{ ok: boolean; stdout: string; message: string }> {
    try {
      const result = await this.runner.run(argv, stdin);
      return { ok: result.code === 0, stdout: result.stdout, message: result.stderr.trim() || (result.code === 0 ? '' : `${argv[0] ?? ''} exited with ${result.code}`) };
    } catch (error) {
      if (error instanceof CommandError) return { ok: false, stdout: '', message: error.message };
      throw error;
    }
  }

  async sourceAddresses(destinations: readonly string[]): Promise<Map<string, string | null>> {
    const now = Date.now();
    const result = new Map<string, string | null>();
    const wanted = [...new Set(destinations.map((d) => canonicalIp(d)).filter((d): d is string => d !== null))].slice(0, MAX_SOURCE_LOOKUPS);
    for (const destination of wanted) {
      const cached = this.sourceCache.get(destination);
      if (cached && now - cached.at < SOURCE_CACHE_MS) {
        result.set(destination, cached.source);
        continue;
      }
      const lookup = await this.run(['ip', '-j', 'route', 'get', destination]);
      const source = lookup.ok ? parseRouteSource(lookup.stdout) : null;
      this.sourceCache.set(destination, { source, at: now });
      result.set(destination, source);
    }
    return result;
  }

  async interfaceAddresses(name: string): Promise<InterfaceAddresses | null> {
    const { present, error } = await this.addressesOf(name);
    if (error) return /does not exist|cannot find device/i.test(error) ? { exists: false, addresses: [] } : null;
    return {
      exists: true,
      addresses: [...present].map((cidr) => {
        const slash = cidr.lastIndexOf('/');
        return { address: cidr.slice(0, slash), prefixLength: Number(cidr.slice(slash + 1)) };
      }),
    };
  }

  // ---- sysctl ---------------------------------------------------------------

  private async readSysctl(row: Row<'sysctl'>): Promise<string | null> {
    if (this.netns) {
      const result = await this.run(['sysctl', '-n', row.name]);
      return result.ok ? result.stdout.trim() : null;
    }
    try {
      return (await readFile(sysctlPath(row.name, this.procSysRoot), 'utf8')).trim();
    } catch {
      return null;
    }
  }

  private async writeSysctl(row: Row<'sysctl'>): Promise<string | null> {
    const path = sysctlPath(row.name, this.procSysRoot);
    if (this.netns) {
      const result = await this.run(['sysctl', '-q', '-w', `${row.name}=${row.value}`]);
      return result.ok ? null : result.message;
    }
    try {
      await writeFile(path, `${row.value}\n`);
      return null;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return `${row.name} does not exist on this kernel (missing interface or module?)`;
      if (code === 'EACCES' || code === 'EPERM') return `not allowed to write ${row.name} (the agent needs root or CAP_NET_ADMIN)`;
      return `cannot write ${row.name}: ${errorText(error)}`;
    }
  }

  // ---- addresses --------------------------------------------------------------

  private async addressesOf(iface: string): Promise<{ present: Set<string>; error: string | null }> {
    const result = await this.run(['ip', '-j', 'addr', 'show', 'dev', iface]);
    if (!result.ok) return { present: new Set(), error: result.message || `no interface ${iface}` };
    const parsed = ipAddrJson.safeParse(JSON.parse(result.stdout || '[]'));
    if (!parsed.success) return { present: new Set(), error: 'unexpected output from ip -j addr show' };
    const present = new Set<string>();
    for (const link of parsed.data) {
      for (const info of link.addr_info) {
        if (info.local !== undefined && info.prefixlen !== undefined) present.add(`${canonicalIp(info.local) ?? info.local}/${info.prefixlen}`);
      }
    }
    return { present, error: null };
  }

  // ---- modules ----------------------------------------------------------------

  private async moduleLoaded(name: string): Promise<boolean> {
    try {
      await access(`${this.sysModuleRoot}/${name}`);
      return true;
    } catch {
      return false;
    }
  }

  // ---- nftables ---------------------------------------------------------------

  private async nftTableText(family: 'ip' | 'ip6'): Promise<string | null> {
    const result = await this.run(['nft', 'list', 'table', family, NFT_TABLE]);
    return result.ok ? result.stdout : null;
  }

  /** nft prints rules in its own canonical words; compare the parts that matter. */
  private snatPresent(row: SnatRow, tableText: string | null): boolean {
    if (tableText === null) return false;
    const wanted = snatRuleText(row).split(' ').filter((w) => /\d/.test(w));
    return tableText.split('\n').some((line) => line.includes('snat') && wanted.every((w) => line.includes(w)));
  }

  // ---- interface ----------------------------------------------------------------

  async read(settings: readonly HostSetting[]): Promise<HostSettingStatus[]> {
    const addressCache = new Map<string, Promise<{ present: Set<string>; error: string | null }>>();
    const nftCache = new Map<'ip' | 'ip6', Promise<string | null>>();
    return Promise.all(settings.map(async (setting): Promise<HostSettingStatus> => {
      try {
        switch (setting.kind) {
          case 'sysctl': {
            const actual = await this.readSysctl(setting);
            if (actual === null) return { setting, actual, ok: false, message: `${setting.name} does not exist on this host` };
            const ok = sameSysctlValue(actual, setting.value);
            return { setting, actual, ok, message: ok ? `${setting.name} = ${actual}` : `${setting.name} is ${actual}, should be ${setting.value}` };
          }
          case 'address': {
            let pending = addressCache.get(setting.interface);
            if (!pending) {
              pending = this.addressesOf(setting.interface);
              addressCache.set(setting.interface, pending);
            }
            const { present, error } = await pending;
            const want = `${setting.address}/${setting.prefixLength}`;
            if (error) return { setting, actual: null, ok: false, message: `${setting.interface}: ${error}` };
            const ok = present.has(want);
            return { setting, actual: ok ? 'present' : 'absent', ok, message: ok ? `${want} is on ${setting.interface}` : `${want} is not on ${setting.interface}` };
          }
          case 'module': {
            const ok = await this.moduleLoaded(setting.name);
            return { setting, actual: ok ? 'loaded' : 'not loaded', ok, message: ok ? `${setting.name} is loaded` : `kernel module ${setting.name} is not loaded` };
          }
          case 'snat': {
            const family = setting.service.kind === 'fwmark' ? (setting.service.family === 'inet6' ? 'ip6' : 'ip') : setting.service.address.includes(':') ? 'ip6' : 'ip';
            let pending = nftCache.get(family);
            if (!pending) {
              pending = this.nftTableText(family);
              nftCache.set(family, pending);
            }
            const ok = this.snatPresent(setting, await pending);
            return { setting, actual: ok ? 'present' : 'absent', ok, message: ok ? `${describeHostSetting(setting)} is in table ${family} ${NFT_TABLE}` : `no ${describeHostSetting(setting)} in table ${family} ${NFT_TABLE}` };
          }
        }
      } catch (error) {
        return { setting, actual: null, ok: false, message: errorText(error) };
      }
    }));
  }

  async apply(settings: readonly HostSetting[]): Promise<HostSettingResult[]> {
    const before = await this.read(settings);
    const results: HostSettingResult[] = [];
    // Modules first (tunl0 appears with ipip), then sysctls, then addresses.
    const order = { module: 0, sysctl: 1, address: 2, snat: 3 } as const;
    const indexed = settings.map((setting, index) => ({ setting, index })).sort((a, b) => order[a.setting.kind] - order[b.setting.kind]);
    const snatRows = settings.filter((s): s is SnatRow => s.kind === 'snat');
    let snatError: string | null | undefined;
    for (const { setting, index } of indexed) {
      const status = before[index];
      if (status?.ok && setting.kind !== 'snat') {
        results[index] = { setting, ok: true, changed: false, message: `already set: ${status.message}` };
        continue;
      }
      let error: string | null = null;
      try {
        switch (setting.kind) {
          case 'sysctl':
            error = await this.writeSysctl(setting);
            break;
          case 'module': {
            const result = await this.run(['modprobe', '--', setting.name]);
            error = result.ok ? null : result.message;
            break;
          }
          case 'address': {
            if (setting.interface === 'tunl0') await this.run(['ip', 'link', 'set', 'tunl0', 'up']);
            const result = await this.run(['ip', 'addr', 'add', `${setting.address}/${setting.prefixLength}`, 'dev', setting.interface]);
            error = result.ok || /File exists/.test(result.message) ? null : result.message;
            break;
          }
          case 'snat':
            // One transaction for all SNAT rows: nft applies a script atomically.
            snatError ??= await this.replaceNftTable(snatRows);
            error = snatError;
            break;
        }
      } catch (caught) {
        error = errorText(caught);
      }
      results[index] = error === null
        ? { setting, ok: true, changed: setting.kind !== 'snat' || !status?.ok, message: `set: ${describeHostSetting(setting)}` }
        : { setting, ok: false, changed: false, message: error };
    }
    return results;
  }

  private async replaceNftTable(rows: readonly SnatRow[]): Promise<string | null> {
    const script = renderNftScript(rows);
    if (!script) return null;
    const result = await this.run(['nft', '-f', '-'], `${script}\n`);
    return result.ok ? null : `nft refused the SNAT rules: ${result.message}`;
  }

  async remove(settings: readonly HostSetting[]): Promise<HostSettingResult[]> {
    const results: HostSettingResult[] = [];
    const deletedTables = new Map<string, string | null>();
    for (const setting of settings) {
      switch (setting.kind) {
        case 'address': {
          const result = await this.run(['ip', 'addr', 'del', `${setting.address}/${setting.prefixLength}`, 'dev', setting.interface]);
          const gone = result.ok || /Cannot assign requested address|does not exist/.test(result.message);
          results.push({ setting, ok: gone, changed: result.ok, message: gone ? `removed ${setting.address}/${setting.prefixLength} from ${setting.interface}` : result.message });
          break;
        }
        case 'snat': {
          const family = setting.service.kind === 'fwmark' ? (setting.service.family === 'inet6' ? 'ip6' : 'ip') : setting.service.address.includes(':') ? 'ip6' : 'ip';
          if (!deletedTables.has(family)) {
            // Only the agent's own table: nothing else in the ruleset is touched.
            const result = await this.run(['nft', 'delete', 'table', family, NFT_TABLE]);
            deletedTables.set(family, result.ok || /No such file or directory/.test(result.message) ? null : result.message);
          }
          const error = deletedTables.get(family) ?? null;
          results.push({ setting, ok: error === null, changed: error === null, message: error ?? `deleted table ${family} ${NFT_TABLE}` });
          break;
        }
        case 'sysctl':
        case 'module':
          results.push({ setting, ok: true, changed: false, message: `left as it is: other software may rely on ${describeHostSetting(setting)}` });
          break;
      }
    }
    return results;
  }
}
