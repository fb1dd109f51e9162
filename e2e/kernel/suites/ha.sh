#!/usr/bin/env bash
# ha.sh - an HA director pair on the real kernel: keepalived (VRRP) moves
# the VIP, the kernel's sync daemon carries established connections from
# A to B, and clients notice as little as the pair promises. Runs inside
# the kernel-bed guest, as root:
#
#   vm-run.sh -- e2e/kernel/suites/ha.sh
#
# Topology: lib/ha.sh (client, directors A and B, three DR real servers on
# one bridge; VIP 192.0.2.10; A priority 150, B priority 100, advert_int 1).
# Until the agent runs the pair, keepalived's notify FIFO script makes the
# sync daemon follow the role (lib/ha.sh ha_sync_follow_role).
#
# Runs (HA_RUNS, default "link kill nosync"), each in a fresh topology:
#   link    A's link to the segment goes down (its switch port, like a
#           pulled cable); configured with preempt: once the link is back,
#           A takes the VIP back
#   kill    A's keepalived is killed with SIGKILL (the VIP stays on A);
#           configured with nopreempt: once keepalived runs again on A, B
#           stays MASTER. Prints the failover BENCH line.
#   nosync  the negative control: run "link" without sync daemons; the
#           long-lived connection must break (reset or stall)
# Each run checks, with traffic from the client through the VIP (a new HTTP
# request every 0.1 s plus one connection streaming a byte every 100 ms for
# HA_STREAM_SECONDS = 30 s from rs1; lib/ha-traffic.mjs):
#   roles      A MASTER, B BACKUP (keepalived's own reports), the VIP on A
#              only (ip addr); sync daemons master on A, backup on B, one
#              sync id; both kernels hold the same rules (ipvsadm -Sn)
#   synced     before the failure, B's kernel already holds the long-lived
#              connection (ipvsadm -Lnc), sent by A's sync daemon
#   failover   B reports MASTER after keepalived's master-down timer: no
#              sooner than (master_down_interval - advert_int) and no later
#              than master_down_interval + HA_TIMER_SLACK (3 s) after the
#              failure; "failover: VIP answering on B after X s"
#   stream     the long-lived connection finishes ("END rs1") without a
#              reset (nosync: it breaks)
#   requests   once B answers, HA_AFTER_REQUESTS (20) new requests and none
#              failed; the failed requests and the gap are reported
#   back       A returns; roles settle as configured; exactly one MAC (the
#              MASTER's) answers ARP for the VIP; sync daemons follow
#
# Budgets are counts with generous caps (a slow guest takes longer, it does
# not fail); the only time bounds are keepalived's own timer, checked with
# slack. HA_SELFTEST=wrong expects A to stay MASTER after its failure, to
# show the suite fails. Output: PASS/FAIL lines, "# ..." notes, "BENCH
# {json}", then "N passed, N failed"; exit 1 on any failure.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/report.sh
source "$here/lib/report.sh"
# shellcheck source=../lib/topology.sh
source "$here/lib/topology.sh"
# shellcheck source=../lib/ha.sh
source "$here/lib/ha.sh"

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
AFTER_REQUESTS=${HA_AFTER_REQUESTS:-20}
STALL_S=15
# Per new request. 2 s failed requests sent to a healthy B at load average
# 16; 5 s still fails a request whose SYNs all went to A's dead link.
REQUEST_TIMEOUT=${HA_REQUEST_TIMEOUT:-5}
read -ra runs <<<"${HA_RUNS:-link kill nosync}"
down_a=$(ha_master_down_interval "$PRIO_A")
down_b=$(ha_master_down_interval "$PRIO_B")
three_adverts=$((3 * HA_ADVERT_INT))

suite_t0=$EPOCHREALTIME
work=$(mktemp -d /tmp/lvs-ha-suite.XXXXXX)
probe_pid=""
cleanup() {
  [[ -n $probe_pid ]] && kill "$probe_pid" 2>/dev/null
  ha_down "$NAME" || :
  rm -rf "$work"
}
trap cleanup EXIT

ipvs() { topo_exec "$NAME" "$1" ipvsadm "${@:2}"; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a - b }'; }
fle() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

