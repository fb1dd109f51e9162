#!/usr/bin/env bash
# ha-notify.sh DIR SYNCID FIFO - keepalived's vrrp_notify_fifo_script for the
# HA pair suite (lib/ha.sh writes the config; keepalived starts this script
# and appends the FIFO's name). keepalived writes one line per VRRP state
# change, in order:   INSTANCE "VI_PAIR" MASTER 150
# For each: DIR/state (the state), DIR/states.log ("STATE EPOCH", the
# guest's wall clock), then the sync daemon follows the role (unless
# DIR/sync-off exists: the suite's negative control) and DIR/synced names
# the state it followed. Runs in the director's namespace, as keepalived's
# child; ends when keepalived closes the FIFO (also when it is killed).
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
dir=${1:?usage: ha-notify.sh DIR SYNCID FIFO}
export HA_SYNCID=${2:?}
fifo=${3:?}
# shellcheck source=ha.sh
source "$(dirname "${BASH_SOURCE[0]}")/ha.sh"

while read -r kind _name state _priority; do
  [[ $kind == INSTANCE ]] || continue
  printf '%s %s\n' "$state" "$EPOCHREALTIME" >>"$dir/states.log"
  printf '%s\n' "$state" >"$dir/state"
  [[ -e $dir/sync-off ]] && continue
  if ha_sync_follow_role "$state" >>"$dir/sync.log" 2>&1; then
    printf '%s\n' "$state" >"$dir/synced"
  else
    printf 'FAILED %s\n' "$state" >"$dir/synced"
  fi
done <"$fifo"
