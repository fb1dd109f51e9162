#!/usr/bin/env bash
# bench.sh - issue 7's speed targets for the agent's ipvsadm backend, measured
# side by side with plain ipvsadm on the real kernel. Runs inside the
# kernel-bed guest, as root; NOT part of the default guest-suites.sh run
# (minutes of TCG time): `e2e/kernel/run.sh bench`, or `npm run bench`
# (e2e/bench/kernel.bench.mjs).
#
#   node e2e/kernel/suites/build-driver.mjs bench     # on the HOST first (run.sh does it)
#   vm-run.sh -m 2G -- e2e/kernel/suites/bench.sh [DRIVER.mjs]
#
# Each measurement in a FRESH network namespace (lo up, a dummy link owning
# 198.18.0.0/15 so the real servers are valid), with a table of
# BENCH_SERVICES (10,000) NAT wlc services × BENCH_DESTS (10) real servers:
#   1. initial apply: `ipvsadm -R` of the rules vs the agent's
#      IpvsadmBackend.apply(plan(table, empty)) of the same table (the rules
#      ARE the agent's -R lines), alternating which goes first over
#      BENCH_APPLY_ROUNDS (1) rounds. Not `ipvsadm -C` between: a flush
#      leaves the 100,000 deleted real servers in the kernel's destination
#      trash (ip_vs_trash_get_dest() scans it on every add, until the trash
#      timer empties it), and an -R right after a flush took 7x as long here
#      (180 s instead of 25 s). BENCH_AFTER_FLUSH=1 measures exactly that
#      too, as ipvsadm-R-10k-after-flush.
#   2. observe: `ipvsadm -Sn` + `ipvsadm -Ln --exact --stats` vs
#      IpvsadmBackend.observe() on the agent's table, BENCH_OBSERVE_ROUNDS (2)
#      rounds alternating which goes first, after one cold observe (a new
#      backend: it also reads the thresholds it has not seen)
#   3. the netlink backend (issue 18), side by side in the same run:
#      NetlinkBackend.apply() of the same table in a fresh namespace (same
#      rounds as 1., baseline the same `ipvsadm -R` times) and its observe()
#      against the same baseline as 2.; then 1 Hz sampling of a
#      BENCH_SAMPLE_SERVICES (1,000) x 10 table for BENCH_SAMPLE_SECONDS (30)
#      with each backend: CPU share of one core (ipvsadm's runs included),
#      through the agent's sampling path (KernelBackend.sample): the idle
#      table (netlink reads every service row and a 1/5 share of the
#      destination lists each second), and netlink with every service marked
#      busy (every list read each second, the worst case); and the floor
#      under any 1 Hz reading of every service's counters: the GET_SERVICE
#      dump alone, received (netlink-service-dump-1k-1hz-cpu), then also
#      decoded (…-decoded-…), with no destination list. The ipvsadm
#      baseline samples for BENCH_SAMPLE_SECONDS_IPVSADM (10): each of its
#      samples reads the whole table (16 s at load average 13).
#   4. one weight change, API to kernel, on that 1,000 x 10 table: the
#      table made the agent's desired state (`lvs-console apply`), then
#      `lvs-console serve --backend B` and BENCH_WEIGHT_CHANGES (50)
#      destinations.setWeight requests over HTTP, one at a time, each timed
#      from the request to its answer (the answer comes once the kernel has
#      the change), for netlink and ipvsadm; p99 and p50; the kernel's
#      weights are checked against the last ones set. The driver prints the
#      figures so far after every change, so a backend cut off by the part
#      deadline still gets a p50/p99 over the changes it finished (noted as
#      cut off; its checks fail).
#      BENCH_NETLINK=0 leaves 3. and 4. out.
# BENCH_PROFILE=1 runs the netlink observe and sampling drivers under
# `node --cpu-prof` and prints each profile's top functions by self time as
# "# profile: ..." notes (where the guest's time goes: decode, the addon's
# send/receive, GC, idle). BENCH_RECORD=1 first prints the kernel's
# GET_SERVICE / GET_DEST dump messages of a small mixed table as
# "# record ..." notes (the codec tests' fixtures come from there).
# BENCH_PARTS picks the parts (default all): ipvsadm-apply ipvsadm-observe
# netlink-apply netlink-observe sample weight. `ipvsadm -R` always runs (the
# baseline, and the table the observe parts read when their backend's apply
# is left out). Each node run has a deadline, BENCH_PART_LIMIT seconds
# (default 1200): a part that runs out fails alone and the next one runs.
# Output: "# ..." notes, and each result as soon as it is measured, in
# `npm run bench`'s format:
#   BENCH {"name":"ipvsadm-backend-observe-10k","value":S,"unit":"s","baseline":{...}}
# (medians over the rounds), the ratios as "# ratio ..." notes, and a closing
# "N passed, N failed" (the checks: every change applied, the table complete).
# A loaded TCG guest runs 3-7x slower: the bed's 1500 s did not hold every
# part at 10,000 x 10, so e.g. BENCH_PARTS="netlink-observe sample weight"
# measures issue 18's figures alone.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$here/../.." && pwd)
driver=${1:-$repo/.cache/kernel/bench-driver.mjs}
cli=$repo/apps/agent/dist/lvs-console.js
services=${BENCH_SERVICES:-10000}
dests=${BENCH_DESTS:-10}
apply_rounds=${BENCH_APPLY_ROUNDS:-1}
observe_rounds=${BENCH_OBSERVE_ROUNDS:-2}
part_limit=${BENCH_PART_LIMIT:-1200}
with_netlink=${BENCH_NETLINK:-1}
parts=" ${BENCH_PARTS:-ipvsadm-apply ipvsadm-observe netlink-apply netlink-observe sample weight} "
if ((!with_netlink)); then parts=${parts/ netlink-apply / }; parts=${parts/ netlink-observe / }; parts=${parts/ sample / }; parts=${parts/ weight / }; fi
# shellcheck source=../lib/report.sh
source "$here/lib/report.sh"
part() { [[ $parts == *" $1 "* ]]; }

