# shellcheck shell=bash
# ha.sh - an LVS director PAIR for the kernel-bed guest (source it after
# topology.sh): two directors A and B running keepalived (VRRP) and the
# kernel's connection sync daemon, a client and three DR real servers, all
# on one L2 segment.
#
#   NAME-cli  client 198.51.100.2 (route to the VIP on the segment: it
#             ARPs for the VIP, so whoever answers gets the traffic)
#   NAME-a    director A 198.51.100.1, MAC 02:00:00:00:00:0a
#   NAME-b    director B 198.51.100.4, MAC 02:00:00:00:00:0b
#   NAME-rsN  DR real servers 198.51.100.1N (VIP on lo, arp_ignore=1,
#             arp_announce=2; topology.sh topo_rs_up), busybox httpd :80;
#             rs1 also runs a streaming server on :8080 (ha-traffic.mjs)
#   NAME-sw   the bridge br0 (ports p-cli, p-a, p-b, p-rsN)
#
# Both directors get the same IPVS rules (ipvsadm -R): VIP:80 rr over the
# three real servers, VIP:8080 to rs1, both DR (-g). Neither holds the VIP:
# keepalived adds it on the MASTER and removes it elsewhere. Each director's
# keepalived runs in its namespace with its own config, pid files and
# notify FIFO under $HA_WORK/ROLE (guest /tmp). VRRP is multicast
# (224.0.0.18) on br0, virtual_router_id $HA_VRID, advert_int $HA_ADVERT_INT.
#
# keepalived reports every state change on its notify FIFO; ha-notify.sh
# reads it in order and writes ROLE/state, ROLE/states.log ("STATE EPOCH")
# and, once the sync daemon follows, ROLE/synced. Its one swappable step is
# ha_sync_follow_role below (today: ipvsadm; later: the agent).
#
# Functions:
#   ha_up NAME                 build it all (without keepalived)
#   ha_down NAME               stop everything in it, delete the namespaces
#   ha_keepalived_start NAME ROLE PRIORITY PREEMPT(yes|no) [SYNC(on|off)]
#   ha_keepalived_kill NAME ROLE       SIGKILL, the way a daemon crashes:
#                                      the VIP stays where it was
#   ha_state NAME ROLE         last VRRP state keepalived reported, or "none"
#   ha_wait_state NAME ROLE STATE SECS   0 once reported (polls the file)
#   ha_wait_synced NAME ROLE STATE SECS  0 once the sync daemon followed it
#   ha_state_time NAME ROLE STATE        EPOCH of the last report of STATE
#   ha_vip_holders NAME        "a", "b", "a b" or "none": who has the VIP
#   ha_sync_daemons NAME ROLE  "master", "backup", "none", ... (ipvsadm -L --daemon)
#   ha_arp_answers NAME        the MACs that answer ARP for the VIP (arping
#                              from the client), sorted, one line, or "none"
#   ha_master_down_interval PRIORITY   3 x advert_int + skew, in seconds

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
  local name=$1 i role
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

  topo_eth0_up "$name" cli "$TOPO_CLIENT_IP/24" "route add $TOPO_VIP/32 dev eth0" || return 1

  local rules
  rules="-A -t $TOPO_VIP:80 -s rr
-A -t $TOPO_VIP:$HA_STREAM_PORT -s rr
-a -t $TOPO_VIP:$HA_STREAM_PORT -r $(topo_rs_ip dr 1):$HA_STREAM_PORT -g -w 1"
  for ((i = 1; i <= TOPO_RS_COUNT; i++)); do
    rules+=$'\n'"-a -t $TOPO_VIP:80 -r $(topo_rs_ip dr "$i"):80 -g -w 1"
  done
  for role in a b; do
    local ip=$HA_A_IP
    [[ $role == b ]] && ip=$HA_B_IP
    topo_eth0_up "$name" "$role" "$ip/24" || return 1
    topo_exec "$name" "$role" ipvsadm -R <<<"$rules" || { echo "ha_up: ipvsadm -R on $role failed" >&2; return 1; }
  done

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

