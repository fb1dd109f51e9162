#!/usr/bin/env bash
# traffic.sh - IPVS end to end on the real kernel, driven by ipvsadm
# directly: NAT, DR, TUN and FULLNAT, with real HTTP traffic between
# network namespaces (lib/topology.sh). Runs inside the kernel-bed guest,
# as root:  vm-run.sh -- e2e/kernel/suites/traffic.sh [MODE...]
#
# Per mode (three real servers, weight 1 each unless said otherwise):
#   rr              30 requests split exactly 10/10/10
#   wrr 3:1         two servers, 40 requests split exactly 30/10
#   weight 0        a quiesced server gets no new connections
#   persistence     -p keeps one client on one server
#   --stats         the kernel counted the connections
# Negative checks (each must fail to connect):
#   tun             rp_filter=1 on the real servers drops decapsulated traffic
#   fullnat         without the SNAT rule the real servers cannot answer
#
# Output: PASS/FAIL lines, "# ..." notes, then "N passed, N failed" alone on
# a line; exit 1 on any failure.
#
# TRAFFIC_SELFTEST=wrong swaps in a deliberately wrong expectation (rr
# 11/10/9) to show that the checks can fail.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/report.sh
source "$here/lib/report.sh"
# shellcheck source=../lib/topology.sh
source "$here/lib/topology.sh"

