# shellcheck shell=bash
# shellcheck disable=SC2034  # the FIXTURE_* variables are used by the scripts sourcing this
# fixtures.sh - the IPVS tables whose ipvsadm / procfs output we record as
# parser fixtures, and the code that builds and records them. Sourced by
# record-fixtures.sh (writes packages/shared/test/fixtures/kernel/) and by
# suites/fixtures.sh (re-records and compares with what is committed).
# Runs inside the kernel-bed guest, as root.
#
# Each table is built in a network namespace of its own (IPVS tables are
# per namespace) by feeding its rule lines to `ipvsadm -R`, one line per
# ipvsadm command without the leading "ipvsadm". Those lines are saved
# verbatim as <table>/rules.txt.
#
# Addresses: documentation ranges only (192.0.2.0/24, 198.51.100.0/24,
# 203.0.113.0/24, 2001:db8::/32). Only the "traffic" table sends packets,
# between namespaces built by lib/topology.sh.

# The outputs recorded for every table: "<file slug>|<command>".
FIXTURE_OUTPUTS=(
  "Sn|ipvsadm -Sn"
  "Ln|ipvsadm -Ln"
  "Ln-stats|ipvsadm -Ln --stats"
  "Ln-exact-stats|ipvsadm -Ln --exact --stats"
  "Ln-exact-rate|ipvsadm -Ln --exact --rate"
  "Ln-thresholds|ipvsadm -Ln --thresholds"
  "Ln-persistent-conn|ipvsadm -Ln --persistent-conn"
  "Ln-tun-info|ipvsadm -Ln --tun-info"
  "Lcn|ipvsadm -Lcn"
  "L-timeout|ipvsadm -L --timeout"
  "L-daemon|ipvsadm -L --daemon"
  "proc-net-ip_vs|cat /proc/net/ip_vs"
  "proc-net-ip_vs_conn|cat /proc/net/ip_vs_conn"
  "proc-net-ip_vs_stats|cat /proc/net/ip_vs_stats"
)

# Every scheduler the Debian 6.1 kernel ships (net/netfilter/ipvs/ip_vs_*.ko
# minus the ftp helper and the sip persistence engine). `twos` (weighted
# random twos choice) only arrived in Linux 6.2, so 6.1 rejects it; the
# schedulers table records that rejection in rejected.txt.
FIXTURE_SCHEDULERS=(rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh)
FIXTURE_SCHEDULERS_MISSING=(twos)

FIXTURE_TABLES=(empty protocols ipv6 schedulers sched-flags persistence pe-sip
                ops thresholds tunnel-types weights timeouts sync-daemon traffic)

declare -A FIXTURE_ABOUT=(
  [empty]="no services at all: the headers alone"
  [protocols]="TCP, UDP, SCTP and fwmark services with masq (-m), route (-g) and tunnel (-i) real servers"
  [ipv6]="IPv6 TCP/UDP/fwmark services, and an IPv6 service with an IPv4 tunnel real server"
  [schedulers]="one service per scheduler the 6.1 kernel accepts; rejected.txt shows twos being refused"
  [sched-flags]="sh and mh with their -b scheduler flags (sh-fallback, sh-port, mh-fallback, mh-port, flag-N)"
  [persistence]="-p with and without a timeout, -M netmask (IPv4) and prefix length (IPv6), port-0 and fwmark services"
  [pe-sip]="UDP SIP service with persistence engine --pe sip"
  [ops]="UDP one-packet scheduling (-o)"
  [thresholds]="real servers with upper/lower connection thresholds (-x/-y)"
  [tunnel-types]="tunnel real servers: ipip, gue (--tun-port, --tun-csum/--tun-nocsum/--tun-remcsum) and gre (--tun-csum)"
  [weights]="real-server weights 0, 1 and 65535"
  [timeouts]="--set tcp/tcpfin/udp timeouts (-L --timeout shows them)"
  [sync-daemon]="a running master sync daemon (-L --daemon); a veth pair in the table's namespace is its interface"
  [traffic]="NAT topology (lib/topology.sh) after 30 HTTP requests to a rr service, 6 to a persistent one and 3 UDP datagrams: non-zero counters, live connections and persistence templates"
)

