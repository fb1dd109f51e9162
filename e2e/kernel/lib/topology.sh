# shellcheck shell=bash
# topology.sh - client / director / real-server network namespaces for IPVS
# tests inside the kernel-bed guest (source it; needs root and a kernel with
# IPVS, veth, bridge, ipip, nf_tables).
#
# A topology is a set of namespaces sharing a name prefix:
#   <name>-cli    the client
#   <name>-lvs    the director (IPVS lives here; run ipvsadm with topo_exec)
#   <name>-sw     holds the bridge br0 (an L2 switch)
#   <name>-rsN    real servers 1..TOPO_RS_COUNT, each running busybox httpd
#                 on port 80 that answers with its own name ("rs1", ...)
#
# Modes and addressing. Only documentation ranges are used (RFC 5737), and
# only inside these namespaces; the guest has no NIC at all.
#
#   VIP 192.0.2.10 (TEST-NET-1) on the director
#
#   nat, fullnat   cli 198.51.100.2 --veth-- 198.51.100.1 lvs 203.0.113.1 --br0-- rsN 203.0.113.1N
#                  nat:     real servers route back through the director
#                           (default via 203.0.113.1), as masquerading needs
#                  fullnat: real servers have NO route to the client; the
#                           director SNATs requests to its own address with
#                           nftables, so replies come back to it anyway
#   dr, tun        one bridge: cli 198.51.100.2, lvs 198.51.100.1 (+VIP),
#                  rsN 198.51.100.1N; real servers answer the client directly
#                  dr:  VIP on the real servers' lo, arp_ignore=1/arp_announce=2
#                  tun: VIP on tunl0 (the ipip fallback device), rp_filter=0
#
# Functions:
#   topo_up NAME MODE        build it (MODE: nat | dr | tun | fullnat)
#                            TOPO_BARE=1: only the network (namespaces,
#                            links, addresses, routes, httpd); leave out
#                            what LVS itself needs on the hosts, i.e. the
#                            VIP on the director, ip_forward / vs.conntrack
#                            / SNAT there, and the real servers' VIP, ARP
#                            and rp_filter settings. For suites where the
#                            agent (lvs-console apply / realserver apply)
#                            must put those in place itself.
#   topo_down NAME           stop the servers, delete the namespaces
#   topo_delete_namespaces NS...   the same for any list of namespaces
#   topo_switch_up NAME ROLE...    br0 in NAME-sw with ports p-ROLE
#   topo_eth0_up NAME ROLE CIDR [LINE...]   lo, eth0 and its address
#   topo_rs_up NAME N MODE   real server N of MODE in its linked namespace
#                            NAME-rsN (also used by lib/ha.sh)
#   topo_exec NAME ROLE CMD  run CMD in NAME-ROLE (ROLE: cli, lvs, rs1, ...)
#   topo_rs_ip MODE N        address of real server N in MODE
#   topo_fwd_flag MODE       ipvsadm forwarding flag for MODE (-m, -g, -i)
#   topo_requests NAME COUNT [SECS] [URL]
#                            (SECS per request, default TOPO_REQUEST_TIMEOUT)
#                            COUNT requests from the client in ONE curl
#                            process, each on a new connection; prints one
#                            line per request: the body, TIMEOUT or HTTP<code>
#   topo_histogram           stdin lines -> "rs1=10 rs2=10 rs3=10" (sorted)
#   topo_fetch NAME SECS [CURL-OPTION...] -- URL...
#                            like topo_requests for any URLs (other ports)
#                            and extra curl options (--interface ADDR)
#
# No IPv6 link-local addresses (addrgenmode none): the links carry only the
# test's own IPv4 traffic, no DAD/MLD/router-solicitation chatter.
#
# Why it looks like this: under TCG every process start costs 0.1-0.5 s, so
# the setup is batched (one `ip -b -` for all namespaces and links, one per
# namespace for its addresses) and a request loop is one curl invocation.

TOPO_VIP=192.0.2.10
TOPO_CLIENT_IP=198.51.100.2
TOPO_RS_COUNT=${TOPO_RS_COUNT:-3}
TOPO_WWW=${TOPO_WWW:-/tmp/lvs-topo-www}
TOPO_BARE=${TOPO_BARE:-0}
# Per-request limit of the request loops when the caller gives none. Long,
# because a loaded TCG guest can take seconds for one answer; checks that
# expect a timeout pass their own short limit.
TOPO_REQUEST_TIMEOUT=${TOPO_REQUEST_TIMEOUT:-10}

