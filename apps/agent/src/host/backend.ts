// Host settings the clusters need (sysctls, VIP addresses, kernel modules,
// FULLNAT source NAT), behind one interface: `linux` changes this machine,
// `sim` keeps everything in memory for the simulated kernel and tests.
import type { InterfaceAddresses } from '@lvs-console/shared/ha';
import type { HostSetting, MessageId, MessageParams } from '@lvs-console/shared';

export interface HostSettingStatus {
  setting: HostSetting;
  /** What the host has now, in words ("0", "absent", "loaded", "present"), or null when unreadable. */
  actual: string | null;
  ok: boolean;
  /** Why not ok, or a short confirmation (English). */
  message: string;
  /** The message's id and parameters, for the console to say it in its language; absent for a program's own words (stderr). */
  messageId?: MessageId;
  params?: MessageParams;
}

export interface HostSettingResult {
  setting: HostSetting;
  ok: boolean;
  /** False when the host already had the setting. */
  changed: boolean;
  message: string;
  messageId?: MessageId;
  params?: MessageParams;
  /** The lines that ran for this row (as hostStepLine prints them); empty when nothing had to run. */
  lines: string[];
}

/** A dry run of apply(): the host's state of a row and the lines apply would run for it. */
export interface HostChangePlan {
  status: HostSettingStatus;
  /** Empty when the host already has the row. */
  lines: string[];
}

export interface HostBackend {
  readonly kind: 'linux' | 'sim';
  /** Compare each row with the host. Never throws for one bad row. */
  read(settings: readonly HostSetting[]): Promise<HostSettingStatus[]>;
  /**
   * Make the host match each row. SNAT rows are applied as a set: the
   * agent's own nftables table holds exactly the SNAT rows of this call.
   */
  apply(settings: readonly HostSetting[]): Promise<HostSettingResult[]>;
  /** What apply() of the same rows would run now, row by row; changes nothing. */
  plan(settings: readonly HostSetting[]): Promise<HostChangePlan[]>;
  /**
   * Undo rows: delete addresses, delete the agent's nftables table. Sysctls
   * and modules are left as they are (other software may rely on them).
   */
  remove(settings: readonly HostSetting[]): Promise<HostSettingResult[]>;
  /**
   * The address this host sends from to reach each destination (its DIP
   * toward a real server), or null when no route is known.
   */
  sourceAddresses(destinations: readonly string[]): Promise<Map<string, string | null>>;
  /**
   * An interface's addresses with their prefixes (is a pair's VIP inside a
   * subnet of the interface VRRP moves it on?), or null when this backend
   * cannot know (a simulated host given no addresses).
   */
  interfaceAddresses(name: string): Promise<InterfaceAddresses | null>;
}
