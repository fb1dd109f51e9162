#!/usr/bin/env bash
# guest-suites.sh - every real-kernel suite, in order, inside ONE guest.
# Started by run.sh through vm-run.sh, from the repository root:
#   vm-run.sh -- e2e/kernel/guest-suites.sh [SUITE...]
#
# Each suite runs in its own process with its own time limit; its output is
# passed through and its result counted from its closing line:
#   "N passed, N failed"                       (our shell suites)
#   "# pass N" / "# fail N"                    (node --test, TAP)
#   "Tests  N passed | N failed (T)"           (vitest)
# A suite that prints none of these counts as one check, passed or failed
# by its exit status. A suite whose entry point is not there yet is
# skipped with a clear message and counts neither way.
#
# The last line is the total, "N passed, N failed", alone on a line; the
# same numbers go to $LVS_BED_OUT/summary for run.sh. Exit 1 on any failure.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

total_passed=0 total_failed=0 skipped=()
timings=()

# ---------------------------------------------------------------- the suites
# suite NAME TIME_LIMIT_S CMD...   runs CMD, counts its result
# The limits only catch a hung suite: each is several times the suite's
# quiet time, because a TCG guest on loaded host cores runs 3-7x slower
# (traffic: 30 s quiet, 210 s at load average 12).
# skip NAME REASON                 records a skipped suite
suite() {
  local name=$1 limit=$2 t0 rc=0 log counts passed failed
  shift 2
  printf '\n=== suite %s: %s\n' "$name" "$*"
  t0=$EPOCHREALTIME
  log=$(mktemp /tmp/lvs-suite.XXXXXX)
  timeout -k 5 "$limit" "$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
  ((rc != 124)) || echo "FAIL  suite $name: time limit of ${limit}s reached"
  # Strip colour escapes: runners colour their summaries when CI or FORCE_COLOR is set.
  counts=$(sed "s/\x1b\[[0-9;]*m//g" "$log" | closing_counts)
  rm -f "$log"
  if [[ -n $counts ]]; then
    read -r passed failed <<<"$counts"
    # A suite that crashed after its last count line still fails.
    ((rc == 0 || failed > 0)) || failed=$((failed + 1))
  elif ((rc == 0)); then
    passed=1 failed=0
  else
    passed=0 failed=1
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  timings+=("$name $(elapsed_since "$t0")s ($passed passed, $failed failed, exit $rc)")
}

skip() {
  printf '\n=== suite %s: SKIP: %s\n' "$1" "$2"
  skipped+=("$1")
}

# The last closing line of any known runner -> "PASSED FAILED".
closing_counts() {
  awk '
    /^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed/ { sub(/^[A-Za-z]+: /, ""); p = $1; f = $3; found = 1 }
    /^# pass [0-9]+$/ { p = $3; found = 1; if (f == "") f = 0 }
    /^# fail [0-9]+$/ { f = $3; found = 1; if (p == "") p = 0 }
    /^ +Tests +[0-9]/ {
      p = 0; f = 0; found = 1
      if (match($0, /[0-9]+ passed/)) p = substr($0, RSTART, RLENGTH) + 0
      if (match($0, /[0-9]+ failed/)) f = substr($0, RSTART, RLENGTH) + 0
    }
    END { if (found) print p + 0, f + 0 }'
}

