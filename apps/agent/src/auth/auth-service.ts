// API tokens (tokens.json or the command line), one-time login codes (files
// in login-codes/) and console sessions (sessions.json). Secrets are compared
// as SHA-256 digests with crypto.timingSafeEqual, so neither length nor
// content leaks through timing.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DomainError } from '@lvs-console/shared';
import type { Role } from '@lvs-console/shared/api';
import type { Clock } from '../config/clock';
import { writeFileAtomic } from '../store/atomic-file';
import { createLoginCode, useLoginCode, type LoginRole } from './login-codes';
import { SessionStore, type NewSession } from './sessions';
import { UserDirectory } from './users';
import type { Caller } from '@lvs-console/shared/api';

export const tokensFileSchema = z.object({
  version: z.literal(1),
  tokens: z.array(z.object({ name: z.string(), role: z.enum(['admin', 'operator', 'viewer', 'realserver']), token: z.string().min(16) })),
});

interface Secret {
  digest: Buffer;
  caller: Caller;
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
  readonly users: UserDirectory;

  private constructor(
    private readonly clock: Clock,
    tokens: Array<{ name: string; role: Role; token: string }>,
    /** Where the tokens came from, for the banner. */
    readonly tokenSource: string,
    private readonly stateDir: string,
    readonly sessions: SessionStore,
  ) {
    this.users = new UserDirectory(stateDir);
    sessions.passwordSessionValid = (caller) => this.users.stillValid(caller);
    this.tokens = tokens.map((t) => ({ digest: digest(t.token), caller: { name: t.name, role: t.role }, expiresAt: Number.POSITIVE_INFINITY }));
  }

  /**
   * Tokens given on the command line or in the environment win; otherwise
   * tokens.json in the state directory, created (mode 0600) on first start.
   */
  static async open(options: TokenOptions): Promise<AuthService> {
    const path = join(options.stateDir, 'tokens.json');
    const sessions = await SessionStore.open(options.stateDir, options.clock);
    const make = (tokens: Array<{ name: string; role: Role; token: string }>, source: string) =>
      new AuthService(options.clock, tokens, source, options.stateDir, sessions);
    if (options.adminToken) {
      for (const token of [options.adminToken, options.viewerToken, options.realserverToken]) {
        if (token !== undefined && token.length < 16) throw new DomainError('INVALID_INPUT', 'tokens must be at least 16 characters long');
      }
      const tokens: Array<{ name: string; role: Role; token: string }> = [{ name: 'admin', role: 'admin', token: options.adminToken }];
      if (options.viewerToken) tokens.push({ name: 'viewer', role: 'viewer' as const, token: options.viewerToken });
      if (options.realserverToken) tokens.push({ name: 'realserver', role: 'realserver' as const, token: options.realserverToken });
      return make(tokens, 'given on the command line or in the environment');
    }
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text !== null) {
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new DomainError(
          'INVALID_INPUT',
          `${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}); fix it, or remove it to create new tokens`,
        );
      }
      const parsed = tokensFileSchema.safeParse(json);
      if (!parsed.success) throw new DomainError('INVALID_INPUT', `${path} is not a tokens file this agent understands; remove it to create new tokens`);
      const tokens = parsed.data.tokens;
      // Files from before real-server reports get a realserver token added once.
      if (tokens.some((t) => t.role === 'realserver')) return make(tokens, path);
      tokens.push({ name: 'realserver', role: 'realserver', token: options.realserverToken ?? newSecret('lvsc_realserver') });
      await writeFileAtomic(path, `${JSON.stringify({ version: 1, tokens }, null, 2)}\n`, { mode: 0o600 });
      return make(tokens, `${path} (realserver token added)`);
    }
    const tokens = [
      { name: 'admin', role: 'admin' as const, token: newSecret('lvsc_admin') },
      { name: 'viewer', role: 'viewer' as const, token: options.viewerToken ?? newSecret('lvsc_viewer') },
      { name: 'realserver', role: 'realserver' as const, token: options.realserverToken ?? newSecret('lvsc_realserver') },
    ];
    await writeFileAtomic(path, `${JSON.stringify({ version: 1, tokens }, null, 2)}\n`, { mode: 0o600 });
    return make(tokens, `${path} (created now)`);
  }

  /** The caller a bearer token (API token or console session) belongs to, or null. */
  authenticate(token: string | null | undefined): Caller | null {
    if (!token) return null;
    const match = matchSecret(token, this.tokens, this.clock.now());
    return match?.caller ?? this.sessions.authenticate(token);
  }

  /** A new one-time login code (the banner's #login=CODE, `lvs-console login-link`, auth.createLoginLink). */
  createLoginCode(caller: { name: string; role: LoginRole } = { name: 'console', role: 'admin' }): Promise<string> {
    return createLoginCode(this.stateDir, this.clock, caller);
  }

  /** Exchange a login code for a session; the code works once. */
  async login(code: string): Promise<NewSession> {
    const caller = await useLoginCode(this.stateDir, this.clock, code);
    if (!caller) {
      throw new DomainError('INVALID_INPUT', 'this login link was already used or has expired; ask for a new one (lvs-console login-link on the director)');
    }
    return this.sessions.create(caller);
  }

  /** Exchange a person's name and password (users.json) for a session. */
  async loginWithPassword(name: string, password: string): Promise<NewSession> {
    const caller = await this.users.check(name, password);
    if (!caller) throw new DomainError('INVALID_INPUT', 'the name or the password is wrong');
    return this.sessions.create(caller, 'password');
  }
}
