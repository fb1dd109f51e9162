#!/usr/bin/env bash
# fixtures.sh - do the committed kernel fixtures still match the kernel?
#
# Rebuilds every table of lib/fixtures.sh in this guest, records it again
# into a scratch directory and compares the result with
# packages/shared/test/fixtures/kernel/ (the data the ipvsadm/procfs parser
# tests use). Runs inside the kernel-bed guest, as root, from the repo root:
#   vm-run.sh -- e2e/kernel/suites/fixtures.sh
#
# Compared byte for byte: every file of every table except the traffic
# table, whose counters, rates and timers move; for that one the rules,
# the -Sn output and the per-service connection counts are compared.
# /proc/net/ip_vs lists services in hash order, and the hash includes a
# per-namespace pointer, so its service blocks are compared as a set.
# A different kernel or ipvsadm version than the recorded one is noted,
# not failed: the outputs decide.
#
# A mismatch means the parsers' fixtures no longer describe this kernel:
# re-record with e2e/kernel/record-fixtures.sh and review the diff.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/report.sh
source "$here/lib/report.sh"
# shellcheck source=../lib/topology.sh
source "$here/lib/topology.sh"
# shellcheck source=../lib/fixtures.sh
source "$here/lib/fixtures.sh"

committed=${FIXTURES_DIR:-$repo/packages/shared/test/fixtures/kernel}
fresh=$(mktemp -d /tmp/lvs-fixtures-check.XXXXXX)
trap 'rm -rf "$fresh"' EXIT
t0=$EPOCHREALTIME

if [[ ! -s $committed/VERSIONS.txt ]]; then
  fail "no committed fixtures in ${committed#"$repo"/} (run e2e/kernel/record-fixtures.sh)"
  report_summary
  exit 1
fi

recorded_release=$(sed -n 's/^kernel release (uname -r): *//p' "$committed/VERSIONS.txt")
recorded_ipvsadm=$(sed -n 's/^ipvsadm -v: *//p' "$committed/VERSIONS.txt")
[[ $recorded_release == "$(uname -r)" ]] \
  || note "fixtures were recorded on kernel $recorded_release, this is $(uname -r)"
[[ $recorded_ipvsadm == "$(ipvsadm -v 2>&1)" ]] \
  || note "fixtures were recorded with '$recorded_ipvsadm', this is '$(ipvsadm -v 2>&1)'"

if ! fixture_record_all "$fresh" 2>"$fresh.log"; then
  fail "re-recording the fixture tables: $(tail -n 3 "$fresh.log" | tr '\n' ' ')"
  rm -f "$fresh.log"
  report_summary
  exit 1
fi
rm -f "$fresh.log"
pass "all ${#FIXTURE_TABLES[@]} fixture tables rebuild without an ipvsadm error"

# /proc/net/ip_vs: header lines, then one block per service (the service
# line and its "->" lines); emit the header, then the blocks sorted.
proc_blocks() {
  awk 'NR <= 3 { print; next }
       /^  ->/ { block = block "\n" $0; next }
       { if (block != "") print block; block = $0 }
       END { if (block != "") print block }' "$1" | awk 'NR <= 3 { print; next } { print | "sort" }'
}

# Compares one file; prints a short diff on mismatch. Returns 0 if equal.
same_file() { # relative path
  local rel=$1 a=$committed/$1 b=$fresh/$1
  if [[ ! -e $a ]]; then echo "    missing in the committed fixtures: $rel"; return 1; fi
  if [[ ! -e $b ]]; then echo "    not produced any more: $rel"; return 1; fi
  if [[ $rel == */proc-net-ip_vs.txt ]]; then
    cmp -s <(proc_blocks "$a") <(proc_blocks "$b") && return 0
  else
    cmp -s "$a" "$b" && return 0
  fi
  echo "    $rel differs:"
  diff -u "$a" "$b" | sed -n '3,14s/^/      /p'
  return 1
}

# Connections per service in -Ln --exact --stats: "PROTO ADDR CONNS" lines.
service_conns() { awk '$1 ~ /^(TCP|UDP|SCTP|FWM)$/ { print $1, $2, $3 }' "$1"; }

for table in "${FIXTURE_TABLES[@]}" restore-error restore-syntax-error; do
  mismatches=""
  if [[ " ${FIXTURE_VOLATILE_TABLES[*]} " == *" $table "* ]]; then
    files=("$table/rules.txt" "$table/Sn.txt")
    if [[ "$(service_conns "$committed/$table/Ln-exact-stats.txt")" != "$(service_conns "$fresh/$table/Ln-exact-stats.txt")" ]]; then
      mismatches+="    connections per service differ: committed [$(service_conns "$committed/$table/Ln-exact-stats.txt" | tr '\n' ';')]"
      mismatches+=" now [$(service_conns "$fresh/$table/Ln-exact-stats.txt" | tr '\n' ';')]"$'\n'
    fi
  else
    # The union of both sides: a file missing on either side is a mismatch.
    mapfile -t files < <({ (cd "$committed" && find "$table" -type f -name '*.txt')
                           (cd "$fresh" && find "$table" -type f -name '*.txt'); } 2>/dev/null | sort -u)
  fi
  for rel in "${files[@]}"; do
    diff_text=$(same_file "$rel") || mismatches+="$diff_text"$'\n'
  done
  if [[ -z $mismatches ]]; then
    pass "fixtures $table: ${#files[@]} files match the kernel"
  else
    fail "fixtures $table: differs from the kernel (re-record with e2e/kernel/record-fixtures.sh)"
    printf '%s\n' "$mismatches"
  fi
done

note "fixtures suite: $(elapsed_since "$t0") s"
report_summary
