#!/usr/bin/env bash
# ha.sh - an HA director pair on the real kernel: keepalived (VRRP) moves
# the VIP, the kernel's sync daemon carries established connections from
# A to B, and clients notice as little as the pair promises. Runs inside
# the kernel-bed guest, as root:
#
#   vm-run.sh -- e2e/kernel/suites/ha.sh
#
# Topology: lib/ha.sh (client, directors A and B, three DR real servers on
# one bridge; VIP 198.51.100.100; A priority 150, B priority 100, advert_int 1).
# Each director runs the console's agent, the two as one cluster; the agent
# runs keepalived (VRRP only, rendered from the desired state) and makes
# the kernel's sync daemon follow the VRRP role. The suite only talks to
# the agents' APIs and looks at the kernels, addresses and traffic.
#
# Runs (HA_RUNS, default "link kill nosync"), each in a fresh topology:
#   link    A's link to the segment goes down (its switch port, like a
#           pulled cable); configured with preempt. While A is away a
#           change is made on B; once the link is back A's kernel has it
#           and A takes the VIP back
#   kill    A's keepalived is killed with SIGKILL while A's agent is
#           stopped (SIGSTOP), so the VIP stays on A; configured with
#           nopreempt. Once the agent runs again it removes the VIP that
#           keepalived left behind and starts keepalived, which stays
#           BACKUP. Prints the failover BENCH line.
#   nosync  the negative control: run "link" without a sync daemon in the
#           desired state; the long-lived connection must break
# Each run checks, with traffic from the client through the VIP (a new HTTP
# request every 0.1 s plus one connection streaming a byte every 100 ms for
# HA_STREAM_SECONDS = 30 s from rs1; lib/ha-traffic.mjs):
#   first      the desired state given to A alone (B's agent not started):
#              A applies it, reports B as not reached; A becomes MASTER;
#              B's agent then starts and takes A's revision
#   roles      A MASTER, B BACKUP (as each agent learnt from keepalived),
#              the VIP on A only (ip addr); sync daemons master on A,
#              backup on B, one sync id; both kernels hold the same rules
#   change     a weight changed through A's API is in B's kernel
#              (ipvsadm -Sn equal on both) within HA_CHANGE_S (2 s)
#   synced     before the failure, B's kernel already holds the long-lived
#              connection (ipvsadm -Lnc), sent by A's sync daemon
#   failover   the VIP appears on B (ip monitor) after keepalived's
#              master-down timer: no sooner than (master_down_interval -
#              advert_int) and no later than master_down_interval +
#              HA_TIMER_SLACK (3 s) after the failure
#   stream     the long-lived connection finishes ("END rs1") without a
#              reset (nosync: it breaks)
#   requests   once B answers, HA_AFTER_REQUESTS (20) new requests and none
#              failed; the failed requests and the gap are reported
#   back       A returns; roles settle as configured; exactly one MAC (the
#              MASTER's) answers ARP for the VIP; sync daemons follow
#
# Budgets are counts with generous caps (a slow guest takes longer, it does
# not fail); the time bounds are keepalived's own timer, checked with
# slack, and the change's 2 s (HA_CHANGE_S). HA_SELFTEST=wrong expects A to
# stay MASTER after its failure, to show the suite fails. Output: PASS/FAIL
# lines, "# ..." notes, "BENCH {json}", then "N passed, N failed"; exit 1
# on any failure.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/report.sh
source "$here/lib/report.sh"
# shellcheck source=../lib/topology.sh
source "$here/lib/topology.sh"
# shellcheck source=../lib/ha.sh
source "$here/lib/ha.sh"

HA_CLI=${1:?usage: ha.sh CLI_JS}
[[ -f $HA_CLI ]] || { echo "ha.sh: no agent CLI at $HA_CLI" >&2; exit 2; }

if [[ ${LVS_IN_GUEST:-} != 1 && ! -r /proc/net/ip_vs ]]; then
  echo "ha.sh: needs a kernel with IPVS; run it through e2e/kernel/vm-run.sh" >&2
  exit 2
fi
command -v keepalived >/dev/null || {
  fail "keepalived is not installed (apt-get install keepalived; e2e/kernel/build-bed.sh installs it)"
  report_summary
  exit 1
}
modprobe -a ip_vs ip_vs_rr veth bridge 2>&1 || :

