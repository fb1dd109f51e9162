#!/usr/bin/env bash
# agent-traffic.sh - real traffic while the AGENT changes the table: a
# running `lvs-console serve --backend ipvsadm` in the director namespace,
# driven over HTTP (tRPC) with curl and an admin token. Runs inside the
# kernel-bed guest, as root:
#
#   vm-run.sh -- e2e/kernel/suites/agent-traffic.sh CLI_JS
#
# Topology: lib/topology.sh NAT, three real servers (203.0.113.11-13),
# VIP 192.0.2.10:80. A "held" connection below is a request the client
# starts (TCP connection + request line) and finishes only when the suite
# says so: an established connection for as long as a check needs.
#
# Checks, in order, each change made through the agent's API:
#   start      serve comes up, adopts the empty table
#   replace    state.replace wrr 1:1:1 -> ipvsadm -Sn as expected;
#              30 requests split exactly 10/10/10
#   weight     destinations.setWeight rs1=3 -> exactly one `-e` line;
#              50 requests split exactly 30/10/10
#   quiesce    with a held connection open on server X: setWeight X=0 ->
#              20 new requests, none on X, none failed; the held connection
#              is still ESTABLISHED to X afterwards and then completes
#              (HTTP 200, body from X)
#   persist    services.setPersistence 60 -> 12 requests on one server
#   scheduler  with a held connection open: services.setScheduler rr ->
#              only `-E` lines (no delete/re-add); 30 requests split exactly
#              10/10/10; the held connection is still ESTABLISHED and
#              completes (HTTP 200)
#   health     HTTP health checks on the service (interval 3 s, timeout
#              2.5 s, fall 2; a loaded TCG guest needs seconds for a probe
#              that answers, while a killed server is refused at once):
#              under a bounded request loop, rs2's httpd is killed; once
#              the kernel shows rs2 at weight 0 (the check noticed), no
#              request fails; the desired state keeps weight 1; rs2's
#              httpd restarted -> its weight comes back
#   notify     (issue 17) the agent's webhook points at a tiny HTTP receiver
#              on loopback in the director namespace (lib/webhook-receiver.mjs):
#              rs2's httpd killed -> a "destination-down" firing for rs2 is
#              delivered (with the bearer token) and /metrics shows
#              lvs_destination_healthy 0 for rs2; httpd back -> its
#              "destination-up" resolved is delivered and the metric is 1
#   restart    under a bounded request loop from the client: SIGTERM the
#              agent -> ipvsadm -Sn unchanged while it is down; start it
#              again -> "the kernel matches revision N", same revision, same
#              table; the loop saw no failed request
#
# Output: PASS/FAIL lines, "# ..." notes, then "N passed, N failed";
# exit 1 on any failure. AGENT_TRAFFIC_SELFTEST=wrong swaps in a wrong
# expectation for the weight check (31/10/9) to show the checks can fail;
# AGENT_TRAFFIC_SELFTEST=notify points the webhook at a port where nothing
# listens and reads rs1's metric instead of rs2's (the notify checks fail).
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/report.sh
source "$here/lib/report.sh"
# shellcheck source=../lib/topology.sh
source "$here/lib/topology.sh"

cli=${1:?usage: agent-traffic.sh CLI_JS}
[[ -f $cli ]] || { echo "agent-traffic.sh: no agent CLI at $cli" >&2; exit 2; }
if [[ ${LVS_IN_GUEST:-} != 1 && ! -r /proc/net/ip_vs ]]; then
  echo "agent-traffic.sh: needs a kernel with IPVS; run it through e2e/kernel/vm-run.sh" >&2
  exit 2
fi
modprobe -a ip_vs ip_vs_rr ip_vs_wrr veth bridge 2>&1 || :

export TOPO_RS_COUNT=3
NAME="at"
VIP=$TOPO_VIP
PORT=9180
HOOK_PORT=9181     # the webhook receiver, loopback in the director namespace
HOOK_TOKEN=kernel-suite-webhook-token-$$
TOKEN=kernel-suite-admin-token-$$
API=http://127.0.0.1:$PORT/trpc
SVC='{"kind":"addr","protocol":"tcp","address":"'$VIP'","port":80}'
weight_expect="rs1=30 rs2=10 rs3=10"
HEALTH_AFTER=10    # requests that must pass after the health check noticed
RESTART_AFTER=4    # requests after the agent is back (>= 6 in the whole window)
[[ ${AGENT_TRAFFIC_SELFTEST:-} == wrong ]] && weight_expect="rs1=31 rs2=10 rs3=9"
hook_url_port=$HOOK_PORT metric_rs=rs2
if [[ ${AGENT_TRAFFIC_SELFTEST:-} == notify ]]; then hook_url_port=$((HOOK_PORT + 1)) metric_rs=rs1; fi

