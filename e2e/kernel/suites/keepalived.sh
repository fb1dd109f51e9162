#!/usr/bin/env bash
# keepalived.sh - keepalived.conf in and out against the real keepalived and
# the real kernel (issue 15). Runs inside the kernel-bed guest, as root:
#
#   vm-run.sh -- e2e/kernel/suites/keepalived.sh CLI_JS
#
# Topology: lib/topology.sh NAT, three real servers (203.0.113.11-13) whose
# busybox httpd answers keepalived's HTTP_GET and TCP_CHECK probes. keepalived
# runs its checker only (--check: no VRRP) in the director namespace.
#
# Checks:
#   export     `lvs-console keepalived export` of a desired state passes
#              `keepalived -t` (keepalived's own config checker)
#   same-table keepalived started with that export programs exactly the table
#              (`ipvsadm -Sn`) the agent programs from the same desired state
#              (`lvs-console apply`), once all its checks passed
#   adopt      keepalived started with a hand-written field file (old and new
#              keywords, persistence_timeout without a value, a group, both
#              checkers): a running agent that adopted keepalived's table and
#              is then given `lvs-console keepalived import` of that file runs
#              no ipvsadm line and reports no drift
#
# Output: PASS/FAIL lines, "# ..." notes, then "N passed, N failed".
# KEEPALIVED_SELFTEST=wrong changes one weight in the agent's copy of the
# desired state, to show the same-table check can fail.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/report.sh
source "$here/lib/report.sh"
# shellcheck source=../lib/topology.sh
source "$here/lib/topology.sh"
# shellcheck source=../lib/agent.sh
source "$here/lib/agent.sh"

cli=${1:?usage: keepalived.sh CLI_JS}
[[ -f $cli ]] || { echo "keepalived.sh: no agent CLI at $cli" >&2; exit 2; }
if [[ ${LVS_IN_GUEST:-} != 1 && ! -r /proc/net/ip_vs ]]; then
  echo "keepalived.sh: needs a kernel with IPVS; run it through e2e/kernel/vm-run.sh" >&2
  exit 2
fi
command -v keepalived >/dev/null || { echo "keepalived.sh: keepalived is not installed (build-bed.sh installs it)" >&2; exit 2; }
modprobe -a ip_vs ip_vs_rr ip_vs_wrr ip_vs_wlc ip_vs_sh veth bridge 2>&1 || :

export TOPO_RS_COUNT=3
NAME="ka"
VIP=$TOPO_VIP
suite_t0=$EPOCHREALTIME
work=$(mktemp -d /tmp/lvs-keepalived.XXXXXX)
keepalived_pid=""
cleanup() {
  keepalived_stop
  agent_stop
  topo_down "$NAME" || :
  rm -rf "$work"
}
trap cleanup EXIT

rs() { topo_rs_ip nat "$1"; }
ipvs() { topo_exec "$NAME" lvs ipvsadm "$@"; }
table() { ipvs -Sn | sort; }

# keepalived_start FILE: the checker process only, in the director namespace,
# with pid files of its own per start (a second keepalived must not find the
# first one's).
keepalived_runs=0
keepalived_start() {
  keepalived_runs=$((keepalived_runs + 1))
  keepalived_log=$work/keepalived.$keepalived_runs.log
  topo_exec "$NAME" lvs keepalived --dont-fork --check --log-console --log-detail --no-syslog \
    --use-file="$1" --pid="$work/keepalived.$keepalived_runs.pid" --checkers_pid="$work/checkers.$keepalived_runs.pid" \
    >"$keepalived_log" 2>&1 &
  keepalived_pid=$!
}

# SIGTERM (keepalived then removes its virtual servers), SIGKILL after ~30 s,
# the checker child too, so no orphan keeps changing the table.
keepalived_stop() {
  local _i checker=""
  [[ -n $keepalived_pid ]] || return 0
  read -r checker <"$work/checkers.$keepalived_runs.pid" 2>/dev/null || :
  kill -TERM "$keepalived_pid" 2>/dev/null || :
  for ((_i = 0; _i < 100; _i++)); do
    kill -0 "$keepalived_pid" 2>/dev/null || break
    sleep 0.3
  done
  kill -KILL "$keepalived_pid" ${checker:+"$checker"} 2>/dev/null || :
  wait "$keepalived_pid" 2>/dev/null || :
  keepalived_pid=""
}

keepalived_log_tail() { sed 's/^/#   keepalived: /' "$keepalived_log" | tail -n 25; }

