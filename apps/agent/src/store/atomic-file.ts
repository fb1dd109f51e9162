// Crash-safe file replacement: write a temp file in the same directory,
// fsync it, rename it over the target, fsync the directory. A reader (or a
// reboot) sees the old content or the new one, never half of either.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  mode?: number;
  /**
   * fsync the file before the rename (default true), so the name never points
   * at half-written content. Copies that can be rebuilt or lost without harm
   * skip it: each fsync costs milliseconds, and many more on a busy disk.
   */
  durable?: boolean;
  /**
   * Await the directory fsync that makes the rename itself durable (default
   * true). Off, it runs in the background: a crash before it lands leaves
   * the previous complete file, never a broken one.
   */
  awaitDirectorySync?: boolean;
}

export async function writeFileAtomic(path: string, content: string, options: AtomicWriteOptions | number = {}): Promise<void> {
  const { mode = 0o600, durable = true, awaitDirectorySync = true } = typeof options === 'number' ? { mode: options } : options;
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  if (!durable) return;
  if (awaitDirectorySync) await syncDirectory(dir);
  else void syncDirectory(dir);
}

/** The rename itself lives in the directory entry; flush it too. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}
