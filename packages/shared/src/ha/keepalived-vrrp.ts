// The keepalived configuration a director of a pair runs: `global_defs` and
// `vrrp_instance` blocks only. keepalived moves the VIPs (VRRP); IPVS stays
// the agent's, so no `virtual_server` block is ever written here. keepalived
// tells the agent its state through a FIFO (vrrp_notify_fifo), and the agent
// hands the VIPs over ("fail over now") through a tracked file.
import type { DesiredState, HaConfig, VrrpInstance } from '../model';
import { familyOf, preferredMaster, vipInstances } from '../model';
import { serviceVips } from '../validate';
// `#` and `!` start a comment anywhere in keepalived.conf: a password holding one is quoted.
import { quoteWord } from '../keepalived/values';

export interface VrrpRenderOptions {
  /** This director's name (one of ha.directors). */
  self: string;
  /** FIFO keepalived writes `INSTANCE "VI_1" MASTER 150` lines to. */
  notifyFifo: string;
  /**
   * File keepalived tracks (weight 1): 0 normally; -253 drops this director
   * to priority 1 (it keeps being a BACKUP); -254 puts it in FAULT at once.
   */
  holdFile: string;
}

/** Values the agent writes to the hold file. */
export const HOLD_VALUES = { none: 0, lowest: -253, fault: -254 } as const;

export const HOLD_TRACK_NAME = 'lvs_console_hold';

function quote(text: string): string {
  // Paths come from the agent's own state directory; refuse anything keepalived's parser would split.
  if (!/^[A-Za-z0-9_./@:+-]+$/.test(text)) throw new Error(`cannot write "${text}" into keepalived.conf`);
  return `"${text}"`;
}

function hostPrefix(address: string): number {
  return familyOf(address) === 'inet6' ? 128 : 32;
}

/** The service VIPs each instance moves, in service order. */
export function instanceAddresses(state: Pick<DesiredState, 'services'> & { ha: HaConfig }): Map<string, string[]> {
  const result = new Map<string, string[]>(state.ha.instances.map((instance) => [instance.name, []]));
  for (const [vip, instance] of vipInstances(state.ha, serviceVips(state))) {
    if (instance) result.get(instance.name)?.push(vip);
  }
  return result;
}

interface InstanceRenderOptions {
  /** Track the agent's hold file (the agent's own configuration; not in an export). */
  trackHold: boolean;
  /** Write mcast_src_ip for multicast instances, so the file names every director's address. */
  advertSource: boolean;
}

function renderInstance(instance: VrrpInstance, ha: HaConfig, self: string, addresses: readonly string[], options: InstanceRenderOptions): string[] {
  const me = ha.directors.find((d) => d.name === self);
  const priority = instance.priorities[self];
  if (!me || priority === undefined) throw new Error(`director "${self}" has no priority in VRRP instance "${instance.name}"`);
  // keepalived wants BACKUP as the initial state with nopreempt or a preempt
  // delay; otherwise the
  // highest priority starts as MASTER so a cold start needs no election wait.
  const initial = instance.preempt && instance.preemptDelay === 0 && preferredMaster(instance) === self ? 'MASTER' : 'BACKUP';
  const lines = [
    `vrrp_instance ${instance.name} {`,
    `    state ${initial}`,
    `    interface ${instance.interface}`,
    `    virtual_router_id ${instance.virtualRouterId}`,
    `    priority ${priority}`,
    `    advert_int ${instance.advertInterval}`,
  ];
  if (!instance.preempt) lines.push('    nopreempt');
  else if (instance.preemptDelay > 0) lines.push(`    preempt_delay ${instance.preemptDelay}`);
  if (instance.unicast) {
    lines.push(`    unicast_src_ip ${me.address}`, '    unicast_peer {');
    for (const peer of ha.directors) if (peer.name !== self) lines.push(`        ${peer.address}`);
    lines.push('    }');
  } else if (options.advertSource) {
    lines.push(`    mcast_src_ip ${me.address}`);
  }
  if (instance.password !== undefined) {
    lines.push('    authentication {', '        auth_type PASS', `        auth_pass ${quoteWord(instance.password)}`, '    }');
  }
  // VRRPv2 carries IPv4 only: IPv6 VIPs go in virtual_ipaddress_excluded (moved, not advertised).
  const v4 = addresses.filter((a) => familyOf(a) !== 'inet6');
  const v6 = addresses.filter((a) => familyOf(a) === 'inet6');
  lines.push('    virtual_ipaddress {');
  for (const address of v4) lines.push(`        ${address}/${hostPrefix(address)} dev ${instance.interface}`);
  lines.push('    }');
  if (v6.length) {
    lines.push('    virtual_ipaddress_excluded {');
    for (const address of v6) lines.push(`        ${address}/${hostPrefix(address)} dev ${instance.interface}`);
    lines.push('    }');
  }
  if (options.trackHold) lines.push('    track_file {', `        ${HOLD_TRACK_NAME}`, '    }');
  lines.push('}');
  return lines;
}