suite_t0=$EPOCHREALTIME
work=$(mktemp -d /tmp/lvs-agent-traffic.XXXXXX)
state_dir=$work/state
serve_pid=""
bg_pids=()
cleanup() {
  local pid
  for pid in "${bg_pids[@]}" $serve_pid; do kill "$pid" 2>/dev/null || :; done
  topo_down "$NAME" || :
  rm -rf "$work"
}
trap cleanup EXIT

rs_ip() { topo_rs_ip nat "$1"; }
ipvs() { topo_exec "$NAME" lvs ipvsadm "$@"; }

# ---------------------------------------------------------------- the agent
start_agent() { # log file; waits until it listens (bounded), 0 when up
  local log=$1 _i
  ip netns exec "$NAME-lvs" node "$cli" serve --backend ipvsadm --listen "127.0.0.1:$PORT" \
    --state-dir "$state_dir" --admin-token "$TOKEN" --log-level warn >"$log" 2>&1 &
  serve_pid=$!
  for ((_i = 0; _i < 200; _i++)); do
    grep -q '^listening on ' "$log" && return 0
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.3
  done
  echo "# agent did not come up; its output:"; sed 's/^/#   /' "$log"
  return 1
}

stop_agent() { # SIGTERM, wait up to ~15 s, then SIGKILL
  local _i
  [[ -n $serve_pid ]] || return 0
  kill -TERM "$serve_pid" 2>/dev/null || :
  for ((_i = 0; _i < 50; _i++)); do
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.3
  done
  if kill -0 "$serve_pid" 2>/dev/null; then
    kill -KILL "$serve_pid" 2>/dev/null || :
    echo "# agent needed SIGKILL"
  fi
  wait "$serve_pid" 2>/dev/null || :
  serve_pid=""
}

# api PROCEDURE [JSON]: a query (GET) without JSON, a mutation (POST) with
# it. Prints the response body; returns 1 unless it is a tRPC result.
api() {
  local proc=$1 body=${2:-} out
  local args=(-sS --max-time 90 -H "authorization: Bearer $TOKEN")
  [[ -n $body ]] && args+=(-X POST -H 'content-type: application/json' --data-binary "$body")
  out=$(topo_exec "$NAME" lvs curl "${args[@]}" "$API/$proc" 2>&1) || :
  printf '%s\n' "$out"
  [[ $out == '{"result":'* ]]
}