export TOPO_RS_COUNT=3
NAME=ha
VIP=$TOPO_VIP
PRIO_A=150
PRIO_B=100
TIMER_SLACK=${HA_TIMER_SLACK:-3}
CHANGE_S=${HA_CHANGE_S:-2}
AFTER_REQUESTS=${HA_AFTER_REQUESTS:-20}
STALL_S=15
# Per new request. 2 s failed requests sent to a healthy B at load average
# 16, and 5 s did too once both agents ran in the guest; with 10 s a request
# whose first SYNs went to A's dead link may still be answered by B after
# TCP's retransmit (as a real client's would), which the failover figures
# then count as answered.
REQUEST_TIMEOUT=${HA_REQUEST_TIMEOUT:-10}
read -ra runs <<<"${HA_RUNS:-link kill nosync}"
down_a=$(ha_master_down_interval "$PRIO_A")
down_b=$(ha_master_down_interval "$PRIO_B")
three_adverts=$((3 * HA_ADVERT_INT))

suite_t0=$EPOCHREALTIME
work=$(mktemp -d /tmp/lvs-ha-suite.XXXXXX)
probe_pid=""
lateness_pid=""
cleanup() {
  [[ -n $probe_pid ]] && kill "$probe_pid" 2>/dev/null
  [[ -n $lateness_pid ]] && kill "$lateness_pid" 2>/dev/null
  ha_down "$NAME" || :
  rm -rf "$work"
}
trap cleanup EXIT

ipvs() { topo_exec "$NAME" "$1" ipvsadm "${@:2}"; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a - b }'; }
fle() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

