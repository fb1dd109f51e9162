# shellcheck shell=bash
# agent.sh - a running `lvs-console serve` in a topology's director
# namespace, driven over its API with curl and an admin token (source it
# after report.sh and topology.sh). The backend is $AGENT_BACKEND (netlink
# or ipvsadm; default ipvsadm); the banner's backend line is in
# $agent_backend_line once it listens.
#
#   agent_init NAME CLI_JS WORKDIR PORT   where the agent runs and keeps state
#   agent_start [report|revert]           start serve (--drift MODE); 0 once it
#                                         listens (bounded wait)
#   agent_stop                            SIGTERM, then SIGKILL after ~15 s
#   agent_api PROC [JSON]                 a query (GET) or, with JSON, a mutation
#                                         (POST); prints the body, 1 unless a result
#   agent_commit LABEL PROC JSON          a mutation on the current revision
#                                         (baseRevision added); sets
#                                         $agent_revision and $agent_lines (the
#                                         ipvsadm lines that ran, one per line)
#   agent_drift                           state.drift -> $agent_drift_count (the
#                                         differences) and $agent_drift_lines
#   agent_wait_drift_checks N CAP         until the agent has made N more drift
#                                         checks (checkedAt moved N times), at
#                                         most CAP s; then as agent_drift
#   agent_cli ARGS...                     `lvs-console ARGS` in the director
#                                         namespace with the agent's URL and token
#
# The token travels in a header (LVS_CONSOLE_TOKEN for the CLI), never a URL.

agent_name="" agent_js="" agent_dir="" agent_port="" agent_pid=""
agent_token="kernel-suite-admin-token-$$"
agent_revision=0 agent_lines="" agent_drift_count=0 agent_drift_lines=""
agent_backend_line=""

agent_init() { # name cli workdir port
  agent_name=$1 agent_js=$2 agent_dir=$3/agent agent_port=$4
  mkdir -p "$agent_dir"
}

agent_start() { # [report|revert]
  local mode=${1:-report} log=$agent_dir/serve.log _i
  ip netns exec "$agent_name-lvs" node "$agent_js" serve --backend "${AGENT_BACKEND:-ipvsadm}" --listen "127.0.0.1:$agent_port" \
    --state-dir "$agent_dir/state" --admin-token "$agent_token" --drift "$mode" --log-level warn >"$log" 2>&1 &
  agent_pid=$!
  for ((_i = 0; _i < 300; _i++)); do
    if grep -q '^listening on ' "$log"; then
      agent_backend_line=$(grep -m 1 '^backend:' "$log") || agent_backend_line=""
      return 0
    fi
    kill -0 "$agent_pid" 2>/dev/null || break
    sleep 0.3
  done
  echo "# agent did not come up; its output:"; sed 's/^/#   /' "$log"
  return 1
}

agent_stop() {
  local _i
  [[ -n $agent_pid ]] || return 0
  kill -TERM "$agent_pid" 2>/dev/null || :
  for ((_i = 0; _i < 50; _i++)); do
    kill -0 "$agent_pid" 2>/dev/null || break
    sleep 0.3
  done
  kill -KILL "$agent_pid" 2>/dev/null || :
  wait "$agent_pid" 2>/dev/null || :
  agent_pid=""
}

agent_api() { # proc [json]
  local proc=$1 body=${2:-} out
  local args=(-sS --max-time 90 -H "authorization: Bearer $agent_token")
  [[ -n $body ]] && args+=(-X POST -H 'content-type: application/json' --data-binary "$body")
  out=$(topo_exec "$agent_name" lvs curl "${args[@]}" "http://127.0.0.1:$agent_port/trpc/$proc" 2>&1) || :
  printf '%s\n' "$out"
  [[ $out == '{"result":'* ]]
}

agent_commit() { # label proc json
  local label=$1 proc=$2 json=$3 out
  if out=$(agent_api state.get) && [[ $out =~ \"revision\":([0-9]+) ]]; then agent_revision=${BASH_REMATCH[1]}; fi
  # "{}" has no field to follow baseRevision: no comma then (JSON allows none).
  local body="{\"baseRevision\":$agent_revision,${json#\{}"
  [[ $json =~ ^\{[[:space:]]*\}$ ]] && body="{\"baseRevision\":$agent_revision}"
  if ! out=$(agent_api "$proc" "$body"); then
    fail "$label: $proc refused: ${out:0:400}"
    return 1
  fi
  [[ $out =~ \"revision\":([0-9]+) ]] && agent_revision=${BASH_REMATCH[1]}
  agent_lines=$(grep -o '"lines":\[[^]]*\]' <<<"$out" | head -n 1 | sed 's/^"lines":\[//; s/\]$//' | grep -o '"[^"]*"' | tr -d '"') || agent_lines=""
  return 0
}

_agent_drift_checked_at=""
agent_drift() {
  local out
  out=$(agent_api state.drift) || return 1
  [[ $out =~ \"checkedAt\":([0-9]+) ]] && _agent_drift_checked_at=${BASH_REMATCH[1]}
  agent_drift_lines=$(grep -o '"descriptions":\[[^]]*\]' <<<"$out" | sed 's/^"descriptions":\[//; s/\]$//' | grep -o '"[^"]*"' | tr -d '"') || agent_drift_lines=""
  if [[ -z $agent_drift_lines ]]; then agent_drift_count=0; else agent_drift_count=$(grep -c . <<<"$agent_drift_lines"); fi
}

agent_wait_drift_checks() { # n cap
  local n=$1 cap=$2 seen=0 last t0=$SECONDS
  agent_drift || return 1
  last=$_agent_drift_checked_at
  while ((seen < n && SECONDS - t0 < cap)); do
    sleep 0.5
    agent_drift || continue
    if [[ $_agent_drift_checked_at != "$last" ]]; then
      seen=$((seen + 1))
      last=$_agent_drift_checked_at
    fi
  done
  ((seen >= n))
}

agent_cli() { # args...
  ip netns exec "$agent_name-lvs" env LVS_CONSOLE_URL="http://127.0.0.1:$agent_port" LVS_CONSOLE_TOKEN="$agent_token" \
    node "$agent_js" "$@"
}