# ------------------------------------------------------------- keepalived
_ha_keepalived_config() { # role priority preempt(yes|no)
  local dir=$HA_WORK/$1
  cat <<EOF
# written by e2e/kernel/lib/ha.sh: VRRP only, no virtual_server (IPVS is ours)
global_defs {
  router_id director-$1
  script_user root
  vrrp_notify_fifo $dir/notify.fifo
  vrrp_notify_fifo_script "$HA_LIB/ha-notify.sh $dir $HA_SYNCID"
}
vrrp_instance VI_PAIR {
  state BACKUP
  interface eth0
  virtual_router_id $HA_VRID
  priority $2
  advert_int $HA_ADVERT_INT
  $([[ $3 == no ]] && echo nopreempt)
  authentication {
    auth_type PASS
    auth_pass lvs-pair
  }
  virtual_ipaddress {
    $TOPO_VIP/32 dev eth0
  }
}
EOF
}

ha_keepalived_start() { # name role priority preempt [sync on|off]
  local name=$1 role=$2 dir=$HA_WORK/$2
  mkdir -p "$dir"
  rm -f "$dir/state" "$dir/synced" "$dir/sync-off"
  [[ ${5:-on} == off ]] && : >"$dir/sync-off"
  _ha_keepalived_config "$role" "$3" "$4" >"$dir/keepalived.conf"
  # --dont-fork: this shell owns the parent; --vrrp: VRRP only.
  topo_exec "$name" "$role" keepalived --dont-fork --vrrp --log-console --log-detail --no-syslog \
    --use-file="$dir/keepalived.conf" --pid="$dir/keepalived.pid" --vrrp_pid="$dir/vrrp.pid" \
    >>"$dir/keepalived.log" 2>&1 &
}

# SIGKILL the VRRP process and its parent. keepalived's parent respawns a
# dead VRRP child, and a child whose parent dies gets SIGTERM (and would
# release the VIP): so the parent is stopped first, then both are killed.
ha_keepalived_kill() { # name role
  local dir=$HA_WORK/$2 parent child
  read -r parent <"$dir/keepalived.pid" || return 1
  read -r child <"$dir/vrrp.pid" || return 1
  kill -STOP "$parent" && kill -KILL "$child" "$parent"
}

ha_state() { # name role -> last reported VRRP state or "none"
  local state=none
  [[ -r $HA_WORK/$2/state ]] && read -r state <"$HA_WORK/$2/state"
  echo "${state:-none}"
}

_ha_wait_file() { # file want secs: 0 once the file's first line is want
  local got _i
  for ((_i = 0; _i < $3 * 10; _i++)); do
    got=""
    [[ -r $1 ]] && read -r got <"$1"
    [[ $got == "$2" ]] && return 0
    sleep 0.1
  done
  return 1
}
ha_wait_state() { _ha_wait_file "$HA_WORK/$2/state" "$3" "$4"; }
ha_wait_synced() { _ha_wait_file "$HA_WORK/$2/synced" "$3" "$4"; }

ha_state_time() { # name role state -> epoch of the last report of state
  awk -v s="$3" '$1 == s { t = $2 } END { if (t != "") print t; else exit 1 }' "$HA_WORK/$2/states.log"
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

# ------------------------------------------------ the step the agent takes over
# The kernel's connection sync daemon follows the VRRP role: master on the
# MASTER, backup on the BACKUP (and in FAULT, where it will come back as
# BACKUP), one sync id for the pair, on the VRRP interface. Runs INSIDE the
# director's namespace (ha-notify.sh, keepalived's notify FIFO reader).
# Today plain ipvsadm; the agent will do this when it follows the role.
ha_sync_follow_role() { # state
  local iface=eth0 syncid=${HA_SYNCID} want running
  case $1 in
    MASTER) want=master ;;
    BACKUP | FAULT) want=backup ;;
    STOP) want="" ;;
    *) echo "ha_sync_follow_role: unknown state '$1'" >&2; return 2 ;;
  esac
  running=$(ipvsadm -L --daemon 2>/dev/null | awk '/sync daemon/ { print $1 }' | paste -sd' ')
  [[ $want != master && $running == *master* ]] && ipvsadm --stop-daemon master
  [[ $want != backup && $running == *backup* ]] && ipvsadm --stop-daemon backup
  [[ -z $want || $running == *"$want"* ]] && return 0
  ipvsadm --start-daemon "$want" --mcast-interface "$iface" --syncid "$syncid"
}