wait_until() { # secs cmd...: 0 as soon as cmd succeeds (polled every 0.2 s, tried at least once)
  local deadline=$((SECONDS + $1))
  shift
  while :; do
    "$@" && return 0
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# How late this guest's timers fire: a bash loop waits 0.1 s at a time
# (read -t on a FIFO nobody writes to: no new process) and logs "EPOCH
# MICROSECONDS" whenever a wait ended more than 20 ms late. On a loaded host
# a TCG guest loses whole seconds, and keepalived's timers lose them too;
# the failover's time bound adds what was lost in the same window.
lateness_start() {
  local fifo=$work/lateness.fifo
  rm -f "$fifo" && mkfifo "$fifo"
  : >"$work/lateness.log"
  # shellcheck disable=SC2016  # expanded by the inner bash
  bash -c 'exec 3<>"$1"
    while :; do
      t=$EPOCHREALTIME
      read -r -t 0.1 -u 3 _
      now=$EPOCHREALTIME
      late=$((10#${now/[.,]/} - 10#${t/[.,]/} - 100000))
      ((late > 20000)) && printf "%s %d\n" "$now" "$late"
    done' _ "$fifo" >>"$work/lateness.log" &
  lateness_pid=$!
}
lateness_stop() { [[ -n $lateness_pid ]] && kill "$lateness_pid" 2>/dev/null; lateness_pid=""; }
lateness_between() { # t1 t2 -> seconds the guest's timers lost between them
  awk -v a="$1" -v b="$2" '$1 + 0 >= a + 0 && $1 - $2 / 1e6 <= b + 0 { s += $2 } END { printf "%.2f\n", s / 1e6 }' "$work/lateness.log"
}

agent_log_notes() { # kind role: the agent's warnings and errors (pino JSON), last few
  grep -E '"level":(40|50|60)' "$HA_WORK/$2/agent.log" 2>/dev/null | tail -n "${3:-6}" |
    sed -E 's/.*"time":([0-9]+).*"msg":"([^"]*)".*/\1 \2/' | cut -c1-240 | sed "s/^/# $1: agent $2: /" || :
}

roles() { # "A=STATE B=STATE VIP on HOLDERS"
  echo "A=$(ha_state "$NAME" a) B=$(ha_state "$NAME" b) VIP on $(ha_vip_holders "$NAME")"
}

conn_on_b() { # 0 when B's kernel has the long-lived connection ESTABLISHED
  ipvs b -Lnc | awk -v v="$VIP:$HA_STREAM_PORT" '$3 == "ESTABLISHED" && $5 == v { found = 1 } END { exit !found }'
}

# --------------------------------------------------------------- the probe
probe_log=$work/probe.log
probe_stop=$work/probe.stop
probe_start() {
  rm -f "$probe_stop"
  : >"$probe_log"
  topo_exec "$NAME" cli node "$HA_LIB/ha-traffic.mjs" probe "$VIP" 80 "$HA_STREAM_PORT" 10 "$REQUEST_TIMEOUT" "$STALL_S" \
    "$probe_stop" >>"$probe_log" 2>&1 &
  probe_pid=$!
}
probe_stop() { # waits (bounded) for the probe to finish its requests
  : >"$probe_stop"
  wait_until 60 probe_ended || kill "$probe_pid" 2>/dev/null || :
  wait "$probe_pid" 2>/dev/null || :
  probe_pid=""
}
probe_ended() { ! kill -0 "$probe_pid" 2>/dev/null; }
stream_up() { grep -q '^STREAM-UP' "$probe_log"; }
stream_ended() { grep -q '^STREAM-END' "$probe_log"; }
stream_field() { # field -> value from the STREAM-END line
  awk -v f="$1" '/^STREAM-END/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print substr($i, length(f) + 2) } }' "$probe_log"
}
# Requests started at or after T (by t0) or finished after T (by t1):
# "total failed" ; with MAC, only those sent to that MAC.
requests_since() { # t [mac] -> "TOTAL FAILED"
  awk -v t="$1" -v mac="${2:-}" '
    /^REQ / {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      if (v["t0"] + 0 < t + 0) next
      if (mac != "" && v["mac"] != mac) next
      n++; if (v["ok"] != 1) bad++
    }
    END { print n + 0, bad + 0 }' "$probe_log"
}
requests_ok_since_at_least() { # t count [mac]
  local total failed
  read -r total failed <<<"$(requests_since "$1" "${3:-}")"
  ((total - failed >= $2))
}
# The failover as the client saw it, over the requests that finished after
# T: "FAILED TOTAL GAP ANSWERED" where GAP runs from the first failed
# request's start to the start of the first request that succeeded after
# the last failed one (0 when none failed), and ANSWERED is when the first
# request that started after T was answered while the client sent to MAC
# (its ARP entry for the VIP when the answer came), or "none".
failover_figures() { # t mac
  awk -v t="$1" -v mac="$2" '
    /^REQ / {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      if (v["t1"] + 0 < t + 0) next
      n++
      if (v["ok"] != 1) {
        bad++
        if (first_bad == "" || v["t0"] + 0 < first_bad) first_bad = v["t0"] + 0
        if (v["t0"] + 0 > last_bad) last_bad = v["t0"] + 0
        next
      }
      ok_t0[++oks] = v["t0"] + 0
      if (v["mac1"] == mac && v["t0"] + 0 >= t + 0 && (answered == "" || v["t1"] + 0 < answered)) answered = v["t1"] + 0
    }
    END {
      gap = 0
      if (bad) {
        recovered = ""
        for (i = 1; i <= oks; i++) if (ok_t0[i] > last_bad && (recovered == "" || ok_t0[i] < recovered)) recovered = ok_t0[i]
        gap = (recovered == "" ? -1 : recovered - first_bad)
      }
      printf "%d %d %.2f %s\n", bad, n, gap, (answered == "" ? "none" : sprintf("%.3f", answered))
    }' "$probe_log"
}

# --------------------------------------------------------------- one run
svc80='{"kind":"addr","protocol":"tcp","address":"'$VIP'","port":80}'
rs3_ref='{"address":"'$(topo_rs_ip dr 3)'","port":80}'

# set_rs3_weight ROLE WEIGHT: destinations.setWeight through ROLE's agent
# on the revision it holds; prints the answer.
# With T_VAR, that variable gets the time the request left (after the
# revision lookup, so only the change itself is timed).
set_rs3_weight() { # role weight [t_var]
  local rev
  rev=$(ha_revision "$NAME" "$1") || return 1
  [[ -n ${3:-} ]] && printf -v "$3" '%s' "$EPOCHREALTIME"
  ha_api "$NAME" "$1" destinations.setWeight "{\"baseRevision\":$rev,\"service\":$svc80,\"destination\":$rs3_ref,\"weight\":$2}"
}
member_result() { # answer director -> "ok" | "not applied: MESSAGE" | "missing"
  local re="\\{\"director\":\"$2\",\"ok\":(true|false)[^}]*\"message\":\"([^\"]*)\""
  if [[ $1 =~ $re ]]; then
    [[ ${BASH_REMATCH[1]} == true ]] && echo ok || echo "not applied: ${BASH_REMATCH[2]}"
  else
    echo missing
  fi
}
member_duration_ms() { # answer director -> the push round trip A measured (ms), or nothing
  local re="\\{\"director\":\"$2\"[^}]*\"durationMs\":([0-9.]+)"
  [[ $1 =~ $re ]] && echo "${BASH_REMATCH[1]}"
  return 0
}
b_applied_at() { # revision -> the time (s, guest clock) of B's audit line for that revision from A
  local line
  line=$(grep -F "(revision $1, made on a)" "$HA_WORK/b/state/audit.log" 2>/dev/null | grep -F '"result":"ok"' | tail -n 1) || return 1
  [[ $line =~ \"time\":([0-9]+) ]] || return 1
  awk -v t="${BASH_REMATCH[1]}" 'BEGIN { printf "%.3f\n", t / 1000 }'
}
change_in_b() { same_tables && [[ $(ipvs b -Sn) == *"$(topo_rs_ip dr 3):80 -g -w 2"* ]]; }
same_tables() { [[ $(ipvs a -Sn) == "$(ipvs b -Sn)" ]]; }
same_revision() { [[ $(ha_revision "$NAME" a) == "$(ha_revision "$NAME" b)" ]]; }
a_caught_up() { same_revision && same_tables; }
sync_roles_are() { [[ "A=$(ha_sync_daemons "$NAME" a) B=$(ha_sync_daemons "$NAME" b)" == "$1" ]]; }
vip_only_on() { [[ $(ha_vip_holders "$NAME") == "$1" ]]; }

# ha_run KIND: link | kill | nosync (see the header)
ha_run() {
  local kind=$1 failure preempt sync t0 t_run t_fail t_master became="" answered got want out t_change t_answer agent_ms agent_s lost latest probe_before probe_after slowdown push_ms why t_seen revision
  case $kind in
    link) failure=link preempt=true sync=on ;;
    kill) failure=kill preempt=false sync=on ;;
    nosync) failure=link preempt=true sync=off ;;
    *) fail "unknown run '$kind' (link, kill, nosync)"; return ;;
  esac
  printf '\n# --- run %s: A fails by %s; %s; sync daemon %s\n' "$kind" \
    "$([[ $failure == link ]] && echo "its link going down" || echo "SIGKILL of its keepalived")" \
    "$([[ $preempt == true ]] && echo preempt || echo nopreempt)" "$sync"
  t0=$EPOCHREALTIME t_run=$EPOCHREALTIME
  if ! ha_up "$NAME"; then
    fail "$kind: topology setup"
    return
  fi
  ha_addr_watch_start "$NAME" a
  ha_addr_watch_start "$NAME" b
  note "$kind: topology up in $(elapsed_since "$t0") s"

  # A alone first: it takes the desired state and wins the first election
  # (with nopreempt both would start as BACKUP and the first to time out
  # would become MASTER).
  if ! ha_agent_start "$NAME" a; then
    fail "$kind: A's agent did not start"
    ha_down "$NAME"
    return
  fi
  # The agent adopted the empty kernel table as its first revision.
  out=$(ha_api "$NAME" a state.replace "{\"baseRevision\":$(ha_revision "$NAME" a),\"state\":$(ha_desired "$preempt" "$sync")}") || :
  if [[ $out == '{"result":'* ]]; then
    pass "$kind: the pair's desired state applied through A's API while B's agent is not running (B: $(member_result "$out" b))"
  else
    fail "$kind: A refused the pair's desired state: ${out:0:600}"
    ha_down "$NAME"
    return
  fi
  ha_wait_state "$NAME" a MASTER 90 || note "$kind: A did not report MASTER within 90 s: $(tail -n 5 "$HA_WORK/a/agent.log" | paste -sd'|')"
  if ! ha_agent_start "$NAME" b; then
    fail "$kind: B's agent did not start"
  elif grep -q "took revision $(ha_revision "$NAME" a) from a" "$HA_WORK/b/agent.log"; then
    pass "$kind: B's agent started with no state and took A's newest revision ($(grep -o 'took revision [0-9]* from a' "$HA_WORK/b/agent.log"))"
  else
    fail "$kind: B's agent did not take A's revision at start: $(grep -E '^(state|cluster|vrrp|note)' "$HA_WORK/b/agent.log" | paste -sd'|')"
  fi
  ha_wait_state "$NAME" b BACKUP 90 || note "$kind: B did not report BACKUP within 90 s"
  check_eq "$kind: A is MASTER and holds the VIP, B is BACKUP (the agents' reports of their keepalived; ip addr)" "$(roles)" "A=MASTER B=BACKUP VIP on a"
  if [[ $sync == on ]]; then
    wait_until 60 sync_roles_are "A=master B=backup" || :
    check_eq "$kind: the agents made the sync daemons follow the roles" "A=$(ha_sync_daemons "$NAME" a) B=$(ha_sync_daemons "$NAME" b)" "A=master B=backup"
    got=$(ha_sync_daemon_detail "$NAME" a)$(ha_sync_daemon_detail "$NAME" b)
    if [[ $(grep -o 'syncid=[0-9]*' <<<"$got" | sort -u) == "syncid=$HA_SYNCID" ]]; then
      pass "$kind: one sync id for the pair (syncid=$HA_SYNCID on both, on eth0)"
    else
      fail "$kind: sync ids differ or are missing: $got"
    fi
  else
    check_eq "$kind: no sync daemon on either director (negative control)" "A=$(ha_sync_daemons "$NAME" a) B=$(ha_sync_daemons "$NAME" b)" "A=none B=none"
  fi
  check_lines "$kind: both directors hold the same IPVS rules (ipvsadm -Sn)" "$(ipvs b -Sn)" "$(ipvs a -Sn)"

  # A change through A's API reaches B's kernel. A answers once B has
  # applied it (B's result is in the answer), so A's own commit time bounds
  # the time to B's kernel; the time from the request also holds a curl
  # process start, which a loaded TCG guest makes cost a second. The bound
  # is 2 s on a quiet host; the guest's work runs slower on loaded cores
  # (its timers do not show it), so the bound scales by how much slower a
  # fixed CPU loop ran just before and after, plus what the guest's timers
  # lost meanwhile. When A stopped waiting for B (its push has a deadline of
  # its own), B's kernel is watched instead, up to the same bound from the
  # request.
  lateness_start
  probe_before=$(cpu_probe_ms)
  t_change=""
  set_rs3_weight a 2 t_change >"$work/change.out" || :
  t_answer=$EPOCHREALTIME
  probe_after=$(cpu_probe_ms)
  out=$(<"$work/change.out")
  t_change=${t_change:-$t_answer}
  slowdown=$(guest_slowdown "$probe_before" "$probe_after")
  why="want <= $CHANGE_S s x $slowdown (the CPU probe ran ${probe_before}/${probe_after} ms, quiet ${LVS_CPU_PROBE_QUIET_MS:-400} ms)"
  got=$(fsub "$t_answer" "$t_change")
  if [[ $(member_result "$out" b) == ok ]] && change_in_b; then
    lost=$(lateness_between "$t_change" "$t_answer")
    latest=$(awk -v c="$CHANGE_S" -v f="$slowdown" -v l="$lost" 'BEGIN { printf "%.2f\n", c * f + l }')
    agent_ms=$(grep -o '"durationMs":[0-9.]*' <<<"${out%%\"members\"*}" | head -n 1 | cut -d: -f2)
    agent_s=$(awk -v m="${agent_ms:-999999}" 'BEGIN { printf "%.2f\n", m / 1000 }')
    push_ms=$(member_duration_ms "$out" b)
    note "$kind: change timing: A's commit $agent_s s, of which the push to B and B's apply ${push_ms:-?} ms; $got s from the request"
    printf 'BENCH {"name":"ha-change-in-peer-kernel-%s","value":%s,"unit":"s","baseline":{"name":"quiet bound x guest slowdown %s","value":%s,"unit":"s"}}\n' \
      "$kind" "$agent_s" "$slowdown" "$(fsub "$latest" "$lost")"
    if fle "$agent_s" "$latest"; then
      pass "$kind: a weight changed through A's API is in B's kernel within $agent_s s (A's commit, which answers once B applied it; ipvsadm -Sn equal; $why + $lost s the guest's timers lost)"
    else
      fail "$kind: a weight changed through A's API took $agent_s s to reach B's kernel (A's commit; $got s from the request), $why + $lost s the guest's timers lost"
      agent_log_notes "$kind" a
    fi
  elif [[ $out =~ ^\{\"result\":\{\"data\":\{\"revision\":([0-9]+) ]]; then
    # A committed but stopped waiting for B: B's own audit line for that
    # revision (written once its kernel has it, stamped by the same guest
    # clock) says when B's kernel had it.
    revision=${BASH_REMATCH[1]}
    wait_until "$(awk -v c="$CHANGE_S" -v f="$slowdown" 'BEGIN { printf "%d\n", c * f + 60 }')" b_applied_at "$revision" >/dev/null || :
    t_seen=$(b_applied_at "$revision") || t_seen=""
    if [[ -n $t_seen ]] && change_in_b; then
      got=$(fsub "$t_seen" "$t_change")
      lost=$(lateness_between "$t_change" "$t_seen")
      latest=$(awk -v c="$CHANGE_S" -v f="$slowdown" -v l="$lost" 'BEGIN { printf "%.2f\n", c * f + l }')
      if fle "$got" "$latest"; then
        pass "$kind: a weight changed through A's API is in B's kernel $got s after the request (B's audit line for revision $revision; ipvsadm -Sn equal; A stopped waiting for B: $(member_result "$out" b); $why + $lost s the guest's timers lost)"
      else
        fail "$kind: a weight changed through A's API reached B's kernel $got s after the request (B's audit line for revision $revision), $why + $lost s the guest's timers lost"
        agent_log_notes "$kind" b
      fi
    else
      fail "$kind: a weight changed through A's API is not in B's kernel: B: $(member_result "$out" b); $(ipvs b -Sn | grep -F "$(topo_rs_ip dr 3):80" || :)"
      agent_log_notes "$kind" b
    fi
  else
    fail "$kind: A refused the weight change: ${out:0:400}"
    agent_log_notes "$kind" a
  fi
  if [[ $kind == "${runs[0]}" ]]; then
    check_eq "$kind: only A answers ARP for the VIP" "$(ha_arp_answers "$NAME")" "$HA_A_MAC"
  fi

  # Traffic through A.
  probe_start
  if wait_until 120 stream_up && wait_until 120 requests_ok_since_at_least 0 10; then
    read -r got _ <<<"$(requests_since 0)"
    pass "$kind: traffic through A: the long-lived connection streams, $got new requests answered"
  else
    fail "$kind: traffic through A did not start: $(tail -n 3 "$probe_log" | paste -sd'|')"
  fi
  if [[ $sync == on ]]; then
    if wait_until 30 conn_on_b; then
      pass "$kind: B's kernel holds the long-lived connection before the failure (ipvsadm -Lnc; sent by A's sync daemon)"
    else
      fail "$kind: B's kernel never learnt the long-lived connection: $(ipvs b -Lnc | paste -sd'|')"
    fi
  elif conn_on_b; then
    fail "$kind: B's kernel knows the long-lived connection although no sync daemon runs"
  else
    pass "$kind: B's kernel does not know the long-lived connection (no sync daemon)"
  fi

  # The failure.
  if [[ $failure == kill ]]; then
    # The agent would clean up at once; stopped, it shows what keepalived alone leaves behind.
    ha_agent_signal "$NAME" a STOP
  fi
  t_fail=$EPOCHREALTIME
  if [[ $failure == link ]]; then
    ip -n "$NAME-sw" link set p-a down
  else
    ha_keepalived_kill "$NAME" a || fail "$kind: could not kill A's keepalived"
  fi
  t_master=""
  wait_until 90 ha_vip_event_time b add "$t_fail" >/dev/null || :
  if t_master=$(ha_vip_event_time b add "$t_fail"); then
    became=$(fsub "$t_master" "$t_fail")
    lost=$(lateness_between "$t_fail" "$t_master")
    latest=$(awk -v d="$down_b" -v s="$TIMER_SLACK" -v l="$lost" 'BEGIN { printf "%.2f\n", d + s + l }')
    if fle "$(fsub "$down_b" "$HA_ADVERT_INT")" "$(fsub "$became" -0.2)" && fle "$became" "$latest"; then
      pass "$kind: B's keepalived took the VIP by VRRP's timer, $became s after the failure (master_down_interval $down_b s = 3 x advert_int + skew; allowed $(fsub "$down_b" "$HA_ADVERT_INT")..$latest s: + $TIMER_SLACK s slack + $lost s the guest's timers lost meanwhile)"
    else
      fail "$kind: the VIP appeared on B $became s after the failure, want $(fsub "$down_b" "$HA_ADVERT_INT")..$latest s (master_down_interval $down_b s + $TIMER_SLACK s slack + $lost s the guest's timers lost meanwhile)"
    fi
  else
    fail "$kind: the VIP did not appear on B within 90 s of the failure: B=$(ha_state "$NAME" b)"
  fi
  ha_wait_state "$NAME" b MASTER 30 || :
  want="A=FAULT B=MASTER VIP on b"
  [[ $failure == kill ]] && want="A=down B=MASTER VIP on a b"   # A's agent is stopped; the dead keepalived's VIP stays
  [[ ${HA_SELFTEST:-} == wrong ]] && want="A=MASTER B=BACKUP VIP on a"
  got=$(roles)
  check_eq "$kind: after the failure (the agents' reports; ip addr)" "$got" "$want"
  if [[ $got != "$want" ]]; then
    agent_log_notes "$kind" b
    note "$kind: B's agent log, last lines: $(tail -n 4 "$HA_WORK/b/agent.log" | cut -c1-300 | paste -sd'|')"
  fi

  # The long-lived connection.
  if wait_until $((HA_STREAM_SECONDS + STALL_S + 90)) stream_ended; then
    got="$(stream_field result) after $(stream_field bytes) bytes, longest pause $(stream_field maxgap) s ($(stream_field what))"
    if [[ $sync == on ]]; then
      if [[ $(stream_field result) == complete ]]; then
        pass "$kind: the long-lived connection finished without a reset: $got"
      else
        fail "$kind: the long-lived connection did not survive the failover: $got"
      fi
    elif [[ $(stream_field result) =~ ^(reset|stall|eof)$ ]]; then
      pass "$kind: negative control: without the sync daemon the long-lived connection broke: $got"
    else
      fail "$kind: negative control: without the sync daemon the long-lived connection still ended [$got], want a reset or stall"
      note "B -Lnc: $(ipvs b -Lnc | paste -sd'|')"
    fi
  else
    fail "$kind: the long-lived connection neither finished nor broke"
  fi

  # New requests through B.
  local failed total gap answer_t
  read -r failed total gap answer_t <<<"$(failover_figures "$t_fail" "$HA_B_MAC")"
  if [[ $answer_t != none ]] || wait_until 60 requests_ok_since_at_least "$t_fail" 1 "$HA_B_MAC"; then
    read -r failed total gap answer_t <<<"$(failover_figures "$t_fail" "$HA_B_MAC")"
    answered=$(fsub "$answer_t" "$t_fail")
    wait_until 120 requests_ok_since_at_least "$answer_t" "$AFTER_REQUESTS" || :
    probe_stop
    read -r total failed <<<"$(requests_since "$answer_t")"
    if ((total >= AFTER_REQUESTS && failed == 0)); then
      pass "$kind: after the VIP answered on B, $total new requests and none failed"
    else
      fail "$kind: after the VIP answered on B, $failed of $total new requests failed (want >= $AFTER_REQUESTS, 0 failed)"
      awk -v t="$answer_t" '/^REQ / && / ok=0 / { split($2, a, "="); if (a[2] + 0 >= t + 0) print "#   " $0 }' "$probe_log" | head -n 5
    fi
    read -r failed total gap _ <<<"$(failover_figures "$t_fail" "$HA_B_MAC")"
    note "$kind: failover: VIP answering on B after $answered s (3 x advert_int = $three_adverts s; VIP on B after ${became:-?} s); $failed of $total new requests failed, gap $gap s"
    if [[ $kind == kill ]]; then
      printf 'BENCH {"name":"ha-failover-vip-answering-on-b","value":%s,"unit":"s","baseline":{"threeAdvertInt":%s,"masterDownInterval":%s,"vipOnBAfter":%s,"failedNewRequests":%s,"newRequestsAfterFailure":%s,"gap":%s}}\n' \
        "$answered" "$three_adverts" "$down_b" "${became:-null}" "$failed" "$total" "$gap"
    fi
  else
    probe_stop
    fail "$kind: no new request was answered through B after the failure: $(grep '^REQ' "$probe_log" | tail -n 3 | paste -sd'|')"
  fi
  lateness_stop
  if [[ $kind == nosync ]]; then
    agent_log_notes "$kind" a
    agent_log_notes "$kind" b
    ha_down "$NAME"
    return
  fi

  # A comes back.
  if [[ $failure == link ]]; then
    # A change on B while A cannot be reached: applied on B, A reported behind.
    out=$(set_rs3_weight b 3) || :
    got=$(member_result "$out" a)
    if [[ $out == '{"result":'* && $got == "not applied"* ]]; then
      pass "$kind: a change on B while A is away applies on B and says A has not got it ($got)"
    else
      fail "$kind: a change on B while A is away: ${out:0:400}"
    fi
    t0=$EPOCHREALTIME
    ip -n "$NAME-sw" link set p-a up
    if wait_until 120 a_caught_up; then
      pass "$kind: A is back and its kernel has the change made on B while it was away ($(elapsed_since "$t0") s after its link came back; revision $(ha_revision "$NAME" a) on both, ipvsadm -Sn equal)"
    else
      fail "$kind: A did not catch up within 120 s: A revision $(ha_revision "$NAME" a), B revision $(ha_revision "$NAME" b)"
    fi
  else
    check_eq "$kind: while A's agent is stopped, both directors answer ARP for the VIP (the ARP check can fail)" \
      "$(ha_arp_answers "$NAME")" "$HA_A_MAC $HA_B_MAC"
    t0=$EPOCHREALTIME
    ha_agent_signal "$NAME" a CONT
    if wait_until 60 ha_keepalived_running "$NAME" a && wait_until 60 vip_only_on b; then
      got=$(ha_vip_event_time a del "$t0") && got="$(fsub "$got" "$t0") s" || got="?"
      pass "$kind: A's agent, running again, removed the VIP its dead keepalived left behind (after $got) and started keepalived again"
    else
      fail "$kind: A's agent did not clean up after its keepalived: VIP on $(ha_vip_holders "$NAME"), keepalived $(ha_keepalived_running "$NAME" a && echo running || echo "not running")"
    fi
  fi
  if [[ $preempt == true ]]; then
    ha_wait_state "$NAME" a MASTER 60 && ha_wait_state "$NAME" b BACKUP 30 || :
    check_eq "$kind: A takes the VIP again (preempt)" "$(roles)" "A=MASTER B=BACKUP VIP on a"
    want="A=master B=backup" out=$HA_A_MAC
  else
    ha_wait_state "$NAME" a BACKUP 60 || :
    # nopreempt means nothing happens: watch for twice A's own master-down
    # interval, the time A would need to take over if it were going to.
    sleep "$(awk -v d="$down_a" 'BEGIN { print 2 * d }')"
    check_eq "$kind: A stays BACKUP, B keeps the VIP (nopreempt)" "$(roles)" "A=BACKUP B=MASTER VIP on b"
    want="A=backup B=master" out=$HA_B_MAC
  fi
  wait_until 60 sync_roles_are "$want" || :
  check_eq "$kind: sync daemons follow the settled roles" "A=$(ha_sync_daemons "$NAME" a) B=$(ha_sync_daemons "$NAME" b)" "$want"
  check_eq "$kind: once A is back, exactly one director answers ARP for the VIP: the MASTER" "$(ha_arp_answers "$NAME")" "$out"
  agent_log_notes "$kind" a
  agent_log_notes "$kind" b
  note "$kind: run took $(elapsed_since "$t_run") s"
  ha_down "$NAME"
}

note "keepalived: $(keepalived --version 2>&1 | head -n 1); advert_int $HA_ADVERT_INT s; master_down_interval A $down_a s, B $down_b s"
for run in "${runs[@]}"; do
  ha_run "$run"
done
note "ha suite: $(elapsed_since "$suite_t0") s"
report_summary
