# shellcheck shell=bash
# report.sh - PASS/FAIL bookkeeping shared by the kernel suites (source it).
#
#   pass "label"                 count and print a PASS line
#   fail "label"                 count and print a FAIL line
#   check_eq "label" GOT WANT    PASS when equal, else FAIL showing both
#   check_lines "label" GOT WANT like check_eq for multi-line text (a table):
#                                one PASS line, or FAIL with both indented
#   note "text"                  a "# ..." comment line
#   report_summary               prints "N passed, N failed" alone on a line
#                                and returns non-zero if anything failed
#   elapsed_since T0             seconds since T0 (an $EPOCHREALTIME value),
#                                one decimal, computed without a new process
#   cpu_probe_ms                 ms this guest takes for a fixed CPU-bound
#                                bash loop (no new process)
#   guest_slowdown MS...         how many times slower than a quiet host
#                                those probes ran (>= 1.00, two decimals)
#
# Output format: "PASS  label" / "FAIL  label" so a failure stands out in a
# CI log; the closing "N passed, N failed" line is what CI reads.

REPORT_PASSED=0
REPORT_FAILED=0

pass() { REPORT_PASSED=$((REPORT_PASSED + 1)); printf 'PASS  %s\n' "$*"; }
fail() { REPORT_FAILED=$((REPORT_FAILED + 1)); printf 'FAIL  %s\n' "$*"; }
note() { printf '# %s\n' "$*"; }

check_eq() { # label got want
  if [[ $2 == "$3" ]]; then
    pass "$1: $2"
  else
    fail "$1: got [$2], want [$3]"
  fi
}

check_lines() { # label got want   (multi-line text: one line on PASS)
  local n
  if [[ $2 == "$3" ]]; then
    n=$(printf '%s\n' "$2" | wc -l)
    pass "$1 ($n lines, as expected)"
  else
    fail "$1: differs"
    printf '      got:\n%s\n      want:\n%s\n' "$(sed 's/^/        /' <<<"$2")" "$(sed 's/^/        /' <<<"$3")"
  fi
}

report_summary() {
  printf '%d passed, %d failed\n' "$REPORT_PASSED" "$REPORT_FAILED"
  ((REPORT_FAILED == 0))
}

elapsed_since() {
  local from=${1/[.,]/} to=${EPOCHREALTIME/[.,]/}
  local tenths=$(((10#$to - 10#$from) / 100000))
  printf '%d.%d' $((tenths / 10)) $((tenths % 10))
}

# A TCG guest on loaded host cores runs every instruction slower, and its
# timers still fire on time: a time bound for work the guest does (an agent
# planning and applying a change) scales by how much slower a fixed CPU-bound
# loop ran in the same window. LVS_CPU_PROBE_QUIET_MS is that loop's time in
# the bed's guest on a quiet host of the CI machine kind (2 cores): 20,000
# iterations took 380-470 ms there. A faster host gives a factor below 1,
# which counts as 1: the bound never tightens.
cpu_probe_ms() {
  local t0=$EPOCHREALTIME i t1
  for ((i = 0; i < 20000; i++)); do :; done
  t1=$EPOCHREALTIME
  echo $(((10#${t1/[.,]/} - 10#${t0/[.,]/}) / 1000))
}
guest_slowdown() { # probe_ms... -> factor vs the quiet figure, at least 1
  local sum=0 ms
  for ms in "$@"; do sum=$((sum + ms)); done
  awk -v s="$sum" -v n="$#" -v q="${LVS_CPU_PROBE_QUIET_MS:-400}" 'BEGIN { f = s / n / q; printf "%.2f\n", f < 1 ? 1 : f }'
}
