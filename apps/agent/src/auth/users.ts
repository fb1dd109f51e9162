// Named people with roles and passwords, in users.json (mode 0600) in the
// state directory, managed with `lvs-console user ...` on the director.
// Passwords are hashed with scrypt (Node's built-in crypto.scrypt: memory-hard,
// maintained with Node and OpenSSL, no native add-on to build), N=2^15, r=8,
// p=1 (32 MiB per hash), a random 16-byte salt per password.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DomainError } from '@lvs-console/shared';
import type { Caller } from '@lvs-console/shared/api';
import { writeFileAtomic } from '../store/atomic-file';
import { lockFile } from '../store/dir-lock';
import { LOGIN_ROLES, type LoginRole } from './login-codes';

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32 } as const;
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1024;

const userSchema = z.object({
  name: z.string().min(1).max(64),
  role: z.enum(LOGIN_ROLES),
  /** scrypt$N$r$p$salt$hash (base64url). */
  password: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/),
  createdAt: z.number(),
});
const usersFileSchema = z.object({ version: z.literal(1), users: z.array(userSchema) });
export type User = z.infer<typeof userSchema>;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, keylen, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new DomainError('INVALID_INPUT', `a password has at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new DomainError('INVALID_INPUT', `a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split('$');
  if (!n || !r || !p || !salt || !hash || password.length > MAX_PASSWORD_LENGTH) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(key, expected);
}

export function usersPath(stateDir: string): string {
  return join(stateDir, 'users.json');
}

export async function readUsers(stateDir: string): Promise<User[]> {
  const path = usersPath(stateDir);
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DomainError('INVALID_INPUT', `${path} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = usersFileSchema.safeParse(json);
  if (!parsed.success) throw new DomainError('INVALID_INPUT', `${path} is not a users file this agent understands`);
  return parsed.data.users;
}

export async function writeUsers(stateDir: string, users: User[]): Promise<void> {
  await writeFileAtomic(usersPath(stateDir), `${JSON.stringify({ version: 1, users }, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Read users.json, change it and write it back under users.lock: one writer
 * at a time, whether the CLI on the director or an admin on the Users page.
 */
export async function editUsers<T>(stateDir: string, holder: string, edit: (users: User[]) => T | Promise<T>): Promise<T> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const lock = await lockFile(stateDir, 'users.lock', holder);
  try {
    const users = await readUsers(stateDir);
    const result = await edit(users);
    await writeUsers(stateDir, users);
    return result;
  } finally {
    await lock.release();
  }
}

/**
 * The serving agent's view of users.json: re-read when the file changes
 * (the CLI edits it beside the running agent), so a removed person or a
 * changed password takes effect at once.
 */
export class UserDirectory {
  private users: User[] = [];
  private seenMtime = -1;

  constructor(private readonly stateDir: string) {}

  /** users.json is small and read only when its mtime moved: a sync read keeps authentication sync. */
  private refresh(): void {
    let mtime = 0;
    try {
      mtime = statSync(usersPath(this.stateDir)).mtimeMs;
    } catch {
      mtime = 0;
    }
    if (mtime === this.seenMtime) return;
    this.seenMtime = mtime;
    try {
      const parsed = usersFileSchema.safeParse(JSON.parse(readFileSync(usersPath(this.stateDir), 'utf8')));
      this.users = parsed.success ? parsed.data.users : [];
    } catch {
      this.users = [];
    }
  }

  /** The person a name and password belong to, or null (the same work either way). */
  async check(name: string, password: string): Promise<Caller | null> {
    this.refresh();
    const user = this.users.find((u) => u.name === name);
    // An unknown name costs a hash too, so timing does not tell names apart.
    const ok = await verifyPassword(password, user?.password ?? DUMMY_HASH);
    return user && ok ? { name: user.name, role: user.role } : null;
  }

  /** The person of this name with their role, or null (an SSO proxy's user must be one). */
  find(name: string): Caller | null {
    this.refresh();
    const user = this.users.find((u) => u.name === name);
    return user ? { name: user.name, role: user.role } : null;
  }

  /** Forget what was read: the agent itself just wrote users.json. */
  invalidate(): void {
    this.seenMtime = -1;
  }

  /** Whether a password session's person still exists with this role (sessions of removed people end). */
  stillValid(caller: Caller): boolean {
    this.refresh();
    const user = this.users.find((u) => u.name === caller.name);
    return user !== undefined && user.role === caller.role;
  }
}

/** A hash of a random password nobody knows, for unknown names. */
const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${randomBytes(16).toString('base64url')}$${randomBytes(32).toString('base64url')}`;

export function isLoginRole(role: string): role is LoginRole {
  return (LOGIN_ROLES as readonly string[]).includes(role);
}