# shellcheck source=lib/report.sh
source "$here/lib/report.sh"   # for elapsed_since
run_t0=$EPOCHREALTIME
suite_limit=${LVS_SUITE_LIMIT:-900}
agent_cli=$repo/apps/agent/dist/lvs-console.js
wanted=("$@")
want() { ((${#wanted[@]} == 0)) || [[ " ${wanted[*]} " == *" $1 "* ]]; }

# 1. Traffic: NAT, DR, TUN, FULLNAT with ipvsadm directly.
want traffic && suite traffic "$suite_limit" "$here/suites/traffic.sh"

# 2. Fixtures: the committed parser fixtures still match this kernel.
want fixtures && suite fixtures "$suite_limit" "$here/suites/fixtures.sh"

# ---- PLUG-IN POINT 3: agent contract tests (vitest, real kernel) ---------
# The agent's KernelBackend contract (apps/agent/test/kernel/contract.ts)
# against the real kernel: ipvsadm.contract.test.ts with LVS_KERNEL_TESTS=1,
# each case in a fresh network namespace. On the host the same file only
# reports a skip. Config: e2e/kernel/vitest.kernel.config.mjs (that one
# file, one worker, long timeouts).
contract_test=$repo/apps/agent/test/kernel/ipvsadm.contract.test.ts
if want agent-contract; then
  if [[ ! -f $contract_test ]]; then
    skip agent-contract "no apps/agent/test/kernel/ipvsadm.contract.test.ts"
  elif [[ ! -x $repo/node_modules/.bin/vitest ]]; then
    skip agent-contract "node_modules/.bin/vitest missing (run npm ci on the host first)"
  else
    modprobe -a ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_sh dummy 2>&1 || :
    suite agent-contract "$((2 * suite_limit))" env LVS_KERNEL_TESTS=1 "$repo/node_modules/.bin/vitest" run \
      --config "$here/vitest.kernel.config.mjs"
  fi
fi

# The same contract against the netlink backend (apps/agent/src/kernel/netlink/),
# plus its batch-error test. A netlink socket lives in its opener's network
# namespace, so the whole vitest process runs inside one namespace made here.
netlink_test=$repo/apps/agent/test/kernel/netlink.contract.test.ts
if want netlink-contract; then
  if [[ ! -f $netlink_test ]]; then
    skip netlink-contract "no apps/agent/test/kernel/netlink.contract.test.ts"
  elif [[ ! -x $repo/node_modules/.bin/vitest ]]; then
    skip netlink-contract "node_modules/.bin/vitest missing (run npm ci on the host first)"
  else
    modprobe -a ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_sh dummy 2>&1 || :
    ip netns add lvs-netlink
    suite netlink-contract "$suite_limit" ip netns exec lvs-netlink env LVS_KERNEL_TESTS=1 LVS_NETLINK_NETNS=lvs-netlink \
      "$repo/node_modules/.bin/vitest" run --config "$here/vitest.kernel.netlink.config.mjs"
    ip netns del lvs-netlink || :
  fi
fi

# ---- PLUG-IN POINT 4: seeds applied through `lvs-console apply` ----------
# e2e/kernel/suites/seeds.sh: apply each seed config with the built CLI in
# a fresh netns, compare `ipvsadm -Sn` with the expected table, send traffic.
# Twice the suite limit: each DR seed starts the CLI four times more (the
# real servers' apply and check), and a node start in a loaded TCG guest
# costs up to a minute.
if want seeds; then
  if [[ ! -f $agent_cli ]]; then
    skip seeds "agent CLI not built (apps/agent/dist/lvs-console.js missing)"
  elif [[ ! -x $here/suites/seeds.sh ]]; then
    skip seeds "e2e/kernel/suites/seeds.sh not written yet"
  else
    suite seeds "$((2 * suite_limit))" "$here/suites/seeds.sh" "$agent_cli"
  fi
fi

# ---- PLUG-IN POINT 4b: traffic while the agent changes the table ---------
# e2e/kernel/suites/agent-traffic.sh: a running `lvs-console serve` in the
# director namespace, driven over HTTP: weight change, weight 0 with a held
# connection, persistence, scheduler change, agent restart under load.
if want agent-traffic; then
  if [[ ! -f $agent_cli ]]; then
    skip agent-traffic "agent CLI not built (apps/agent/dist/lvs-console.js missing)"
  elif [[ ! -x $here/suites/agent-traffic.sh ]]; then
    skip agent-traffic "e2e/kernel/suites/agent-traffic.sh missing"
  else
    suite agent-traffic "$suite_limit" "$here/suites/agent-traffic.sh" "$agent_cli"
  fi
fi

# ---- PLUG-IN POINT 4c: a real server's agent reports to the director ----
# e2e/kernel/suites/realserver-report.sh: DR real server without its
# settings; its agent reports them over the network, an admin's fix request
# makes it apply them, then DR traffic flows.
if want realserver-report; then
  if [[ ! -f $agent_cli ]]; then
    skip realserver-report "agent CLI not built (apps/agent/dist/lvs-console.js missing)"
  else
    suite realserver-report "$suite_limit" "$here/suites/realserver-report.sh" "$agent_cli"
  fi
fi

# ---- 5. schedulers: the TypeScript schedulers against the kernel --------
# rr, wrr, sh, dh, mh, lc, wlc: each client's real server as the kernel
# chose it vs the prediction from packages/shared/src/schedulers. Its driver
# is bundled on the host by run.sh (suites/build-driver.mjs schedulers).
want schedulers && suite schedulers "$suite_limit" "$here/suites/schedulers.sh"

# ---- 6. ha: an HA director pair (keepalived VRRP + IPVS sync daemon) ----
# e2e/kernel/suites/ha.sh: directors A and B, each running the agent (the
# two as a cluster, each running keepalived and the sync daemon), a client
# and three DR real servers on one segment; a change through A's API in B's
# kernel; A fails (link down; keepalived SIGKILLed) under traffic with a
# long-lived connection; B takes over; a change on B reaches A when it is
# back; negative control without the sync daemon. Also prints the failover
# BENCH line.
if want ha; then
  if [[ ! -f $agent_cli ]]; then
    skip ha "agent CLI not built (apps/agent/dist/lvs-console.js missing)"
  else
    suite ha "$((2 * suite_limit))" "$here/suites/ha.sh" "$agent_cli"
  fi
fi

# ---- 7. keepalived: keepalived.conf in and out (issue 15) --------------
# e2e/kernel/suites/keepalived.sh: keepalived started with an exported file
# programs the table the agent programs from the same desired state; the
# agent on a table keepalived built from a file sees no drift against the
# import of that file.
if want keepalived; then
  if [[ ! -f $agent_cli ]]; then
    skip keepalived "agent CLI not built (apps/agent/dist/lvs-console.js missing)"
  else
    suite keepalived "$suite_limit" "$here/suites/keepalived.sh" "$agent_cli"
  fi
fi

# ---- 8. ipvsadm-client: `lvs-console ipvsadm` vs real ipvsadm (issue 20) --
# e2e/kernel/suites/ipvsadm-client.sh: the client's listings against the
# running agent (netlink backend), line by line with ipvsadm's of the same
# table; hand edits with real ipvsadm show as drift by the first drift check
# started after them and --drift revert puts them back; the same edits
# through the client never show as drift.
if want ipvsadm-client; then
  if [[ ! -f $agent_cli ]]; then
    skip ipvsadm-client "agent CLI not built (apps/agent/dist/lvs-console.js missing)"
  else
    suite ipvsadm-client "$suite_limit" "$here/suites/ipvsadm-client.sh" "$agent_cli"
  fi
fi

# ---- bench: only when named (`run.sh bench`, `npm run bench`) ----------
# The ipvsadm backend's apply/observe of 10,000 x 10 side by side with plain
# ipvsadm (suites/bench.sh; driver bundled by run.sh). Minutes of TCG time,
# so never part of the default run.
if [[ " ${wanted[*]} " == *" bench "* ]]; then
  suite bench "${LVS_BENCH_LIMIT:-1500}" "$here/suites/bench.sh"
fi
# ---- new suites go above this line ---------------------------------------

printf '\n# suite timings (guest clock):\n'
((${#timings[@]} == 0)) || printf '#   %s\n' "${timings[@]}"
((${#skipped[@]} == 0)) || printf '# skipped: %s\n' "${skipped[*]}"
printf '# all suites: %s s\n' "$(elapsed_since "$run_t0")"
if [[ -n ${LVS_BED_OUT:-} && -d ${LVS_BED_OUT:-} ]]; then
  printf '%d %d %d\n' "$total_passed" "$total_failed" "${#skipped[@]}" >"$LVS_BED_OUT/summary"
fi
printf '%d passed, %d failed\n' "$total_passed" "$total_failed"
((total_failed == 0))
