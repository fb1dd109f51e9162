#!/usr/bin/env bash
# run.sh - the one entry point for the real-kernel IPVS suites.
# Called by scripts/test.mjs (and by hand) from anywhere:
#
#   e2e/kernel/run.sh [SUITE...]     default: every suite of guest-suites.sh
#
# 1. Checks that this machine can run the bed at all. If not, it prints ONE
#    line "SKIP kernel: <reason>" and exits 3.
# 2. Builds (or reuses) the bed: build-bed.sh.
# 3. Boots ONE VM and runs guest-suites.sh in it; the suites' output
#    streams through.
# 4. Prints timings and, last, "N passed, N failed" alone on a line.
#    Exit 0 when nothing failed, 1 otherwise (also when the bed cannot be
#    built or the VM dies: a capable machine that cannot run the suites is
#    a failure, not a skip).
#
# Environment:
#   LVS_SKIP_KERNEL=1        skip on purpose (prints the SKIP line, exit 3);
#                            scripts/test.mjs honours the same variable
#   LVS_KERNEL_TIMEOUT=SECS  hard limit for the VM (default 3600: the whole
#                            run is ~10 min quiet and 3-5x that on loaded cores)
#   LVS_KERNEL_MEM=SIZE      guest memory (default 1G)
#   LVS_BED_DIR              bed location (default /var/cache/lvs-console/kernel-bed)
#   LVS_BED_ENV="A B"        more host variables to carry into the guest
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
readonly here repo
bed=${LVS_BED_DIR:-/var/cache/lvs-console/kernel-bed}
vm_timeout=${LVS_KERNEL_TIMEOUT:-3600}
vm_mem=${LVS_KERNEL_MEM:-1G}

skip() { printf 'SKIP kernel: %s\n' "$*"; exit 3; }

# ------------------------------------------------------------ 1. can we?
preflight() {
  [[ ${LVS_SKIP_KERNEL:-0} != 1 ]] || skip "LVS_SKIP_KERNEL=1"
  [[ $(uname -m) == x86_64 ]] || skip "needs an x86_64 host (this is $(uname -m))"
  [[ $(id -u) == 0 ]] || skip "needs root (apt-get, network namespaces in the guest run as root)"
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    skip "needs a Debian host with apt-get and dpkg (the bed boots Debian's kernel package)"
  fi
  [[ -c /dev/null && -w /dev/null && -r /dev/urandom ]] || skip "no usable /dev (null, urandom)"
  # QEMU present, or installable from the configured sources.
  if ! command -v qemu-system-x86_64 >/dev/null; then
    if [[ -z $(apt-cache policy qemu-system-x86 2>/dev/null | awk '/Candidate:/ && $2 != "(none)"') ]]; then
      apt-get update -qq >/dev/null 2>&1 || :
      [[ -n $(apt-cache policy qemu-system-x86 2>/dev/null | awk '/Candidate:/ && $2 != "(none)"') ]] \
        || skip "qemu-system-x86 is not installed and apt cannot find it"
    fi
  fi
  # Disk: bed ~100 MB, kernel .deb ~70 MB while building, QEMU ~90 MB.
  local probe=$bed avail_kb mem_kb
  while [[ ! -d $probe ]]; do probe=$(dirname "$probe"); done
  avail_kb=$(df -Pk "$probe" | awk 'NR == 2 { print $4 }')
  ((avail_kb >= 1024 * 1024)) || skip "less than 1 GiB free under $probe ($((avail_kb / 1024)) MiB)"
  # Memory: the guest's RAM plus QEMU's TCG translation cache (~1 GB RSS).
  mem_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
  ((mem_kb >= 2 * 1024 * 1024)) || skip "less than 2 GiB of memory available ($((mem_kb / 1024)) MiB)"
}
preflight

t_start=$EPOCHREALTIME
elapsed() { # since $1, one decimal, no new process
  local tenths=$(((10#${EPOCHREALTIME/[.,]/} - 10#${1/[.,]/}) / 100000))
  printf '%d.%d' $((tenths / 10)) $((tenths % 10))
}
finish() { # passed failed
  printf '%d passed, %d failed\n' "$1" "$2"
  ((${2} == 0)) && exit 0
  exit 1
}

# ------------------------------------------------------------ 2. the bed
echo "# kernel: building the bed in $bed"
if ! "$here/build-bed.sh"; then
  echo "FAIL  kernel bed build (see the [build-bed] lines above)"
  finish 0 1
fi
t_bed=$(elapsed "$t_start")
echo "# kernel: bed ready in ${t_bed} s"

# The seeds / agent-traffic suites run the built agent CLI in the guest and
# the schedulers suite a bundled driver. Both are built here on the host,
# every run, so the guest never runs a stale build (the guest's root is
# read-only and building under TCG would take minutes). esbuild takes ~1 s.
if command -v npm >/dev/null && [[ -d $repo/node_modules ]]; then
  echo "# kernel: building the agent CLI and the schedulers driver"
  (cd "$repo" && npm run --silent build -w @lvs-console/agent >/dev/null) || echo "# kernel: agent build failed; its suites will skip"
  node "$here/suites/build-driver.mjs" schedulers >/dev/null || echo "# kernel: schedulers driver bundle failed; that suite will fail"
  if [[ " $* " == *" bench "* ]]; then
    node "$here/suites/build-driver.mjs" bench >/dev/null || echo "# kernel: bench driver bundle failed; that suite will fail"
  fi
else
  echo "# kernel: no npm or node_modules on the host; cannot build the agent CLI"
fi

# ------------------------------------------------------------ 3. one VM
result=$(mktemp -d /tmp/lvs-kernel-run.XXXXXX)
trap 'rm -rf "$result"' EXIT
cd "$repo"
t_vm=$EPOCHREALTIME
vm_status=0
"$here/vm-run.sh" -m "$vm_mem" -t "$vm_timeout" -o "$result" -- "$here/guest-suites.sh" "$@" || vm_status=$?
echo "# kernel: VM (boot + suites) $(elapsed "$t_vm") s, exit $vm_status; bed ${t_bed} s; total $(elapsed "$t_start") s"

# ------------------------------------------------------------ 4. verdict
if [[ -s $result/summary ]]; then
  read -r passed failed _skipped <"$result/summary"
  # A guest that reported counts but still exited non-zero has failed.
  ((vm_status == 0 || failed > 0)) || failed=$((failed + 1))
  finish "$passed" "$failed"
fi
case $vm_status in
  124) echo "FAIL  kernel suites: the VM hit its ${vm_timeout} s limit" ;;
  *) echo "FAIL  kernel suites: the guest reported no result (exit $vm_status)" ;;
esac
finish 0 1
