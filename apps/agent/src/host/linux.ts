// Host settings on a real Linux machine: sysctls through /proc/sys (or
// `sysctl` inside a network namespace), addresses through iproute2, modules
// through modprobe, FULLNAT source NAT through an nftables table the agent
// owns and deletes whole. Every program runs from an argv array.
import { access, readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { canonicalIp, describedText } from '@lvs-console/shared';
import type { HostSetting } from '@lvs-console/shared';
import {
  NFT_TABLE,
  aboutHostSetting,
  addressStatusText,
  alreadySetText,
  describeHostSetting,
  moduleStatusText,
  snatRuleText,
  sysctlStatusText,
} from '@lvs-console/shared/host';
import { CommandError, createExecRunner } from '../kernel/runner';
import type { CommandRunner } from '../kernel/runner';
import type { InterfaceAddresses } from '@lvs-console/shared/ha';
import type { HostBackend, HostChangePlan, HostSettingResult, HostSettingStatus } from './backend';
import { hostStepLine, planHostSteps } from './steps';
import type { HostStep, HostStepContext, PlannedRow } from './steps';
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

const ipAddrJson = z.array(
  z
    .object({
      ifname: z.string(),
      addr_info: z
        .array(
          z
            .object({
              family: z.string(),
              local: z.string().optional(),
              prefixlen: z.number().optional(),
            })
            .loose(),
        )
        .default([]),
    })
    .loose(),
);

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
      return {
        ok: result.code === 0,
        stdout: result.stdout,
        message: result.stderr.trim() || (result.code === 0 ? '' : `${argv[0] ?? ''} exited with ${result.code}`),
      };
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

  /** The /proc/sys write of a sysctl step (inside a namespace sysctl(8) runs instead). */
  private async writeSysctl(path: string, row: HostSetting): Promise<string | null> {
    if (row.kind !== 'sysctl') return `not a sysctl: ${describeHostSetting(row)}`;
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
    const wanted = snatRuleText(row)
      .split(' ')
      .filter((w) => /\d/.test(w));
    return tableText.split('\n').some((line) => line.includes('snat') && wanted.every((w) => line.includes(w)));
  }

  // ---- interface ----------------------------------------------------------------

  async read(settings: readonly HostSetting[]): Promise<HostSettingStatus[]> {
    const addressCache = new Map<string, Promise<{ present: Set<string>; error: string | null }>>();
    const nftCache = new Map<'ip' | 'ip6', Promise<string | null>>();
    return Promise.all(
      settings.map(async (setting): Promise<HostSettingStatus> => {
        try {
          switch (setting.kind) {
            case 'sysctl': {
              const actual = await this.readSysctl(setting);
              const ok = actual !== null && sameSysctlValue(actual, setting.value);
              return { setting, actual, ok, ...sysctlStatusText(setting, actual, ok) };
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
              return { setting, actual: ok ? 'present' : 'absent', ok, ...addressStatusText(setting, ok) };
            }
            case 'module': {
              const ok = await this.moduleLoaded(setting.name);
              return { setting, actual: ok ? 'loaded' : 'not loaded', ok, ...moduleStatusText(setting, ok) };
            }
            case 'snat': {
              const family =
                setting.service.kind === 'fwmark' ? (setting.service.family === 'inet6' ? 'ip6' : 'ip') : setting.service.address.includes(':') ? 'ip6' : 'ip';
              let pending = nftCache.get(family);
              if (!pending) {
                pending = this.nftTableText(family);
                nftCache.set(family, pending);
              }
              const ok = this.snatPresent(setting, await pending);
              return {
                setting,
                actual: ok ? 'present' : 'absent',
                ok,
                ...aboutHostSetting(ok ? 'hostSnatInTable' : 'hostSnatNotInTable', setting, { table: `${family} ${NFT_TABLE}` }),
              };
            }
          }
        } catch (error) {
          return { setting, actual: null, ok: false, message: errorText(error) };
        }
      }),
    );
  }

  private stepContext(): HostStepContext {
    return { netns: this.netns !== undefined, procSysRoot: this.procSysRoot };
  }

  private async planned(settings: readonly HostSetting[]): Promise<{ before: HostSettingStatus[]; rows: PlannedRow[] }> {
    const before = await this.read(settings);
    return {
      before,
      rows: planHostSteps(
        settings,
        before.map((status) => status.ok),
        this.stepContext(),
      ),
    };
  }

  async plan(settings: readonly HostSetting[]): Promise<HostChangePlan[]> {
    const { before, rows } = await this.planned(settings);
    return rows.map((row, index) => ({
      status: before[index] ?? { setting: row.setting, actual: null, ok: false, message: row.error ?? '' },
      lines: row.steps.map(hostStepLine),
    }));
  }

  /** Run one step; the error text, or null when it worked. */
  private async runStep(step: HostStep, setting: HostSetting): Promise<string | null> {
    if (step.kind === 'write') return this.writeSysctl(step.path, setting);
    const result = await this.run(step.argv, step.stdin);
    if (result.ok || step.optional) return null;
    if (step.argv[0] === 'ip' && /File exists/.test(result.message)) return null;
    return step.argv[0] === 'nft' ? `nft refused the SNAT rules: ${result.message}` : result.message;
  }

  async apply(settings: readonly HostSetting[]): Promise<HostSettingResult[]> {
    // The same steps plan() shows, in this order: modules first (tunl0 appears with ipip), then sysctls, then addresses.
    const { before, rows } = await this.planned(settings);
    const results: HostSettingResult[] = [];
    const order = { module: 0, sysctl: 1, address: 2, snat: 3 } as const;
    const indexed = rows.map((row, index) => ({ row, index })).sort((a, b) => order[a.row.setting.kind] - order[b.row.setting.kind]);
    // SNAT rows share one nft transaction: its outcome is every SNAT row's.
    let snatError: string | null = null;
    for (const {
      row: { setting, steps, error: planError },
      index,
    } of indexed) {
      const status = before[index];
      if (status?.ok && setting.kind !== 'snat') {
        results[index] = { setting, ok: true, changed: false, ...alreadySetText(status), lines: [] };
        continue;
      }
      let error: string | null = planError ?? (setting.kind === 'snat' ? snatError : null);
      const lines: string[] = [];
      for (const step of planError === null ? steps : []) {
        lines.push(hostStepLine(step));
        try {
          error = await this.runStep(step, setting);
        } catch (caught) {
          error = errorText(caught);
        }
        if (step.kind === 'run' && step.argv[0] === 'nft') snatError = error;
        if (error !== null) break;
      }
      results[index] =
        error === null
          ? { setting, ok: true, changed: setting.kind !== 'snat' || !status?.ok, ...aboutHostSetting('hostSet', setting), lines }
          : { setting, ok: false, changed: false, message: error, lines };
    }
    return results;
  }

  async remove(settings: readonly HostSetting[]): Promise<HostSettingResult[]> {
    const results: HostSettingResult[] = [];
    const deletedTables = new Map<string, string | null>();
    for (const setting of settings) {
      switch (setting.kind) {
        case 'address': {
          const argv = ['ip', 'addr', 'del', `${setting.address}/${setting.prefixLength}`, 'dev', setting.interface];
          const result = await this.run(argv);
          const gone = result.ok || /Cannot assign requested address|does not exist/.test(result.message);
          results.push({
            setting,
            ok: gone,
            changed: result.ok,
            ...(gone
              ? describedText('hostAddressRemoved', { address: `${setting.address}/${setting.prefixLength}`, interface: setting.interface })
              : { message: result.message }),
            lines: [hostStepLine({ kind: 'run', argv })],
          });
          break;
        }
        case 'snat': {
          const family =
            setting.service.kind === 'fwmark' ? (setting.service.family === 'inet6' ? 'ip6' : 'ip') : setting.service.address.includes(':') ? 'ip6' : 'ip';
          const lines: string[] = [];
          if (!deletedTables.has(family)) {
            // Only the agent's own table: nothing else in the ruleset is touched.
            const argv = ['nft', 'delete', 'table', family, NFT_TABLE];
            lines.push(hostStepLine({ kind: 'run', argv }));
            const result = await this.run(argv);
            deletedTables.set(family, result.ok || /No such file or directory/.test(result.message) ? null : result.message);
          }
          const error = deletedTables.get(family) ?? null;
          results.push({
            setting,
            ok: error === null,
            changed: error === null,
            ...(error === null ? describedText('hostTableDeleted', { table: `${family} ${NFT_TABLE}` }) : { message: error }),
            lines,
          });
          break;
        }
        case 'sysctl':
        case 'module':
          results.push({ setting, ok: true, changed: false, ...aboutHostSetting('hostLeftAsIs', setting), lines: [] });
          break;
      }
    }
    return results;
  }
}
