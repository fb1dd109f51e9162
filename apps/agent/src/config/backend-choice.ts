// Which kernel backend to run. `auto` asks the kernel module's selector (the
// real kernel when /proc/net/ip_vs exists: over generic netlink when the
// kernel offers the IPVS family, else through ipvsadm when it is installed;
// otherwise the simulated kernel, with the reason in plain words).
import { LinuxHostBackend, SimHostBackend } from '../host';
import type { BackendKind, KernelBackend } from '../kernel/backend';
import { DEMO_DIRECTOR_ADDRESSES } from '../kernel/demo';
import { IpvsadmBackend } from '../kernel/ipvsadm';
import { NetlinkBackend } from '../kernel/netlink/backend';
import { chooseBackend as selectKernel } from '../kernel/select';
import { SimBackend } from '../kernel/sim';
import { hostPortOf, type HostPort } from '../reconcile/ports';
import type { Clock } from './clock';

export type BackendRequest = 'auto' | 'ipvsadm' | 'netlink' | 'sim';
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'ipvsadm', 'netlink', 'sim'];

export interface BackendChoice {
  kind: BackendKind;
  /** Plain words for the console's header: "Simulated kernel" or "Linux IPVS (ipvsadm)". */
  label: string;
  /** Why this backend: "no IPVS in this kernel: simulated kernel". */
  reason: string;
}

export interface ChosenBackend {
  backend: KernelBackend;
  sim: SimBackend | null;
  host: HostPort;
  choice: BackendChoice;
}

export async function chooseBackend(
  request: BackendRequest,
  options: { clock: Clock; seed?: number | undefined; startAt?: number; demo?: boolean },
): Promise<ChosenBackend> {
  const sim = (reason: string): ChosenBackend => {
    const backend = new SimBackend({ clock: options.clock, seed: options.seed ?? 1, ...(options.startAt !== undefined ? { startAt: options.startAt } : {}) });
    // The demo's simulated host has the demo director's addresses (its DIP shows on the diagrams).
    const host = new SimHostBackend(options.demo ? { interfaceAddresses: DEMO_DIRECTOR_ADDRESSES } : {});
    return { backend, sim: backend, host: hostPortOf(host), choice: { kind: 'sim', label: 'Simulated kernel', reason } };
  };
  if (request === 'sim') return sim('--backend sim: simulated kernel');
  const netlink = async (reason: string): Promise<ChosenBackend> => ({
    backend: await NetlinkBackend.open(),
    sim: null,
    host: hostPortOf(new LinuxHostBackend()),
    choice: { kind: 'netlink', label: 'Linux IPVS (generic netlink)', reason },
  });
  const loadModule = request !== 'auto' || (typeof process.getuid === 'function' && process.getuid() === 0);
  if (request === 'netlink') {
    // Asked for by name: no fallback; the error says what is missing.
    const selected = await selectKernel({ loadModule });
    if (selected.kind !== 'netlink') throw new Error(`--backend netlink: ${selected.reason}`);
    return netlink(selected.reason);
  }
  const selected = await selectKernel({
    loadModule,
    ...(request === 'ipvsadm' ? { probeNetlink: () => Promise.resolve('--backend ipvsadm was asked for') } : {}),
  });
  if (selected.kind === 'netlink') return netlink(selected.reason);
  if (selected.kind === 'sim' || !selected.ipvsadmPath) {
    if (request === 'ipvsadm') throw new Error(`--backend ipvsadm: ${selected.reason}`);
    return sim(selected.reason);
  }
  return {
    backend: new IpvsadmBackend({ ipvsadmPath: selected.ipvsadmPath }),
    sim: null,
    host: hostPortOf(new LinuxHostBackend()),
    choice: { kind: 'ipvsadm', label: 'Linux IPVS (ipvsadm)', reason: selected.reason },
  };
}
