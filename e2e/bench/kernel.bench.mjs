// Real-kernel benchmarks (`npm run bench`, or BENCH_FILTER=kernel): issue 7's
// speed targets for the agent's ipvsadm backend, measured side by side with
// plain ipvsadm in the QEMU test bed (e2e/kernel/suites/bench.sh):
//   ipvsadm-backend-observe-10k        IpvsadmBackend.observe() of 10,000 × 10
//                                      vs `ipvsadm -Sn` + `ipvsadm -Ln --exact --stats` (target ≤ 1.2×)
//   ipvsadm-backend-initial-apply-10k  IpvsadmBackend.apply(plan(table, empty))
//                                      vs `ipvsadm -R` of the same rules (target ≤ 1.5×)
//   ...-ratio                          the two ratios; ...-observe-10k-cold a first observe
// and issue 14's HA pair failover (e2e/kernel/suites/ha.sh, its SIGKILL run):
//   ha-failover-vip-answering-on-b     seconds from SIGKILL of the MASTER's keepalived
//                                      to the VIP answering on B; baseline: 3 × advert_int
//                                      and keepalived's master_down_interval in that run
// LVS_KERNEL_BENCH_SUITES picks the suites (default "bench ha"); HA_RUNS the HA runs (default "kill");
// BENCH_PARTS, BENCH_PART_LIMIT and the other BENCH_* settings of bench.sh pass through to the guest, and
// LVS_BENCH_LIMIT is the bench suite's whole time limit there (default 1500 s). Issue 18's figures alone:
//   LVS_KERNEL_BENCH_SUITES=bench BENCH_PARTS="netlink-observe sample weight" BENCH_FILTER=kernel npm run bench
// Boots the bed through e2e/kernel/run.sh (its preflight decides whether this
// machine can: root, Debian, QEMU, memory, disk; LVS_SKIP_KERNEL=1 skips).
// When it cannot, returns no results and says why in one line on stderr.
// The VM's own output goes to stderr; results are its "BENCH {...}" lines.
// VM runs on one machine are serialised with flock on LVS_VM_LOCK
// (default /tmp/lvs-vm.lock) when flock is installed: two TCG guests on the
// same cores would slow each other down and spoil the figures.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** bench.sh's settings, carried into the guest when set on the host. */
const BENCH_KNOBS = [
  'BENCH_PARTS',
  'BENCH_PART_LIMIT',
  'BENCH_SERVICES',
  'BENCH_DESTS',
  'BENCH_APPLY_ROUNDS',
  'BENCH_OBSERVE_ROUNDS',
  'BENCH_NETLINK',
  'BENCH_SAMPLE_SERVICES',
  'BENCH_SAMPLE_SECONDS',
  'BENCH_WEIGHT_CHANGES',
  'BENCH_AFTER_FLUSH',
  'BENCH_PROFILE',
  'BENCH_RECORD',
];

function reason(text) {
  process.stderr.write(`bench kernel: skipped: ${text}\n`);
  return [];
}

export async function run() {
  if (process.platform !== 'linux') return reason(`needs Linux (this is ${process.platform})`);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return reason('needs root (the test bed boots a VM and creates network namespaces)');
  if (process.env.LVS_SKIP_KERNEL === '1') return reason('LVS_SKIP_KERNEL=1');
  const runSh = join(root, 'e2e/kernel/run.sh');
  const hasFlock = spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;
  const suites = (process.env.LVS_KERNEL_BENCH_SUITES ?? 'bench ha').split(/\s+/).filter(Boolean);
  const argv = hasFlock ? ['flock', process.env.LVS_VM_LOCK ?? '/tmp/lvs-vm.lock', 'bash', runSh, ...suites] : ['bash', runSh, ...suites];
  const env = {
    ...process.env,
    // The failover figure needs only the SIGKILL run of the HA suite (its checks still run and must pass).
    HA_RUNS: process.env.HA_RUNS ?? 'kill',
    // bench.sh's knobs (BENCH_PARTS, BENCH_PART_LIMIT, ...) and the bench suite's limit reach the guest when set.
    LVS_BED_ENV: [process.env.LVS_BED_ENV ?? '', 'HA_RUNS', 'LVS_BENCH_LIMIT', ...BENCH_KNOBS].join(' ').trim(),
    // 110,000 destinations in node (desired table, plan, sim prediction) need more than the default 1G guest.
    LVS_KERNEL_MEM: process.env.LVS_KERNEL_MEM ?? '2G',
    LVS_KERNEL_TIMEOUT: process.env.LVS_KERNEL_TIMEOUT ?? '1800',
  };
  const [program, ...args] = argv;
  const { code, lines } = await new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collected = [];
    let pending = '';
    child.stdout.on('data', (chunk) => {
      process.stderr.write(chunk);
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      collected.push(...parts);
    });
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      if (pending) collected.push(pending);
      resolve({ code: status ?? 1, lines: collected });
    });
  });
  if (code === 3) {
    const skip = lines.find((l) => l.startsWith('SKIP kernel:'));
    return reason(skip ? skip.slice('SKIP kernel:'.length).trim() : 'e2e/kernel/run.sh cannot run here (exit 3)');
  }
  const results = lines.filter((l) => l.startsWith('BENCH ')).map((l) => JSON.parse(l.slice('BENCH '.length)));
  if (code !== 0) {
    throw new Error(
      `e2e/kernel/run.sh ${suites.join(' ')} failed (exit ${code}); ${results.length} results discarded: a check failed, so the figures do not describe a correct run`,
    );
  }
  if (results.length === 0) throw new Error(`e2e/kernel/run.sh ${suites.join(' ')} printed no BENCH lines`);
  return results;
}
