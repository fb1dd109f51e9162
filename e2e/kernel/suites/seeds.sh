#!/usr/bin/env bash
# seeds.sh - the field's everyday LVS clusters (the seed write-ups), rebuilt
# on documentation addresses and made live by the AGENT, on the real kernel
# with real traffic. Runs inside the kernel-bed guest, as root:
#
#   vm-run.sh -- e2e/kernel/suites/seeds.sh CLI_JS [SEED...]
#
# CLI_JS is apps/agent/dist/lvs-console.js (guest-suites.sh passes it).
# SEED: names of e2e/kernel/seeds/*.json (default: all of them). Those files
# come from packages/shared/test/fixtures/seeds/*.Sn through
# e2e/kernel/seeds/generate.mjs (host; see there for the address map) and
# carry the director's host settings (ip_vs, ip_forward for NAT, ipip for
# TUN, the VIP on the director interface).
#
# Per seed, in a topology of its own (lib/topology.sh with TOPO_BARE=1: the
# network only, nothing LVS needs is set up by the test):
#   apply      `lvs-console apply FILE --backend $SEEDS_BACKEND --state-dir TMP`,
#              run in the director namespace, exits 0, and names that
#              backend (default netlink, issue 18: the agent's own choice on
#              a director; SEEDS_BACKEND=ipvsadm runs the same suite through
#              ipvsadm; agent-traffic covers the ipvsadm backend)
#   table      `ipvsadm -Sn` equals the committed <name>.Sn (the canonical
#              render of the same JSON)
#   director   what the method needs is in place: the VIP on the director
#              interface, net.ipv4.ip_forward=1 (NAT; 0 before the apply),
#              the ipip module (TUN)
#   realserver DR/TUN: `lvs-console realserver apply --mode dr|tun --vip VIP
#              --interface eth0` in each real-server namespace, then
#              `realserver check` passes, and the kernel shows the VIP on
#              lo/tunl0 with arp_ignore=1 (DR and TUN) / rp_filter=0 (TUN)
#   traffic    requests from the client spread as the scheduler says:
#              rr, wrr exact; wlc (sequential short connections, so only
#              inactive connections count) within +-2 of the weight ratio;
#              port-0 persistence: each client stays on one server across
#              ports 80 and 8080, and a second client address gets the
#              other server (rr of the templates)
#   through    the director's IPVS counters (ActiveConn + InActConn) count
#              every request: nothing reached a real server past IPVS
#
# Output: PASS/FAIL lines, "# ..." notes, then "N passed, N failed";
# exit 1 on any failure. SEEDS_SELFTEST=wrong swaps in a deliberately wrong
# rr expectation to show the checks can fail; SEEDS_SELFTEST=backend expects
# the other backend in the apply check.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/report.sh
source "$here/lib/report.sh"
# shellcheck source=../lib/topology.sh
source "$here/lib/topology.sh"