topo_exec() { # name role cmd...
  local ns="$1-$2"
  shift 2
  ip netns exec "$ns" "$@"
}

topo_rs_ip() { # mode n
  case $1 in
    nat | fullnat) printf '203.0.113.1%d\n' "$2" ;;
    dr | tun) printf '198.51.100.1%d\n' "$2" ;;
    *) echo "topo_rs_ip: unknown mode '$1'" >&2; return 2 ;;
  esac
}

topo_fwd_flag() { # mode
  case $1 in
    nat | fullnat) echo -m ;;
    dr) echo -g ;;
    tun) echo -i ;;
    *) echo "topo_fwd_flag: unknown mode '$1'" >&2; return 2 ;;
  esac
}

_topo_namespaces() { # name -> all namespace names of the topology
  local i
  printf '%s\n' "$1-cli" "$1-lvs" "$1-sw"
  for ((i = 1; i <= TOPO_RS_COUNT; i++)); do printf '%s\n' "$1-rs$i"; done
}

topo_down() { # name
  local ns existing=()
  while read -r ns; do existing+=("$ns"); done < <(_topo_namespaces "$1")
  topo_delete_namespaces "${existing[@]}"
}

# topo_delete_namespaces NS...: stop what runs in them, delete those that exist.
topo_delete_namespaces() { # ns...
  local ns pids=() existing=()
  for ns in "$@"; do
    [[ -e /run/netns/$ns ]] && existing+=("$ns")
  done
  ((${#existing[@]})) || return 0
  # The httpd daemons (and anything else a test left) keep a namespace
  # alive; stop them first. One ip process lists them all.
  mapfile -t pids < <(printf 'netns pids %s\n' "${existing[@]}" | ip -b - 2>/dev/null)
  ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null
  printf 'netns del %s\n' "${existing[@]}" | ip -b - || {
    echo "topo_down: could not delete all of ${existing[*]}" >&2
    return 1
  }
}

topo_up() { # name mode
  local name=$1 mode=$2 i
  case $mode in nat | fullnat | dr | tun) ;; *)
    echo "topo_up: unknown mode '$mode' (nat, dr, tun, fullnat)" >&2
    return 2 ;;
  esac
  topo_down "$name" || return 1

  # 1. All namespaces and veth pairs in one batch from the root namespace.
  #    Each veth is created with both ends already in their namespaces:
  #    eth0 in the member, p-<role> in the switch namespace.
  {
    printf 'netns add %s\n' "$name-cli" "$name-lvs" "$name-sw"
    for ((i = 1; i <= TOPO_RS_COUNT; i++)); do echo "netns add $name-rs$i"; done
    if [[ $mode == nat || $mode == fullnat ]]; then
      echo "link add eth0 netns $name-cli type veth peer name cli0 netns $name-lvs"
      echo "link add rs0 netns $name-lvs type veth peer name p-lvs netns $name-sw"
    else
      echo "link add eth0 netns $name-cli type veth peer name p-cli netns $name-sw"
      echo "link add eth0 netns $name-lvs type veth peer name p-lvs netns $name-sw"
    fi
    for ((i = 1; i <= TOPO_RS_COUNT; i++)); do
      echo "link add eth0 netns $name-rs$i type veth peer name p-rs$i netns $name-sw"
    done
  } | ip -b - || { echo "topo_up: creating namespaces/links for $name failed" >&2; return 1; }

  # 2. The switch.
  local ports=(lvs)
  [[ $mode == dr || $mode == tun ]] && ports=(cli lvs)
  for ((i = 1; i <= TOPO_RS_COUNT; i++)); do ports+=("rs$i"); done
  topo_switch_up "$name" "${ports[@]}" || return 1

  # 3. Client and director.
  if [[ $mode == nat || $mode == fullnat ]]; then
    ip -n "$name-cli" -b - <<EOF || return 1
link set lo up
link set eth0 addrgenmode none
link set eth0 up
addr add $TOPO_CLIENT_IP/24 dev eth0
route add default via 198.51.100.1
EOF
    ip -n "$name-lvs" -b - <<EOF || return 1
link set lo up
link set cli0 addrgenmode none
link set cli0 up
link set rs0 addrgenmode none
link set rs0 up
addr add 198.51.100.1/24 dev cli0
$([[ $TOPO_BARE == 1 ]] || echo "addr add $TOPO_VIP/32 dev cli0")
addr add 203.0.113.1/24 dev rs0
EOF
    if [[ $TOPO_BARE != 1 ]]; then
      topo_exec "$name" lvs sysctl -qw net.ipv4.ip_forward=1 || return 1
    fi
  else
    topo_eth0_up "$name" cli "$TOPO_CLIENT_IP/24" "route add $TOPO_VIP/32 dev eth0" || return 1
    topo_eth0_up "$name" lvs 198.51.100.1/24 \
      "$([[ $TOPO_BARE == 1 ]] || echo "addr add $TOPO_VIP/32 dev eth0")" || return 1
  fi
  if [[ $mode == fullnat && $TOPO_BARE != 1 ]]; then
    # IPVS must hand its connections to conntrack, or netfilter NAT never
    # sees the forwarded packets (the same switch kube-proxy flips).
    topo_exec "$name" lvs sysctl -qw net.ipv4.vs.conntrack=1 || return 1
  fi

  # 4. Real servers.
  for ((i = 1; i <= TOPO_RS_COUNT; i++)); do
    topo_rs_up "$name" "$i" "$mode" || return 1
  done

  if [[ $mode == fullnat && $TOPO_BARE != 1 ]]; then
    topo_fullnat_snat "$name" on || return 1
  fi
}

# topo_eth0_up NAME ROLE CIDR [IP-BATCH-LINE...]: lo and eth0 up in
# NAME-ROLE, CIDR on eth0 (no IPv6 link-local), then the extra lines.
topo_eth0_up() { # name role cidr [line...]
  local name=$1 role=$2 cidr=$3
  shift 3
  printf '%s\n' "link set lo up" "link set eth0 addrgenmode none" "link set eth0 up" \
    "addr add $cidr dev eth0" "$@" | ip -n "$name-$role" -b - \
    || { echo "topo_up: addresses in $name-$role failed" >&2; return 1; }
}

# topo_switch_up NAME ROLE...: the bridge br0 in NAME-sw with the ports
# p-ROLE (already there, the peers of each member's eth0) enslaved and up.
topo_switch_up() { # name role...
  local name=$1 role
  shift
  {
    printf '%s\n' "link add br0 type bridge" "link set br0 addrgenmode none" "link set br0 up"
    for role in "$@"; do
      printf '%s\n' "link set p-$role master br0" "link set p-$role addrgenmode none" "link set p-$role up"
    done
  } | ip -n "$name-sw" -b - || { echo "topo_up: bridge setup in $name-sw failed" >&2; return 1; }
}

# topo_rs_up NAME N MODE: real server N in its (existing, linked) namespace
# NAME-rsN: addresses, routes, the VIP and ARP/rp_filter sysctls for MODE
# (not with TOPO_BARE=1), and busybox httpd on port 80 answering "rsN".
# One busybox process per server does the sysctls and execs the daemon.
topo_rs_up() { # name n mode
  local name=$1 i=$2 mode=$3 rs_ip
  rs_ip=$(topo_rs_ip "$mode" "$i")
  {
    echo "link set lo up"
    echo "link set eth0 addrgenmode none"
    echo "link set eth0 up"
    echo "addr add $rs_ip/24 dev eth0"
    case $mode in
      nat) echo "route add default via 203.0.113.1" ;;
      dr) [[ $TOPO_BARE == 1 ]] || echo "addr add $TOPO_VIP/32 dev lo" ;;
      tun) [[ $TOPO_BARE == 1 ]] || printf '%s\n' "link set tunl0 up" "addr add $TOPO_VIP/32 dev tunl0" ;;
      fullnat) ;;  # deliberately no route towards the client
    esac
  } | ip -n "$name-rs$i" -b - || { echo "topo_up: real server $i setup failed" >&2; return 1; }

  mkdir -p "$TOPO_WWW/$name-rs$i"
  printf 'rs%d\n' "$i" >"$TOPO_WWW/$name-rs$i/index.html"
  local sysctls=""
  [[ $TOPO_BARE == 1 ]] || case $mode in
    dr | tun)
      # Never answer ARP for the VIP, never source ARP from it.
      sysctls="echo 1 >/proc/sys/net/ipv4/conf/all/arp_ignore
               echo 2 >/proc/sys/net/ipv4/conf/all/arp_announce
               echo 1 >/proc/sys/net/ipv4/conf/eth0/arp_ignore
               echo 2 >/proc/sys/net/ipv4/conf/eth0/arp_announce" ;;&
    tun)
      # Decapsulated packets arrive on tunl0 from a client that is routed
      # via eth0: strict reverse-path filtering would drop them.
      sysctls+="
               echo 0 >/proc/sys/net/ipv4/conf/all/rp_filter
               echo 0 >/proc/sys/net/ipv4/conf/eth0/rp_filter
               echo 0 >/proc/sys/net/ipv4/conf/tunl0/rp_filter" ;;
  esac
  # busybox httpd daemonises; -h is the document root.
  topo_exec "$name" "rs$i" busybox sh -c "set -e
    $sysctls
    exec busybox httpd -p 80 -h '$TOPO_WWW/$name-rs$i'" \
    || { echo "topo_up: real server $i: sysctls/httpd failed" >&2; return 1; }
}

