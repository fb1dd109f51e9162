#!/usr/bin/env bash
# ipvsadm-client.sh - `lvs-console ipvsadm` as a client of a running agent,
# against real ipvsadm and the real kernel (issue 20). Runs inside the
# kernel-bed guest, as root:
#
#   vm-run.sh -- e2e/kernel/suites/ipvsadm-client.sh CLI_JS
#
# Topology: lib/topology.sh NAT, three real servers (203.0.113.11-13).
# The agent (`lvs-console serve --backend netlink`; IPVSADM_CLIENT_BACKEND=
# ipvsadm for the other backend) runs in the director namespace; the client
# reaches it with LVS_CONSOLE_URL/LVS_CONSOLE_TOKEN. Netlink is the agent's
# own choice on a director (--backend auto) and it spares the TCG guest an
# ipvsadm process per second, which made this suite take 15 min loaded.
#
# Checks:
#   build     a table made through the client (-A, -a, -R) is in the kernel
#   listings  the client's -L -n, --stats, --exact, -S -n, --rate,
#             --thresholds, --persistent-conn, -l -t, --timeout equal real
#             ipvsadm's line by line for the same table (after real traffic,
#             so counters move); -L -n -c too but for the ticking expiry
#             column; --start-daemon through the client, then -L --daemon
#             equal to ipvsadm's, --stop-daemon
#   drift     with --drift report: a weight edited, a real server deleted and
#             a service added with the real ipvsadm each show as drift at the
#             first or second drift check that ENDS after the edit, i.e. at
#             the first check that STARTED after it (checks start every 5 s,
#             so within 5 s plus one check's own time: the issue's "within
#             5 s"; the time is printed); state.revertDrift puts each back
#   client    the same three edits through `lvs-console ipvsadm` are in the
#             kernel and never show as drift (two drift checks after them)
#   revert    the agent restarted with --drift revert: the three kinds of
#             hand edit are each put back without anyone asking
#
# Output: PASS/FAIL lines, "# ..." notes, then "N passed, N failed".
# IPVSADM_CLIENT_SELFTEST=wrong compares the client's -L -n with ipvsadm's
# -L -n --stats, to show the listing check can fail; =drift swaps the tools
# (the "hand" edits go through the client, the client's edits through real
# ipvsadm), to show the drift and no-drift checks can fail.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/report.sh
source "$here/lib/report.sh"
# shellcheck source=../lib/topology.sh
source "$here/lib/topology.sh"
# shellcheck source=../lib/agent.sh
source "$here/lib/agent.sh"

cli=${1:?usage: ipvsadm-client.sh CLI_JS}
[[ -f $cli ]] || { echo "ipvsadm-client.sh: no agent CLI at $cli" >&2; exit 2; }
if [[ ${LVS_IN_GUEST:-} != 1 && ! -r /proc/net/ip_vs ]]; then
  echo "ipvsadm-client.sh: needs a kernel with IPVS; run it through e2e/kernel/vm-run.sh" >&2
  exit 2
fi
modprobe -a ip_vs ip_vs_rr ip_vs_wrr ip_vs_wlc ip_vs_lc veth bridge 2>&1 || :

export TOPO_RS_COUNT=3
export AGENT_BACKEND=${IPVSADM_CLIENT_BACKEND:-netlink}
NAME="ic"
VIP=$TOPO_VIP
suite_t0=$EPOCHREALTIME
work=$(mktemp -d /tmp/lvs-ipvsadm-client.XXXXXX)
cleanup() {
  agent_stop
  topo_down "$NAME" || :
  rm -rf "$work"
}
trap cleanup EXIT

rs() { topo_rs_ip nat "$1"; }
ipvs() { topo_exec "$NAME" lvs ipvsadm "$@"; }
client() { agent_cli ipvsadm "$@"; }
# The tools of the drift checks: real ipvsadm by hand, the client as the agent's way.
by_hand=ipvs by_client=client
[[ ${IPVSADM_CLIENT_SELFTEST:-} == drift ]] && by_hand=client by_client=ipvs

