// Console sessions, kept in the state directory (sessions.json, mode 0600) so
// an agent restart logs nobody out. Only SHA-256 digests of session tokens are
// stored: a copy of the file opens no session. A session ends after IDLE_MS
// without use, ABSOLUTE_MS after login, at logout, or at "log out everywhere".
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Caller } from '@lvs-console/shared/api';
import type { Clock } from '../config/clock';
import { writeFileAtomic } from '../store/atomic-file';

export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** Sessions kept at once; the oldest goes first. */
const MAX_SESSIONS = 1000;
/** A session's last use is written to disk at most this often (idle expiry may be this much late after a restart). */
const TOUCH_WRITE_MS = 60_000;

const roleSchema = z.enum(['admin', 'operator', 'viewer', 'realserver']);
const sessionsFileSchema = z.object({
  version: z.literal(1),
  sessions: z
    .array(
      z.object({
        digest: z.string().regex(/^[0-9a-f]{64}$/),
        name: z.string().max(100),
        role: roleSchema,
        createdAt: z.number(),
        lastUsedAt: z.number(),
        /** How the session began: a login link, a password (checked against users.json on use) or an API token. */
        source: z.enum(['link', 'password', 'token']).default('link'),
      }),
    )
    .max(MAX_SESSIONS),
});
type StoredSession = z.infer<typeof sessionsFileSchema>['sessions'][number];

export function digestHex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface NewSession {
  token: string;
  name: string;
  role: Caller['role'];
  expiresAt: number;
}

export class SessionStore {
  private writes: Promise<void> = Promise.resolve();
  private lastWrite = 0;

  /** Whether a password session's person still exists with that role (set by the auth service). */
  passwordSessionValid: (caller: Caller) => boolean = () => true;

  private constructor(
    private readonly path: string,
    private readonly clock: Clock,
    private readonly sessions: Map<string, StoredSession>,
  ) {}

  static async open(stateDir: string, clock: Clock): Promise<SessionStore> {
    const path = join(stateDir, 'sessions.json');
    const text = await readFile(path, 'utf8').catch(() => null);
    const sessions = new Map<string, StoredSession>();
    if (text !== null) {
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // Unreadable: everyone logs in again (nothing else depends on it).
      }
      const parsed = sessionsFileSchema.safeParse(json);
      if (parsed.success) for (const s of parsed.data.sessions) sessions.set(s.digest, s);
    }
    const store = new SessionStore(path, clock, sessions);
    store.prune();
    return store;
  }

  /** A new session for `caller`; the token is returned once and never stored. */
  async create(caller: Caller, source: StoredSession['source'] = 'link'): Promise<NewSession> {
    this.prune();
    const token = `lvsc_session_${randomBytes(24).toString('base64url')}`;
    const now = this.clock.now();
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = [...this.sessions.values()].sort((a, b) => a.createdAt - b.createdAt)[0];
      if (oldest) this.sessions.delete(oldest.digest);
    }
    const digest = digestHex(token);
    this.sessions.set(digest, { digest, name: caller.name, role: caller.role, createdAt: now, lastUsedAt: now, source });
    await this.save();
    return { token, name: caller.name, role: caller.role, expiresAt: Math.min(now + SESSION_IDLE_MS, now + SESSION_ABSOLUTE_MS) };
  }

  /** The caller of a live session token (and the session's use is noted), or null. */
  authenticate(token: string): Caller | null {
    const digest = digestHex(token);
    const session = this.sessions.get(digest);
    // The map lookup found a candidate by digest; compare it in constant time all the same.
    if (!session || !timingSafeEqual(Buffer.from(session.digest, 'hex'), Buffer.from(digest, 'hex'))) return null;
    const now = this.clock.now();
    const caller: Caller = { name: session.name, role: session.role };
    if (!this.live(session, now) || (session.source === 'password' && !this.passwordSessionValid(caller))) {
      this.sessions.delete(digest);
      void this.save();
      return null;
    }
    session.lastUsedAt = now;
    if (now - this.lastWrite >= TOUCH_WRITE_MS) void this.save();
    return caller;
  }

  /** End one session; true when there was one. */
  async end(token: string): Promise<boolean> {
    const removed = this.sessions.delete(digestHex(token));
    if (removed) await this.save();
    return removed;
  }

  /** End every session of one person; returns how many. */
  async endAllOf(name: string): Promise<number> {
    let count = 0;
    for (const [digest, session] of this.sessions) {
      if (session.name === name) {
        this.sessions.delete(digest);
        count++;
      }
    }
    await this.save();
    return count;
  }

  count(): number {
    return this.sessions.size;
  }

  /** Live sessions of one person. */
  countOf(name: string): number {
    this.prune();
    return [...this.sessions.values()].filter((session) => session.name === name).length;
  }

  private live(session: StoredSession, now: number): boolean {
    return now - session.lastUsedAt < SESSION_IDLE_MS && now - session.createdAt < SESSION_ABSOLUTE_MS;
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [digest, session] of this.sessions) if (!this.live(session, now)) this.sessions.delete(digest);
  }

  private save(): Promise<void> {
    this.lastWrite = this.clock.now();
    const text = `${JSON.stringify({ version: 1, sessions: [...this.sessions.values()] })}\n`;
    const write = this.writes.then(() => writeFileAtomic(this.path, text, { mode: 0o600, durable: false }));
    this.writes = write.catch(() => undefined);
    return write;
  }

  /** Resolves once every write so far is done (tests, shutdown). */
  flushed(): Promise<void> {
    return this.writes;
  }
}
