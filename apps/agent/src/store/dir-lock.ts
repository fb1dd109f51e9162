// One writer per state directory across processes: the serving agent (or a
// one-shot `lvs-console apply`) holds agent.lock with its pid and the time the
// kernel started that process. A lock whose process no longer runs, or whose
// pid now belongs to another process (pid reuse after a reboot), is taken over.
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '@lvs-console/shared';

export interface DirLock {
  release(): Promise<void>;
}

interface LockOwner {
  pid?: number;
  holder?: string;
  /** Field 22 of /proc/PID/stat: the process's start time in clock ticks since boot. */
  startTime?: string;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The kernel's start time of a process, or null where /proc cannot say. */
export async function processStartTime(pid: number): Promise<string | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  // The command name (field 2) may hold spaces and parentheses: count from the last ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

async function ownerCmdline(pid: number): Promise<string | null> {
  const text = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  return text === null ? null : text.split('\0').join(' ');
}

/** Whether the lock's owner still holds it: same pid, same process. */
async function ownerAlive(owner: LockOwner): Promise<boolean> {
  if (typeof owner.pid !== 'number' || !running(owner.pid)) return false;
  const now = await processStartTime(owner.pid);
  if (owner.startTime !== undefined && now !== null) return now === owner.startTime;
  // Locks from before start times were recorded: only an lvs-console process counts.
  const cmdline = await ownerCmdline(owner.pid);
  return cmdline === null || /lvs-console|apps\/agent/.test(cmdline);
}

export function lockStateDir(dir: string, holder: string): Promise<DirLock> {
  return lockFile(dir, 'agent.lock', holder);
}

/** A lock file in `dir` (agent.lock for the state, or a narrower one such as users.lock). */
export async function lockFile(dir: string, name: string, holder: string): Promise<DirLock> {
  const path = join(dir, name);
  const startTime = await processStartTime(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${JSON.stringify({ pid: process.pid, holder, ...(startTime ? { startTime } : {}) })}\n`);
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const text = await readFile(path, 'utf8').catch(() => '');
      let owner: LockOwner = {};
      try {
        owner = JSON.parse(text) as LockOwner;
      } catch {
        // An unreadable lock is treated as stale.
      }
      if (await ownerAlive(owner)) {
        throw new DomainError('CONFLICT', `${dir} is in use by ${owner.holder ?? 'another lvs-console'} (pid ${owner.pid ?? '?'}); stop it or use its API`);
      }
      await rm(path, { force: true });
    }
  }
  throw new DomainError('CONFLICT', `cannot lock ${dir}`);
}