topo_up "$NAME" nat
agent_init "$NAME" "$cli" "$work" 9191
agent_start report || { fail "start: the agent did not come up"; report_summary; exit 1; }
case $AGENT_BACKEND in
  netlink) want_backend="Linux IPVS (generic netlink)" ;;
  *) want_backend="Linux IPVS (ipvsadm)" ;;
esac
if [[ $agent_backend_line == "backend:"*"$want_backend"* ]]; then
  pass "start: lvs-console serve --drift report --backend $AGENT_BACKEND is up in the director namespace ($want_backend)"
else
  fail "start: the agent is up but not on $want_backend: [$agent_backend_line]"
fi

# ================================================================= build
build_ok=1
client -A -t "$VIP:80" -s wrr >"$work/out" 2>&1 || build_ok=0
client -a -t "$VIP:80" -r "$(rs 1):80" -m -w 3 >>"$work/out" 2>&1 || build_ok=0
client -R >>"$work/out" 2>&1 <<EOF || build_ok=0
-a -t $VIP:80 -r $(rs 2):80 -m -w 1
-a -t $VIP:80 -r $(rs 3):80 -m -w 2 -x 100 -y 10
-A -t $VIP:81 -s rr -p 120
-a -t $VIP:81 -r $(rs 1):80 -m -w 1
-A -u $VIP:53 -s wlc
-a -u $VIP:53 -r $(rs 2):53 -m -w 4
-A -f 7 -s lc
-a -f 7 -r $(rs 3):0 -m -w 1
EOF
want_table=$(sort <<EOF
-A -t $VIP:80 -s wrr
-a -t $VIP:80 -r $(rs 1):80 -m -w 3
-a -t $VIP:80 -r $(rs 2):80 -m -w 1
-a -t $VIP:80 -r $(rs 3):80 -m -w 2
-A -t $VIP:81 -s rr -p 120
-a -t $VIP:81 -r $(rs 1):80 -m -w 1
-A -u $VIP:53 -s wlc
-a -u $VIP:53 -r $(rs 2):53 -m -w 4
-A -f 7 -s lc
-a -f 7 -r $(rs 3):0 -m -w 1
EOF
)
if ((build_ok)); then
  pass "build: -A, -a and -R through the client were accepted"
else
  fail "build: the client refused: $(head -c 400 "$work/out")"
fi
check_lines "build: the kernel holds the table made through the client (ipvsadm -Sn)" "$(ipvs -Sn | sort)" "$want_table"

# Real traffic, so connection and byte counters are not all zero.
got=$(topo_requests "$NAME" 12 | topo_histogram) || :
note "traffic: 12 requests to $VIP:80: $got"

# ================================================================= listings
# compare LABEL ARGS...: the client's listing vs ipvsadm's, same arguments.
# Counters can move between the two reads (rates decay every 2 s), so the
# client's must equal ipvsadm's read just before or just after it; 3 tries,
# each client call bounded (a node start under TCG on loaded cores is slow).
compare() {
  local label=$1 try mine before after want_args
  shift
  want_args=("$@")
  [[ ${IPVSADM_CLIENT_SELFTEST:-} == wrong && $label == "-L -n" ]] && want_args=(-L -n --stats)
  for ((try = 1; try <= 3; try++)); do
    before=$(ipvs "${want_args[@]}" 2>&1) || :
    mine=$(timeout 180 ip netns exec "$NAME-lvs" env LVS_CONSOLE_URL="http://127.0.0.1:$agent_port" LVS_CONSOLE_TOKEN="$agent_token" node "$cli" ipvsadm "$@" 2>&1) || :
    after=$(ipvs "${want_args[@]}" 2>&1) || :
    if [[ $mine == "$before" || $mine == "$after" ]]; then
      pass "listings: lvs-console ipvsadm $label is ipvsadm's, line by line ($(wc -l <<<"$mine") lines, try $try)"
      return 0
    fi
  done
  fail "listings: lvs-console ipvsadm $label differs from ipvsadm's"
  diff <(printf '%s\n' "$after") <(printf '%s\n' "$mine") | sed 's/^/#   /' | head -n 40 || :
}
# Each client call is a node start, seconds under TCG: the default run compares
# the listings the issue names (-L -n, --stats, -S -n; --stats with --exact
# so every counter digit counts); the formatter's other modes are compared
# byte for byte with the recorded fixtures in the unit tests
# (packages/shared/test/ipvsadm/listing-render.test.ts), and here too with
# IPVSADM_CLIENT_LISTINGS=all.
listings_t0=$EPOCHREALTIME
compare "-L -n" -L -n
compare "-L -n --stats --exact" -L -n --stats --exact
compare "-S -n" -S -n
if [[ ${IPVSADM_CLIENT_LISTINGS:-} == all ]]; then
  compare "-L -n --stats" -L -n --stats
  compare "-L -n --rate" -L -n --rate
  compare "-L -n --thresholds" -L -n --thresholds
  compare "-L -n --persistent-conn" -L -n --persistent-conn
  compare "-l -n -t VIP:80 (one service)" -l -n -t "$VIP:80"
  compare "-L --timeout" -L --timeout
