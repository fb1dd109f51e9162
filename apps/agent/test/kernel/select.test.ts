import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../../src/kernel/select';
import type { CommandRunner } from '../../src/kernel/runner';

const root = mkdtempSync(join(tmpdir(), 'lvs-select-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bin = join(root, 'bin');
mkdirSync(bin);
const proc = join(root, 'ip_vs');

const recorder = (): CommandRunner & { calls: string[][] } => {
  const calls: string[][] = [];
  return {
    calls,
    run: (argv) => {
      calls.push([...argv]);
      return Promise.resolve({ code: 1, stdout: '', stderr: 'not root' });
    },
  };
};

describe('chooseBackend (--backend auto)', () => {
  it('falls back to the sim with a plain reason when the kernel has no IPVS, after trying modprobe', async () => {
    const runner = recorder();
    const choice = await chooseBackend({ procIpVsPath: join(root, 'absent'), searchPath: bin, runner });
    expect(choice.kind).toBe('sim');
    expect(choice.reason).toMatch(/^no .*: this kernel has no IPVS.*; using the simulated kernel$/);
    expect(runner.calls).toEqual([['modprobe', 'ip_vs']]);
  });

  const noNetlink = (): Promise<string | null> => Promise.resolve('the kernel has no IPVS generic netlink family');

  it('prefers generic netlink when the kernel offers the IPVS family, and says so', async () => {
    writeFileSync(proc, '');
    const choice = await chooseBackend({ procIpVsPath: proc, searchPath: join(root, 'empty'), runner: recorder(), probeNetlink: () => Promise.resolve(null) });
    expect(choice.kind).toBe('netlink');
    expect(choice.reason).toContain('generic netlink');
  });

  it('on a kernel without IPVS it never probes netlink', async () => {
    let probed = 0;
    const choice = await chooseBackend({
      procIpVsPath: join(root, 'absent'),
      searchPath: bin,
      runner: recorder(),
      probeNetlink: () => {
        probed++;
        return Promise.resolve(null);
      },
    });
    expect(choice.kind).toBe('sim');
    expect(probed).toBe(0);
  });

  it('the real probe on this host gives a reason, or null where IPVS netlink works', async () => {
    const { probeIpvsNetlink } = await import('../../src/kernel/select');
    const problem = await probeIpvsNetlink();
    if (problem !== null) expect(problem).toMatch(/\S/);
  });

  it('falls back when ipvsadm is missing', async () => {
    writeFileSync(proc, '');
    const choice = await chooseBackend({ procIpVsPath: proc, searchPath: join(root, 'empty'), runner: recorder(), probeNetlink: noNetlink });
    expect(choice).toMatchObject({ kind: 'sim' });
    expect(choice.reason).toContain('ipvsadm program is not installed');
  });

  it('picks ipvsadm when both are there but netlink cannot be used', async () => {
    writeFileSync(proc, '');
    writeFileSync(join(bin, 'ipvsadm'), '#!/bin/sh\n');
    chmodSync(join(bin, 'ipvsadm'), 0o755);
    const runner = recorder();
    const choice = await chooseBackend({ procIpVsPath: proc, searchPath: bin, runner, probeNetlink: noNetlink });
    expect(choice).toMatchObject({ kind: 'ipvsadm', ipvsadmPath: join(bin, 'ipvsadm') });
    expect(choice.reason).toContain('generic netlink cannot be used (the kernel has no IPVS generic netlink family)');
    expect(runner.calls).toEqual([]);
  });
});
