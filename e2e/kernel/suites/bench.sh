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
#      with each backend: CPU share of one core (ipvsadm's runs included).
#   4. one weight change, API to kernel, on that 1,000 x 10 table: the
#      table made the agent's desired state (`lvs-console apply`), then
#      `lvs-console serve --backend B` and BENCH_WEIGHT_CHANGES (100)
#      destinations.setWeight requests over HTTP, one at a time, each timed
#      from the request to its answer (the answer comes once the kernel has
#      the change), for netlink and ipvsadm; p99 and p50; the kernel's
#      weights are checked against the last ones set.
#      BENCH_NETLINK=0 leaves 3. and 4. out.
# Output: "# ..." notes, then one line per result, in `npm run bench`'s format:
#   BENCH {"name":"ipvsadm-backend-observe-10k","value":S,"unit":"s","baseline":{...}}
# (medians over the rounds), the ratios as "# ratio ..." notes, and a closing
# "N passed, N failed" (the checks: every change applied, the table complete).
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
# shellcheck source=../lib/report.sh
source "$here/lib/report.sh"

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

now() { printf '%s' "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
json_field() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" <<<"$1" | head -1; }

echo "# bench: $services services x $dests real servers, $((services * (dests + 1))) lines"
inns node "$driver" rules "$services" "$dests" >"$work/rules"
echo "# bench: rules $(wc -l <"$work/rules") lines, $(wc -c <"$work/rules") bytes"

# ---------------------------------------------------------------- 1. apply
restore_times=() agent_times=()
restore_once() {
  fresh_ns
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
  fresh_ns
  agent_ns=$NS
  local t0 t1 line failed plan apply
  t0=$(now)
  line=$(inns node "$driver" apply "$services" "$dests") || :
  t1=$(now)
  # The figure: plan() + apply() inside the agent process (not node's start
  # and building the desired table, which any way of applying needs).
  plan=$(json_field "$line" planS)
  apply=$(json_field "$line" applyS)
  agent_times+=("$(awk -v a="${plan:-0}" -v b="${apply:-0}" 'BEGIN { printf "%.3f", a + b }')")
  echo "# agent apply: plan+apply ${agent_times[-1]} s, whole process $(secs "$t0" "$t1") s; driver: $line"
  failed=$(json_field "$line" failed)
  check_eq "agent apply of $services x $dests: every change applied" "${failed:-missing}" 0
}
with_netlink=${BENCH_NETLINK:-1}
netlink_times=() netlink_ns=""
netlink_once() {
  ((with_netlink)) || return 0
  fresh_ns
  netlink_ns=$NS
  local t0 t1 line failed plan apply
  t0=$(now)
  line=$(inns node "$driver" netlink-apply "$services" "$dests") || :
  t1=$(now)
  plan=$(json_field "$line" planS)
  apply=$(json_field "$line" applyS)
  netlink_times+=("$(awk -v a="${plan:-0}" -v b="${apply:-0}" 'BEGIN { printf "%.3f", a + b }')")
  echo "# netlink apply: plan+apply ${netlink_times[-1]} s, whole process $(secs "$t0" "$t1") s; driver: $line"
  failed=$(json_field "$line" failed)
  check_eq "netlink apply of $services x $dests: every change applied" "${failed:-missing}" 0
}
for ((round = 0; round < apply_rounds; round++)); do
  if ((round % 2 == 0)); then restore_once; agent_once; netlink_once; else netlink_once; agent_once; restore_once; fi
done
if ((with_netlink)); then
  NS=$netlink_ns
  count=$(inns ipvsadm -Sn | grep -c '^-a' || :)
  check_eq "table after the netlink apply: $((services * dests)) real servers" "$count" "$((services * dests))"
  # The same table as ipvsadm -R makes (the rules are the agent's -R lines).
  check_eq "netlink table is the -R table" "$(inns ipvsadm -Sn | sort | md5sum)" "$(ip netns exec "${namespaces[1]}" ipvsadm -Sn | sort | md5sum)"
fi
NS=$agent_ns
count=$(inns ipvsadm -Sn | grep -c '^-a' || :)
check_eq "table after the agent's apply: $((services * dests)) real servers" "$count" "$((services * dests))"

# ---------------------------------------------------------------- 2. observe
observe_out=$(inns node "$driver" observe "$observe_rounds") || :
printf '%s\n' "$observe_out" | sed 's/^/# observe driver: /'
cold=$(json_field "$(grep coldObserveS <<<"$observe_out")" coldObserveS)
observed_services=$(json_field "$(grep coldObserveS <<<"$observe_out")" services)
check_eq "observe() sees $services services" "${observed_services:-missing}" "$services"
obs_values=$(grep '"round"' <<<"$observe_out" | while read -r l; do json_field "$l" observeS; done | tr '\n' ' ')
base_values=$(grep '"round"' <<<"$observe_out" | while read -r l; do json_field "$l" baselineS; done | tr '\n' ' ')

nl_obs="" nl_base="" nl_cold=""
if ((with_netlink)); then
  NS=$netlink_ns
  nl_out=$(inns node "$driver" netlink-observe "$observe_rounds") || :
  printf '%s\n' "$nl_out" | sed 's/^/# netlink observe driver: /'
  nl_cold=$(json_field "$(grep coldObserveS <<<"$nl_out")" coldObserveS)
  check_eq "netlink observe() sees $services services" "$(json_field "$(grep coldObserveS <<<"$nl_out")" services)" "$services"
  check_eq "netlink observe() sees $((services * dests)) real servers" "$(json_field "$(grep coldObserveS <<<"$nl_out")" destinations)" "$((services * dests))"
  nl_obs=$(grep '"round"' <<<"$nl_out" | while read -r l; do json_field "$l" observeS; done | tr '\n' ' ')
  nl_base=$(grep '"round"' <<<"$nl_out" | while read -r l; do json_field "$l" baselineS; done | tr '\n' ' ')
  # 1 Hz counter sampling of a 1,000 x 10 table, each backend in turn.
  sample_services=${BENCH_SAMPLE_SERVICES:-1000} sample_seconds=${BENCH_SAMPLE_SECONDS:-30}
  fresh_ns
  inns node "$driver" rules "$sample_services" 10 >"$work/sample-rules"
  inns ipvsadm -R <"$work/sample-rules"
  sample_ipvsadm=$(inns node "$driver" ipvsadm-sample "$sample_seconds") || :
  sample_netlink=$(inns node "$driver" netlink-sample "$sample_seconds") || :
  echo "# sampling ipvsadm: $sample_ipvsadm"
  echo "# sampling netlink: $sample_netlink"
  check_eq "netlink sampling saw $sample_services services" "$(json_field "$sample_netlink" services)" "$sample_services"

  # 4. One weight change, API to kernel, on the same table, each backend.
  weight_changes=${BENCH_WEIGHT_CHANGES:-100}
  declare -A weight_p99=() weight_p50=()
  for backend in netlink ipvsadm; do
    if [[ ! -f $cli ]]; then
      fail "weight changes ($backend): no agent CLI at $cli (run.sh builds it)"
      continue
    fi
    state=$work/weight-state-$backend
    # The kernel already holds the table: apply only makes it the desired state.
    if ! inns node "$cli" apply "$work/sample-rules" --backend "$backend" --state-dir "$state" >"$work/weight-apply.out" 2>&1; then
      fail "weight changes ($backend): lvs-console apply of the sampling table: $(tail -n 3 "$work/weight-apply.out" | tr '\n' ' ')"
      continue
    fi
    wline=$(inns node "$driver" weight-changes "$cli" "$backend" "$state" "$weight_changes" "$sample_services" 2>&1) || :
    printf '%s\n' "$wline" | sed "s/^/# weight changes $backend: /"
    wline=$(grep '"p99S"' <<<"$wline") || wline=""
    check_eq "weight changes ($backend): $weight_changes setWeight answered, none failed" "$(json_field "$wline" failed)" 0
    check_eq "weight changes ($backend): the kernel holds every weight as last set" "$(json_field "$wline" kernelWeightsMismatched)" 0
    weight_p99[$backend]=$(json_field "$wline" p99S)
    weight_p50[$backend]=$(json_field "$wline" p50S)
  done
  NS=$agent_ns
fi

after_flush=""
if [[ ${BENCH_AFTER_FLUSH:-0} == 1 ]]; then
  # Last, so it disturbs nothing: the cost of the kernel's destination trash,
  # -C then the same -R at once, in ipvsadm's own namespace.
  NS=${namespaces[1]}
  [[ $NS == "$agent_ns" ]] && NS=${namespaces[2]}
  inns ipvsadm -C
  t0=$(now)
  inns ipvsadm -R <"$work/rules" 2>/dev/null
  after_flush=$(secs "$t0" "$(now)")
  echo "# ipvsadm -R right after ipvsadm -C of the same table: $after_flush s"
  NS=$agent_ns
fi


obs=$(median <<<"${obs_values% }")
base=$(median <<<"${base_values% }")
restore=$(median <<<"${restore_times[*]}")
agent=$(median <<<"${agent_times[*]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }
obs_ratio=$(ratio "$obs" "$base")
apply_ratio=$(ratio "$agent" "$restore")

echo "BENCH {\"name\":\"ipvsadm-backend-observe-10k\",\"value\":$obs,\"unit\":\"s\",\"baseline\":{\"name\":\"ipvsadm-Sn-plus-Ln-exact-stats-10k\",\"value\":$base,\"unit\":\"s\"}}"
echo "BENCH {\"name\":\"ipvsadm-backend-initial-apply-10k\",\"value\":$agent,\"unit\":\"s\",\"baseline\":{\"name\":\"ipvsadm-R-10k\",\"value\":$restore,\"unit\":\"s\"}}"
echo "BENCH {\"name\":\"ipvsadm-backend-observe-10k-ratio\",\"value\":$obs_ratio,\"unit\":\"x\"}"
echo "BENCH {\"name\":\"ipvsadm-backend-initial-apply-10k-ratio\",\"value\":$apply_ratio,\"unit\":\"x\"}"
if ((with_netlink)); then
  nlo=$(median <<<"${nl_obs% }")
  nlb=$(median <<<"${nl_base% }")
  nla=$(median <<<"${netlink_times[*]}")
  echo "BENCH {\"name\":\"netlink-backend-initial-apply-10k\",\"value\":$nla,\"unit\":\"s\",\"baseline\":{\"name\":\"ipvsadm-R-10k\",\"value\":$restore,\"unit\":\"s\"}}"
  echo "BENCH {\"name\":\"netlink-backend-observe-10k\",\"value\":$nlo,\"unit\":\"s\",\"baseline\":{\"name\":\"ipvsadm-Sn-plus-Ln-exact-stats-10k\",\"value\":$nlb,\"unit\":\"s\"}}"
  echo "BENCH {\"name\":\"netlink-backend-initial-apply-10k-ratio\",\"value\":$(ratio "$nla" "$restore"),\"unit\":\"x\"}"
  echo "BENCH {\"name\":\"netlink-backend-observe-10k-ratio\",\"value\":$(ratio "$nlo" "$nlb"),\"unit\":\"x\"}"
  [[ -n $nl_cold ]] && echo "BENCH {\"name\":\"netlink-backend-observe-10k-cold\",\"value\":$nl_cold,\"unit\":\"s\"}"
  share_nl=$(json_field "$sample_netlink" sampleCpuShare)
  share_ip=$(json_field "$sample_ipvsadm" sampleCpuShare)
  pct() { awk -v a="$1" 'BEGIN { printf "%.2f", a * 100 }'; }
  [[ -n $share_nl && -n $share_ip ]] && echo "BENCH {\"name\":\"netlink-backend-sample-1k-1hz-cpu\",\"value\":$(pct "$share_nl"),\"unit\":\"%\",\"baseline\":{\"name\":\"ipvsadm-backend-sample-1k-1hz-cpu\",\"value\":$(pct "$share_ip"),\"unit\":\"%\"}}"
  [[ -n ${weight_p99[netlink]:-} && -n ${weight_p99[ipvsadm]:-} ]] && echo "BENCH {\"name\":\"netlink-backend-weight-change-p99\",\"value\":${weight_p99[netlink]},\"unit\":\"s\",\"baseline\":{\"name\":\"ipvsadm-backend-weight-change-p99\",\"value\":${weight_p99[ipvsadm]},\"unit\":\"s\"}}"
  [[ -n ${weight_p50[netlink]:-} && -n ${weight_p50[ipvsadm]:-} ]] && echo "BENCH {\"name\":\"netlink-backend-weight-change-p50\",\"value\":${weight_p50[netlink]},\"unit\":\"s\",\"baseline\":{\"name\":\"ipvsadm-backend-weight-change-p50\",\"value\":${weight_p50[ipvsadm]},\"unit\":\"s\"}}"
  echo "# netlink: apply $nla s vs -R $restore s (target <= 0.7x); observe $nlo s vs $nlb s (target <= 0.5x; rounds $nl_obs| baseline $nl_base)"
fi
[[ -n $after_flush ]] && echo "BENCH {\"name\":\"ipvsadm-R-10k-after-flush\",\"value\":$after_flush,\"unit\":\"s\"}"
[[ -n $cold ]] && echo "BENCH {\"name\":\"ipvsadm-backend-observe-10k-cold\",\"value\":$cold,\"unit\":\"s\"}"
echo "# ratio observe/baseline: $obs_ratio (target <= 1.2; observe $obs_values| baseline $base_values)"
echo "# ratio apply/ipvsadm -R: $apply_ratio (target <= 1.5; agent ${agent_times[*]} | -R ${restore_times[*]})"
report_summary