# Rule lines per table (ipvsadm -R input). Heredocs keep them readable.
declare -A FIXTURE_RULES
FIXTURE_RULES[empty]=""
FIXTURE_RULES[protocols]=$(cat <<'EOF'
-A -t 192.0.2.1:80 -s wlc
-a -t 192.0.2.1:80 -r 203.0.113.11:8080 -m -w 1
-a -t 192.0.2.1:80 -r 203.0.113.12:80 -g -w 2
-a -t 192.0.2.1:80 -r 203.0.113.13:80 -i -w 3
-A -u 192.0.2.1:53 -s rr
-a -u 192.0.2.1:53 -r 203.0.113.11:53 -m -w 1
-a -u 192.0.2.1:53 -r 203.0.113.12:5353 -m -w 1
-A --sctp-service 192.0.2.1:3868 -s rr
-a --sctp-service 192.0.2.1:3868 -r 203.0.113.11:3868 -m -w 1
-a --sctp-service 192.0.2.1:3868 -r 203.0.113.12:3868 -g -w 1
-A -f 1 -s wrr
-a -f 1 -r 203.0.113.11:0 -g -w 1
-a -f 1 -r 203.0.113.12:0 -i -w 2
-a -f 1 -r 203.0.113.13:8080 -m -w 3
EOF
)
FIXTURE_RULES[ipv6]=$(cat <<'EOF'
-A -t [2001:db8::10]:80 -s rr
-a -t [2001:db8::10]:80 -r [2001:db8:1::11]:8080 -m -w 1
-a -t [2001:db8::10]:80 -r [2001:db8:1::12]:80 -g -w 1
-a -t [2001:db8::10]:80 -r [2001:db8:1::13]:80 -i -w 1
-A -u [2001:db8::10]:53 -s wrr
-a -u [2001:db8::10]:53 -r [2001:db8:1::11]:53 -m -w 2
-A -t [2001:db8::20]:443 -s rr
-a -t [2001:db8::20]:443 -r 203.0.113.21:443 -i -w 1
-A -f 6 -6 -s rr
-a -f 6 -6 -r [2001:db8:1::11]:0 -g -w 1
EOF
)
FIXTURE_RULES[schedulers]=$(
  port=8000
  for sched in "${FIXTURE_SCHEDULERS[@]}"; do
    port=$((port + 1))
    printf -- '-A -t 192.0.2.1:%d -s %s\n' "$port" "$sched"
    printf -- '-a -t 192.0.2.1:%d -r 203.0.113.11:80 -m -w 1\n' "$port"
  done
)
FIXTURE_RULES[sched-flags]=$(cat <<'EOF'
-A -t 192.0.2.2:80 -s sh -b sh-fallback,sh-port
-a -t 192.0.2.2:80 -r 203.0.113.11:80 -m -w 1
-A -t 192.0.2.2:81 -s sh -b sh-fallback
-a -t 192.0.2.2:81 -r 203.0.113.11:81 -m -w 1
-A -t 192.0.2.2:82 -s sh -b flag-1,flag-2
-a -t 192.0.2.2:82 -r 203.0.113.11:82 -m -w 1
-A -t 192.0.2.3:80 -s mh -b mh-fallback,mh-port
-a -t 192.0.2.3:80 -r 203.0.113.12:80 -m -w 1
-A -t 192.0.2.3:81 -s mh -b mh-port
-a -t 192.0.2.3:81 -r 203.0.113.12:81 -m -w 1
EOF
)
FIXTURE_RULES[persistence]=$(cat <<'EOF'
-A -t 192.0.2.5:443 -s wlc -p 300 -M 255.255.255.0
-a -t 192.0.2.5:443 -r 203.0.113.11:443 -m -w 1
-A -t 192.0.2.5:0 -s rr -p 3600
-a -t 192.0.2.5:0 -r 203.0.113.12:0 -g -w 1
-A -t 192.0.2.6:80 -s rr -p
-a -t 192.0.2.6:80 -r 203.0.113.13:80 -m -w 1
-A -f 2 -s wrr -p 120 -M 255.255.0.0
-a -f 2 -r 203.0.113.14:0 -g -w 1
-A -t [2001:db8::5]:443 -s rr -p 600 -M 64
-a -t [2001:db8::5]:443 -r [2001:db8:1::5]:443 -m -w 1
EOF
)
FIXTURE_RULES[pe-sip]=$(cat <<'EOF'
-A -u 192.0.2.7:5060 -s rr -p 60 --pe sip
-a -u 192.0.2.7:5060 -r 203.0.113.11:5060 -m -w 1
-a -u 192.0.2.7:5060 -r 203.0.113.12:5060 -m -w 1
EOF
)
FIXTURE_RULES[ops]=$(cat <<'EOF'
-A -u 192.0.2.8:53 -s rr -o
-a -u 192.0.2.8:53 -r 203.0.113.11:53 -m -w 1
-a -u 192.0.2.8:53 -r 203.0.113.12:53 -m -w 1
-A -u 192.0.2.8:514 -s wrr -o
-a -u 192.0.2.8:514 -r 203.0.113.11:514 -g -w 2
EOF
)
FIXTURE_RULES[thresholds]=$(cat <<'EOF'
-A -t 192.0.2.9:80 -s wlc
-a -t 192.0.2.9:80 -r 203.0.113.11:80 -m -w 1 -x 100 -y 50
-a -t 192.0.2.9:80 -r 203.0.113.12:80 -m -w 1 -x 2000
-a -t 192.0.2.9:80 -r 203.0.113.13:80 -m -w 1 -x 10 -y 10
-a -t 192.0.2.9:80 -r 203.0.113.14:80 -m -w 1
EOF
)
FIXTURE_RULES[tunnel-types]=$(cat <<'EOF'
-A -t 192.0.2.11:80 -s rr
-a -t 192.0.2.11:80 -r 203.0.113.31:80 -i -w 1
-a -t 192.0.2.11:80 -r 203.0.113.32:80 -i -w 1 --tun-type ipip
-a -t 192.0.2.11:80 -r 203.0.113.33:80 -i -w 1 --tun-type gue --tun-port 6080
-a -t 192.0.2.11:80 -r 203.0.113.34:80 -i -w 1 --tun-type gue --tun-port 6081 --tun-csum
-a -t 192.0.2.11:80 -r 203.0.113.35:80 -i -w 1 --tun-type gue --tun-port 6082 --tun-remcsum
-a -t 192.0.2.11:80 -r 203.0.113.36:80 -i -w 1 --tun-type gue --tun-port 6083 --tun-nocsum
-a -t 192.0.2.11:80 -r 203.0.113.37:80 -i -w 1 --tun-type gre
-a -t 192.0.2.11:80 -r 203.0.113.38:80 -i -w 1 --tun-type gre --tun-csum
EOF
)
FIXTURE_RULES[weights]=$(cat <<'EOF'
-A -t 192.0.2.12:80 -s wrr
-a -t 192.0.2.12:80 -r 203.0.113.11:80 -m -w 0
-a -t 192.0.2.12:80 -r 203.0.113.12:80 -m -w 1
-a -t 192.0.2.12:80 -r 203.0.113.13:80 -m -w 65535
-a -t 192.0.2.12:80 -r 203.0.113.14:80 -m
EOF
)
FIXTURE_RULES[timeouts]=$(cat <<'EOF'
--set 7200 60 600
-A -t 192.0.2.13:80 -s rr
-a -t 192.0.2.13:80 -r 203.0.113.11:80 -m -w 1
EOF
)
FIXTURE_RULES[sync-daemon]=$(cat <<'EOF'
-A -t 198.51.100.10:80 -s rr
-a -t 198.51.100.10:80 -r 198.51.100.11:80 -g -w 1
--start-daemon master --mcast-interface sync0 --syncid 7
EOF
)
FIXTURE_RULES[traffic]=$(cat <<'EOF'
-A -t 192.0.2.10:80 -s rr
-a -t 192.0.2.10:80 -r 203.0.113.11:80 -m -w 1
-a -t 192.0.2.10:80 -r 203.0.113.12:80 -m -w 1
-a -t 192.0.2.10:80 -r 203.0.113.13:80 -m -w 1
-A -t 192.0.2.10:8080 -s wlc -p 300
-a -t 192.0.2.10:8080 -r 203.0.113.11:80 -m -w 1
-a -t 192.0.2.10:8080 -r 203.0.113.12:80 -m -w 2
-A -u 192.0.2.10:53 -s rr
-a -u 192.0.2.10:53 -r 203.0.113.11:53 -m -w 1
-a -u 192.0.2.10:53 -r 203.0.113.12:53 -m -w 1
EOF
)