fi
# -c: the same connections, in the kernel's order, in ipvsadm's columns. The
# expiry counts down every second and a client call takes seconds under TCG,
# so that column is compared as mm:ss-shaped only; every other byte exactly.
mask_expire() { sed -E '3,$ s/^(.{4})[0-9]+:[0-9]{2} */\1mm:ss  /'; }
# Fresh connections (TIME_WAIT lasts 2 min; the earlier ones may be gone).
got=$(topo_requests "$NAME" 6 | topo_histogram) || :
note "listings: 6 more requests to $VIP:80 for -c: $got"
before=$(ipvs -L -n -c | mask_expire) || :
mine_c=$(client -L -n -c 2>&1) || :
after=$(ipvs -L -n -c | mask_expire) || :
mine=$(mask_expire <<<"$mine_c")
conns=$(($(wc -l <<<"$mine") - 2))
if ((conns > 0)) && [[ $mine == "$before" || $mine == "$after" ]]; then
  pass "listings: lvs-console ipvsadm -L -n -c is ipvsadm's, line by line but the ticking expiry ($conns connections)"
else
  fail "listings: lvs-console ipvsadm -L -n -c differs from ipvsadm's (or lists no connection: $conns)"
  diff <(printf '%s\n' "$after") <(printf '%s\n' "$mine") | sed 's/^/#   /' | head -n 20 || :
fi
# --start-daemon and -L --daemon through the client, against ipvsadm's listing.
# On rs0, the director's real-server side (NAT topology: cli0 and rs0); it keeps
# running: nothing below looks at sync daemons.
if client --start-daemon master --mcast-interface rs0 --syncid 20 >"$work/out" 2>&1; then
  compare "-L --daemon (a master sync daemon started through the client)" -L --daemon
else
  fail "listings: --start-daemon master through the client refused: $(head -c 300 "$work/out")"
fi
note "listings: $(elapsed_since "$listings_t0") s"

# ================================================================= drift
# hand_edit LABEL WHAT ARGS...: one edit with the real ipvsadm; the drift
# report must name it (a line containing WHAT) by the second drift check to
# end after the edit; then revertDrift.
table_before=""
hand_edit() {
  local label=$1 what=$2 t0 checks=0 seen=0
  shift 2
  table_before=$(ipvs -Sn | sort)
  t0=$EPOCHREALTIME
  $by_hand "$@"
  while ((checks < 2)); do
    agent_wait_drift_checks 1 60 || break
    checks=$((checks + 1))
    if grep -qF -- "$what" <<<"$agent_drift_lines"; then seen=1; break; fi
  done
  if ((seen)); then
    pass "drift: $label with the real ipvsadm shows as drift by the first drift check started after it (check $checks to end after it, $(elapsed_since "$t0") s; interval 5 s): $(grep -m 1 -F -- "$what" <<<"$agent_drift_lines")"
  else
    fail "drift: $label with the real ipvsadm did not show as drift by the first drift check started after it (2 checks ended, $(elapsed_since "$t0") s; the report: $(tr '\n' ';' <<<"$agent_drift_lines" | head -c 300))"
  fi
}

