// Narrow seams to parts other engineers own (host settings, the simulated
// kernel's traffic controls). The agent is wired with adapters at start.
import type { TrafficSettings } from '../kernel/sim';
import type { HostSetting, MessageId, MessageParams } from '@lvs-console/shared';
import { describeHostSetting, hostSettingId } from '@lvs-console/shared/host';
import type { HostBackend } from '../host/backend';
import type { InterfaceAddresses } from '@lvs-console/shared/ha';

export interface HostSettingStatus {
  setting: HostSetting;
  /** Stable id of the row, e.g. "sysctl:net.ipv4.ip_forward". */
  id: string;
  description: string;
  ok: boolean;
  /** What the host has now ("0", "absent"), null when unreadable. */
  actual: string | null;
  message: string;
  /** The message's id and parameters (MESSAGE_TEXTS), absent for a program's own words. */
  messageId?: MessageId;
  params?: MessageParams;
}

export interface HostSettingResult {
  setting: HostSetting;
  id: string;
  ok: boolean;
  changed: boolean;
  message: string;
  messageId?: MessageId;
  params?: MessageParams;
  /** The lines that ran for this row; empty when nothing had to run. */
  lines: string[];
}

/** A dry run of apply() for one row: its state now and the lines apply would run. */
export interface HostChangePlanRow extends HostSettingStatus {
  /** Empty when the host already has the row. */
  lines: string[];
}

export interface HostPort {
  /** "this host (Linux)" or "simulated host". */
  readonly label: string;
  check(settings: readonly HostSetting[]): Promise<HostSettingStatus[]>;
  apply(settings: readonly HostSetting[]): Promise<HostSettingResult[]>;
  /** What apply() of the same rows would run now; changes nothing. */
  plan(settings: readonly HostSetting[]): Promise<HostChangePlanRow[]>;
  /** Undo rows: addresses are deleted (sysctls and modules stay). */
  remove(settings: readonly HostSetting[]): Promise<HostSettingResult[]>;
  /** This host's source address toward each destination (its DIP), or null. */
  sourceAddresses(destinations: readonly string[]): Promise<Map<string, string | null>>;
  /** An interface's addresses with prefixes, or null when unknown. */
  interfaceAddresses(name: string): Promise<InterfaceAddresses | null>;
}

/** The host module's backend as the agent's port, with ids and descriptions added. */
export function hostPortOf(backend: HostBackend): HostPort {
  return {
    label: backend.kind === 'sim' ? 'simulated host' : 'this host (Linux)',
    async check(settings) {
      const rows = await backend.read(settings);
      return rows.map((row) => ({ ...row, id: hostSettingId(row.setting), description: describeHostSetting(row.setting) }));
    },
    async apply(settings) {
      const rows = await backend.apply(settings);
      return rows.map((row) => ({ ...row, id: hostSettingId(row.setting) }));
    },
    async plan(settings) {
      const rows = await backend.plan(settings);
      return rows.map(({ status, lines }) => ({ ...status, id: hostSettingId(status.setting), description: describeHostSetting(status.setting), lines }));
    },
    async remove(settings) {
      const rows = await backend.remove(settings);
      return rows.map((row) => ({ ...row, id: hostSettingId(row.setting) }));
    },
    sourceAddresses: (destinations) => backend.sourceAddresses(destinations),
    interfaceAddresses: (name) => backend.interfaceAddresses(name),
  };
}

/** The simulated kernel's traffic knobs. */
export type SimTrafficSettings = TrafficSettings;

export interface SimPort {
  setTraffic(settings: Partial<SimTrafficSettings>, serviceIdOrNull?: string): SimTrafficSettings;
  getTraffic(serviceIdOrNull?: string): SimTrafficSettings;
  failDestination(serviceIdText: string, destId: string, failing: boolean): void;
  isFailing(serviceIdText: string, destId: string): boolean;
}
