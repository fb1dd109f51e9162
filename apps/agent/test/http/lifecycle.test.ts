// Starting and stopping the agent never flushes or rewrites the kernel's
// table; a second agent on the same state finds it in sync.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configOfService } from '@lvs-console/shared';
import { ManualClock } from '../../src/config/clock';
import { defaultWebDir, isLoopback, parseListen } from '../../src/config/paths';
import { loadDemo } from '../../src/kernel/demo';
import { SimBackend } from '../../src/kernel/sim';
import { startHarness } from './harness';

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'lvs-life-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe('agent lifecycle', () => {
  it('should leave the kernel untouched across stop and start', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const sim = new SimBackend({ clock, seed: 1 });
    await loadDemo(sim);
    const before = JSON.stringify((await sim.observe()).services.map(configOfService));

    const first = await startHarness({ sim, clock, stateDir });
    expect(first.running.start.kind).toBe('adopted');
    await first.close();
    expect(JSON.stringify((await sim.observe()).services.map(configOfService))).toBe(before);

    const second = await startHarness({ sim, clock, stateDir });
    expect(second.running.start.kind).toBe('in-sync');
    expect(second.running.agent.audit.list(10).filter((e) => e.what.includes('restored') || e.what.includes('reverted'))).toEqual([]);
    await second.close();
    expect(JSON.stringify((await sim.observe()).services.map(configOfService))).toBe(before);
  });

  it('should say clearly when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await expect(startHarness({ stateDir, listen: `127.0.0.1:${port}` })).rejects.toThrow(/address is in use/);
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });
});

describe('listen addresses and paths', () => {
  it('should parse ADDRESS:PORT forms', () => {
    expect(parseListen('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseListen('8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(() => parseListen('example.com:80')).toThrow(/not ADDRESS:PORT/);
    expect(() => parseListen('127.0.0.1:70000')).toThrow(/not ADDRESS:PORT/);
  });

  it('should know loopback from the rest', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
  });

  it('should find apps/web/dist from the sources and from the bundle', () => {
    expect(defaultWebDir('file:///repo/apps/agent/src/config/paths.ts')).toBe('/repo/apps/web/dist');
    expect(defaultWebDir('file:///repo/apps/agent/dist/lvs-console.js')).toBe('/repo/apps/web/dist');
  });
});