agent_wait_drift_checks 1 60 || :
check_eq "drift: none before the hand edits" "$agent_drift_count" "0"
for edit in weight delete add; do
  case $edit in
    weight) hand_edit "weight of $(rs 1):80 edited (-e -w 9)" "weight 9 in the kernel" -e -t "$VIP:80" -r "$(rs 1):80" -m -w 9 ;;
    delete) hand_edit "real server $(rs 2):80 deleted (-d)" "lacks real server $(rs 2):80" -d -t "$VIP:80" -r "$(rs 2):80" ;;
    add) hand_edit "service $VIP:8080 added (-A)" "$VIP:8080" -A -t "$VIP:8080" -s rr ;;
  esac
  if agent_commit "drift: revertDrift after the $edit edit" state.revertDrift "{}"; then
    check_lines "drift: state.revertDrift puts the $edit edit back" "$(ipvs -Sn | sort)" "$want_table"
  fi
done

# ================================================================= client edits
# One client call (-R, ipvsadm's own way to run several commands; -e and -d
# as single commands are in the unit tests): a node start per edit costs
# seconds under TCG.
client_ok=1
$by_client -R >"$work/out" 2>&1 <<EOF || client_ok=0
-e -t $VIP:80 -r $(rs 1):80 -m -w 9
-d -t $VIP:80 -r $(rs 2):80
-A -t $VIP:8080 -s rr
EOF
((client_ok)) && pass "client: the same three edits through lvs-console ipvsadm -R were accepted" \
  || fail "client: the client refused an edit: $(head -c 400 "$work/out")"
want_table=$(sort <<EOF
-A -t $VIP:80 -s wrr
-a -t $VIP:80 -r $(rs 1):80 -m -w 9
-a -t $VIP:80 -r $(rs 3):80 -m -w 2
-A -t $VIP:81 -s rr -p 120
-a -t $VIP:81 -r $(rs 1):80 -m -w 1
-A -u $VIP:53 -s wlc
-a -u $VIP:53 -r $(rs 2):53 -m -w 4
-A -f 7 -s lc
-a -f 7 -r $(rs 3):0 -m -w 1
-A -t $VIP:8080 -s rr
EOF
)
check_lines "client: the kernel has the three edits" "$(ipvs -Sn | sort)" "$want_table"
if agent_wait_drift_checks 2 120; then
  check_eq "client: the edits through the client never show as drift (2 drift checks after them)" "$agent_drift_count" "0"
else
  fail "client: the agent made no drift check within 120 s"
fi

# ================================================================= revert
agent_stop
if agent_start revert; then
  pass "revert: the agent restarted with --drift revert"
  # put_back LABEL ARGS...: a hand edit; the agent puts the table back by itself.
  put_back() {
    local label=$1 t0 checks
    shift
    t0=$EPOCHREALTIME
    ipvs "$@"
    for ((checks = 1; checks <= 3; checks++)); do
      agent_wait_drift_checks 1 60 || break
      if [[ $(ipvs -Sn | sort) == "$want_table" ]]; then
        pass "revert: $label with the real ipvsadm is put back by --drift revert ($(elapsed_since "$t0") s, drift check $checks)"
        return 0
      fi
    done
    fail "revert: $label was not put back within 3 drift checks; the kernel has: $(ipvs -Sn | tr '\n' ';')"
  }
  put_back "weight of $(rs 1):80 edited (-e -w 4)" -e -t "$VIP:80" -r "$(rs 1):80" -m -w 4
  put_back "real server $(rs 3):80 deleted (-d)" -d -t "$VIP:80" -r "$(rs 3):80"
  put_back "service $VIP:8081 added (-A)" -A -t "$VIP:8081" -s rr
else
  fail "revert: the agent did not restart with --drift revert"
fi
agent_stop

note "ipvsadm-client suite: $(elapsed_since "$suite_t0") s"
report_summary