wait_until() { # secs cmd...: 0 as soon as cmd succeeds (polled every 0.2 s)
  local secs=$1 _i
  shift
  for ((_i = 0; _i < secs * 5; _i++)); do
    "$@" && return 0
    sleep 0.2
  done
  return 1
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
# ha_run KIND: link | kill | nosync (see the header)
ha_run() {
  local kind=$1 failure preempt sync t0 t_fail t_master became="" answered got want out
  case $kind in
    link) failure=link preempt=yes sync=on ;;
    kill) failure=kill preempt=no sync=on ;;
    nosync) failure=link preempt=yes sync=off ;;
    *) fail "unknown run '$kind' (link, kill, nosync)"; return ;;
  esac
  printf '\n# --- run %s: A fails by %s; %s; sync daemon %s\n' "$kind" \
    "$([[ $failure == link ]] && echo "its link going down" || echo "SIGKILL of its keepalived")" \
    "$([[ $preempt == yes ]] && echo preempt || echo nopreempt)" "$sync"
  t0=$EPOCHREALTIME
  if ! ha_up "$NAME"; then
    fail "$kind: topology setup"
    return
  fi
  note "$kind: topology up in $(elapsed_since "$t0") s"

  # A first, so that it wins the first election (with nopreempt both start
  # as BACKUP and the first to time out becomes MASTER).
  ha_keepalived_start "$NAME" a "$PRIO_A" "$preempt" "$sync"
  ha_wait_state "$NAME" a MASTER 60 || note "$kind: A did not report MASTER within 60 s: $(tail -n 5 "$HA_WORK/a/keepalived.log" | paste -sd'|')"
  ha_keepalived_start "$NAME" b "$PRIO_B" "$preempt" "$sync"
  ha_wait_state "$NAME" b BACKUP 60 || note "$kind: B did not report BACKUP within 60 s"
  check_eq "$kind: A is MASTER and holds the VIP, B is BACKUP (keepalived's reports; ip addr)" "$(roles)" "A=MASTER B=BACKUP VIP on a"
  if [[ $sync == on ]]; then
    ha_wait_synced "$NAME" a MASTER 30 || :
    ha_wait_synced "$NAME" b BACKUP 30 || :
    check_eq "$kind: sync daemons follow the roles" "A=$(ha_sync_daemons "$NAME" a) B=$(ha_sync_daemons "$NAME" b)" "A=master B=backup"
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
  t_fail=$EPOCHREALTIME
  if [[ $failure == link ]]; then
    ip -n "$NAME-sw" link set p-a down
  else
    ha_keepalived_kill "$NAME" a || fail "$kind: could not kill A's keepalived"
  fi
  if ha_wait_state "$NAME" b MASTER 90; then
    t_master=$(ha_state_time "$NAME" b MASTER) || t_master=$EPOCHREALTIME
    became=$(fsub "$t_master" "$t_fail")
    if fle "$(fsub "$down_b" "$HA_ADVERT_INT")" "$(fsub "$became" -0.2)" && fle "$became" "$(fsub "$down_b" "-$TIMER_SLACK")"; then
      pass "$kind: B became MASTER by VRRP's timer, $became s after the failure (master_down_interval $down_b s = 3 x advert_int + skew; allowed $(fsub "$down_b" "$HA_ADVERT_INT")..$(fsub "$down_b" "-$TIMER_SLACK") s)"
    else
      fail "$kind: B became MASTER $became s after the failure, want $(fsub "$down_b" "$HA_ADVERT_INT")..$(fsub "$down_b" "-$TIMER_SLACK") s (master_down_interval $down_b s)"
    fi
  else
    fail "$kind: B did not report MASTER within 90 s of the failure: B=$(ha_state "$NAME" b)"
    t_master=""
  fi
  want="A=FAULT B=MASTER VIP on b"
  [[ $failure == kill ]] && want="A=MASTER B=MASTER VIP on a b"   # A's keepalived cannot report any more; its VIP stays
  [[ ${HA_SELFTEST:-} == wrong ]] && want="A=MASTER B=BACKUP VIP on a"
  check_eq "$kind: after the failure (keepalived's last reports; ip addr)" "$(roles)" "$want"

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
      note "B nstat: $(topo_exec "$NAME" b nstat -az TcpOutRsts TcpInSegs TcpExtTCPChallengeACK 2>&1 | paste -sd'|')"
      note "cli nstat: $(topo_exec "$NAME" cli nstat -az TcpOutRsts TcpInSegs TcpExtTCPChallengeACK TcpExtTCPACKSkippedChallenge TcpEstabResets 2>&1 | paste -sd'|')"
      note "B sysctl: $(topo_exec "$NAME" b sysctl net.ipv4.vs.sloppy_tcp net.ipv4.vs.conn_reuse_mode 2>&1 | paste -sd'|')"
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
    note "$kind: failover: VIP answering on B after $answered s (3 x advert_int = $three_adverts s; B MASTER after ${became:-?} s); $failed of $total new requests failed, gap $gap s"
    if [[ $kind == kill ]]; then
      printf 'BENCH {"name":"ha-failover-vip-answering-on-b","value":%s,"unit":"s","baseline":{"threeAdvertInt":%s,"masterDownInterval":%s,"bMasterAfter":%s,"failedNewRequests":%s,"newRequestsAfterFailure":%s,"gap":%s}}\n' \
        "$answered" "$three_adverts" "$down_b" "${became:-null}" "$failed" "$total" "$gap"
    fi
  else
    probe_stop
    fail "$kind: no new request was answered through B after the failure: $(grep '^REQ' "$probe_log" | tail -n 3 | paste -sd'|')"
  fi
  [[ $kind == nosync ]] && { ha_down "$NAME"; return; }

  # A comes back.
  if [[ $failure == link ]]; then
    ip -n "$NAME-sw" link set p-a up
  else
    check_eq "$kind: while A's keepalived is dead, both directors answer ARP for the VIP (the ARP check can fail)" \
      "$(ha_arp_answers "$NAME")" "$HA_A_MAC $HA_B_MAC"
    ha_keepalived_start "$NAME" a "$PRIO_A" "$preempt" "$sync"
    if ha_wait_state "$NAME" a BACKUP 60; then
      note "$kind: keepalived started again on A reports BACKUP; the VIP is now on: $(ha_vip_holders "$NAME") (stale VIP $([[ $(ha_vip_holders "$NAME") == *a* ]] && echo "LEFT on A" || echo "removed by keepalived at start"))"
    else
      note "$kind: keepalived started again on A did not report BACKUP within 60 s: A=$(ha_state "$NAME" a)"
    fi
  fi
  if [[ $preempt == yes ]]; then
    ha_wait_state "$NAME" a MASTER 60 && ha_wait_state "$NAME" b BACKUP 30 || :
    check_eq "$kind: A is back and takes the VIP again (preempt)" "$(roles)" "A=MASTER B=BACKUP VIP on a"
    want="A=master B=backup" out=$HA_A_MAC
  else
    ha_wait_state "$NAME" a BACKUP 60 || :
    # nopreempt means nothing happens: watch for twice A's own master-down
    # interval, the time A would need to take over if it were going to.
    sleep "$(awk -v d="$down_a" 'BEGIN { print 2 * d }')"
    check_eq "$kind: A is back and stays BACKUP, B keeps the VIP (nopreempt)" "$(roles)" "A=BACKUP B=MASTER VIP on b"
    want="A=backup B=master" out=$HA_B_MAC
  fi
  ha_wait_synced "$NAME" a "$(ha_state "$NAME" a)" 30 || :
  ha_wait_synced "$NAME" b "$(ha_state "$NAME" b)" 30 || :
  check_eq "$kind: sync daemons follow the settled roles" "A=$(ha_sync_daemons "$NAME" a) B=$(ha_sync_daemons "$NAME" b)" "$want"
  check_eq "$kind: once A is back, exactly one director answers ARP for the VIP: the MASTER" "$(ha_arp_answers "$NAME")" "$out"
  note "$kind: run took $(elapsed_since "$t0") s"
  ha_down "$NAME"
}

note "keepalived: $(keepalived --version 2>&1 | head -n 1); advert_int $HA_ADVERT_INT s; master_down_interval A $down_a s, B $down_b s"
for run in "${runs[@]}"; do
  ha_run "$run"
done
note "ha suite: $(elapsed_since "$suite_t0") s"
report_summary
