// One writer per state directory across processes: the serving agent (or a
// one-shot `lvs-console apply`) holds agent.lock with its pid. A lock left by
// a process that no longer runs is taken over.
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '@lvs-console/shared';

export interface DirLock {
  release(): Promise<void>;
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

export async function lockStateDir(dir: string, holder: string): Promise<DirLock> {
  const path = join(dir, 'agent.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${JSON.stringify({ pid: process.pid, holder })}\n`);
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const text = await readFile(path, 'utf8').catch(() => '');
      let owner: { pid?: number; holder?: string } = {};
      try {
        owner = JSON.parse(text) as { pid?: number; holder?: string };
      } catch {
        // An unreadable lock is treated as stale.
      }
      if (typeof owner.pid === 'number' && running(owner.pid)) {
        throw new DomainError('CONFLICT', `${dir} is in use by ${owner.holder ?? 'another lvs-console'} (pid ${owner.pid}); stop it or use its API`);
      }
      await rm(path, { force: true });
    }
  }
  throw new DomainError('CONFLICT', `cannot lock ${dir}`);
}
