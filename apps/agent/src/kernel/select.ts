// `--backend auto`: the real kernel when it has IPVS, over generic netlink
// when the kernel offers the IPVS family and the addon loads, else through
// ipvsadm when it is installed; otherwise the simulated kernel. Always with a
// reason a person can read.
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { BackendKind } from './backend';
import { CommandError, createExecRunner } from './runner';
import type { CommandRunner } from './runner';

export interface BackendChoice {
  kind: BackendKind;
  /** Why, in words for the startup log and the console's status line. */
  reason: string;
  /** Absolute path of the ipvsadm program when kind is 'ipvsadm'. */
  ipvsadmPath?: string;
}

export interface ChooseBackendOptions {
  procIpVsPath?: string;
  /** PATH to search for ipvsadm (default: the process's PATH plus the sbin directories). */
  searchPath?: string;
  runner?: CommandRunner;
  /** Try `modprobe ip_vs` before looking (default true); failure is expected without root. */
  loadModule?: boolean;
  /**
   * Can the IPVS generic netlink family be used here? null when it can,
   * else why not. Default: open a socket and resolve the family.
   */
  probeNetlink?: () => Promise<string | null>;
}

/** Open a generic netlink socket and resolve the IPVS family: null when that works, else the reason. */
export async function probeIpvsNetlink(): Promise<string | null> {
  try {
    const { GenlSocket } = await import('./netlink/socket');
    const socket = await GenlSocket.open();
    socket.close();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function exists(path: string, mode = constants.F_OK): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Find an executable on a PATH-style list. */
export async function findProgram(name: string, searchPath: string): Promise<string | null> {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (await exists(candidate, constants.X_OK)) return candidate;
  }
  return null;
}

export async function chooseBackend(options: ChooseBackendOptions = {}): Promise<BackendChoice> {
  const procIpVs = options.procIpVsPath ?? '/proc/net/ip_vs';
  const searchPath = options.searchPath ?? [process.env.PATH ?? '', '/usr/sbin', '/sbin', '/usr/local/sbin'].join(delimiter);
  if (options.loadModule !== false && !(await exists(procIpVs))) {
    const runner = options.runner ?? createExecRunner({ timeoutMs: 10_000 });
    try {
      await runner.run(['modprobe', 'ip_vs']);
    } catch (error) {
      // No modprobe or no permission: the check below says what is missing.
      if (!(error instanceof CommandError)) throw error;
    }
  }
  if (!(await exists(procIpVs))) {
    return { kind: 'sim', reason: `no ${procIpVs}: this kernel has no IPVS (or the ip_vs module could not be loaded); using the simulated kernel` };
  }
  const netlinkProblem = await (options.probeNetlink ?? probeIpvsNetlink)();
  if (netlinkProblem === null) {
    return { kind: 'netlink', reason: `the kernel has IPVS (${procIpVs}) and offers its generic netlink family; using the real kernel over netlink` };
  }
  const ipvsadmPath = await findProgram('ipvsadm', searchPath);
  if (!ipvsadmPath) {
    return {
      kind: 'sim',
      reason: `the kernel has IPVS but generic netlink cannot be used (${netlinkProblem}) and the ipvsadm program is not installed (apt install ipvsadm); using the simulated kernel`,
    };
  }
  return {
    kind: 'ipvsadm',
    reason: `the kernel has IPVS (${procIpVs}) but generic netlink cannot be used (${netlinkProblem}); ipvsadm is at ${ipvsadmPath}; using the real kernel through ipvsadm`,
    ipvsadmPath,
  };
}
