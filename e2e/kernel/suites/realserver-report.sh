#!/usr/bin/env bash
# realserver-report.sh - a DR real server's own agent reports its settings to
# the director's agent over the network, and applies them when an admin asks,
# on the real kernel. Runs inside the kernel-bed guest, as root:
#
#   vm-run.sh -- e2e/kernel/suites/realserver-report.sh CLI_JS
#
# Topology: lib/topology.sh DR with TOPO_BARE=1 (nothing LVS needs on the
# hosts), one real server. The director gets the VIP and a DR service to rs1
# with ipvsadm; the director agent (`serve --backend ipvsadm`) listens on
# 198.51.100.1 and adopts it. rs1 runs `serve --role realserver --fix
# on-request --report-to http://198.51.100.1:PORT` with the real host backend.
#
# Checks, in order:
#   before     requests to the VIP get no answer (rs1 drops packets for a VIP
#              it does not have)
#   director   host.status gives the director's source address toward rs1
#              (the DIP the diagram labels): 198.51.100.1
#   report     realServers.list shows rs1 failing, with an arp_ignore row;
#              rs1's own sysctl is still 0 (on-request changes nothing alone)
#   tokens     the realserver token cannot read the state (403)
#   fix        realServers.requestFix -> the next report passes and records
#              the fix; rs1's kernel has arp_ignore=1 and the VIP on lo
#   after      10 requests to the VIP, all answered by rs1
#   stale      rs1's agent stopped -> its report turns stale
#
# Output: PASS/FAIL lines, then "N passed, N failed"; exit 1 on any failure.
# REALSERVER_REPORT_SELFTEST=wrong expects the fixed report to still fail,
# to show the checks can fail.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/report.sh
source "$here/lib/report.sh"
# shellcheck source=../lib/topology.sh
source "$here/lib/topology.sh"

cli=${1:?usage: realserver-report.sh CLI_JS}
[[ -f $cli ]] || { echo "realserver-report.sh: no agent CLI at $cli" >&2; exit 2; }
if [[ ${LVS_IN_GUEST:-} != 1 && ! -r /proc/net/ip_vs ]]; then
  echo "realserver-report.sh: needs a kernel with IPVS; run it through e2e/kernel/vm-run.sh" >&2
  exit 2
fi
modprobe -a ip_vs ip_vs_rr veth bridge 2>&1 || :

export TOPO_RS_COUNT=1 TOPO_BARE=1
NAME="rr"
VIP=$TOPO_VIP
DIRECTOR=198.51.100.1
PORT=9182
ADMIN=kernel-suite-admin-token-$$
REPORTER=kernel-suite-realserver-token-$$
API=http://$DIRECTOR:$PORT/trpc
want_passed=true
[[ ${REALSERVER_REPORT_SELFTEST:-} == wrong ]] && want_passed=false

work=$(mktemp -d /tmp/lvs-rs-report.XXXXXX)
serve_pid="" rs_pid=""
cleanup() {
  local pid
  for pid in $rs_pid $serve_pid; do kill "$pid" 2>/dev/null || :; done
  topo_down "$NAME" || :
  rm -rf "$work"
}
trap cleanup EXIT

# api TOKEN PROCEDURE [JSON]: GET without JSON, POST with it; prints the body.
api() {
  local token=$1 proc=$2 body=${3:-}
  local args=(-sS --max-time 30 -H "authorization: Bearer $token")
  [[ -n $body ]] && args+=(-X POST -H 'content-type: application/json' --data-binary "$body")
  topo_exec "$NAME" lvs curl "${args[@]}" "$API/$proc" 2>&1 || :
}

# report_field EXPR: a field of rs1's report (node evaluates EXPR on `r`), or "none".
report_field() {
  api "$ADMIN" realServers.list | node -e '
    let text = ""; process.stdin.on("data", (c) => { text += c; }).on("end", () => {
      let r;
      try { r = JSON.parse(text).result.data.reports.find((x) => x.address === process.argv[1]); } catch { r = undefined; }
      console.log(r ? String(('"$1"')) : "none");
    });' "$(topo_rs_ip dr 1)"
}

# wait_field EXPR WANT SECONDS: poll until report_field EXPR prints WANT.
wait_field() {
  local expr=$1 want=$2 limit=$3 got="" _i
  for ((_i = 0; _i < limit * 2; _i++)); do
    got=$(report_field "$expr")
    [[ $got == "$want" ]] && { printf '%s\n' "$got"; return 0; }
    sleep 0.5
  done
  printf '%s\n' "$got"
  return 1
}

if ! topo_up "$NAME" dr; then
  fail "DR topology did not come up"
  report_summary
  exit 1
fi
rip=$(topo_rs_ip dr 1)
topo_exec "$NAME" lvs ip addr add "$VIP/32" dev eth0
topo_exec "$NAME" lvs ipvsadm -A -t "$VIP:80" -s rr
topo_exec "$NAME" lvs ipvsadm -a -t "$VIP:80" -r "$rip:80" -g -w 1

