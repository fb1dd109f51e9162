# shellcheck shell=bash
# ha.sh - an LVS director PAIR for the kernel-bed guest (source it after
# topology.sh): two directors A and B running keepalived (VRRP) and the
# kernel's connection sync daemon, a client and three DR real servers, all
# on one L2 segment.
#
#   NAME-cli  client 198.51.100.2; the VIP 198.51.100.100 is on its subnet:
#             it ARPs for the VIP, so whoever answers gets the traffic
#   NAME-a    director A 198.51.100.1, MAC 02:00:00:00:00:0a
#   NAME-b    director B 198.51.100.4, MAC 02:00:00:00:00:0b
#   NAME-rsN  DR real servers 198.51.100.1N (VIP on lo, arp_ignore=1,
#             arp_announce=2; topology.sh topo_rs_up), busybox httpd :80;
#             rs1 also runs a streaming server on :8080 (ha-traffic.mjs)
#   NAME-sw   the bridge br0 (ports p-cli, p-a, p-b, p-rsN)
#
# Nothing here programs IPVS or VRRP by hand: each director runs the
# console's agent (`lvs-console serve --cluster ... --vrrp keepalived`, the
# two agents forming one cluster), and the suite gives the desired state to
# one of them through its API. Each agent applies it to its own kernel,
# renders a VRRP-only keepalived configuration from its `ha` block, runs
# keepalived as its own daemon, learns the VRRP state from keepalived's
# notify FIFO, and makes the kernel's sync daemon follow it. Neither
# director holds the VIP until keepalived makes one MASTER. VRRP is
# multicast (224.0.0.18) on br0, virtual_router_id $HA_VRID, advert_int
# $HA_ADVERT_INT. Work files (agent state, logs) under $HA_WORK/ROLE.
#
# Functions:
#   ha_up NAME                 build the namespaces (no agents yet)
#   ha_down NAME               stop everything in it, delete the namespaces
#   ha_agent_start NAME ROLE   the agent of director ROLE (a or b), as a
#                              cluster member; 0 once it listens
#   ha_agent_signal NAME ROLE SIG
#   ha_api NAME ROLE PROC [JSON]   a tRPC call on ROLE's agent
#   ha_revision NAME ROLE      the revision ROLE's agent holds
#   ha_desired PREEMPT SYNC [W]    the pair's desired state (JSON)
#   ha_state NAME ROLE         the VRRP state ROLE's agent learnt from its
#                              keepalived, "none" or "down"
#   ha_wait_state NAME ROLE STATE SECS   0 once the agent reports it
#   ha_addr_watch_start NAME ROLE        log VIP add/del on ROLE's eth0
#   ha_vip_event_time ROLE add|del T     epoch of the first such event after T
#   ha_keepalived_kill NAME ROLE       SIGKILL, the way a daemon crashes:
#                                      the VIP stays where it was
#   ha_keepalived_running NAME ROLE
#   ha_vip_holders NAME        "a", "b", "a b" or "none": who has the VIP
#   ha_sync_daemons NAME ROLE  "master", "backup", "none", ... (ipvsadm -L --daemon)
#   ha_arp_answers NAME        the MACs that answer ARP for the VIP (arping
#                              from the client), sorted, one line, or "none"
#   ha_master_down_interval PRIORITY   3 x advert_int + skew, in seconds

# The VIP lies in the segment's subnet, as in the field (and as the agent
# requires of a pair: a VIP outside every subnet of the VRRP interface is
# refused). topology.sh's VIP is on another subnet, routed by the client.
TOPO_VIP=198.51.100.100
HA_A_IP=198.51.100.1
HA_B_IP=198.51.100.4
HA_A_MAC=02:00:00:00:00:0a
HA_B_MAC=02:00:00:00:00:0b
HA_VRID=${HA_VRID:-14}
HA_SYNCID=${HA_SYNCID:-14}
HA_ADVERT_INT=${HA_ADVERT_INT:-1}
HA_STREAM_PORT=8080
HA_STREAM_SECONDS=${HA_STREAM_SECONDS:-30}
HA_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HA_WORK=${HA_WORK:-/tmp/lvs-ha}
HA_CLI=${HA_CLI:-}
HA_PORT=${HA_PORT:-9180}
# The agents talk to IPVS over generic netlink: under TCG every ipvsadm
# process costs up to a second, and a change crosses two kernels.
HA_BACKEND=${HA_BACKEND:-netlink}
HA_CLUSTER=lvs-pair
HA_TOKEN=${HA_TOKEN:-ha-suite-admin-token-$$}
HA_CLUSTER_TOKEN=${HA_CLUSTER_TOKEN:-ha-suite-cluster-token-$$-$RANDOM}

