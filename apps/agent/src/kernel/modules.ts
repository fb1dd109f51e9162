// Which IPVS scheduler modules the running kernel has (or can load): the
// module tree and modules.builtin of its release, else the release number.
// Shared by the ipvsadm and netlink backends.
import { access, readFile, readdir } from 'node:fs/promises';
import { SCHEDULERS } from '@lvs-console/shared';
import { SCHEDULER_SINCE } from '@lvs-console/shared/kernel';

/** Compare dotted release numbers: "6.1.0-27-amd64" vs "5.12". */
function releaseAtLeast(kernelRelease: string, wanted: string): boolean {
  const have = kernelRelease.split(/[.-]/).map((p) => Number.parseInt(p, 10));
  const need = wanted.split('.').map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (Number.isNaN(a)) return true;
    if (a !== b) return a > b;
  }
  return true;
}

/** Scheduler names in SCHEDULERS order; empty when the kernel has no IPVS (`procIpVsPath` missing). */
export async function schedulerModules(procIpVsPath: string, modulesDir: string, kernelRelease: string): Promise<string[]> {
  try {
    await access(procIpVsPath);
  } catch {
    return [];
  }
  const found = new Set<string>();
  let knowsModules = false;
  try {
    const files = await readdir(`${modulesDir}/kernel/net/netfilter/ipvs`);
    knowsModules = true;
    for (const file of files) {
      const match = /^ip_vs_([a-z]+)\.ko/.exec(file);
      if (match?.[1]) found.add(match[1]);
    }
  } catch {
    // No module tree (a container, or everything built in): fall through.
  }
  try {
    const builtin = await readFile(`${modulesDir}/modules.builtin`, 'utf8');
    knowsModules = true;
    for (const match of builtin.matchAll(/ip_vs_([a-z]+)\.ko/g)) if (match[1]) found.add(match[1]);
  } catch {
    // modules.builtin is optional.
  }
  return knowsModules
    ? SCHEDULERS.filter((s) => found.has(s))
    : // Nothing to look at: trust the release number.
      SCHEDULERS.filter((s) => {
        const since = SCHEDULER_SINCE[s];
        return !since || releaseAtLeast(kernelRelease, since);
      });
}