# ---------------------------------------------------------------- before
got=$(topo_requests "$NAME" 3 1 | topo_histogram) || :
check_eq "before: requests to the VIP while rs1 lacks the DR settings" "$got" "TIMEOUT=3"

# ---------------------------------------------------------------- agents
ip netns exec "$NAME-lvs" node "$cli" serve --backend ipvsadm --listen "$DIRECTOR:$PORT" --state-dir "$work/state" \
  --admin-token "$ADMIN" --realserver-token "$REPORTER" --log-level warn >"$work/serve.log" 2>&1 &
serve_pid=$!
for ((i = 0; i < 200; i++)); do
  grep -q '^listening on ' "$work/serve.log" && break
  sleep 0.3
done
if grep -q '^listening on ' "$work/serve.log"; then
  pass "director agent listens on $DIRECTOR:$PORT"
else
  fail "director agent did not come up: $(cat "$work/serve.log")"
  report_summary
  exit 1
fi

# The director agent's DIP toward rs1, as `ip route get` on the real kernel gives it.
dip=$(api "$ADMIN" host.status | node -e '
  let text = ""; process.stdin.on("data", (c) => { text += c; }).on("end", () => {
    try {
      const services = JSON.parse(text).result.data.services;
      console.log(services.find((s) => s.service === process.argv[1]).directorAddresses[process.argv[2]]);
    } catch { console.log("none"); }
  });' "tcp:$VIP:80" "$rip")
check_eq "director: its source address toward rs1 (the DIP on the diagram)" "$dip" "$DIRECTOR"

ip netns exec "$NAME-rs1" node "$cli" serve --role realserver --mode dr --vip "$VIP" --interface eth0 --fix on-request \
  --address "$rip" --report-to "http://$DIRECTOR:$PORT" --report-token "$REPORTER" --report-interval 1 --log-level warn \
  >"$work/rs.log" 2>&1 &
rs_pid=$!

# ---------------------------------------------------------------- report
if got=$(wait_field 'r.passed' false 30); then
  pass "report: the director lists rs1 ($rip) with failing settings"
else
  fail "report: rs1's report: $got; rs1 agent output: $(cat "$work/rs.log")"
fi
check_eq "report: the arp_ignore row as rs1 read it" \
  "$(report_field 'r.rows.filter((x) => x.setting.name === "net.ipv4.conf.all.arp_ignore").map((x) => x.ok + " " + x.actual).join()')" "false 0"
check_eq "report: rs1's kernel untouched without a fix request (arp_ignore)" \
  "$(topo_exec "$NAME" rs1 sysctl -n net.ipv4.conf.all.arp_ignore)" "0"

# ---------------------------------------------------------------- tokens
code=$(topo_exec "$NAME" lvs curl -sS -o /dev/null -w '%{http_code}' -H "authorization: Bearer $REPORTER" "$API/state.get" || :)
check_eq "tokens: the realserver token reading state.get" "$code" "403"

# ---------------------------------------------------------------- fix
out=$(api "$ADMIN" realServers.requestFix "{\"address\":\"$rip\"}")
if [[ $out == '{"result":'* ]]; then pass "fix: realServers.requestFix accepted"; else fail "fix: requestFix: $out"; fi
if got=$(wait_field 'r.passed' "$want_passed" 30); then
  pass "fix: rs1's next report passes=$want_passed"
else
  fail "fix: rs1's report passes=$got, want $want_passed; rs1 agent output: $(cat "$work/rs.log")"
fi
check_eq "fix: the report records the fix" "$(report_field 'r.lastFix && r.lastFix.ok + " by " + r.lastFix.by')" "true by admin"
check_eq "fix: rs1's kernel net.ipv4.conf.all.arp_ignore" "$(topo_exec "$NAME" rs1 sysctl -n net.ipv4.conf.all.arp_ignore)" "1"
check_eq "fix: rs1's kernel net.ipv4.conf.all.arp_announce" "$(topo_exec "$NAME" rs1 sysctl -n net.ipv4.conf.all.arp_announce)" "2"
if topo_exec "$NAME" rs1 ip -4 -o addr show dev lo | grep -q " $VIP/32 "; then
  pass "fix: the VIP $VIP/32 is on rs1's lo"
else
  fail "fix: no $VIP/32 on rs1's lo: $(topo_exec "$NAME" rs1 ip -4 -o addr show dev lo)"
fi

# ---------------------------------------------------------------- after
got=$(topo_requests "$NAME" 10 | topo_histogram) || :
check_eq "after: requests to the VIP" "$got" "rs1=10"

# ---------------------------------------------------------------- stale
kill "$rs_pid" 2>/dev/null || :
wait "$rs_pid" 2>/dev/null || :
rs_pid=""
if got=$(wait_field 'r.stale' true 15); then
  pass "stale: rs1's report is stale once its agent stopped"
else
  fail "stale: rs1's report stale=$got after 15 s"
fi

report_summary