revision=0
# commit LABEL PROCEDURE JSON-WITHOUT-baseRevision: a mutation on the
# current revision; sets $revision and $lines (the ipvsadm lines that ran,
# one per line). Returns 1 (after a FAIL line) when the agent refused.
lines=""
commit() {
  local label=$1 proc=$2 json=$3 out
  if ! out=$(api "$proc" "{\"baseRevision\":$revision,${json#\{}"); then
    fail "$label: $proc refused: ${out:0:400}"
    return 1
  fi
  [[ $out =~ \"revision\":([0-9]+) ]] && revision=${BASH_REMATCH[1]}
  lines=$(grep -o '"lines":\[[^]]*\]' <<<"$out" | sed 's/^"lines":\[//; s/\]$//' | grep -o '"[^"]*"' | tr -d '"') || lines=""
  return 0
}

# ---------------------------------------------------------------- traffic
spread() { topo_requests "$NAME" "$1" | topo_histogram; }
hist_total() { # "rs1=3 rs2=4" -> 7 (no new process)
  local kv sum=0
  for kv in $1; do sum=$((sum + ${kv#*=})); done
  echo "$sum"
}

# wait_loop_requests RAW PID COUNT CAP [AWK-START]: wait until a request
# loop writing "@CODE" lines to RAW has finished COUNT requests (after the
# line matching AWK-START, when given), while the loop (PID) runs, for at
# most CAP seconds. The budget is a count; the cap only stops a hung loop.
wait_loop_requests() {
  local raw=$1 pid=$2 count=$3 cap=$4 start=${5:-} _i done_
  for ((_i = 0; _i < cap * 4; _i++)); do
    if [[ -n $start ]]; then
      done_=$(awk "$start { on = 1; next } on && /^@[0-9][0-9][0-9]\$/ { n++ } END { print n + 0 }" "$raw")
    else
      done_=$(grep -c '^@[0-9][0-9][0-9]$' "$raw") || :
    fi
    ((done_ >= count)) && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.25
  done
  return 1
}

# A held connection: the client opens a TCP connection to the VIP and sends
# the request line but not the blank line that ends the headers, so the
# real server waits (busybox httpd allows 60 s) and the connection stays
# ESTABLISHED until held_finish lets the client finish the request. Sets
# $held_pid and $held_rs (rsN the director sent it to, from ipvsadm -Lnc).
held_pid="" held_rs="" held_fifo=""
held_start() { # tag
  local tag=$1 _i dest
  held_fifo=$work/$tag.go
  mkfifo "$held_fifo"
  # shellcheck disable=SC2016  # expanded by the inner bash
  topo_exec "$NAME" cli timeout 90 bash -c '
    exec 3<>"/dev/tcp/$1/80" || exit 3
    printf "GET / HTTP/1.0\r\nHost: %s\r\n" "$1" >&3
    exec 4<>"$2"
    read -r -t 80 -u 4 _ || exit 4
    printf "\r\n" >&3
    cat <&3' _ "$VIP" "$held_fifo" >"$work/$tag.body" 2>&1 &
  held_pid=$!
  bg_pids+=("$held_pid")
  held_rs=""
  for ((_i = 0; _i < 30; _i++)); do
    dest=$(held_dest) || :
    if [[ -n $dest ]]; then
      held_rs=rs${dest##*.1}
      return 0
    fi
    sleep 0.3
  done
  return 1
}

held_dest() { # the real server of the ESTABLISHED connection to the VIP, if any
  ipvs -Lnc 2>/dev/null | awk '$3 == "ESTABLISHED" && $5 == "'"$VIP"':80" { sub(/:[0-9]+$/, "", $6); print $6; exit }'
}

held_still_open() { # label: still ESTABLISHED to the same server after the change and the requests
  local dest
  dest=$(held_dest) || :
  if kill -0 "$held_pid" 2>/dev/null && [[ -n $dest && rs${dest##*.1} == "$held_rs" ]]; then
    pass "$1: the held connection to $held_rs is still ESTABLISHED after the change and the requests"
  else
    fail "$1: the held connection to $held_rs is gone (ipvsadm -Lnc shows [${dest}])"
  fi
}

held_finish() { # label tag -> PASS/FAIL: the request completes with 200 from $held_rs
  local label=$1 tag=$2 status last
  exec 5<>"$held_fifo"
  echo go >&5
  exec 5>&-
  wait "$held_pid" 2>/dev/null || :
  status=$(head -n1 "$work/$tag.body" | tr -d '\r') || :
  last=$(tail -n1 "$work/$tag.body" | tr -d '\r') || :
  if [[ $status == "HTTP/1."[01]" 200"* && $last == "$held_rs" ]]; then
    pass "$label: the held connection completed: $status, body $last"
  else
    fail "$label: the held connection ended with [$status] [$last], want 200 from $held_rs"
  fi
}

# ================================================================= setup
t0=$EPOCHREALTIME
if ! topo_up "$NAME" nat; then
  fail "topology setup (nat)"
  report_summary
  exit 1
fi
note "topology up in $(elapsed_since "$t0") s"

t0=$EPOCHREALTIME
if start_agent "$work/serve1.log"; then
  pass "agent serve --backend ipvsadm is up in the director namespace ($(elapsed_since "$t0") s): $(grep '^state:' "$work/serve1.log" | sed 's/^state: *//')"
else
  fail "agent serve did not start"
  report_summary
  exit 1
fi
if out=$(api state.get) && [[ $out =~ \"revision\":([0-9]+) ]]; then
  revision=${BASH_REMATCH[1]}
else
  fail "state.get: ${out:0:300}"
fi

# ================================================================= replace
dests=""
for i in 1 2 3; do
  dests+="${dests:+,}{\"address\":\"$(rs_ip "$i")\",\"port\":80,\"forwarding\":\"masq\",\"weight\":1}"
done
if commit "replace" state.replace "{\"state\":{\"services\":[{\"key\":$SVC,\"scheduler\":\"wrr\",\"destinations\":[$dests]}]}}"; then
  pass "state.replace wrr 1:1:1 applied ($(wc -l <<<"$lines") ipvsadm lines, revision $revision)"
fi
table_wrr=$(printf '%s\n' "-A -t $VIP:80 -s wrr" \
  "-a -t $VIP:80 -r $(rs_ip 1):80 -m -w 1" "-a -t $VIP:80 -r $(rs_ip 2):80 -m -w 1" "-a -t $VIP:80 -r $(rs_ip 3):80 -m -w 1")
check_lines "replace: ipvsadm -Sn" "$(ipvs -Sn)" "$table_wrr"
check_eq "replace: wrr 1:1:1, 30 requests" "$(spread 30)" "rs1=10 rs2=10 rs3=10"

# ================================================================= weight
ref() { printf '{"address":"%s","port":80}' "$(rs_ip "${1#rs}")"; }
if commit "weight" destinations.setWeight "{\"service\":$SVC,\"destination\":$(ref rs1),\"weight\":3}"; then
  check_eq "weight: setWeight rs1=3 runs one edit" "$lines" "ipvsadm -e -t $VIP:80 -r $(rs_ip 1):80 -m -w 3"
fi
check_eq "weight: wrr 3:1:1 moves the spread, 50 requests" "$(spread 50)" "$weight_expect"

# ================================================================= quiesce
t0=$EPOCHREALTIME
if held_start quiesce; then
  x=$held_rs
  declare -A weight_of=([rs1]=3 [rs2]=1 [rs3]=1)
  if commit "quiesce" destinations.setWeight "{\"service\":$SVC,\"destination\":$(ref "$x"),\"weight\":0}"; then
    check_eq "quiesce: setWeight $x=0 runs one edit" "$lines" "ipvsadm -e -t $VIP:80 -r $(rs_ip "${x#rs}"):80 -m -w 0"
  fi
  got=$(spread 20) || :
  if [[ $got != *"$x="* && $got != *TIMEOUT* && $got != *HTTP* ]] && (($(hist_total "$got") == 20)); then
    pass "quiesce: weight 0 on $x: 20 new requests, none on it: $got"
  else
    fail "quiesce: weight 0 on $x: got [$got], want 20 answered and none on $x"
  fi
  held_still_open "quiesce"
  held_finish "quiesce: weight 0" quiesce
  note "quiesce: $(elapsed_since "$t0") s"
  # Back to 3:1:1.
  commit "quiesce undo" destinations.setWeight "{\"service\":$SVC,\"destination\":$(ref "$x"),\"weight\":${weight_of[$x]}}" || :
else
  fail "quiesce: the held connection did not show up in ipvsadm -Lnc"
fi

# ================================================================= persistence
if commit "persist" services.setPersistence "{\"service\":$SVC,\"persistence\":{\"timeout\":60}}"; then
  check_eq "persist: setPersistence 60 runs one service edit" "$lines" "ipvsadm -E -t $VIP:80 -s wrr -p 60"
fi
got=$(spread 12) || :
if [[ $got =~ ^rs[123]=12$ ]]; then
  pass "persist: -p 60 keeps the client on one server: $got"
else
  fail "persist: got [$got], want all 12 on one server"
fi
commit "persist off" services.setPersistence "{\"service\":$SVC,\"persistence\":null}" || :

# ================================================================= scheduler
t0=$EPOCHREALTIME
if held_start scheduler; then
  if commit "scheduler" services.setScheduler "{\"service\":$SVC,\"scheduler\":\"rr\"}"; then
    check_eq "scheduler: wrr -> rr edits the service in place (no delete/re-add)" "$lines" "ipvsadm -E -t $VIP:80 -s rr"
  fi
  check_eq "scheduler: rr takes effect, 30 requests" "$(spread 30)" "rs1=10 rs2=10 rs3=10"
  held_still_open "scheduler"
  held_finish "scheduler: wrr -> rr" scheduler
  note "scheduler: $(elapsed_since "$t0") s"
else
  fail "scheduler: the held connection did not show up in ipvsadm -Lnc"
fi

# ================================================================= health
# The agent probes each real server over HTTP from the director namespace;
# a failed server gets weight 0 in the kernel while the desired state keeps
# its configured weight. The claim checked: after the check notices (the
# kernel shows weight 0), no request fails.
t0=$EPOCHREALTIME
kernel_weight() { # rsN -> its weight in the kernel (ipvsadm -Ln), or "none"
  ipvs -Ln | awk -v rs="$(rs_ip "${1#rs}"):80" '$1 == "->" && $2 == rs { print $4; found = 1; exit } END { if (!found) print "none" }'
}
wait_weight() { # rsN weight limit-seconds: 0 when the kernel shows it in time
  local _i
  for ((_i = 0; _i < $3 * 4; _i++)); do
    [[ $(kernel_weight "$1") == "$2" ]] && return 0
    sleep 0.25
  done
  return 1
}
# Generous probe timeout: with 0.7 s, healthy servers failed their checks at
# load average 16 (weight 0, requests failed, the table changed under the
# restart check). A killed httpd is refused at once, so detection stays quick.
health_check='{"kind":"http","path":"/","intervalMs":3000,"timeoutMs":2500,"rise":1,"fall":2,"warmupMs":0}'
# Notifications (issue 17): a receiver on loopback, the agent's webhook at it
# (repeat interval 1 s, the least: the "resolved" must not wait a minute).
hooks=$work/webhooks.log
: >"$hooks"
ip netns exec "$NAME-lvs" node "$here/lib/webhook-receiver.mjs" "$HOOK_PORT" "$hooks" >"$work/receiver.out" 2>&1 &
bg_pids+=("$!")
hook_settings='{"enabled":true,"groupWaitMs":200,"repeatIntervalMs":1000,"webhooks":[{"id":"bed","name":"bed receiver","url":"http://127.0.0.1:'$hook_url_port'/hook","mode":"json","token":"'$HOOK_TOKEN'","kinds":[],"enabled":true}]}'
if out=$(api notifications.update "$hook_settings"); then
  note "notify: webhook set to http://127.0.0.1:$hook_url_port/hook (receiver on :$HOOK_PORT)"
else
  fail "notify: notifications.update refused: ${out:0:300}"
fi
# wait_hook PATTERN CAP: until the receiver logged a line matching PATTERN
# (grep -E), at most CAP s by the clock (a loaded guest's loop turns take
# far longer than their sleep).
wait_hook() {
  local until=$((SECONDS + $2))
  while ((SECONDS < until)); do
    grep -Eq "$1" "$hooks" && return 0
    sleep 0.25
  done
  grep -Eq "$1" "$hooks"
}
# metric_healthy rsN: the value of lvs_destination_healthy for rsN in /metrics, or "none".
metric_healthy() {
  local text
  text=$(topo_exec "$NAME" lvs curl -sS --max-time 60 -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/metrics" 2>&1) || :
  awk -v want="lvs_destination_healthy{service=\"tcp:$VIP:80\",destination=\"$(rs_ip "${1#rs}"):80\"}" '$1 == want { print $2; found = 1; exit } END { if (!found) print "none" }' <<<"$text"
}
hook_report() { # what the receiver got and what the agent says it sent, as notes
  note "notify: the receiver got: $(tr '\n' ';' <"$hooks" | head -c 600)"
  note "notify: the agent's delivery log: $(api notifications.log | head -c 600)"
}
if commit "health" state.replace "{\"state\":{\"services\":[{\"key\":$SVC,\"scheduler\":\"rr\",\"destinations\":[$dests],\"health\":{\"checks\":[$health_check]}}]}}"; then
  pass "health: HTTP checks configured through the agent (revision $revision)"
fi
if wait_weight rs2 1 30; then
  pass "health: all real servers pass their checks (rs2 weight $(kernel_weight rs2))"
else
  fail "health: rs2 has weight [$(kernel_weight rs2)] in the kernel, want 1 with its check passing"
fi
noticed=$work/health-noticed
stop_health=$work/health-stop
# At most 600 requests, one per round, until the stop file appears; the
# line "@@noticed" marks the moment the kernel showed rs2 at weight 0.
# Each request may take 20 s: a loaded TCG guest answers slowly, and a slow
# answer is not the failure this check looks for (a request sent to rs2).
# shellcheck disable=SC2016  # expanded by the inner bash
topo_exec "$NAME" cli bash -c '
  marked=0
  for ((i = 0; i < 600; i++)); do
    [[ -e $2 ]] && break
    if ((marked == 0)) && [[ -e $1 ]]; then echo "@@noticed"; marked=1; fi
    curl -sS --max-time 20 --connect-timeout 15 -H "Connection: close" -w "\n@%{http_code}\n" "$3" 2>/dev/null
    sleep 0.05
  done' _ "$noticed" "$stop_health" "http://$VIP/" >"$work/health.raw" &
health_loop=$!
bg_pids+=("$health_loop")
sleep 1
rs2_pids=$(ip netns pids "$NAME-rs2") || rs2_pids=""
# shellcheck disable=SC2086  # one pid per word
[[ -n $rs2_pids ]] && kill $rs2_pids 2>/dev/null || :
t_kill=$EPOCHREALTIME
if wait_weight rs2 0 60; then
  : >"$noticed"
  pass "health: rs2's httpd killed -> weight 0 in the kernel after $(elapsed_since "$t_kill") s"
else
  : >"$noticed"
  fail "health: rs2's weight is [$(kernel_weight rs2)] 60 s after its httpd was killed, want 0"
fi
rs2_dest=$(rs_ip 2):80
if wait_hook "^ALERT firing destination-down $rs2_dest " 60; then
  pass "notify: rs2's httpd killed -> the webhook receiver got destination-down firing for $rs2_dest ($(elapsed_since "$t_kill") s after the kill): $(grep -m 1 "^ALERT firing destination-down $rs2_dest " "$hooks" | cut -d' ' -f5-)"
  if grep -q '^REQUEST POST /hook auth=bearer ' "$hooks"; then
    pass "notify: the webhook came as POST /hook with the bearer token"
  else
    fail "notify: the webhook came without the bearer token: $(grep -m 1 '^REQUEST' "$hooks")"
  fi
else
  fail "notify: no destination-down firing for $rs2_dest reached the receiver within 60 s of the kernel showing weight 0"
  hook_report
fi
check_eq "notify: /metrics shows $metric_rs down (lvs_destination_healthy)" "$(metric_healthy "$metric_rs")" 0
# Budget by count, not by time: a slow guest gets the same number of
# requests after the check noticed, it just takes longer (cap 180 s).
wait_loop_requests "$work/health.raw" "$health_loop" "$HEALTH_AFTER" 180 '/^@@noticed$/' || :
: >"$stop_health"
wait "$health_loop" 2>/dev/null || :
after=$(awk '
  /^@@noticed$/ { on = 1; next }
  /^@[0-9][0-9][0-9]$/ { if (on) { n++; if ($0 != "@200") bad++ } ; next }
  END { printf "%d %d\n", n, bad + 0 }' "$work/health.raw")
read -r after_total after_failed <<<"$after"
before_failed=$(awk '/^@@noticed$/ { exit } /^@[0-9][0-9][0-9]$/ && $0 != "@200" { bad++ } END { print bad + 0 }' "$work/health.raw")
if ((after_total >= HEALTH_AFTER && after_failed == 0)); then
  pass "health: after the check noticed, $after_total requests and none failed ($before_failed failed before it noticed)"
else
  fail "health: after the check noticed, $after_failed of $after_total requests failed (want >= $HEALTH_AFTER requests, 0 failed)"
  # Which codes (000: no answer within the limit or refused) and what the kernel shows now.
  note "health: codes after the check noticed: $(awk '/^@@noticed$/ { on = 1; next } on && /^@[0-9][0-9][0-9]$/ { print substr($0, 2) }' "$work/health.raw" | topo_histogram); kernel weights rs1=$(kernel_weight rs1) rs2=$(kernel_weight rs2) rs3=$(kernel_weight rs3)"
fi
if out=$(api state.get) && [[ $out == *"\"address\":\"$(rs_ip 2)\",\"port\":80,\"forwarding\":\"masq\",\"weight\":1"* ]]; then
  pass "health: the desired state keeps rs2's configured weight 1"
else
  fail "health: the desired state lost rs2's configured weight: ${out:0:300}"
fi
topo_exec "$NAME" rs2 busybox httpd -p 80 -h "$TOPO_WWW/$NAME-rs2" || :
if wait_weight rs2 1 20; then
  pass "health: rs2's httpd back -> weight 1 again"
else
  fail "health: rs2's weight is [$(kernel_weight rs2)] after its httpd came back, want 1"
fi
# The all-clear is its own kind (destination-up) with status resolved, same key.
if wait_hook "^ALERT resolved destination-up $rs2_dest " 60; then
  pass "notify: rs2's httpd back -> the receiver got destination-up resolved for $rs2_dest: $(grep -m 1 "^ALERT resolved destination-up $rs2_dest " "$hooks" | cut -d' ' -f5-)"
else
  fail "notify: no destination-up resolved for $rs2_dest reached the receiver within 60 s of rs2's weight coming back"
  hook_report
fi
check_eq "notify: /metrics shows rs2 up again (lvs_destination_healthy)" "$(metric_healthy rs2)" 1
note "health: $(elapsed_since "$t0") s"

# ================================================================= restart
t0=$EPOCHREALTIME
table_before=$(ipvs -Sn)
rev_before=$revision
stop_file=$work/stop-loop
# The loop: at most 150 rounds of two requests each (one curl per round),
# until the stop file appears; one line per request.
# shellcheck disable=SC2016  # expanded by the inner bash
topo_exec "$NAME" cli bash -c '
  for ((i = 0; i < 300; i++)); do
    [[ -e $1 ]] && break
    curl -sS --max-time 3 --connect-timeout 3 -H "Connection: close" -w "\n@%{http_code}\n" "$2" "$2" 2>/dev/null
  done' _ "$stop_file" "http://$VIP/" >"$work/loop.raw" &
loop_pid=$!
bg_pids+=("$loop_pid")
# Counts, not sleeps: the loop is under way before the agent stops, and
# goes on for at least RESTART_AFTER more requests after it is back.
wait_loop_requests "$work/loop.raw" "$loop_pid" 2 120 || :
stop_agent
check_lines "restart: the table stays while the agent is down" "$(ipvs -Sn)" "$table_before"
if start_agent "$work/serve2.log"; then
  state_line=$(grep '^state:' "$work/serve2.log" | sed 's/^state: *//') || :
  if [[ $state_line == *"the kernel matches revision $rev_before"* ]]; then
    pass "restart: the agent came back in sync: $state_line"
  else
    fail "restart: start outcome [$state_line], want 'the kernel matches revision $rev_before'"
  fi
else
  fail "restart: the agent did not come back"
fi
check_lines "restart: ipvsadm -Sn after the restart" "$(ipvs -Sn)" "$table_before"
if out=$(api state.get) && [[ $out =~ \"revision\":([0-9]+) ]]; then
  check_eq "restart: desired state revision" "${BASH_REMATCH[1]}" "$rev_before"
else
  fail "restart: state.get after the restart: ${out:0:300}"
fi
loop_done=$(grep -c '^@[0-9][0-9][0-9]$' "$work/loop.raw") || :
wait_loop_requests "$work/loop.raw" "$loop_pid" $((loop_done + RESTART_AFTER)) 120 || :
: >"$stop_file"
wait "$loop_pid" 2>/dev/null || :
loop_hist=$(awk '
  /^@[0-9][0-9][0-9]$/ { code = substr($0, 2); if (code == "200") print body; else if (code == "000") print "TIMEOUT"; else print "HTTP" code; body = ""; next }
  NF { body = body $0 }' "$work/loop.raw" | topo_histogram)
loop_total=$(hist_total "$loop_hist")
if [[ $loop_hist != *TIMEOUT* && $loop_hist != *HTTP* ]] && ((loop_total >= 6)); then
  pass "restart: $loop_total requests during stop + start, none failed: $loop_hist"
else
  fail "restart: requests during stop + start: [$loop_hist] ($loop_total), want >= 6 and no failures"
fi
note "restart: $(elapsed_since "$t0") s"

stop_agent
note "agent-traffic suite: $(elapsed_since "$suite_t0") s"
report_summary