MODES=("$@")
((${#MODES[@]})) || MODES=(nat dr tun fullnat)
VIP=$TOPO_VIP
suite_t0=$EPOCHREALTIME
current=""

cleanup() { if [[ -n $current ]]; then topo_down "$current" || :; fi; }
trap cleanup EXIT

if [[ ${LVS_IN_GUEST:-} != 1 && ! -r /proc/net/ip_vs ]]; then
  echo "traffic.sh: needs a kernel with IPVS; run it through e2e/kernel/vm-run.sh" >&2
  exit 2
fi

if modprobe -a ip_vs ip_vs_rr ip_vs_wrr ipip veth bridge nf_conntrack nf_nat \
     nf_tables nft_chain_nat nft_masq 2>&1; then
  pass "kernel modules load (ip_vs, schedulers, ipip, veth, bridge, nf_tables NAT)"
else
  fail "modprobe of the IPVS/netfilter modules"
fi
if [[ -r /proc/net/ip_vs ]]; then
  pass "IPVS present: $(head -n1 /proc/net/ip_vs)"
else
  fail "no /proc/net/ip_vs"
  report_summary
  exit 1
fi

rr_expect="rs1=10 rs2=10 rs3=10"
[[ ${TRAFFIC_SELFTEST:-} == wrong ]] && rr_expect="rs1=11 rs2=10 rs3=9"

ipvs() { topo_exec "$current" lvs ipvsadm "$@"; }

# Apply ipvsadm -R lines from stdin. -R reports a bad line on stderr but
# carries on and exits 0, so anything on stderr counts as a failure.
apply_rules() { # label
  local err
  if err=$(ipvs -R 2>&1) && [[ -z $err ]]; then return 0; fi
  fail "$1: ipvsadm -R said: ${err:-non-zero exit}"
  return 1
}

# Total connections of the service as the kernel counts them. The counters
# reach `ipvsadm --stats` through the rate estimator, which folds the
# per-CPU counters in every 2 s, so poll for up to ~6 s.
wait_for_conns() { # minimum
  local conns=0 _try
  for _try in 1 2 3 4 5 6 7 8 9 10 11 12; do
    conns=$(ipvs -Ln --stats --exact -t "$VIP:80" | awk '$1 == "TCP" { print $3 }')
    ((${conns:-0} >= $1)) && break
    sleep 0.5
  done
  echo "${conns:-0}"
}

run_mode() { # mode
  local mode=$1 fwd t0 rs1 rs2 rs3 got conns
  t0=$EPOCHREALTIME
  current="tr-$mode"
  fwd=$(topo_fwd_flag "$mode")
  rs1=$(topo_rs_ip "$mode" 1) rs2=$(topo_rs_ip "$mode" 2) rs3=$(topo_rs_ip "$mode" 3)
  if ! topo_up "$current" "$mode"; then
    fail "$mode: topology setup"
    topo_down "$current" || :
    return 0
  fi
  note "$mode: topology up in $(elapsed_since "$t0") s"

  # -- rr over three servers
  apply_rules "$mode rr setup" <<EOF || return 0
-A -t $VIP:80 -s rr
-a -t $VIP:80 -r $rs1:80 $fwd -w 1
-a -t $VIP:80 -r $rs2:80 $fwd -w 1
-a -t $VIP:80 -r $rs3:80 $fwd -w 1
EOF
  check_eq "$mode rr: 30 requests over 3 servers" "$(topo_requests "$current" 30 | topo_histogram)" "$rr_expect"

  # -- wrr 3:1 over two servers
  apply_rules "$mode wrr setup" <<EOF || return 0
-E -t $VIP:80 -s wrr
-e -t $VIP:80 -r $rs1:80 $fwd -w 3
-d -t $VIP:80 -r $rs3:80
EOF
  check_eq "$mode wrr 3:1: 40 requests" "$(topo_requests "$current" 40 | topo_histogram)" "rs1=30 rs2=10"

  # -- weight 0 quiesces: no new connections for rs1
  apply_rules "$mode weight 0 setup" <<<"-e -t $VIP:80 -r $rs1:80 $fwd -w 0" || return 0
  check_eq "$mode weight 0 quiesces rs1: 20 requests" "$(topo_requests "$current" 20 | topo_histogram)" "rs2=20"

  # -- persistence: one client stays on one server (whichever rr picks)
  apply_rules "$mode persistence setup" <<EOF || return 0
-E -t $VIP:80 -s rr -p 60
-e -t $VIP:80 -r $rs1:80 $fwd -w 1
-a -t $VIP:80 -r $rs3:80 $fwd -w 1
EOF
  got=$(topo_requests "$current" 12 | topo_histogram)
  if [[ $got =~ ^rs[123]=12$ ]]; then
    pass "$mode persistence -p 60: 12 requests on one server: $got"
  else
    fail "$mode persistence -p 60: got [$got], want all 12 on one server"
  fi

  # -- the kernel's own accounting saw every connection
  conns=$(wait_for_conns $((30 + 40 + 20 + 12)))
  if ((conns >= 102)); then
    pass "$mode ipvsadm --stats counted $conns connections (>= 102)"
  else
    fail "$mode ipvsadm --stats counted $conns connections, want >= 102"
  fi

  # -- negative checks
  case $mode in
    tun)
      # Strict reverse-path filtering on the real servers: the decapsulated
      # packets come in on tunl0 from a client routed via eth0, so they are
      # dropped. An agent's pre-flight check must catch this setting.
      local i
      for i in 1 2 3; do
        topo_exec "$current" "rs$i" sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.tunl0.rp_filter=1 \
          || fail "tun: setting rp_filter=1 on rs$i"
      done
      check_eq "tun with rp_filter=1 on the real servers is dropped" \
        "$(topo_requests "$current" 2 1 | topo_histogram)" "TIMEOUT=2"
      ;;
    fullnat)
      # Without the SNAT half, the real servers see the client's address and
      # have no route back to it: nothing answers.
      topo_fullnat_snat "$current" off || fail "fullnat: removing the SNAT rule"
      check_eq "fullnat without the SNAT rule gets no answers" \
        "$(topo_requests "$current" 2 1 | topo_histogram)" "TIMEOUT=2"
      ;;
  esac

  topo_down "$current"
  current=""
  note "$mode: done in $(elapsed_since "$t0") s"
}

for mode in "${MODES[@]}"; do
  case $mode in
    nat | dr | tun | fullnat) run_mode "$mode" ;;
    *) fail "unknown mode '$mode'" ;;
  esac
done

note "traffic suite: $(elapsed_since "$suite_t0") s"
report_summary