_ha_namespaces() { # name -> every namespace of the pair
  local i
  printf '%s\n' "$1-cli" "$1-a" "$1-b" "$1-sw"
  for ((i = 1; i <= TOPO_RS_COUNT; i++)); do printf '%s\n' "$1-rs$i"; done
}

ha_down() { # name
  local ns all=()
  while read -r ns; do all+=("$ns"); done < <(_ha_namespaces "$1")
  topo_delete_namespaces "${all[@]}"
}

ha_up() { # name
  local name=$1 i
  ha_down "$name" || return 1
  rm -rf "${HA_WORK:?}"
  mkdir -p "$HA_WORK/a" "$HA_WORK/b"

  # Namespaces and links in one batch; the directors' MACs are fixed so
  # that ARP answers and the client's neighbour entry name the director.
  {
    _ha_namespaces "$name" | sed 's/^/netns add /'
    echo "link add eth0 netns $name-cli type veth peer name p-cli netns $name-sw"
    echo "link add eth0 address $HA_A_MAC netns $name-a type veth peer name p-a netns $name-sw"
    echo "link add eth0 address $HA_B_MAC netns $name-b type veth peer name p-b netns $name-sw"
    for ((i = 1; i <= TOPO_RS_COUNT; i++)); do
      echo "link add eth0 netns $name-rs$i type veth peer name p-rs$i netns $name-sw"
    done
  } | ip -b - || { echo "ha_up: creating namespaces/links failed" >&2; return 1; }

  local ports=(cli a b)
  for ((i = 1; i <= TOPO_RS_COUNT; i++)); do ports+=("rs$i"); done
  topo_switch_up "$name" "${ports[@]}" || return 1

  topo_eth0_up "$name" cli "$TOPO_CLIENT_IP/24" || return 1

  topo_eth0_up "$name" a "$HA_A_IP/24" || return 1
  topo_eth0_up "$name" b "$HA_B_IP/24" || return 1

  for ((i = 1; i <= TOPO_RS_COUNT; i++)); do
    topo_rs_up "$name" "$i" dr || return 1
  done
  _ha_stream_server_start "$name"
}

_ha_stream_server_start() { # name: ha-traffic.mjs stream-server on rs1, waits until it listens
  local log=$HA_WORK/stream-server.log _i
  topo_exec "$1" rs1 node "$HA_LIB/ha-traffic.mjs" stream-server "$HA_STREAM_PORT" \
    "$HA_STREAM_SECONDS" 100 rs1 >"$log" 2>&1 &
  for ((_i = 0; _i < 200; _i++)); do
    grep -q '^listening' "$log" && return 0
    sleep 0.2
  done
  echo "ha_up: the stream server on rs1 did not start: $(cat "$log")" >&2
  return 1
}

ha_master_down_interval() { # priority -> seconds (keepalived: 3 x advert_int + (256 - prio) / 256 x advert_int)
  awk -v a="$HA_ADVERT_INT" -v p="$1" 'BEGIN { printf "%.2f\n", 3 * a + (256 - p) / 256 * a }'
}

# ------------------------------------------------------------------ agents
# One `lvs-console serve` per director, in its namespace, listening on its
# segment address, the two forming cluster $HA_CLUSTER. Each agent applies
# the desired state to its own kernel, renders keepalived's VRRP-only
# configuration from the desired state's `ha` block, runs keepalived as a
# daemon of its own, learns the VRRP state from keepalived's notify FIFO,
# and makes its kernel's sync daemon follow that state.
_ha_ip() { [[ $1 == a ]] && echo "$HA_A_IP" || echo "$HA_B_IP"; }
_ha_other() { [[ $1 == a ]] && echo b || echo a; }
_ha_agent_dir() { echo "$HA_WORK/$1/state"; }

