// `--backend auto`: the real kernel when it has IPVS and ipvsadm is installed,
// otherwise the simulated kernel, with a reason a person can read.
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
  const ipvsadmPath = await findProgram('ipvsadm', searchPath);
  if (!ipvsadmPath) {
    return { kind: 'sim', reason: 'the kernel has IPVS but the ipvsadm program is not installed (apt install ipvsadm); using the simulated kernel' };
  }
  return { kind: 'ipvsadm', reason: `the kernel has IPVS (${procIpVs}) and ipvsadm is at ${ipvsadmPath}; using the real kernel`, ipvsadmPath };
}