# wait_table LINES CAP: until ipvsadm -Sn has LINES lines (services plus real
# servers: keepalived adds a real server once its check passed), at most CAP s.
wait_table() {
  local want=$1 cap=$2 _i
  for ((_i = 0; _i < cap * 2; _i++)); do
    (($(ipvs -Sn | wc -l) == want)) && return 0
    kill -0 "$keepalived_pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

topo_up "$NAME" nat
agent_init "$NAME" "$cli" "$work" 9190

# ================================================================= export
cat >"$work/desired.json" <<EOF
{"services":[
 {"key":{"kind":"addr","protocol":"tcp","address":"$VIP","port":80},"scheduler":"wrr",
  "destinations":[
   {"address":"$(rs 1)","port":80,"forwarding":"masq","weight":3},
   {"address":"$(rs 2)","port":80,"forwarding":"masq","weight":1},
   {"address":"$(rs 3)","port":80,"forwarding":"masq","weight":2,"upperThreshold":50}],
  "health":{"checks":[{"kind":"http","path":"/","intervalMs":3000,"timeoutMs":2500,"rise":1,"fall":2}]}},
 {"key":{"kind":"addr","protocol":"tcp","address":"$VIP","port":81},"scheduler":"sh","flags":["sh-port"],
  "persistence":{"timeout":300},
  "destinations":[
   {"address":"$(rs 1)","port":80,"forwarding":"masq","weight":1},
   {"address":"$(rs 2)","port":80,"forwarding":"masq","weight":5}],
  "health":{"checks":[{"kind":"tcp","intervalMs":3000,"timeoutMs":2500,"rise":1,"fall":2}]}}
]}
EOF
if node "$cli" keepalived export <"$work/desired.json" >"$work/exported.conf" 2>"$work/export.err"; then
  pass "export: lvs-console keepalived export wrote $(wc -l <"$work/exported.conf") lines"
else
  fail "export: lvs-console keepalived export failed: $(head -c 400 "$work/export.err")"
fi
if out=$(topo_exec "$NAME" lvs keepalived -t -l -f "$work/exported.conf" 2>&1) && [[ -z $out ]]; then
  pass "export: keepalived -t accepts the exported file without a complaint"
else
  fail "export: keepalived -t: ${out:0:400}"
fi

# ================================================================= same table
keepalived_start "$work/exported.conf"
# 2 services + 5 real servers, each added once keepalived's check passed.
if wait_table 7 180; then
  keepalived_table=$(table)
  pass "same-table: keepalived programmed 2 services and 5 real servers (all its checks passed)"
else
  keepalived_table=$(table)
  fail "same-table: keepalived did not program the table within 180 s; it has: $(tr '\n' ';' <<<"$keepalived_table")"
  keepalived_log_tail
fi
keepalived_stop
ipvs -C
agent_json=$work/desired.json
if [[ ${KEEPALIVED_SELFTEST:-} == wrong ]]; then
  sed 's/"weight":5/"weight":4/' "$work/desired.json" >"$work/desired-wrong.json"
  agent_json=$work/desired-wrong.json
fi
if topo_exec "$NAME" lvs node "$cli" apply "$agent_json" --backend ipvsadm --state-dir "$work/apply-state" >"$work/apply.out" 2>&1; then
  check_lines "same-table: keepalived (from the export) and the agent (from the same desired state) program the same ipvsadm -Sn" "$(table)" "$keepalived_table"
else
  fail "same-table: lvs-console apply failed: $(head -c 400 "$work/apply.out")"
fi
ipvs -C

# ================================================================= adopt
# A file as operators write them: old keywords, a group, persistence_timeout
# without a value (keepalived's default, 6 minutes), HTTP_GET and TCP_CHECK.
cat >"$work/field.conf" <<EOF
! Configuration File for keepalived
global_defs {
   router_id LVS_DEVEL
}
virtual_server_group WEB {
   $VIP 80
   $VIP 82
}
virtual_server group WEB {
    delay_loop 3
    lb_algo wlc
    lb_kind NAT
    protocol TCP
    real_server $(rs 1) 80 {
        weight 2
        HTTP_GET {
            url {
              path /
              status_code 200
            }
            connect_timeout 2
            retry 1
            delay_before_retry 3
        }
    }
    real_server $(rs 2) 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 2
        }
    }
}
virtual_server $VIP 83 {
    delay_loop 3
    lvs_sched rr
    lvs_method NAT
    persistence_timeout
    protocol TCP
    real_server $(rs 3) 80 {
        weight 7
        TCP_CHECK {
            connect_port 80
            connect_timeout 2
        }
    }
}
EOF
if node "$cli" keepalived import "$work/field.conf" >"$work/imported.json" 2>"$work/import.err"; then
  pass "adopt: lvs-console keepalived import read the field file ($(grep -c . "$work/import.err" || :) warnings)"
else
  fail "adopt: lvs-console keepalived import failed: $(head -c 400 "$work/import.err")"
fi
keepalived_start "$work/field.conf"
# 3 services + 2 + 2 + 1 real servers.
if wait_table 8 180; then
  pass "adopt: keepalived programmed the field file's table (3 services, 5 real servers)"
else
  fail "adopt: keepalived did not program the table within 180 s: $(ipvs -Sn | tr '\n' ';')"
  keepalived_log_tail
fi
field_table=$(table)
if agent_start report; then
  if out=$(agent_api state.get) && [[ $out =~ \"revision\":([0-9]+) ]]; then
    agent_revision=${BASH_REMATCH[1]}
    pass "adopt: the agent adopted keepalived's table as revision $agent_revision"
  else
    fail "adopt: state.get: ${out:0:300}"
  fi
  if agent_commit "adopt" state.replace "{\"state\":$(cat "$work/imported.json")}"; then
    check_eq "adopt: the import of the file, given to the agent on keepalived's table, runs no ipvsadm line" "${agent_lines:-none}" "none"
  fi
  check_lines "adopt: the kernel table is still keepalived's" "$(table)" "$field_table"
  if agent_wait_drift_checks 2 120; then
    check_eq "adopt: no drift between keepalived's table and the import of its file (2 drift checks)" "$agent_drift_count" "0"
  else
    fail "adopt: the agent made no drift check within 120 s"
  fi
else
  fail "adopt: the agent did not start"
fi
agent_stop
keepalived_stop

note "keepalived suite: $(elapsed_since "$suite_t0") s"
report_summary