ha_agent_start() { # name role: starts the agent, 0 once it listens (bounded)
  local name=$1 role=$2 other dir log _i pid
  other=$(_ha_other "$role")
  dir=$(_ha_agent_dir "$role")
  log=$HA_WORK/$role/agent.log
  mkdir -p "$dir"
  [[ -r $HA_WORK/cluster.token ]] || (umask 077 && printf '%s\n' "$HA_CLUSTER_TOKEN" >"$HA_WORK/cluster.token")
  # ip netns exec execs node: $! is the agent itself (ha_agent_signal).
  ip netns exec "$name-$role" node "$HA_CLI" serve --backend "$HA_BACKEND" --listen "$(_ha_ip "$role"):$HA_PORT" \
    --state-dir "$dir" --admin-token "$HA_TOKEN" --log-level "${HA_AGENT_LOG_LEVEL:-info}" \
    --cluster "$HA_CLUSTER" --node "$role" --peer "$other=http://$(_ha_ip "$other"):$HA_PORT" \
    --cluster-token-file "$HA_WORK/cluster.token" --vrrp keepalived >>"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$HA_WORK/$role/agent.pid"
  for ((_i = 0; _i < 400; _i++)); do
    grep -q '^listening on ' "$log" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.3
  done
  echo "ha_agent_start: the agent on $role did not come up: $(tail -n 20 "$log" | paste -sd'|')" >&2
  return 1
}

ha_agent_signal() { # name role signal
  local pid
  read -r pid <"$HA_WORK/$2/agent.pid" 2>/dev/null || return 1
  kill "-$3" "$pid"
}

# ha_api NAME ROLE PROCEDURE [JSON]: a query (GET) without JSON, a mutation
# (POST) with it, on ROLE's agent from inside ROLE's namespace. Prints the
# body; 1 unless it is a tRPC result.
ha_api() {
  local name=$1 role=$2 proc=$3 body=${4:-} out
  local args=(-sS --max-time "${HA_API_TIMEOUT:-60}" -H "authorization: Bearer $HA_TOKEN" -H 'x-lvs-console: 1')
  [[ -n $body ]] && args+=(-X POST -H 'content-type: application/json' --data-binary "$body")
  out=$(topo_exec "$name" "$role" curl "${args[@]}" "http://$(_ha_ip "$role"):$HA_PORT/trpc/$proc" 2>&1) || :
  printf '%s\n' "$out"
  [[ $out == '{"result":'* ]]
}

