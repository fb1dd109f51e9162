// Bearer tokens with two roles, one-time login codes and console sessions.
// Secrets are compared as SHA-256 digests with crypto.timingSafeEqual, so
// neither length nor content leaks through timing.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DomainError } from '@lvs-console/shared';
import type { Role } from '@lvs-console/shared/api';
import type { Clock } from '../config/clock';
import { writeFileAtomic } from '../store/atomic-file';
import type { Caller } from '@lvs-console/shared/api';

const tokensFileSchema = z.object({
  version: z.literal(1),
  tokens: z.array(z.object({ name: z.string(), role: z.enum(['admin', 'viewer', 'realserver']), token: z.string().min(16) })),
});

/** A login code from the banner stays valid until used or for a day. */
const LOGIN_CODE_TTL_MS = 24 * 60 * 60 * 1000;
/** A console session lasts a working day. */
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

interface Secret {
  digest: Buffer;
  caller: Caller;
  expiresAt: number;
}

export interface LoginResult {
  token: string;
  name: string;
  role: Role;
  expiresAt: number;
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

function matchSecret(candidate: string, secrets: Iterable<Secret>, now: number): Secret | null {
  const candidateDigest = digest(candidate);
  let found: Secret | null = null;
  // Compare with every secret (no early exit) so timing does not say which matched.
  for (const secret of secrets) {
    if (timingSafeEqual(candidateDigest, secret.digest) && secret.expiresAt > now) found = secret;
  }
  return found;
}

export interface TokenOptions {
  stateDir: string;
  clock: Clock;
  adminToken?: string | undefined;
  viewerToken?: string | undefined;
  /** The token real servers' agents report with (realServers.report only). */
  realserverToken?: string | undefined;
}

export class AuthService {
  private readonly tokens: Secret[];
  private readonly sessions = new Map<string, Secret>();
  private readonly loginCodes = new Map<string, Secret>();

  private constructor(
    private readonly clock: Clock,
    tokens: Array<{ name: string; role: Role; token: string }>,
    /** Where the tokens came from, for the banner. */
    readonly tokenSource: string,
  ) {
    this.tokens = tokens.map((t) => ({ digest: digest(t.token), caller: { name: t.name, role: t.role }, expiresAt: Number.POSITIVE_INFINITY }));
  }

  /**
   * Tokens given on the command line or in the environment win; otherwise
   * tokens.json in the state directory, created (mode 0600) on first start.
   */
  static async open(options: TokenOptions): Promise<AuthService> {
    const path = join(options.stateDir, 'tokens.json');
    if (options.adminToken) {
      for (const token of [options.adminToken, options.viewerToken, options.realserverToken]) {
        if (token !== undefined && token.length < 16) throw new DomainError('INVALID_INPUT', 'tokens must be at least 16 characters long');
      }
      const tokens: Array<{ name: string; role: Role; token: string }> = [{ name: 'admin', role: 'admin', token: options.adminToken }];
      if (options.viewerToken) tokens.push({ name: 'viewer', role: 'viewer' as const, token: options.viewerToken });
      if (options.realserverToken) tokens.push({ name: 'realserver', role: 'realserver' as const, token: options.realserverToken });
      return new AuthService(options.clock, tokens, 'given on the command line or in the environment');
    }
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text !== null) {
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new DomainError('INVALID_INPUT', `${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}); fix it, or remove it to create new tokens`);
      }
      const parsed = tokensFileSchema.safeParse(json);
      if (!parsed.success) throw new DomainError('INVALID_INPUT', `${path} is not a tokens file this agent understands; remove it to create new tokens`);
      const tokens = parsed.data.tokens;
      // Files from before real-server reports get a realserver token added once.
      if (tokens.some((t) => t.role === 'realserver')) return new AuthService(options.clock, tokens, path);
      tokens.push({ name: 'realserver', role: 'realserver', token: options.realserverToken ?? newSecret('lvsc_realserver') });
      await writeFileAtomic(path, `${JSON.stringify({ version: 1, tokens }, null, 2)}\n`, { mode: 0o600 });
      return new AuthService(options.clock, tokens, `${path} (realserver token added)`);
    }
    const tokens = [
      { name: 'admin', role: 'admin' as const, token: newSecret('lvsc_admin') },
      { name: 'viewer', role: 'viewer' as const, token: options.viewerToken ?? newSecret('lvsc_viewer') },
      { name: 'realserver', role: 'realserver' as const, token: options.realserverToken ?? newSecret('lvsc_realserver') },
    ];
    await writeFileAtomic(path, `${JSON.stringify({ version: 1, tokens }, null, 2)}\n`, { mode: 0o600 });
    return new AuthService(options.clock, tokens, `${path} (created now)`);
  }

  /** For tests: fixed tokens, no files. */
  static withTokens(clock: Clock, tokens: Array<{ name: string; role: Role; token: string }>): AuthService {
    return new AuthService(clock, tokens, 'test');
  }

  /** The caller a bearer token (API token or console session) belongs to, or null. */
  authenticate(token: string | null | undefined): Caller | null {
    if (!token) return null;
    const now = this.clock.now();
    const match = matchSecret(token, [...this.tokens, ...this.sessions.values()], now);
    return match?.caller ?? null;
  }

  /** A new one-time login code (printed in the banner as #login=CODE). */
  createLoginCode(): string {
    this.prune();
    const code = randomBytes(18).toString('base64url');
    this.loginCodes.set(code, { digest: digest(code), caller: { name: 'console', role: 'admin' }, expiresAt: this.clock.now() + LOGIN_CODE_TTL_MS });
    return code;
  }

  /** Exchange a login code for a session token; the code works once. */
  login(code: string): LoginResult {
    const now = this.clock.now();
    let used: string | null = null;
    for (const [key, secret] of this.loginCodes) {
      if (matchSecret(code, [secret], now)) used = key;
    }
    const secret = used === null ? undefined : this.loginCodes.get(used);
    if (used === null || !secret) {
      throw new DomainError('INVALID_INPUT', 'this login link was already used or has expired; restart the agent or ask an admin for a new link (auth.createLoginLink)');
    }
    this.loginCodes.delete(used);
    const token = newSecret('lvsc_session');
    const expiresAt = now + SESSION_TTL_MS;
    this.sessions.set(digest(token).toString('hex'), { digest: digest(token), caller: secret.caller, expiresAt });
    return { token, name: secret.caller.name, role: secret.caller.role, expiresAt };
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [key, secret] of this.loginCodes) if (secret.expiresAt <= now) this.loginCodes.delete(key);
    for (const [key, secret] of this.sessions) if (secret.expiresAt <= now) this.sessions.delete(key);
  }
}
