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
  return { calls, run: (argv) => { calls.push([...argv]); return Promise.resolve({ code: 1, stdout: '', stderr: 'not root' }); } };
};

describe('chooseBackend (--backend auto)', () => {
  it('falls back to the sim with a plain reason when the kernel has no IPVS, after trying modprobe', async () => {
    const runner = recorder();
    const choice = await chooseBackend({ procIpVsPath: join(root, 'absent'), searchPath: bin, runner });
    expect(choice.kind).toBe('sim');
    expect(choice.reason).toMatch(/^no .*: this kernel has no IPVS.*; using the simulated kernel$/);
    expect(runner.calls).toEqual([['modprobe', 'ip_vs']]);
  });

  it('falls back when ipvsadm is missing', async () => {
    writeFileSync(proc, '');
    const choice = await chooseBackend({ procIpVsPath: proc, searchPath: join(root, 'empty'), runner: recorder() });
    expect(choice).toMatchObject({ kind: 'sim' });
    expect(choice.reason).toContain('ipvsadm program is not installed');
  });

  it('picks ipvsadm when both are there', async () => {
    writeFileSync(proc, '');
    writeFileSync(join(bin, 'ipvsadm'), '#!/bin/sh\n');
    chmodSync(join(bin, 'ipvsadm'), 0o755);
    const runner = recorder();
    const choice = await chooseBackend({ procIpVsPath: proc, searchPath: bin, runner });
    expect(choice).toMatchObject({ kind: 'ipvsadm', ipvsadmPath: join(bin, 'ipvsadm') });
    expect(runner.calls).toEqual([]);
  });
});