if [[ ${LVS_IN_GUEST:-} != 1 && ! -r /proc/net/ip_vs ]]; then
  echo "bench.sh: needs a kernel with IPVS; run it through e2e/kernel/vm-run.sh" >&2
  exit 2
fi
if [[ ! -f $driver ]]; then
  echo "FAIL  bench driver $driver missing (node e2e/kernel/suites/build-driver.mjs bench on the host)"
  echo "0 passed, 1 failed"
  exit 1
fi

work=$(mktemp -d /tmp/lvs-bench.XXXXXX)
namespaces=()
cleanup() {
  local ns
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || :; done
  rm -rf "$work"
}
trap cleanup EXIT

modprobe -a ip_vs ip_vs_wlc dummy 2>/dev/null || :
# fresh_ns: a new namespace where real servers are valid; its name in $NS.
# Namespaces stay until the end: deleting one with 110,000 entries makes the
# kernel clean up in the background, under the next measurement.
fresh_ns() {
  NS=lvsbench${#namespaces[@]}
  ip netns del "$NS" 2>/dev/null || :
  ip netns add "$NS"
  namespaces+=("$NS")
  ip -n "$NS" -b - <<EOF
link set lo up
link add bench0 type dummy
link set bench0 up
addr add 198.18.0.1/15 dev bench0
EOF
}
fresh_ns
inns() { ip netns exec "$NS" "$@"; }
# limited WHAT CMD...: CMD in $NS with the part deadline. Called inside $(...):
# a timeout is noted in $work/deadlines and counted as a failure at the end.
limited() {
  local what=$1 rc=0
  shift
  timeout -k 5 "$part_limit" ip netns exec "$NS" "$@" || rc=$?
  if ((rc == 124)); then
    echo "# bench: $what: deadline of ${part_limit}s (BENCH_PART_LIMIT) reached" >&2
    echo "$what" >>"$work/deadlines"
  fi
  return "$rc"
}

now() { printf '%s' "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
json_field() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" <<<"$1" | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b }'; }
# bench NAME VALUE UNIT [BASELINE_NAME BASELINE_VALUE]: one result line, at once (nothing when VALUE is empty).
bench() {
  [[ -n $2 ]] || return 0
  if [[ -n ${4:-} && -n ${5:-} ]]; then
    echo "BENCH {\"name\":\"$1\",\"value\":$2,\"unit\":\"$3\",\"baseline\":{\"name\":\"$4\",\"value\":$5,\"unit\":\"$3\"}}"
  else
    echo "BENCH {\"name\":\"$1\",\"value\":$2,\"unit\":\"$3\"}"
  fi
}

profile=${BENCH_PROFILE:-0}
# node_prof NAME: node's argv for a driver run, under --cpu-prof into $work/prof-NAME when BENCH_PROFILE=1.
node_prof() {
  if ((profile)); then
    mkdir -p "$work/prof-$1"
    echo node --cpu-prof --cpu-prof-dir="$work/prof-$1"
  else
    echo node
  fi
}
# profile_notes NAME: the top functions of that run's profile.
profile_notes() {
  ((profile)) || return 0
  local file
  for file in "$work/prof-$1"/*.cpuprofile; do
    if [[ -f $file ]]; then inns node "$driver" profile-summary "$file" 25 || :; fi
  done
}

if [[ ${BENCH_RECORD:-0} == 1 ]]; then
  # The kernel's own dump messages for a small table of every kind, as notes.
  fresh_ns
  modprobe -a ip_vs_sh ip_vs_rr 2>/dev/null || :
  inns ipvsadm -R <<'RULES' || echo "# record: ipvsadm -R of the record table failed"
-A -t 198.18.0.1:80 -s wlc
-a -t 198.18.0.1:80 -r 198.18.64.1:8080 -m -w 3
-a -t 198.18.0.1:80 -r 198.18.64.2:8080 -m -w 1 -x 100 -y 50
-A -u [2001:db8::10]:53 -s sh -b sh-port -p 120 -M 64
-a -u [2001:db8::10]:53 -r [2001:db8::20]:53 -g -w 2
-A -f 7 -s rr -p 600 -M 255.255.255.0
-a -f 7 -r 198.18.64.3:0 -i -w 4 --tun-type gue --tun-port 6080 --tun-csum
-a -f 7 -r 198.18.64.4:0 -i -w 0
RULES
  inns ipvsadm -Ln --exact --stats | sed 's/^/# record table: /'  || :
  inns node "$driver" netlink-record | sed 's/^/# /' || :
fi

echo "# bench: parts:$parts; $services services x $dests real servers, $((services * (dests + 1))) lines; part deadline ${part_limit}s"
inns node "$driver" rules "$services" "$dests" >"$work/rules"
echo "# bench: rules $(wc -l <"$work/rules") lines, $(wc -c <"$work/rules") bytes"

# ---------------------------------------------------------------- 1. apply
restore_times=() agent_times=() restore_ns=""
restore_once() {
  fresh_ns
  restore_ns=$NS
  local t0 t1 err
  t0=$(now)
  inns ipvsadm -R <"$work/rules" 2>"$work/restore.err"
  t1=$(now)
  err=$(grep -cv '^$' "$work/restore.err" || :)
  restore_times+=("$(secs "$t0" "$t1")")
  echo "# ipvsadm -R: ${restore_times[-1]} s, $err stderr lines"
  check_eq "ipvsadm -R of $services x $dests: no stderr" "$err" 0
}
agent_ns=""
agent_once() {
  part ipvsadm-apply || return 0
  fresh_ns
  agent_ns=$NS
  local t0 t1 line failed plan apply
  t0=$(now)
  line=$(limited "ipvsadm backend apply" node "$driver" apply "$services" "$dests") || :
  t1=$(now)
  # The figure: plan() + apply() inside the agent process (not node's start
  # and building the desired table, which any way of applying needs).
  plan=$(json_field "$line" planS)
  apply=$(json_field "$line" applyS)
  [[ -n $apply ]] && agent_times+=("$(awk -v a="${plan:-0}" -v b="${apply:-0}" 'BEGIN { printf "%.3f", a + b }')")
  echo "# agent apply: plan+apply ${agent_times[-1]:-none} s, whole process $(secs "$t0" "$t1") s; driver: $line"
  failed=$(json_field "$line" failed)
  check_eq "agent apply of $services x $dests: every change applied" "${failed:-missing}" 0
}
netlink_times=() netlink_ns=""
netlink_once() {
  part netlink-apply || return 0
  fresh_ns
  netlink_ns=$NS
  local t0 t1 line failed plan apply
  t0=$(now)
  line=$(limited "netlink backend apply" node "$driver" netlink-apply "$services" "$dests") || :
  t1=$(now)
  plan=$(json_field "$line" planS)
  apply=$(json_field "$line" applyS)
  [[ -n $apply ]] && netlink_times+=("$(awk -v a="${plan:-0}" -v b="${apply:-0}" 'BEGIN { printf "%.3f", a + b }')")
  echo "# netlink apply: plan+apply ${netlink_times[-1]:-none} s, whole process $(secs "$t0" "$t1") s; driver: $line"
  failed=$(json_field "$line" failed)
  check_eq "netlink apply of $services x $dests: every change applied" "${failed:-missing}" 0
}
for ((round = 0; round < apply_rounds; round++)); do
  if ((round % 2 == 0)); then restore_once; agent_once; netlink_once; else netlink_once; agent_once; restore_once; fi
done
restore=$(median <<<"${restore_times[*]}")
bench ipvsadm-R-10k "$restore" s
if part netlink-apply; then
  NS=$netlink_ns
  count=$(inns ipvsadm -Sn | grep -c '^-a' || :)
  check_eq "table after the netlink apply: $((services * dests)) real servers" "$count" "$((services * dests))"
  # The same table as ipvsadm -R makes (the rules are the agent's -R lines).
  check_eq "netlink table is the -R table" "$(inns ipvsadm -Sn | sort | md5sum)" "$(ip netns exec "$restore_ns" ipvsadm -Sn | sort | md5sum)"
  nla=$(median <<<"${netlink_times[*]}")
  bench netlink-backend-initial-apply-10k "$nla" s ipvsadm-R-10k "$restore"
  bench netlink-backend-initial-apply-10k-ratio "$(ratio "$nla" "$restore")" x
  echo "# netlink: apply $nla s vs -R $restore s (target <= 0.7x)"
fi
if part ipvsadm-apply; then
  NS=$agent_ns
  count=$(inns ipvsadm -Sn | grep -c '^-a' || :)
  check_eq "table after the agent's apply: $((services * dests)) real servers" "$count" "$((services * dests))"
  agent=$(median <<<"${agent_times[*]}")
  bench ipvsadm-backend-initial-apply-10k "$agent" s ipvsadm-R-10k "$restore"
  bench ipvsadm-backend-initial-apply-10k-ratio "$(ratio "$agent" "$restore")" x
  echo "# ratio apply/ipvsadm -R: $(ratio "$agent" "$restore") (target <= 1.5; agent ${agent_times[*]} | -R ${restore_times[*]})"
fi

# ---------------------------------------------------------------- 2. observe
# Each backend observes the table its own apply made, else the -R table (the same rules).
if part ipvsadm-observe; then
  NS=${agent_ns:-$restore_ns}
  observe_out=$(limited "ipvsadm backend observe" node "$driver" observe "$observe_rounds") || :
  printf '%s\n' "$observe_out" | sed 's/^/# observe driver: /'
  cold=$(json_field "$(grep coldObserveS <<<"$observe_out")" coldObserveS)
  check_eq "observe() sees $services services" "$(json_field "$(grep coldObserveS <<<"$observe_out")" services)" "$services"
  obs_values=$(grep '"round"' <<<"$observe_out" | while read -r l; do json_field "$l" observeS; done | tr '\n' ' ')
  base_values=$(grep '"round"' <<<"$observe_out" | while read -r l; do json_field "$l" baselineS; done | tr '\n' ' ')
  obs=$(median <<<"${obs_values% }")
  base=$(median <<<"${base_values% }")
  bench ipvsadm-backend-observe-10k "$obs" s ipvsadm-Sn-plus-Ln-exact-stats-10k "$base"
  bench ipvsadm-backend-observe-10k-ratio "$(ratio "$obs" "$base")" x
  bench ipvsadm-backend-observe-10k-cold "$cold" s
  echo "# ratio observe/baseline: $(ratio "$obs" "$base") (target <= 1.2; observe $obs_values| baseline $base_values)"
fi
if part netlink-observe; then
  NS=${netlink_ns:-$restore_ns}
  # shellcheck disable=SC2046  # node_prof's words are argv
  nl_out=$(limited "netlink backend observe" $(node_prof observe) "$driver" netlink-observe "$observe_rounds") || :
  printf '%s\n' "$nl_out" | sed 's/^/# netlink observe driver: /'
  nl_cold=$(json_field "$(grep coldObserveS <<<"$nl_out")" coldObserveS)
  check_eq "netlink observe() sees $services services" "$(json_field "$(grep coldObserveS <<<"$nl_out")" services)" "$services"
  check_eq "netlink observe() sees $((services * dests)) real servers" "$(json_field "$(grep coldObserveS <<<"$nl_out")" destinations)" "$((services * dests))"
  nl_obs=$(grep '"round"' <<<"$nl_out" | while read -r l; do json_field "$l" observeS; done | tr '\n' ' ')
  nl_base=$(grep '"round"' <<<"$nl_out" | while read -r l; do json_field "$l" baselineS; done | tr '\n' ' ')
  nlo=$(median <<<"${nl_obs% }")
  nlb=$(median <<<"${nl_base% }")
  bench netlink-backend-observe-10k "$nlo" s ipvsadm-Sn-plus-Ln-exact-stats-10k "$nlb"
  bench netlink-backend-observe-10k-ratio "$(ratio "$nlo" "$nlb")" x
  bench netlink-backend-observe-10k-cold "$nl_cold" s
  echo "# netlink: observe $nlo s vs $nlb s (target <= 0.5x; rounds $nl_obs| baseline $nl_base)"
  profile_notes observe
fi

# ------------------------------------------------- 3. sampling, 4. weight changes
sample_services=${BENCH_SAMPLE_SERVICES:-1000} sample_seconds=${BENCH_SAMPLE_SECONDS:-30}
if part sample || part weight; then
  fresh_ns
  inns node "$driver" rules "$sample_services" 10 >"$work/sample-rules"
  inns ipvsadm -R <"$work/sample-rules"
fi
if part sample; then
  # 1 Hz counter sampling of a 1,000 x 10 table, each backend in turn.
  # shellcheck disable=SC2046  # node_prof's words are argv
  sample_netlink=$(limited "netlink sampling" $(node_prof sample) "$driver" netlink-sample "$sample_seconds") || :
  echo "# sampling netlink: $sample_netlink"
  profile_notes sample
  if ((profile)); then
    # How the number of dump sockets changes the cost of one observation of this table.
    limited "netlink dump socket sweep" node "$driver" netlink-sweep 5 | sed 's/^/# sweep: /' || :
  fi
  check_eq "netlink sampling saw $sample_services services" "$(json_field "$sample_netlink" services)" "$sample_services"
  # The worst case: every service's counters move every second, so every destination list is read.
  sample_busy=$(limited "netlink sampling, all busy" node "$driver" netlink-sample-all-busy "$sample_seconds") || :
  echo "# sampling netlink, every service busy: $sample_busy"
  check_eq "netlink sampling with every service busy reads every destination list" "$(json_field "$sample_busy" destinationReadsPerSample)" "$sample_services"
  # The floor under any 1 Hz reading of 1,000 services' counters: the GET_SERVICE dump alone, received, then decoded.
  sample_floor=$(limited "netlink service dump alone" node "$driver" netlink-sample-floor "$sample_seconds") || :
  echo "# sampling floor, service dump received: $sample_floor"
  sample_floor_decoded=$(limited "netlink service dump decoded" node "$driver" netlink-sample-floor-decoded "$sample_seconds") || :
  echo "# sampling floor, service dump decoded: $sample_floor_decoded"
  check_eq "the service dump alone saw $sample_services services" "$(json_field "$sample_floor_decoded" services)" "$sample_services"
  # ipvsadm reads the whole table per sample (16 s each at load average 13): fewer samples give the same share.
  sample_ipvsadm=$(limited "ipvsadm sampling" node "$driver" ipvsadm-sample "${BENCH_SAMPLE_SECONDS_IPVSADM:-10}") || :
  echo "# sampling ipvsadm: $sample_ipvsadm"
  pct() { [[ -n $1 ]] && awk -v a="$1" 'BEGIN { printf "%.2f", a * 100 }'; }
  share_nl=$(pct "$(json_field "$sample_netlink" sampleCpuShare)") || :
  share_busy=$(pct "$(json_field "$sample_busy" sampleCpuShare)") || :
  share_ip=$(pct "$(json_field "$sample_ipvsadm" sampleCpuShare)") || :
  bench netlink-backend-sample-1k-1hz-cpu "$share_nl" % ipvsadm-backend-sample-1k-1hz-cpu "$share_ip"
  bench netlink-backend-sample-1k-1hz-cpu-all-busy "$share_busy" % ipvsadm-backend-sample-1k-1hz-cpu "$share_ip"
  bench netlink-service-dump-1k-1hz-cpu "$(pct "$(json_field "$sample_floor" sampleCpuShare)")" % netlink-backend-sample-1k-1hz-cpu "$share_nl"
  bench netlink-service-dump-decoded-1k-1hz-cpu "$(pct "$(json_field "$sample_floor_decoded" sampleCpuShare)")" % netlink-backend-sample-1k-1hz-cpu "$share_nl"
  # Near 100 % a loaded guest did not keep 1 Hz: then the CPU seconds per sample are what compares.
  echo "# sampling, CPU seconds per sample: netlink idle $(json_field "$sample_netlink" cpuSecondsPerSample), netlink all busy $(json_field "$sample_busy" cpuSecondsPerSample), ipvsadm $(json_field "$sample_ipvsadm" cpuSecondsPerSample)"
fi
if part weight; then
  # 4. One weight change, API to kernel, on the same table, each backend.
  weight_changes=${BENCH_WEIGHT_CHANGES:-50}
  declare -A weight_p99=() weight_p50=()
  for backend in netlink ipvsadm; do
    if [[ ! -f $cli ]]; then
      fail "weight changes ($backend): no agent CLI at $cli (run.sh builds it)"
      continue
    fi
    state=$work/weight-state-$backend
    # The kernel already holds the table: apply only makes it the desired state.
    if ! limited "lvs-console apply ($backend)" node "$cli" apply "$work/sample-rules" --backend "$backend" --state-dir "$state" >"$work/weight-apply.out" 2>&1; then
      fail "weight changes ($backend): lvs-console apply of the sampling table: $(tail -n 3 "$work/weight-apply.out" | tr '\n' ' ')"
      continue
    fi
    wout=$(limited "weight changes ($backend)" node "$driver" weight-changes "$cli" "$backend" "$state" "$weight_changes" "$sample_services" 2>&1) || :
    grep -v '"doneChanges"' <<<"$wout" | sed "s/^/# weight changes $backend: /" || :
    wline=$(grep '"p99S"' <<<"$wout") || wline=""
    if [[ -z $wline ]]; then
      # Cut off by the part deadline: the figures over the changes it finished (the checks still fail).
      last=$(grep '"doneChanges"' <<<"$wout" | tail -1) || last=""
      echo "# weight changes $backend: cut off after $(json_field "$last" doneChanges) of $weight_changes changes; so far p50 $(json_field "$last" p50SoFar) s, p99 $(json_field "$last" p99SoFar) s"
      weight_p99[$backend]=$(json_field "$last" p99SoFar)
      weight_p50[$backend]=$(json_field "$last" p50SoFar)
    fi
    check_eq "weight changes ($backend): $weight_changes setWeight answered, none failed" "$(json_field "$wline" failed)" 0
    check_eq "weight changes ($backend): the kernel holds every weight as last set" "$(json_field "$wline" kernelWeightsMismatched)" 0
    if [[ -n $wline ]]; then
      weight_p99[$backend]=$(json_field "$wline" p99S)
      weight_p50[$backend]=$(json_field "$wline" p50S)
    fi
    echo "# weight changes $backend: p50 ${weight_p50[$backend]:-none} s, p99 ${weight_p99[$backend]:-none} s"
  done
  bench netlink-backend-weight-change-p99 "${weight_p99[netlink]:-}" s ipvsadm-backend-weight-change-p99 "${weight_p99[ipvsadm]:-}"
  bench netlink-backend-weight-change-p50 "${weight_p50[netlink]:-}" s ipvsadm-backend-weight-change-p50 "${weight_p50[ipvsadm]:-}"
fi

if [[ ${BENCH_AFTER_FLUSH:-0} == 1 ]]; then
  # Last, so it disturbs nothing: the cost of the kernel's destination trash,
  # -C then the same -R at once, in ipvsadm's own namespace.
  NS=$restore_ns
  inns ipvsadm -C
  t0=$(now)
  inns ipvsadm -R <"$work/rules" 2>/dev/null
  after_flush=$(secs "$t0" "$(now)")
  echo "# ipvsadm -R right after ipvsadm -C of the same table: $after_flush s"
  bench ipvsadm-R-10k-after-flush "$after_flush" s
fi
if [[ -s $work/deadlines ]]; then
  while read -r what; do fail "$what: deadline of ${part_limit}s (BENCH_PART_LIMIT) reached"; done <"$work/deadlines"
fi
report_summary