ha_revision() { # name role -> the agent's revision (cluster.members, itself)
  local out
  out=$(ha_api "$1" "$2" cluster.members) || { echo none; return 1; }
  [[ $out =~ \"revision\":([0-9]+) ]] && echo "${BASH_REMATCH[1]}" || echo none
}

# The VRRP state ROLE's agent learnt from its keepalived (its own member
# entry comes first in cluster.members; its first "state" is its first
# instance's), or "none" (no instance yet) or "down" (the agent did not answer).
ha_state() { # name role
  local out
  out=$(HA_API_TIMEOUT=10 ha_api "$1" "$2" cluster.members) || { echo down; return 0; }
  [[ $out =~ \"vrrp\":\[\{[^]]*\"state\":\"([A-Z]+)\" ]] && echo "${BASH_REMATCH[1]}" || echo none
}

ha_wait_state() { # name role state secs: 0 once the agent reports it
  local deadline=$((SECONDS + $4))
  while ((SECONDS < deadline)); do
    [[ $(ha_state "$1" "$2") == "$3" ]] && return 0
    sleep 0.5
  done
  return 1
}

# Every address change on ROLE's eth0 with the guest's wall clock, from one
# long-lived `ip monitor` (the VIP appears when keepalived makes the
# director MASTER and disappears when it leaves MASTER): HA_WORK/ROLE/addr.log
# holds "EPOCH add|del ADDRESS".
ha_addr_watch_start() { # name role
  local log=$HA_WORK/$2/addr.log
  : >"$log"
  # shellcheck disable=SC2016  # expanded by the inner bash
  ip -n "$1-$2" -o monitor address dev eth0 2>/dev/null | bash -c '
    while read -r first rest; do
      [[ $first == Deleted ]] && kind=del || kind=add
      [[ " $first $rest " =~ \ inet6?\ ([0-9a-f.:]+)/ ]] && printf "%s %s %s\n" "$EPOCHREALTIME" "$kind" "${BASH_REMATCH[1]}"
    done' >>"$log" &
}

ha_vip_event_time() { # role add|del after-epoch -> epoch of the first such VIP event after it
  awk -v k="$2" -v t="$3" -v v="$TOPO_VIP" '$2 == k && $3 == v && $1 + 0 >= t + 0 { print $1; found = 1; exit } END { exit !found }' "$HA_WORK/$1/addr.log"
}

# SIGKILL keepalived the way a daemon crashes: its parent first stopped (a
# parent respawns a dead VRRP child, and a child whose parent dies gets
# SIGTERM and would release the VIP), then both killed. The VIP stays.
ha_keepalived_kill() { # name role
  local dir parent child
  dir=$(_ha_agent_dir "$2")/keepalived
  read -r parent <"$dir/keepalived.pid" || return 1
  read -r child <"$dir/vrrp.pid" || return 1
  kill -STOP "$parent" && kill -KILL "$child" "$parent"
}

ha_keepalived_running() { # name role: 0 when the agent's keepalived (parent and VRRP child) runs
  local dir pid f
  dir=$(_ha_agent_dir "$2")/keepalived
  for f in keepalived.pid vrrp.pid; do
    read -r pid <"$dir/$f" 2>/dev/null || return 1
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == keepalived ]] || return 1
  done
}

# The pair's desired state: VIP:80 rr over the three DR real servers,
# VIP:8080 to rs1 (the long-lived stream), and the `ha` block: directors a
# and b, one VRRP instance on eth0 (A 150, B 100), preempt or not, the
# sync daemon (syncid HA_SYNCID on eth0) or none.
ha_desired() { # preempt(true|false) sync(on|off) [weight of rs3 on :80]
  local i dests="" sync=""
  for ((i = 1; i <= TOPO_RS_COUNT; i++)); do
    dests+="${dests:+,}{\"address\":\"$(topo_rs_ip dr "$i")\",\"port\":80,\"forwarding\":\"route\",\"weight\":$([[ $i == 3 ]] && echo "${3:-1}" || echo 1)}"
  done
  [[ $2 == on ]] && sync=",\"sync\":{\"interface\":\"eth0\",\"syncId\":$HA_SYNCID}"
  printf '{"services":[%s,%s],"ha":{"directors":[%s,%s],"instances":[%s]%s}}' \
    "{\"key\":{\"kind\":\"addr\",\"protocol\":\"tcp\",\"address\":\"$TOPO_VIP\",\"port\":80},\"scheduler\":\"rr\",\"destinations\":[$dests]}" \
    "{\"key\":{\"kind\":\"addr\",\"protocol\":\"tcp\",\"address\":\"$TOPO_VIP\",\"port\":$HA_STREAM_PORT},\"scheduler\":\"rr\",\"destinations\":[{\"address\":\"$(topo_rs_ip dr 1)\",\"port\":$HA_STREAM_PORT,\"forwarding\":\"route\",\"weight\":1}]}" \
    "{\"name\":\"a\",\"address\":\"$HA_A_IP\"}" "{\"name\":\"b\",\"address\":\"$HA_B_IP\"}" \
    "{\"name\":\"VI_PAIR\",\"interface\":\"eth0\",\"virtualRouterId\":$HA_VRID,\"priorities\":{\"a\":150,\"b\":100},\"advertInterval\":$HA_ADVERT_INT,\"preempt\":$1,\"password\":\"lvs-pair\"}" \
    "$sync"
}

ha_vip_holders() { # name -> "a", "b", "a b" or "none"
  local role holders=()
  for role in a b; do
    [[ $(ip -n "$1-$role" -o -4 addr show dev eth0 to "$TOPO_VIP/32") ]] && holders+=("$role")
  done
  ((${#holders[@]})) && echo "${holders[*]}" || echo none
}

ha_sync_daemons() { # name role -> e.g. "master" or "backup" or "none"
  local got
  got=$(topo_exec "$1" "$2" ipvsadm -L --daemon 2>/dev/null | awk '/sync daemon/ { print $1 }' | sort | paste -sd' ') || :
  echo "${got:-none}"
}

ha_sync_daemon_detail() { # name role -> ipvsadm -L --daemon, one line
  topo_exec "$1" "$2" ipvsadm -L --daemon 2>&1 | paste -sd';'
}

ha_arp_answers() { # name -> distinct MACs answering ARP for the VIP, or "none"
  local got
  got=$(topo_exec "$1" cli busybox arping -c 3 -w 4 -I eth0 "$TOPO_VIP" 2>/dev/null |
    awk '/reply from/ { gsub(/[][]/, "", $5); print tolower($5) }' | sort -u | paste -sd' ') || :
  echo "${got:-none}"
}
