// Tokens, roles, one-time login codes and sessions.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/auth-service';
import { ManualClock } from '../../src/config/clock';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvs-auth-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
});

describe('AuthService', () => {
  it('should create tokens.json with mode 0600 on first start and reuse it later', async () => {
    const clock = new ManualClock();
    const first = await AuthService.open({ stateDir: dir, clock });
    const path = join(dir, 'tokens.json');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const file = JSON.parse(await readFile(path, 'utf8')) as { tokens: Array<{ name: string; role: string; token: string }> };
    const admin = file.tokens.find((t) => t.role === 'admin')?.token ?? '';
    const viewer = file.tokens.find((t) => t.role === 'viewer')?.token ?? '';
    expect(first.authenticate(admin)).toEqual({ name: 'admin', role: 'admin' });
    const second = await AuthService.open({ stateDir: dir, clock });
    expect(second.authenticate(viewer)).toEqual({ name: 'viewer', role: 'viewer' });
    expect(second.authenticate(`${admin}x`)).toBeNull();
    expect(second.authenticate('')).toBeNull();
  });

  it('should add a realserver token once to a tokens file from before real-server reports', async () => {
    const path = join(dir, 'tokens.json');
    const old = [
      { name: 'admin', role: 'admin', token: 'old-admin-token-0123456789' },
      { name: 'viewer', role: 'viewer', token: 'old-viewer-token-0123456789' },
    ];
    await writeFile(path, JSON.stringify({ version: 1, tokens: old }), { mode: 0o600 });
    const auth = await AuthService.open({ stateDir: dir, clock: new ManualClock() });
    expect(auth.tokenSource).toContain('realserver token added');
    const file = JSON.parse(await readFile(path, 'utf8')) as { tokens: Array<{ name: string; role: string; token: string }> };
    expect(file.tokens.slice(0, 2)).toEqual(old);
    const realserver = file.tokens.find((t) => t.role === 'realserver')?.token ?? '';
    expect(auth.authenticate(realserver)).toEqual({ name: 'realserver', role: 'realserver' });
    expect(auth.authenticate('old-admin-token-0123456789')?.role).toBe('admin');
    // The second start reads the file as it is.
    expect((await AuthService.open({ stateDir: dir, clock: new ManualClock() })).tokenSource).toBe(path);
  });

  it('should use given tokens instead of a file', async () => {
    const auth = await AuthService.open({
      stateDir: dir,
      clock: new ManualClock(),
      adminToken: 'given-admin-token-123',
      viewerToken: 'given-viewer-token-123',
    });
    expect(auth.authenticate('given-admin-token-123')?.role).toBe('admin');
    expect(auth.authenticate('given-viewer-token-123')?.role).toBe('viewer');
    await expect(stat(join(dir, 'tokens.json'))).rejects.toThrow();
  });

  it('should refuse tokens that are too short to be secret', async () => {
    await expect(AuthService.open({ stateDir: dir, clock: new ManualClock(), adminToken: 'short' })).rejects.toThrow(/at least 16 characters/);
  });

  it('should accept a login code once and give a session that survives a restart', async () => {
    const clock = new ManualClock();
    const auth = await AuthService.open({ stateDir: dir, clock, adminToken: 'given-admin-token-123' });
    const code = await auth.createLoginCode();
    const session = await auth.login(code);
    expect(session.role).toBe('admin');
    expect(auth.authenticate(session.token)).toEqual({ name: 'console', role: 'admin' });
    await expect(auth.login(code)).rejects.toThrow(/already used or has expired/);
    await auth.sessions.flushed();
    const restarted = await AuthService.open({ stateDir: dir, clock, adminToken: 'given-admin-token-123' });
    expect(restarted.authenticate(session.token)).toEqual({ name: 'console', role: 'admin' });
    // Only a digest is on disk.
    expect(await readFile(join(dir, 'sessions.json'), 'utf8')).not.toContain(session.token);
  });

  it('should log in as the role and person a code names', async () => {
    const auth = await AuthService.open({ stateDir: dir, clock: new ManualClock(), adminToken: 'given-admin-token-123' });
    const session = await auth.login(await auth.createLoginCode({ name: 'alice', role: 'operator' }));
    expect(auth.authenticate(session.token)).toEqual({ name: 'alice', role: 'operator' });
  });

  it('should expire login codes after a day, sessions after 2 idle hours or 12 hours in all', async () => {
    const clock = new ManualClock();
    const auth = await AuthService.open({ stateDir: dir, clock, adminToken: 'given-admin-token-123' });
    const stale = await auth.createLoginCode();
    const idle = await auth.login(await auth.createLoginCode());
    const busy = await auth.login(await auth.createLoginCode());
    for (let hour = 1; hour <= 11; hour++) {
      clock.advance(3600 * 1000);
      expect(auth.authenticate(busy.token)).not.toBeNull();
    }
    expect(auth.authenticate(idle.token)).toBeNull();
    clock.advance(3600 * 1000 + 1);
    expect(auth.authenticate(busy.token)).toBeNull();
    clock.advance(12 * 3600 * 1000);
    await expect(auth.login(stale)).rejects.toThrow(/expired/);
    await auth.sessions.flushed();
  });

  it('should end every session of a person at "log out everywhere"', async () => {
    const auth = await AuthService.open({ stateDir: dir, clock: new ManualClock(), adminToken: 'given-admin-token-123' });
    const one = await auth.login(await auth.createLoginCode({ name: 'bob', role: 'viewer' }));
    const two = await auth.login(await auth.createLoginCode({ name: 'bob', role: 'viewer' }));
    const other = await auth.login(await auth.createLoginCode({ name: 'carol', role: 'viewer' }));
    expect(await auth.sessions.endAllOf('bob')).toBe(2);
    expect(auth.authenticate(one.token)).toBeNull();
    expect(auth.authenticate(two.token)).toBeNull();
    expect(auth.authenticate(other.token)?.name).toBe('carol');
    await auth.sessions.flushed();
  });
});