# Lines of the restore-error example: fed to one `ipvsadm -R`, with several
# kinds of semantic error in the middle of good lines.
FIXTURE_RESTORE_ERROR_RULES=$(cat <<'EOF'
-A -t 192.0.2.1:80 -s rr
-a -t 192.0.2.1:80 -r 203.0.113.11:80 -m -w 1
-a -t 192.0.2.99:80 -r 203.0.113.12:80 -m -w 1
-A -t 192.0.2.1:80 -s rr
-a -t 192.0.2.1:80 -r 203.0.113.11:80 -m -w 1
-d -t 192.0.2.1:80 -r 203.0.113.99:80
-A -t 192.0.2.2:80 -s twos
-A -t 192.0.2.3:80 -s wrr
-a -t 192.0.2.3:80 -r 203.0.113.13:80 -m -w 2
-a -t 192.0.2.3:80 -r 203.0.113.14:80 -m -w 1 -y 10
-a -t 192.0.2.3:80 -r 203.0.113.15:80 -m -w 1
EOF
)
# ... and a syntax error (an option ipvsadm does not know) between good lines.
FIXTURE_RESTORE_SYNTAX_RULES=$(cat <<'EOF'
-A -t 192.0.2.1:80 -s rr
-a -t 192.0.2.1:80 -r 203.0.113.11:80 -m -w 1 --no-such-option
-A -t 192.0.2.3:80 -s wrr
EOF
)