# FULLNAT's second half: source-NAT the connections IPVS forwards to the
# real servers to the director's own address on that side.
topo_fullnat_snat() { # name on|off
  if [[ $2 == on ]]; then
    topo_exec "$1" lvs nft -f - <<'EOF'
table ip lvs_fullnat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "rs0" ip daddr 203.0.113.0/24 masquerade
  }
}
EOF
  else
    topo_exec "$1" lvs nft delete table ip lvs_fullnat
  fi
}

topo_requests() { # name count [per-request timeout s] [url]
  local name=$1 count=$2 max_time=${3:-$TOPO_REQUEST_TIMEOUT} url=${4:-http://$TOPO_VIP/} i urls=()
  ((count >= 1 && count <= 1000)) || { echo "topo_requests: count must be 1..1000" >&2; return 2; }
  for ((i = 0; i < count; i++)); do urls+=("$url"); done
  # "Connection: close" makes every request a new TCP connection, hence a
  # new IPVS scheduling decision. -w appends a status marker after each
  # body; 000 means no response within max_time.
  topo_exec "$name" cli curl -sS --max-time "$max_time" --connect-timeout "$max_time" \
      -H 'Connection: close' -w '\n@%{http_code}\n' "${urls[@]}" 2>/dev/null |
    awk '
      /^@[0-9][0-9][0-9]$/ {
        code = substr($0, 2)
        if (code == "200") print body; else if (code == "000") print "TIMEOUT"; else print "HTTP" code
        body = ""; next
      }
      NF { body = body $0 }'
}

topo_histogram() { # stdin: one result per line -> "a=N b=M" sorted by name
  sort | uniq -c | awk '{ printf "%s%s=%d", sep, $2, $1; sep = " " } END { print "" }'
}

# topo_fetch NAME SECS [CURL-OPTION...] -- URL...
# Like topo_requests, but any list of URLs (e.g. several ports) and extra
# curl options (e.g. --interface 198.51.100.3 for a second client address),
# still in ONE curl process, one new connection per URL.
topo_fetch() { # name secs [curl options...] -- url...
  local name=$1 max_time=$2 opts=()
  shift 2
  while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
  [[ ${1:-} == -- ]] && shift
  (($# >= 1 && $# <= 1000)) || { echo "topo_fetch: 1..1000 URLs after --" >&2; return 2; }
  topo_exec "$name" cli curl -sS --max-time "$max_time" --connect-timeout "$max_time" \
      -H 'Connection: close' "${opts[@]}" -w '\n@%{http_code}\n' "$@" 2>/dev/null |
    awk '
      /^@[0-9][0-9][0-9]$/ {
        code = substr($0, 2)
        if (code == "200") print body; else if (code == "000") print "TIMEOUT"; else print "HTTP" code
        body = ""; next
      }
      NF { body = body $0 }'
}
