// One-time login codes, kept as files in <state dir>/login-codes/ so that
// `lvs-console login-link` (another process, root on the director) can make
// one while the agent runs, and a restart keeps the unused ones. A file is
// named by the SHA-256 digest of its code and holds who the code logs in as;
// using a code renames its file away first, so it works exactly once.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Caller } from '@lvs-console/shared/api';
import type { Clock } from '../config/clock';
import { writeFileAtomic } from '../store/atomic-file';
import { digestHex } from './sessions';

/** A login code stays valid until used or for a day. */
export const LOGIN_CODE_TTL_MS = 24 * 60 * 60 * 1000;

/** The console's address with a login code in the fragment (fragments never reach a server's log). */
export function loginLinkUrl(consoleUrl: string, code: string): string {
  return `${consoleUrl}/#login=${code}`;
}

export const LOGIN_ROLES = ['admin', 'operator', 'viewer'] as const;
export type LoginRole = (typeof LOGIN_ROLES)[number];

const codeFileSchema = z.object({
  name: z.string().min(1).max(100),
  role: z.enum(LOGIN_ROLES),
  expiresAt: z.number(),
});

function codesDir(stateDir: string): string {
  return join(stateDir, 'login-codes');
}

/** Make a code that logs in as `caller`; returns the code (shown once, stored only as a digest). */
export async function createLoginCode(stateDir: string, clock: Clock, caller: { name: string; role: LoginRole }): Promise<string> {
  const code = randomBytes(18).toString('base64url');
  const dir = codesDir(stateDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await pruneLoginCodes(stateDir, clock);
  await writeFileAtomic(join(dir, `${digestHex(code)}.json`), JSON.stringify({ ...caller, expiresAt: clock.now() + LOGIN_CODE_TTL_MS }), { mode: 0o600 });
  return code;
}

/** Use a code: the caller it logs in as, or null when it is unknown, used or expired. */
export async function useLoginCode(stateDir: string, clock: Clock, code: string): Promise<Caller | null> {
  const path = join(codesDir(stateDir), `${digestHex(code)}.json`);
  const taken = `${path}.used-${randomBytes(6).toString('hex')}`;
  try {
    // Whoever renames the file first has the code; a second use finds nothing.
    await rename(path, taken);
  } catch {
    return null;
  }
  try {
    const parsed = codeFileSchema.safeParse(JSON.parse(await readFile(taken, 'utf8')));
    if (!parsed.success || parsed.data.expiresAt <= clock.now()) return null;
    return { name: parsed.data.name, role: parsed.data.role };
  } catch {
    return null;
  } finally {
    await rm(taken, { force: true });
  }
}

/** Remove expired and half-used code files. */
export async function pruneLoginCodes(stateDir: string, clock: Clock): Promise<void> {
  const dir = codesDir(stateDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const now = clock.now();
  for (const name of names) {
    // Temp files and codes being used belong to whoever writes or uses them.
    if (!/^[0-9a-f]{64}\.json$/.test(name)) continue;
    const path = join(dir, name);
    const parsed = codeFileSchema.safeParse(
      await readFile(path, 'utf8')
        .then((t) => JSON.parse(t) as unknown)
        .catch(() => null),
    );
    if (!parsed.success || parsed.data.expiresAt <= now) await rm(path, { force: true });
  }
}