# Traffic-dependent outputs (counters, rates, connection timers) differ
# from run to run; the check compares everything else byte for byte.
FIXTURE_VOLATILE_TABLES=(traffic)

# ---------------------------------------------------------------------------

_fx_ns() { printf 'fx-%s\n' "$1"; }

# Builds table $1 in its own namespace and leaves it there. Prints the
# namespace name. Fails (non-zero, message on stderr) on any ipvsadm error.
fixture_build() { # table
  local table=$1 ns err
  ns=$(_fx_ns "$table")
  fixture_teardown "$table"
  case $table in
    traffic)
      topo_up "$ns" nat >&2 || return 1
      ns="$ns-lvs" ;;
    *)
      ip netns add "$ns" || return 1
      # Real servers can only be added where a local routing table exists
      # (lo up); the sync daemon needs an interface with an address.
      {
        echo "link set lo up"
        if [[ $table == sync-daemon ]]; then
          echo "link add sync0 type veth peer name sync1"
          echo "addr add 198.51.100.1/24 dev sync0"
          echo "link set sync0 addrgenmode none"
          echo "link set sync1 addrgenmode none"
          echo "link set sync0 up"
          echo "link set sync1 up"
        fi
      } | ip -n "$ns" -b - || return 1
      ;;
  esac
  if [[ -n ${FIXTURE_RULES[$table]} ]]; then
    err=$(ip netns exec "$ns" ipvsadm -R 2>&1 <<<"${FIXTURE_RULES[$table]}") || true
    if [[ -n $err ]]; then
      printf 'fixture_build %s: ipvsadm -R: %s\n' "$table" "$err" >&2
      return 1
    fi
  fi
  if [[ $table == traffic ]]; then
    _fixture_traffic "$(_fx_ns traffic)" >&2 || return 1
  fi
  printf '%s\n' "$ns"
}

_fixture_traffic() { # topology name
  local name=$1 got
  got=$(topo_requests "$name" 30 | topo_histogram)
  [[ $got == "rs1=10 rs2=10 rs3=10" ]] || { echo "traffic table: rr got [$got]" >&2; return 1; }
  got=$(topo_requests "$name" 6 2 "http://$TOPO_VIP:8080/" | topo_histogram)
  [[ $got =~ ^rs[12]=6$ ]] || { echo "traffic table: persistent got [$got]" >&2; return 1; }
  # Three UDP datagrams from three source ports: three UDP connections (no
  # one listens on the real servers; only the entries matter).
  topo_exec "$name" cli bash -c 'for i in 1 2 3; do echo query >/dev/udp/192.0.2.10/53; done' || return 1
  # Counters reach --stats through the 2 s rate estimator. Wait until it has
  # folded in every connection (all 39), so stats and rates are non-zero
  # and the connection counts are the same on every recording.
  local _try total=0
  for _try in {1..20}; do
    total=$(topo_exec "$name" lvs ipvsadm -Ln --stats --exact | awk '$1 ~ /^(TCP|UDP)$/ { n += $3 } END { print n + 0 }')
    ((total >= 39)) && break
    sleep 0.5
  done
  ((total >= 39)) || { echo "traffic table: --stats shows $total connections, want 39" >&2; return 1; }
}

fixture_teardown() { # table
  local ns
  ns=$(_fx_ns "$1")
  if [[ $1 == traffic ]]; then
    topo_down "$ns"
  elif [[ -e /run/netns/$ns ]]; then
    ip netns exec "$ns" ipvsadm --stop-daemon master 2>/dev/null || :
    ip netns del "$ns"
  fi
}

