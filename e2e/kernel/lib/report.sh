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