/** keepalived.conf for director `options.self` of the pair in `state.ha`. */
export function renderVrrpConfig(state: Pick<DesiredState, 'services' | 'ha'>, options: VrrpRenderOptions): string {
  const ha = state.ha;
  if (!ha) throw new Error('the desired state has no pair of directors (ha)');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(options.self)) throw new Error(`"${options.self}" is not a director name`);
  const addresses = instanceAddresses({ services: state.services, ha });
  const lines = [
    `# Written by LVS Console for director "${options.self}". VRRP only: the agent`,
    '# programs IPVS itself, so this file never holds virtual_server blocks.',
    '# Changes here are overwritten; change the pair in the console.',
    'global_defs {',
    `    router_id ${options.self}`,
    `    vrrp_notify_fifo ${quote(options.notifyFifo)}`,
    '    fifo_write_vrrp_states_on_reload',
    '}',
    '',
    `track_file ${HOLD_TRACK_NAME} {`,
    `    file ${quote(options.holdFile)}`,
    '    weight 1',
    '    init_file 0',
    '}',
  ];
  for (const instance of ha.instances) {
    lines.push('', ...renderInstance(instance, ha, options.self, addresses.get(instance.name) ?? [], { trackHold: true, advertSource: false }));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Lines that differ between directors, each behind `@DIRECTOR` (keepalived's
 * conditional configuration: `keepalived -i DIRECTOR` reads only its own), so
 * one file serves the whole pair. Every director's rendering has the same
 * shape, so lines are compared by position.
 */
export function mergeByDirector(renderings: ReadonlyArray<readonly [string, readonly string[]]>): string[] {
  const merged: string[] = [];
  const length = Math.max(0, ...renderings.map(([, lines]) => lines.length));
  for (let i = 0; i < length; i++) {
    const variants = renderings.map(([name, lines]) => [name, lines[i] ?? ''] as const);
    const first = variants[0]?.[1] ?? '';
    if (variants.every(([, line]) => line === first)) {
      merged.push(first);
      continue;
    }
    for (const [name, line] of variants) {
      if (line === '') continue;
      const indent = /^\s*/.exec(line)?.[0] ?? '';
      merged.push(`${indent}@${name} ${line.trimStart()}`);
    }
  }
  return merged;
}

/**
 * The `vrrp_instance` blocks of the whole pair in one keepalived.conf, for an
 * export: every director's instance as renderVrrpConfig writes it (without the
 * agent's hold file), its own lines behind `@DIRECTOR`, plus mcast_src_ip so
 * a multicast pair still names each director's address.
 */
export function renderPairInstances(state: Pick<DesiredState, 'services'> & { ha: HaConfig }): string[] {
  const addresses = instanceAddresses(state);
  const lines: string[] = [];
  for (const instance of state.ha.instances) {
    const renderings = state.ha.directors.map(
      (director) =>
        [
          director.name,
          renderInstance(instance, state.ha, director.name, addresses.get(instance.name) ?? [], { trackHold: false, advertSource: true }),
        ] as const,
    );
    lines.push(...mergeByDirector(renderings), '');
  }
  return lines;
}

/** A line keepalived writes to the notify FIFO, e.g. `INSTANCE "VI_1" MASTER 150`. */
export interface VrrpNotifyLine {
  kind: 'INSTANCE' | 'GROUP';
  name: string;
  state: string;
  priority: number | null;
}

export function parseNotifyLine(line: string): VrrpNotifyLine | null {
  const match = /^(INSTANCE|GROUP) "([^"]{1,64})" ([A-Z_]{1,16})(?: (\d{1,3}))?\s*$/.exec(line);
  if (!match) return null;
  return { kind: match[1] as 'INSTANCE' | 'GROUP', name: match[2] ?? '', state: match[3] ?? '', priority: match[4] === undefined ? null : Number(match[4]) };
}