# Records every FIXTURE_OUTPUTS command in namespace $1 into directory $2,
# all from one shell (each process start costs under TCG). A command that
# fails or writes to stderr also leaves <slug>.stderr.txt with its stderr
# and exit status.
fixture_record() { # netns dir
  local ns=$1 dir=$2 entry script=""
  mkdir -p "$dir"
  for entry in "${FIXTURE_OUTPUTS[@]}"; do
    script+="rc=0; ${entry#*|} >'$dir/${entry%%|*}.txt' 2>'$dir/.err' || rc=\$?
if [[ \$rc != 0 || -s '$dir/.err' ]]; then { cat '$dir/.err'; echo \"exit status: \$rc\"; } >'$dir/${entry%%|*}.stderr.txt'; fi
"
  done
  script+="rm -f '$dir/.err'"
  ip netns exec "$ns" bash -c "$script"
}

# ipvsadm -R with errors, in a scratch namespace: stdin, stderr, exit status
# and the table that resulted. $1: output dir, $2: rule lines.
fixture_restore_error() { # dir rules
  local dir=$1 rules=$2 ns=fx-restore-error rc=0
  mkdir -p "$dir"
  [[ -e /run/netns/$ns ]] && ip netns del "$ns"
  ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
  printf '%s\n' "$rules" >"$dir/rules.txt"
  ip netns exec "$ns" ipvsadm -R <"$dir/rules.txt" >"$dir/stdout.txt" 2>"$dir/restore-error.txt" || rc=$?
  echo "$rc" >"$dir/exit-status.txt"
  ip netns exec "$ns" ipvsadm -Sn >"$dir/Sn.txt"
  ip netns del "$ns"
}

# The schedulers table also tries the schedulers 6.1 lacks, one ipvsadm call
# each, and keeps what ipvsadm said.
fixture_rejected_schedulers() { # netns dir
  local ns=$1 dir=$2 sched line rc out
  : >"$dir/rejected.txt"
  for sched in "${FIXTURE_SCHEDULERS_MISSING[@]}"; do
    line="-A -t 192.0.2.1:9000 -s $sched"
    rc=0
    # shellcheck disable=SC2086  # the line is deliberately word-split
    out=$(ip netns exec "$ns" ipvsadm $line 2>&1) || rc=$?
    printf '$ ipvsadm %s\n%s\nexit status: %d\n' "$line" "$out" "$rc" >>"$dir/rejected.txt"
  done
}

# Loads every module the tables need up front (the kernel would autoload
# most of them, one usermode-helper modprobe at a time).
fixture_modules() {
  local mods=(ip_vs ip_vs_pe_sip ipip veth bridge nf_conntrack nf_nat nf_tables nft_chain_nat nft_masq)
  local s
  for s in "${FIXTURE_SCHEDULERS[@]}"; do mods+=("ip_vs_$s"); done
  modprobe -a "${mods[@]}"
}

# Writes one complete fixture set into $1. Needs lib/topology.sh sourced.
fixture_record_all() { # dir
  local dir=$1 table ns t0
  mkdir -p "$dir"
  fixture_modules || { echo "fixture_record_all: modprobe failed" >&2; return 1; }
  for table in "${FIXTURE_TABLES[@]}"; do
    t0=$EPOCHREALTIME
    ns=$(fixture_build "$table") || { fixture_teardown "$table"; return 1; }
    mkdir -p "$dir/$table"
    # rules.txt: exactly the lines given to ipvsadm -R (empty for "empty").
    if [[ -n ${FIXTURE_RULES[$table]} ]]; then
      printf '%s\n' "${FIXTURE_RULES[$table]}" >"$dir/$table/rules.txt"
    else
      : >"$dir/$table/rules.txt"
    fi
    fixture_record "$ns" "$dir/$table"
    [[ $table == schedulers ]] && fixture_rejected_schedulers "$ns" "$dir/$table"
    fixture_teardown "$table"
    printf '# recorded %-14s in %s s\n' "$table" "$(elapsed_since "$t0")" >&2
  done
  fixture_restore_error "$dir/restore-error" "$FIXTURE_RESTORE_ERROR_RULES" || return 1
  fixture_restore_error "$dir/restore-syntax-error" "$FIXTURE_RESTORE_SYNTAX_RULES" || return 1
}
