// The host changes one setting needs, as the steps the Linux backend runs:
// program argv arrays or a write under /proc/sys. Pure, so a dry run (the
// console's confirmation) and the apply show and run the very same steps.
import type { HostSetting } from '@lvs-console/shared';
import { renderNftScript, shellQuote } from '@lvs-console/shared/host';
import { sysctlPath } from './sysctl';

export type HostStep =
  | { kind: 'run'; argv: string[]; stdin?: string; /** Failure does not fail the row (a best-effort preparation). */ optional?: boolean }
  | { kind: 'write'; path: string; value: string };

export interface HostStepContext {
  /** Sysctls go through `sysctl -w` inside a network namespace, through /proc/sys otherwise. */
  netns: boolean;
  procSysRoot: string;
}

type SnatRow = Extract<HostSetting, { kind: 'snat' }>;

/**
 * Steps for one row. SNAT rows are applied as one nftables script: its step
 * belongs to the first SNAT row of the set, the others have none.
 */
export function hostSteps(setting: HostSetting, allSettings: readonly HostSetting[], context: HostStepContext): HostStep[] {
  switch (setting.kind) {
    case 'sysctl':
      return context.netns
        ? [{ kind: 'run', argv: ['sysctl', '-q', '-w', `${setting.name}=${setting.value}`] }]
        : [{ kind: 'write', path: sysctlPath(setting.name, context.procSysRoot), value: setting.value }];
    case 'module':
      return [{ kind: 'run', argv: ['modprobe', '--', setting.name] }];
    case 'address': {
      const add: HostStep = { kind: 'run', argv: ['ip', 'addr', 'add', `${setting.address}/${setting.prefixLength}`, 'dev', setting.interface] };
      return setting.interface === 'tunl0' ? [{ kind: 'run', argv: ['ip', 'link', 'set', 'tunl0', 'up'], optional: true }, add] : [add];
    }
    case 'snat': {
      const rows = allSettings.filter((s): s is SnatRow => s.kind === 'snat');
      if (rows[0] !== setting) return [];
      const script = renderNftScript(rows);
      return script ? [{ kind: 'run', argv: ['nft', '-f', '-'], stdin: `${script}\n` }] : [];
    }
  }
}

/** A step as a person would type it in a shell (what the confirmation lists). */
export function hostStepLine(step: HostStep): string {
  if (step.kind === 'write') return `echo ${shellQuote(step.value)} > ${shellQuote(step.path)}`;
  const command = step.argv.map(shellQuote).join(' ');
  return step.stdin === undefined ? command : `${command} <<'EOF'\n${step.stdin}EOF`;
}

export interface PlannedRow {
  setting: HostSetting;
  /** Empty when the host already has the row (SNAT rows are always rewritten as a set). */
  steps: HostStep[];
  /** Why no steps could be built (an invalid sysctl name), or null. */
  error: string | null;
}

/** What an apply of these rows will run, given whether the host has each one now. */
export function planHostSteps(settings: readonly HostSetting[], hasNow: readonly boolean[], context: HostStepContext): PlannedRow[] {
  return settings.map((setting, index) => {
    if (hasNow[index] === true && setting.kind !== 'snat') return { setting, steps: [], error: null };
    try {
      return { setting, steps: hostSteps(setting, settings, context), error: null };
    } catch (error) {
      return { setting, steps: [], error: error instanceof Error ? error.message : String(error) };
    }
  });
}
