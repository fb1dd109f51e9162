// Proof with the real keepalived: every exported file passes `keepalived -t`
// (its own config checker: exit 0 and nothing reported), and every sample
// Debian ships that has virtual servers imports without an error, with
// exactly the warnings listed here. Without keepalived these tests skip,
// unless LVS_REQUIRE_TOOLS=1 (npm test sets it and installs keepalived).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { formatPlace, readKeepalivedConf, writeKeepalivedConf } from '../../src/keepalived';
import type { DesiredState } from '../../src/model';
import { keepalivedPairStateArb, keepalivedStateArb } from '../support/keepalived-arbitraries';

const KEEPALIVED = ['/usr/sbin/keepalived', '/sbin/keepalived', '/usr/local/sbin/keepalived'].find((path) => existsSync(path));
const SAMPLES = '/usr/share/doc/keepalived/samples';
const REQUIRED = process.env.LVS_REQUIRE_TOOLS === '1';
/** The check runs in a network namespace of its own (unshare -n), which needs root. */
const IS_ROOT = process.getuid?.() === 0;
const RUNNABLE = KEEPALIVED !== undefined && IS_ROOT;
const scratch = mkdtempSync(join(tmpdir(), 'lvs-keepalived-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let fileCount = 0;
/** keepalived -t -l: status 0 and no output means keepalived accepts the file without a single complaint. */
function keepalivedCheck(text: string, configId?: string): { status: number | null; output: string } {
  const file = join(scratch, `export-${++fileCount}.conf`);
  writeFileSync(file, text);
  const idArgs = configId === undefined ? [] : ['-i', configId];
  // keepalived -t refuses interfaces the host lacks (lvs_sync_daemon): check in a
  // network namespace of our own with exactly eth0 and eth1 (a veth pair).
  const result = spawnSync(
    'unshare',
    [
      '-n',
      'sh',
      '-c',
      'ip link add eth0 type veth peer name eth1 && k="$1" && shift && exec "$k" -t -l "$@"',
      'sh',
      KEEPALIVED ?? 'keepalived',
      ...idArgs,
      '-f',
      file,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

function expectAccepted(state: DesiredState): void {
  const text = writeKeepalivedConf(state);
  const { status, output } = keepalivedCheck(text);
  expect({ status, output }, text).toEqual({ status: 0, output: '' });
}

/** Samples with virtual_server blocks and every warning each must give (global_defs keywords aside, listed once per file). */
const SAMPLE_WARNINGS: Record<string, string[]> = {
  'keepalived.conf.HTTP_GET.port': [
    'line 3: global_defs: notification_email, notification_email_from, smtp_server, smtp_connect_timeout, router_id not used by the console',
    'line 13: checkers retry 3 s after a failure in keepalived (delay_before_retry); the console probes every delay_loop (6 s), so a failure is confirmed later',
    'line 25: SSL_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
  ],
  'keepalived.conf.IPv6': [
    'line 3: global_defs: router_id not used by the console',
    'line 24: SMTP_CHECK is not supported by the console; this check is not imported',
  ],
  'keepalived.conf.PING_CHECK': [
    'line 4: global_defs: notification_email, notification_email_from, smtp_server, smtp_connect_timeout, router_id not used by the console',
    'line 23: PING_CHECK is not supported by the console; this check is not imported',
  ],
  'keepalived.conf.SMTP_CHECK': [
    'line 15: global_defs: notification_email, notification_email_from, smtp_server, smtp_connect_timeout, router_id not used by the console',
    'line 39: SMTP_CHECK is not supported by the console; this check is not imported',
    'line 58: SMTP_CHECK is not supported by the console; this check is not imported',
    'line 89: SMTP_CHECK is not supported by the console; this check is not imported',
  ],
  'keepalived.conf.SSL_GET': [
    'line 3: global_defs: notification_email, notification_email_from, smtp_server, smtp_connect_timeout, router_id not used by the console',
    "line 13: vrrp_instance VI_1: not imported: a pair (ha) needs every director's name, address and priority; write the pair in one file with @DIRECTOR lines (keepalived -i DIRECTOR), as lvs-console keepalived export does, or set the pair up in the console",
    'line 30: checkers retry 3 s after a failure in keepalived (delay_before_retry); the console probes every delay_loop (6 s), so a failure is confirmed later',
    'line 42: SSL_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
    'line 46: SSL_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
    'line 55: checkers retry 3 s after a failure in keepalived (delay_before_retry); the console probes every delay_loop (6 s), so a failure is confirmed later',
    'line 67: HTTP_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
    'line 71: HTTP_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
  ],
  'keepalived.conf.UDP_CHECK': [
    'line 4: global_defs: notification_email, notification_email_from, smtp_server, smtp_connect_timeout, router_id not used by the console',
    'line 14: checkers retry 3 s after a failure in keepalived (delay_before_retry); the console probes every delay_loop (6 s), so a failure is confirmed later',
    'line 23: UDP_CHECK without payload: keepalived sends random bytes, the console sends an empty datagram',
  ],
  'keepalived.conf.fwmark': [
    'line 3: global_defs: router_id not used by the console',
    'line 7: virtual server fwmark 1: protocol is ignored for fwmark services, as keepalived does',
    'line 7: checkers retry 1 s after a failure in keepalived (delay_before_retry); the console probes every delay_loop (6 s), so a failure is confirmed later',
  ],
  'keepalived.conf.inhibit': [
    'line 3: global_defs: notification_email, notification_email_from, smtp_server, smtp_connect_timeout, router_id not used by the console',
    'line 13: checkers retry 3 s after a failure in keepalived (delay_before_retry); the console probes every delay_loop (6 s), so a failure is confirmed later',
    'line 26: HTTP_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
  ],
  'keepalived.conf.misc_check': [
    'line 4: global_defs: notification_email, notification_email_from, smtp_server, smtp_connect_timeout, router_id not used by the console',
    "line 23: MISC_CHECK /usr/local/bin/script.sh becomes a command check: command checks run programs on the director and must be allowed there (the agent may refuse command checks that do not come from the director's own configuration)",
  ],
  'keepalived.conf.misc_check_arg': [
    'line 3: global_defs: notification_email, notification_email_from, smtp_server, smtp_connect_timeout, router_id not used by the console',
    "line 22: MISC_CHECK /usr/local/bin/script.sh becomes a command check: command checks run programs on the director and must be allowed there (the agent may refuse command checks that do not come from the director's own configuration)",
  ],
  'keepalived.conf.quorum': [
    'line 23: checkers retry 1 s after a failure in keepalived (delay_before_retry); the console probes every delay_loop (6 s), so a failure is confirmed later',
    'line 30: omega is not represented by the console; ignored',
    'line 33: quorum_up is not represented by the console; ignored',
    'line 34: quorum_down is not represented by the console; ignored',
  ],
  'keepalived.conf.sample': [
    'line 3: global_defs: notification_email, notification_email_from, smtp_server, smtp_connect_timeout, router_id not used by the console',
    "line 13: vrrp_instance VI_1: not imported: a pair (ha) needs every director's name, address and priority; write the pair in one file with @DIRECTOR lines (keepalived -i DIRECTOR), as lvs-console keepalived export does, or set the pair up in the console",
    'line 26: checkers retry 3 s after a failure in keepalived (delay_before_retry); the console probes every delay_loop (6 s), so a failure is confirmed later',
    'line 40: HTTP_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
  ],
  'keepalived.conf.status_code': [
    'line 4: global_defs: notification_email, notification_email_from, smtp_server, smtp_connect_timeout, router_id not used by the console',
    'line 14: checkers retry 3 s after a failure in keepalived (delay_before_retry); the console probes every delay_loop (6 s), so a failure is confirmed later',
    'line 30: SSL_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
  ],
  'keepalived.conf.virtual_server_group': [
    'line 3: global_defs: notification_email, notification_email_from, smtp_server, smtp_connect_timeout, router_id not used by the console',
    'line 22: checkers retry 3 s after a failure in keepalived (delay_before_retry); the console probes every delay_loop (6 s), so a failure is confirmed later',
    'line 34: HTTP_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
    'line 47: HTTP_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
  ],
  'keepalived.conf.virtualhost': [
    'line 3: global_defs: notification_email, notification_email_from, smtp_server, smtp_connect_timeout, router_id not used by the console',
    'line 13: checkers retry 3 s after a failure in keepalived (delay_before_retry); the console probes every delay_loop (6 s), so a failure is confirmed later',
    'line 27: SSL_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
    'line 31: SSL_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
  ],
  'keepalived.conf.vrrp.lvs_syncd': [
    'line 3: vrrp_sync_group VG1: not imported: the console fails each VRRP instance over on its own',
    "line 8: vrrp_instance VI_1: not imported: a pair (ha) needs every director's name, address and priority; write the pair in one file with @DIRECTOR lines (keepalived -i DIRECTOR), as lvs-console keepalived export does, or set the pair up in the console",
    "line 26: vrrp_instance VI_2: not imported: a pair (ha) needs every director's name, address and priority; write the pair in one file with @DIRECTOR lines (keepalived -i DIRECTOR), as lvs-console keepalived export does, or set the pair up in the console",
    "line 38: vrrp_instance VI_3: not imported: a pair (ha) needs every director's name, address and priority; write the pair in one file with @DIRECTOR lines (keepalived -i DIRECTOR), as lvs-console keepalived export does, or set the pair up in the console",
    'line 50: checkers retry 1 s after a failure in keepalived (delay_before_retry); the console probes every delay_loop (20 s), so a failure is confirmed later',
  ],
};

if (!RUNNABLE && REQUIRED) {
  it('keepalived is installed and the tests run as root (LVS_REQUIRE_TOOLS=1)', () => {
    expect(KEEPALIVED, 'keepalived is not installed: apt-get install keepalived (scripts/test.mjs does it when run as root)').toBeDefined();
    expect(IS_ROOT, 'keepalived -t runs in a network namespace of its own, which needs root').toBe(true);
  });
}

// Each case runs the real keepalived tens of times (a process and a network
// namespace each): budgeted by count, with a cap that a loaded machine meets.
describe.skipIf(!RUNNABLE)('the real keepalived (skipped without keepalived or root: apt-get install keepalived, run as root)', { timeout: 300_000 }, () => {
  it("accepts the export of random states (a sample of the property test's inputs)", () => {
    // 40 states, seeded: bounded time, the same files on every run.
    for (const state of fc.sample(keepalivedStateArb, { numRuns: 40, seed: 1515 })) expectAccepted(state);
  });

  it('accepts the export of random pairs as every director reads it (keepalived -i DIRECTOR)', () => {
    for (const state of fc.sample(keepalivedPairStateArb, { numRuns: 12, seed: 1515 })) {
      const text = writeKeepalivedConf(state);
      expect(text).toContain('vrrp_instance');
      for (const director of state.ha?.directors ?? []) {
        const { status, output } = keepalivedCheck(text, director.name);
        expect({ director: director.name, status, output }, text).toEqual({ director: director.name, status: 0, output: '' });
      }
    }
  });

  it('accepts the export of every Debian sample that has virtual servers', () => {
    for (const name of Object.keys(SAMPLE_WARNINGS)) {
      const result = readKeepalivedConf(readFileSync(join(SAMPLES, name), 'utf8'));
      expect(result.ok, name).toBe(true);
      expectAccepted(result.state);
    }
  });

  it('notices a file keepalived refuses (the check can fail)', () => {
    const { status, output } = keepalivedCheck('virtual_server 192.0.2.1 80 {\n  lvs_sched nosuch\n  real_server 10.0.0.1 80 {\n  }\n}\n');
    expect(status).not.toBe(0);
    expect(output).toContain("Invalid lvs_scheduler 'nosuch'");
  });

  it('imports every sample with virtual servers without an error, with exactly the listed warnings', () => {
    const samples = readdirSync(SAMPLES)
      .filter((name) => readFileSync(join(SAMPLES, name), 'utf8').includes('virtual_server'))
      .sort();
    expect(samples).toEqual(Object.keys(SAMPLE_WARNINGS).sort());
    for (const name of samples) {
      const result = readKeepalivedConf(readFileSync(join(SAMPLES, name), 'utf8'));
      expect(
        result.notes.filter((n) => n.level === 'error'),
        name,
      ).toEqual([]);
      expect(result.state.services.length, name).toBeGreaterThan(0);
      expect(
        result.notes.map((n) => `${formatPlace(n)}: ${n.message}`),
        name,
      ).toEqual(SAMPLE_WARNINGS[name]);
    }
  });
});
