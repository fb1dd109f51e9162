// host.status: each required or desired host setting with whether this host
// has it, grouped per service.
import { parseServiceId, serviceId, serviceLabel, type HostSetting } from '@lvs-console/shared';
import { hostSettingId, mergeHostSettings } from '@lvs-console/shared/host';
import type { VipStatus } from '../../ha/vip-monitor';
import type { HostSettingStatus } from '../../reconcile/ports';
import type { Agent } from '../agent';

export interface HostStatusReport {
  available: boolean;
  label: string | null;
  settings: HostSettingStatus[];
  /** Per service: the settings its forwarding methods need, and whether each holds. */
  services: Array<{
    service: string;
    label: string;
    methods: string[];
    settings: HostSettingStatus[];
    /** Per real-server address: the director's source address toward it (the DIP), or null. */
    directorAddresses: Record<string, string | null>;
    /** Who answers for the service's VIP; null when the agent does not manage VIPs. */
    vip: VipStatus | null;
  }>;
}

/** `problems`: only the failing rows, and only the services with one (what the services list shows). */
export async function hostStatus(agent: Agent, options: { problems: boolean } = { problems: false }): Promise<HostStatusReport> {
  const desired = agent.store.current()?.state;
  if (!agent.host || !desired) return { available: false, label: agent.host?.label ?? null, settings: [], services: [] };
  const perService = agent.requirementsOf(desired);
  // One read of the host for every row, desired or required, then grouped per service.
  const rows = mergeHostSettings([...desired.hostSettings, ...perService.flatMap((entry) => entry.settings)]);
  const statusById = new Map((await agent.host.check(rows)).map((status) => [status.id, status]));
  const sources = await agent.host.sourceAddresses(desired.services.flatMap((s) => s.destinations.map((d) => d.address)));
  await agent.vips?.refresh();
  const statusOf = (setting: HostSetting) => statusById.get(hostSettingId(setting));
  const services = perService.map((entry) => {
    const key = parseServiceId(entry.service);
    const service = desired.services.find((s) => serviceId(s.key) === entry.service);
    return {
      service: entry.service,
      label: key ? serviceLabel(key) : entry.service,
      methods: [...new Set(service?.destinations.map((d) => d.forwarding) ?? [])],
      directorAddresses: Object.fromEntries((service?.destinations ?? []).map((d) => [d.address, sources.get(d.address) ?? null])),
      vip: service?.key.kind === 'addr' ? (agent.vips?.status(service.key.address) ?? null) : null,
      // Each service shows its own reason for a row, not the merged one.
      settings: entry.settings.flatMap((setting) => {
        const status = statusOf(setting);
        return status ? [{ ...status, setting }] : [];
      }),
    };
  });
  const settings = desired.hostSettings.flatMap((setting) => {
    const status = statusOf(setting);
    return status ? [{ ...status, setting }] : [];
  });
  if (!options.problems) return { available: true, label: agent.host.label, settings, services };
  return {
    available: true,
    label: agent.host.label,
    settings: settings.filter((row) => !row.ok),
    services: services.flatMap((service) => {
      const failing = service.settings.filter((row) => !row.ok);
      return failing.length ? [{ ...service, settings: failing }] : [];
    }),
  };
}