cli=${1:?usage: seeds.sh CLI_JS [SEED...]}
shift
[[ -f $cli ]] || { echo "seeds.sh: no agent CLI at $cli" >&2; exit 2; }
seed_dir=$here/seeds
SEEDS=("$@")
if ((${#SEEDS[@]} == 0)); then
  for f in "$seed_dir"/*.json; do SEEDS+=("$(basename "$f" .json)"); done
fi

if [[ ${LVS_IN_GUEST:-} != 1 && ! -r /proc/net/ip_vs ]]; then
  echo "seeds.sh: needs a kernel with IPVS; run it through e2e/kernel/vm-run.sh" >&2
  exit 2
fi
modprobe -a ip_vs ip_vs_rr ip_vs_wrr ip_vs_wlc veth bridge 2>&1 || :

export TOPO_BARE=1 TOPO_RS_COUNT=2
suite_t0=$EPOCHREALTIME
current=""
state_dirs=()
cleanup() {
  if [[ -n $current ]]; then topo_down "$current" || :; fi
  ((${#state_dirs[@]} == 0)) || rm -rf "${state_dirs[@]}"
}
trap cleanup EXIT

# What each seed's traffic must look like: CHECK COUNT EXPECTED
#   exact N "rs1=.. rs2=.."    the histogram of N requests, exactly
#   ratio N "rs1=.. rs2=.."    each count within +-2 (wlc)
#   persist N -                one server per client, across ports 80/8080
rr_expect="rs1=10 rs2=10"
[[ ${SEEDS_SELFTEST:-} == wrong ]] && rr_expect="rs1=11 rs2=9"
backend=${SEEDS_BACKEND:-netlink}
case $backend in
  netlink) backend_label="Linux IPVS (generic netlink)" ;;
  ipvsadm) backend_label="Linux IPVS (ipvsadm)" ;;
  *) echo "seeds.sh: SEEDS_BACKEND must be netlink or ipvsadm, not $backend" >&2; exit 2 ;;
esac
# SEEDS_SELFTEST=backend: expect the other backend's name (each apply check fails, naming the one used).
if [[ ${SEEDS_SELFTEST:-} == backend ]]; then
  case $backend in
    netlink) backend_label="Linux IPVS (ipvsadm)" ;;
    *) backend_label="Linux IPVS (generic netlink)" ;;
  esac
fi
traffic_spec() { # seed name -> "check count expected"
  case $1 in
    seed000-dr-rr) echo "exact 20 $rr_expect" ;;            # rr 1:1
    seed001-nat-wlc) echo "ratio 25 rs1=20 rs2=5" ;;        # wlc 4:1
    seed001-dr-wlc) echo "ratio 30 rs1=20 rs2=10" ;;        # wlc 4:2
    seed002-nat-rr) echo "exact 20 $rr_expect" ;;           # rr 1:1
    seed002-persistent-dr) echo "persist 12 -" ;;           # rr -p 900, port 0
    seed003-nat-wrr) echo "exact 20 rs1=10 rs2=10" ;;       # wrr 1:1
    seed004-tun-wlc) echo "ratio 20 rs1=10 rs2=10" ;;       # wlc 1:1
    *) return 1 ;;
  esac
}

# "rs1=20 rs2=5" vs "rs1=19 rs2=6": every expected count within +-2 and
# nothing else in the histogram (no TIMEOUT, no HTTP errors).
within_two() { # got want
  local -A got=() want=()
  local kv k
  for kv in $1; do got[${kv%%=*}]=${kv#*=}; done
  for kv in $2; do want[${kv%%=*}]=${kv#*=}; done
  for k in "${!got[@]}"; do [[ -v "want[$k]" ]] || return 1; done
  for k in "${!want[@]}"; do
    local g=${got[$k]:-0} w=${want[$k]}
    ((g >= w - 2 && g <= w + 2)) || return 1
  done
}

# realserver_cli TOPOLOGY ROLE apply|check MODE VIP: the exit status on the
# first line, then the output.
realserver_cli() {
  local rc=0 out
  out=$(topo_exec "$1" "$2" node "$cli" realserver "$3" --mode "$4" --vip "$5" --interface eth0 2>&1) || rc=$?
  printf '%s\n%s\n' "$rc" "$out"
}

ipvs_conns() { # topology -> ActiveConn + InActConn over all real servers
  topo_exec "$1" lvs ipvsadm -Ln | awk '$1 == "->" && $2 ~ /:[0-9]+$/ { n += $5 + $6 } END { print n + 0 }'
}

run_seed() { # name
  local name=$1 json=$seed_dir/$1.json sn=$seed_dir/$1.Sn t0 mode vip vport iface sd out rc got want i
  local check count expected
  t0=$EPOCHREALTIME
  if [[ ! -f $json || ! -f $sn ]]; then
    fail "$name: no $json or $sn"
    return 0
  fi
  if ! read -r check count expected < <(traffic_spec "$name"); then
    fail "$name: no traffic expectation in seeds.sh"
    return 0
  fi
  # The method from the forwarding flag, the VIP from the service line.
  case $(sed -n '2p' "$sn") in
    *" -m "*) mode=nat iface=cli0 ;;
    *" -g "*) mode=dr iface=eth0 ;;
    *" -i "*) mode=tun iface=eth0 ;;
    *) fail "$name: no forwarding method in $sn"; return 0 ;;
  esac
  read -r _ _ vip _ < <(sed -n '1p' "$sn")
  vport=${vip##*:} vip=${vip%:*}

  current="sd-${name#seed}"
  # shellcheck disable=SC2034  # read by topology.sh
  TOPO_VIP=$vip
  if ! topo_up "$current" "$mode"; then
    fail "$name: topology setup ($mode)"
    topo_down "$current" || :
    current=""
    return 0
  fi
  note "$name: $mode, VIP $vip:$vport, topology up in $(elapsed_since "$t0") s"
  local forward_before
  forward_before=$(topo_exec "$current" lvs cat /proc/sys/net/ipv4/ip_forward)

  # -- the agent makes the file live (kernel table + director host settings)
  sd=$(mktemp -d /tmp/lvs-seed-state.XXXXXX)
  state_dirs+=("$sd")
  rc=0
  out=$(topo_exec "$current" lvs node "$cli" apply "$json" --backend "$backend" --state-dir "$sd" 2>&1) || rc=$?
  if ((rc == 0)) && grep -qF "backend: $backend_label" <<<"$out"; then
    pass "$name: lvs-console apply --backend $backend exits 0 through $backend_label ($(grep -c '^ipvsadm ' <<<"$out") changes)"
  elif ((rc == 0)); then
    fail "$name: lvs-console apply exits 0 but not through $backend_label: $(grep -m 1 '^backend:' <<<"$out")"
  else
    fail "$name: lvs-console apply exited $rc: $out"
  fi

  check_lines "$name: ipvsadm -Sn is the seed's table ($(basename "$sn"))" \
    "$(topo_exec "$current" lvs ipvsadm -Sn 2>&1)" "$(cat "$sn")"

  # -- the director has what the method needs
  if ip -n "$current-lvs" -o -4 addr show dev "$iface" | grep -q " $vip/32 "; then
    pass "$name: director has VIP $vip/32 on $iface"
  else
    fail "$name: director has no $vip/32 on $iface: $(ip -n "$current-lvs" -o -4 addr show dev "$iface" | awk '{print $4}' | tr '\n' ' ')"
  fi
  case $mode in
    nat)
      check_eq "$name: director net.ipv4.ip_forward (was $forward_before before the apply)" \
        "$(topo_exec "$current" lvs cat /proc/sys/net/ipv4/ip_forward)" 1 ;;
    tun)
      if [[ -d /sys/module/ipip ]]; then pass "$name: ipip module loaded on the director"
      else fail "$name: ipip module not loaded"; fi ;;
  esac

  # -- real servers: the agent's real-server role
  if [[ $mode == dr || $mode == tun ]]; then
    # apply on every real server at once, then check on every one at once
    # (a node start is seconds under TCG; the guest has two vCPUs).
    local action
    for action in apply check; do
      for ((i = 1; i <= TOPO_RS_COUNT; i++)); do
        realserver_cli "$current" "rs$i" "$action" "$mode" "$vip" >"$sd/rs$i.$action" &
      done
      wait
      for ((i = 1; i <= TOPO_RS_COUNT; i++)); do
        { read -r rc; out=$(cat); } <"$sd/rs$i.$action"
        if [[ $rc == 0 && $action == apply ]]; then
          pass "$name: rs$i: lvs-console realserver apply --mode $mode --vip $vip"
        elif [[ $rc == 0 ]]; then
          pass "$name: rs$i: lvs-console realserver check passes ($(grep -c '^ok' <<<"$out") settings ok)"
        else
          fail "$name: rs$i: realserver $action exited $rc: $out"
        fi
      done
    done
    # What the kernel says, independently of the agent (rs1).
    local dev=lo files
    files=(/proc/sys/net/ipv4/conf/all/arp_ignore /proc/sys/net/ipv4/conf/all/arp_announce)
    if [[ $mode == tun ]]; then
      dev=tunl0
      files=(/proc/sys/net/ipv4/conf/all/rp_filter /proc/sys/net/ipv4/conf/tunl0/rp_filter /proc/sys/net/ipv4/conf/all/arp_ignore)
    fi
    got="$(ip -n "$current-rs1" -o -4 addr show dev "$dev" | awk '$4 != "127.0.0.1/8" {print $4}' | tr '\n' ' ')$(topo_exec "$current" rs1 cat "${files[@]}" | tr '\n' ' ')" || :
    if [[ $mode == dr ]]; then want="$vip/32 1 2 "; else want="$vip/32 0 0 1 "; fi
    check_eq "$name: rs1 kernel view ($dev addresses, ${files[*]##*/conf/})" "$got" "$want"
  fi

  # -- traffic
  local total=$count
  case $check in
    exact)
      check_eq "$name: $count requests spread" "$(topo_requests "$current" "$count" | topo_histogram)" "$expected" ;;
    ratio)
      # (curl exits non-zero on a timeout: not a reason to stop the suite)
      got=$(topo_requests "$current" "$count" | topo_histogram) || :
      if within_two "$got" "$expected"; then pass "$name: $count requests spread as the weights say: $got (ideal $expected, +-2)"
      else fail "$name: $count requests: got [$got], want [$expected] +-2"; fi ;;
    persist)
      # Port 0: every port of the VIP goes to the client's one server.
      for ((i = 1; i <= TOPO_RS_COUNT; i++)); do
        topo_exec "$current" "rs$i" busybox httpd -p 8080 -h "$TOPO_WWW/$current-rs$i" || fail "$name: httpd :8080 on rs$i"
      done
      ip -n "$current-cli" addr add 198.51.100.3/24 dev eth0 || fail "$name: second client address"
      local urls=() a b
      for ((i = 0; i < count / 2; i++)); do urls+=("http://$vip/" "http://$vip:8080/"); done
      a=$(topo_fetch "$current" "$TOPO_REQUEST_TIMEOUT" -- "${urls[@]}" | topo_histogram) || :
      b=$(topo_fetch "$current" "$TOPO_REQUEST_TIMEOUT" --interface 198.51.100.3 -- "${urls[@]}" | topo_histogram) || :
      total=$((2 * count))
      if [[ $a =~ ^rs[12]=$count$ && $b =~ ^rs[12]=$count$ && ${a%%=*} != "${b%%=*}" ]]; then
        pass "$name: persistence: client .2 -> $a, client .3 -> $b (ports 80 and 8080 alike)"
      else
        fail "$name: persistence: client .2 -> [$a], client .3 -> [$b]; want all $count of each on one server, different servers"
      fi ;;
  esac

  # Every request went through IPVS (a real server that answers ARP for
  # the VIP would take the traffic past the director): the director's
  # live connection counters (ActiveConn + InActConn, no estimator delay).
  got=$(ipvs_conns "$current")
  check_eq "$name: the director's IPVS table saw every connection (ActiveConn+InActConn)" "$got" "$total"

  topo_down "$current"
  current=""
  note "$name: done in $(elapsed_since "$t0") s"
}

for seed in "${SEEDS[@]}"; do
  run_seed "$seed"
done

note "seeds suite: $(elapsed_since "$suite_t0") s"
report_summary
