#!/usr/bin/env bash
# record-fixtures.sh - record what the real kernel and ipvsadm print, as
# test fixtures for the ipvsadm / procfs parsers.
#
#   e2e/kernel/record-fixtures.sh            (on the host, as root)
#       builds the bed, boots one VM that records every table of
#       lib/fixtures.sh, and replaces packages/shared/test/fixtures/kernel/
#       with the result.
#   e2e/kernel/record-fixtures.sh --in-guest DIR
#       the guest half: records into DIR (used by the host half).
#
# Layout written (see the generated README.md there for details):
#   VERSIONS.txt                kernel, ipvsadm, IPVS versions + recording date
#   COMMANDS.txt                which command produced which <slug>.txt
#   <table>/rules.txt           the ipvsadm -R lines that built the table
#   <table>/<slug>.txt          stdout of each command
#   <table>/<slug>.stderr.txt   only where a command failed or wrote stderr
#   schedulers/rejected.txt     schedulers 6.1 refuses (twos)
#   restore-error/              ipvsadm -R with bad lines: rules.txt (stdin),
#   restore-syntax-error/         restore-error.txt (stderr), exit-status.txt,
#                                 stdout.txt, Sn.txt (the table afterwards)
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
readonly here repo
readonly FIXTURE_DIR=$repo/packages/shared/test/fixtures/kernel

# ------------------------------------------------------------ guest half
if [[ ${1:-} == --in-guest ]]; then
  out=${2:?usage: record-fixtures.sh --in-guest DIR}
  # shellcheck source=lib/report.sh
  source "$here/lib/report.sh"
  # shellcheck source=lib/topology.sh
  source "$here/lib/topology.sh"
  # shellcheck source=lib/fixtures.sh
  source "$here/lib/fixtures.sh"
  [[ -r /proc/net/ip_vs ]] || modprobe ip_vs || { echo "record-fixtures: no IPVS in this kernel" >&2; exit 2; }
  t0=$EPOCHREALTIME
  rm -rf "$out"
  mkdir -p "$out"
  fixture_record_all "$out"

  {
    echo "kernel release (uname -r): $(uname -r)"
    echo "kernel version (uname -v): $(uname -v)"
    echo "kernel package (bed):      $(cat "${LVS_BED_DIR:-/var/cache/lvs-console/kernel-bed}/kernel.id" 2>/dev/null || echo unknown)"
    echo "ipvsadm -v:                $(ipvsadm -v 2>&1)"
    echo "ipvsadm package:           $(dpkg-query -W -f='${Package}=${Version}' ipvsadm 2>/dev/null || echo unknown)"
    echo "IPVS (/proc/net/ip_vs):    $(head -n1 /proc/net/ip_vs)"
    echo "schedulers accepted:       ${FIXTURE_SCHEDULERS[*]}"
    echo "schedulers rejected:       ${FIXTURE_SCHEDULERS_MISSING[*]} (not in Linux 6.1; see schedulers/rejected.txt)"
    echo "scheduler modules shipped: $(find "/lib/modules/$(uname -r)/kernel/net/netfilter/ipvs" -name 'ip_vs_*.ko*' -printf '%f\n' \
      | sed 's/^ip_vs_//; s/\.ko.*$//' | grep -vxE 'ftp|pe_sip' | sort | tr '\n' ' ' | sed 's/ $//')"
    echo "recorded (UTC):            $(date -u '+%Y-%m-%d %H:%M')"
  } >"$out/VERSIONS.txt"

  {
    echo "# <slug>.txt <- command (run in the table's network namespace)"
    for entry in "${FIXTURE_OUTPUTS[@]}"; do
      printf '%-24s %s\n' "${entry%%|*}.txt" "${entry#*|}"
    done
  } >"$out/COMMANDS.txt"

  # shellcheck disable=SC2016  # backticks are Markdown here
  {
    echo "# Real-kernel IPVS fixtures"
    echo
    echo "Recorded by \`e2e/kernel/record-fixtures.sh\` inside the kernel-bed VM (Debian 12"
    echo "stock kernel, host ipvsadm). Do not edit by hand: re-record. Versions in VERSIONS.txt,"
    echo "command for each file in COMMANDS.txt. Each table was built in a fresh network"
    echo "namespace by feeding its \`rules.txt\` to \`ipvsadm -R\`."
    echo
    echo "| table | what it covers |"
    echo "| --- | --- |"
    for table in "${FIXTURE_TABLES[@]}"; do
      printf '| `%s` | %s |\n' "$table" "${FIXTURE_ABOUT[$table]}"
    done
    echo '| `restore-error` | `ipvsadm -R` fed bad lines between good ones: stderr in `restore-error.txt`, `exit-status.txt`, the resulting table in `Sn.txt` |'
    echo '| `restore-syntax-error` | the same with an unknown option on one line |'
    echo
    echo "Outputs of the \`traffic\` table (counters, rates, connection timers) change from run to"
    echo "run; all other files are reproduced byte for byte by \`e2e/kernel/suites/fixtures.sh\`."
  } >"$out/README.md"
  # ipvsadm pads columns with trailing blanks; those bytes are the data.
  printf '%s\n' '# Recorded kernel output: keep every byte (trailing blanks, line ends).' \
    '* -text -whitespace' >"$out/.gitattributes"
  echo "# recorded $(find "$out" -type f | wc -l) files in $(elapsed_since "$t0") s"
  exit 0
fi

# ------------------------------------------------------------ host half
[[ $(id -u) == 0 ]] || { echo "record-fixtures: must run as root" >&2; exit 1; }
"$here/build-bed.sh"
result=$(mktemp -d /tmp/lvs-bed-fixtures.XXXXXX)
trap 'rm -rf "$result"' EXIT
cd "$repo"
"$here/vm-run.sh" -t 900 -e LVS_BED_DIR -o "$result" -- "$here/record-fixtures.sh" --in-guest /bed-out/fixtures
[[ -s $result/fixtures/VERSIONS.txt ]] || { echo "record-fixtures: the guest produced no fixtures" >&2; exit 1; }
rm -rf "$FIXTURE_DIR"
mkdir -p "$(dirname "$FIXTURE_DIR")"
cp -r "$result/fixtures" "$FIXTURE_DIR"
echo "record-fixtures: wrote $(find "$FIXTURE_DIR" -type f | wc -l) files to ${FIXTURE_DIR#"$repo"/}"
