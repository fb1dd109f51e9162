#!/usr/bin/env bash
# schedulers.sh - do the TypeScript schedulers (packages/shared/src/schedulers)
# pick what the real kernel picks? Runs inside the kernel-bed guest, as root:
#
#   node e2e/kernel/suites/build-driver.mjs schedulers       # on the HOST first
#   vm-run.sh -- e2e/kernel/suites/schedulers.sh [DRIVER.mjs]     # 1G is enough
#
# Measured (2 vCPU TCG, quiet host): 21 checks, ~42 s guest time, ~46 s with
# boot; 88,575 IPVS entries, read once in ~5.5 s.
#
# DRIVER defaults to <repo>/.cache/kernel/schedulers-driver.mjs, the bundle of
# schedulers.test-driver.ts (see that file for what each check compares).
#
# Topology (lib/topology.sh, NAT mode, five real servers), plus:
#   client    AnyIP route: 198.18.0.0/16 is local, so the driver connects
#             from up to 65k source addresses without configuring any
#   director  routes 198.18.0.0/16 back to the client; owns 198.19.0.0/16
#             (AnyIP) and nft marks UDP/TCP port 80 to it with fwmark 1 (the
#             dh service, 10,000 VIPs); ICMP rate limits off, so a refused
#             TCP connection (no destination) is refused at once
#   rs1..rs5  203.0.113.11-15, each one node process (driver `serve`) holding
#             every accepted TCP connection open on :8080 (UDP datagrams are
#             not answered: IPVS has its entry once the first one passes)
# All addresses are RFC 5737 / RFC 2544 ranges inside the guest's own
# namespaces; the guest has no network device.
#
# Output: PASS/FAIL lines, "# ..." notes, then "N passed, N failed" alone on
# a line; exit 1 on any failure. Environment (carry it with vm-run.sh -e):
# SCHED_CLIENTS (default 10000), SCHED_VARIANT_CLIENTS (default SCHED_CLIENTS),
# SCHED_ONLY=name,name (a subset), SCHED_SELFTEST=wrong (perturbs one mh
# prediction: the mh check must FAIL).
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$here/../.." && pwd)
driver=${1:-$repo/.cache/kernel/schedulers-driver.mjs}
export TOPO_RS_COUNT=5
# shellcheck source=../lib/report.sh
source "$here/lib/report.sh"
# shellcheck source=../lib/topology.sh
source "$here/lib/topology.sh"

NAME=sched
RS_PORT=8080
suite_t0=$EPOCHREALTIME
holder="" servers=()

cleanup() {
  local pids=("${servers[@]}")
  [[ -n $holder ]] && pids+=("$holder")
  ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null
  topo_down "$NAME" >/dev/null 2>&1 || :
}
trap cleanup EXIT

if [[ ${LVS_IN_GUEST:-} != 1 && ! -r /proc/net/ip_vs ]]; then
  echo "schedulers.sh: needs a kernel with IPVS; run it through e2e/kernel/vm-run.sh" >&2
  exit 2
fi
if [[ ! -s $driver ]]; then
  fail "driver bundle $driver missing: run node e2e/kernel/suites/build-driver.mjs schedulers on the host first"
  report_summary
  exit 1
fi

if ! modprobe -a ip_vs ip_vs_rr ip_vs_wrr ip_vs_sh ip_vs_dh ip_vs_mh ip_vs_lc ip_vs_wlc \
     veth bridge nf_tables 2>&1; then
  fail "modprobe of ip_vs and the rr wrr sh dh mh lc wlc schedulers"
  report_summary
  exit 1
fi

t0=$EPOCHREALTIME
if ! topo_up "$NAME" nat; then
  fail "topology $NAME (nat, $TOPO_RS_COUNT real servers)"
  report_summary
  exit 1
fi
ip -n "$NAME-cli" route add local 198.18.0.0/16 dev lo
ip -n "$NAME-lvs" -b - <<'EOF'
route add 198.18.0.0/16 via 198.51.100.2
route add local 198.19.0.0/16 dev lo
EOF
topo_exec "$NAME" lvs nft -f - <<'EOF'
table ip sched_fwmark {
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    ip daddr 198.19.0.0/16 udp dport 80 meta mark set 1
    ip daddr 198.19.0.0/16 tcp dport 80 meta mark set 1
  }
}
EOF
# Refusals (no destination) are ICMP port unreachables from the director:
# no per-peer or global rate limit, or some would become SYN timeouts.
topo_exec "$NAME" lvs sysctl -qw net.ipv4.icmp_ratelimit=0
sysctl -qw net.ipv4.icmp_msgs_per_sec=1000000 net.ipv4.icmp_msgs_burst=1000000 2>/dev/null || :
ulimit -n 200000

# A process in the director's namespace: the driver reads the kernel's
# connection table as /proc/$holder/net/ip_vs_conn, without a process start.
ip netns exec "$NAME-lvs" sleep 3600 &
holder=$!
for ((i = 1; i <= TOPO_RS_COUNT; i++)); do
  ip netns exec "$NAME-rs$i" node "$driver" serve "$RS_PORT" &
  servers+=($!)
done
rs_list=""
for ((i = 1; i <= TOPO_RS_COUNT; i++)); do rs_list+="$(topo_rs_ip nat "$i") "; done
pass "topology: client (AnyIP 198.18.0.0/16), director, $TOPO_RS_COUNT real servers, fwmark VIPs 198.19.0.0/16 ($(elapsed_since "$t0") s)"

# The driver prints PASS/FAIL lines; count them into this suite's total.
log=$(mktemp /tmp/sched-driver.XXXXXX)
t0=$EPOCHREALTIME
rc=0
SCHED_LVS_NS="$NAME-lvs" SCHED_CONN_PID=$holder SCHED_VIP=$TOPO_VIP SCHED_RS="$rs_list" \
  SCHED_RS_PORT=$RS_PORT ip netns exec "$NAME-cli" node "$driver" run 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
driver_passed=$(grep -c '^PASS ' "$log" || :)
driver_failed=$(grep -c '^FAIL ' "$log" || :)
rm -f "$log"
REPORT_PASSED=$((REPORT_PASSED + driver_passed))
REPORT_FAILED=$((REPORT_FAILED + driver_failed))
if ((rc != 0 && driver_failed == 0)); then
  fail "driver exited $rc without a FAIL line"
fi
note "driver $(elapsed_since "$t0") s; suite $(elapsed_since "$suite_t0") s (guest clock)"
report_summary
