// Where each service VIP is, as this director sees it: on its interface (a
// director on its own with a VIP interface), or held by the pair's live
// VRRP MASTER. Refreshed every few seconds and on demand, so "why no
// traffic" and the setup checklist can name a missing VIP without a host
// read per request.
import { describedText, serviceId, vipInstances, type DesiredState, type MessageId, type MessageParams, type Service } from '@lvs-console/shared';
import type { Reason } from '@lvs-console/shared/health';
import { directorVipSettings, hostSettingId } from '@lvs-console/shared/host';
import { serviceVips } from '@lvs-console/shared/validate';
import type { ClusterService } from '../cluster/cluster';
import type { HostPort } from '../reconcile/ports';

export interface VipStatus {
  address: string;
  /** interface: this director's own VIP interface; vrrp: moved by the pair's VRRP. */
  mode: 'interface' | 'vrrp';
  /** Someone answers for it: present on the interface, or a live MASTER holds it. */
  ok: boolean;
  /** The director holding it (this one's name for a single director), or null. */
  holder: string | null;
  /** This director holds it. */
  here: boolean;
  message: string;
  /** The message's id and parameters, for the console to say it in its language. */
  messageId: MessageId;
  params: MessageParams;
}

export interface VipMonitorOptions {
  desired: () => DesiredState | null;
  host: HostPort | null;
  cluster: () => ClusterService | null;
}

export class VipMonitor {
  private statuses = new Map<string, VipStatus>();
  /** The desired state's services by id, for the desired state they were read from. */
  private servicesById: { desired: DesiredState; byId: Map<string, Service> } | null = null;

  constructor(private readonly opts: VipMonitorOptions) {}

  async refresh(): Promise<void> {
    const desired = this.opts.desired();
    const next = new Map<string, VipStatus>();
    if (desired?.ha) {
      const cluster = this.opts.cluster();
      const live = (cluster?.members() ?? []).filter((m) => !m.stale);
      for (const [address, instance] of vipInstances(desired.ha, serviceVips(desired))) {
        const holder = live.find((m) => m.status?.vrrp.some((v) => v.state === 'MASTER' && v.addresses.includes(address)));
        next.set(address, {
          address,
          mode: 'vrrp',
          ok: holder !== undefined,
          holder: holder?.name ?? null,
          here: holder?.self ?? false,
          ...(holder
            ? describedText('vipHeld', { holder: holder.name, address, instance: instance?.name ?? '?' })
            : instance
              ? describedText('vipNoHolderIn', { address, instance: instance.name })
              : describedText('vipNoHolder', { address })),
        });
      }
    } else if (desired?.vipInterface !== undefined && this.opts.host) {
      const iface = desired.vipInterface;
      const rows = directorVipSettings(desired);
      const checked = new Map((await this.opts.host.check(rows)).map((status) => [status.id, status]));
      for (const row of rows) {
        if (row.kind !== 'address') continue;
        const present = checked.get(hostSettingId(row))?.ok ?? false;
        next.set(row.address, {
          address: row.address,
          mode: 'interface',
          ok: present,
          holder: present ? 'this director' : null,
          here: present,
          ...describedText(present ? 'vipOnInterface' : 'vipNotOnInterface', { address: row.address, interface: iface }),
        });
      }
    }
    this.statuses = next;
  }

  status(address: string): VipStatus | undefined {
    return this.statuses.get(address);
  }

  /** The "why no traffic" reason of a service whose VIP nobody answers for. */
  blockerFor(serviceIdText: string): Reason | null {
    // health.status asks once per service: a scan of every service per question
    // took the agent most of a second at 1,000 services.
    if (this.statuses.size === 0) return null;
    const desired = this.opts.desired();
    if (!desired) return null;
    if (this.servicesById?.desired !== desired) this.servicesById = { desired, byId: new Map(desired.services.map((s) => [serviceId(s.key), s])) };
    const service = this.servicesById.byId.get(serviceIdText);
    if (service?.key.kind !== 'addr') return null;
    const status = this.statuses.get(service.key.address);
    return status && !status.ok
      ? { code: 'vip-missing', severity: 'blocks', message: status.message, messageId: status.messageId, params: status.params }
      : null;
  }
}
