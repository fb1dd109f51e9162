#!/usr/bin/env bash
# vm-run.sh - run ONE command inside a throw-away QEMU guest that boots the
# kernel-bed kernel (Debian 12 stock, real IPVS) on the host's own userland.
#
#   vm-run.sh [-m MEM] [-t SECS] [-o OUTDIR] [-e VAR]... [-s CPUS] [-M MACHINE] -- CMD [ARGS...]
#
#   -m MEM      guest memory (QEMU syntax), default 1G          (LVS_BED_MEM)
#   -t SECS     hard wall-clock limit; QEMU is killed after it,
#               default 900                                      (LVS_BED_TIMEOUT)
#   -o OUTDIR   host directory shared read-write with the guest as
#               /bed-out ($LVS_BED_OUT there) for results; default: a
#               temporary directory, deleted afterwards
#   -e VAR      carry the host variable VAR into the guest (repeatable;
#               also LVS_BED_ENV="VAR1 VAR2"). CI is always carried.
#   -s CPUS     guest vCPUs, default 2                           (LVS_BED_SMP)
#   -M MACHINE  microvm (default) or pc                          (LVS_BED_MACHINE)
#
# CMD runs as root in the current directory: the guest's root is the host's
# root, read-only through virtio-9p with a tmpfs overlay on top, so the
# checkout and node_modules are at the same paths and any writes vanish
# with the VM. The guest has NO network device (-nic none): all traffic a
# test makes stays between network namespaces inside the guest.
#
# CMD's stdout+stderr stream to this script's stdout (serial console).
# Exit status: CMD's, or 124 if the time limit hit, or 125 if the guest
# died without reporting one. The guest sees LVS_IN_GUEST=1.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here
bed=${LVS_BED_DIR:-/var/cache/lvs-console/kernel-bed}
mem=${LVS_BED_MEM:-1G}
timeout_s=${LVS_BED_TIMEOUT:-900}
smp=${LVS_BED_SMP:-2}
machine=${LVS_BED_MACHINE:-microvm}
out=""
carry=(CI)
read -ra extra_env <<<"${LVS_BED_ENV:-}"
carry+=("${extra_env[@]}")

usage() { sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { printf 'vm-run: %s\n' "$*" >&2; exit 125; }

while getopts ":m:t:o:e:s:M:h" opt; do
  case $opt in
    m) mem=$OPTARG ;;
    t) timeout_s=$OPTARG ;;
    o) out=$OPTARG ;;
    e) carry+=("$OPTARG") ;;
    s) smp=$OPTARG ;;
    M) machine=$OPTARG ;;
    h) usage ;;
    *) echo "vm-run: bad option -$OPTARG" >&2; usage ;;
  esac
done
shift $((OPTIND - 1))
[[ ${1:-} == -- ]] && shift
(($#)) || usage
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "-t wants whole seconds, got '$timeout_s'"

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not installed: run $here/build-bed.sh"
[[ -s $bed/initramfs.cpio.gz && -s $bed/kernel.release ]] || die "no kernel bed in $bed: run $here/build-bed.sh"
release=$(cat "$bed/kernel.release")
modules=$bed/sysroot/lib/modules
[[ -d $modules/$release ]] || die "bed in $bed has no modules for $release: run $here/build-bed.sh"
# The uncompressed ELF boots through QEMU's PVH entry and skips the xz
# decompression, which takes seconds under TCG.
kernel=$bed/vmlinux
[[ -s $kernel ]] || kernel=$bed/vmlinuz

# ------------------------------------------------------------ result share
if [[ -z $out ]]; then
  out=$(mktemp -d /tmp/lvs-bed-run.XXXXXX)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
for path in "$out" "$bed"; do
  # These go into -fsdev option strings, where a comma starts a new option.
  [[ $path != *[[:space:],]* ]] || die "path unusable in a QEMU option (space or comma): $path"
done
rm -f "$out/rc" "$out/rc.tmp"

# The guest starts with a clean environment: write the named host variables
# and the command line, each shell-quoted, into the script stage2 runs.
{
  echo "# written by vm-run.sh"
  for var in "${carry[@]}"; do
    [[ $var =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "-e: not a variable name: '$var'"
    [[ -v $var ]] && printf 'export %s=%q\n' "$var" "${!var}"
  done
  printf 'exec'
  printf ' %q' "$@"
  printf '\n'
} >"$out/cmd"
pwd >"$out/cwd"

# ------------------------------------------------------------ machine
append=(console=ttyS0 quiet loglevel=1 panic=-1 mitigations=off
        tsc=reliable no_timer_check i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd)
case $machine in
  microvm)
    # microvm has no HPET and no ACPI PM timer. Under TCG the kernel's TSC
    # calibration against the PIT then often fails and the boot hangs, so
    # tell the kernel the TSC rate up front. TCG's guest TSC ticks at the
    # host's rate, which /proc/cpuinfo reports.
    khz=$(awk -F: '/^cpu MHz/ {printf "%d", $2 * 1000; exit}' /proc/cpuinfo)
    if [[ -n $khz && $khz -gt 0 ]]; then
      machine_args=(-M "microvm,x-option-roms=off,rtc=on,pit=on,pic=on,isa-serial=on,acpi=on,ioapic2=off")
      bus=device
      append+=("tsc_early_khz=$khz")
    else
      echo "vm-run: no TSC rate in /proc/cpuinfo; falling back to -M pc" >&2
      machine_args=(-M pc); bus=pci
    fi ;;
  pc) machine_args=(-M pc); bus=pci ;;
  *) die "-M wants microvm or pc, got '$machine'" ;;
esac

share() { # id host-path mount-tag extra-options
  printf '%s\n' -fsdev "local,id=$1,path=$2,security_model=none,multidevs=remap$4" \
                -device "virtio-9p-$bus,fsdev=$1,mount_tag=$3"
}
mapfile -t shares < <(share root / hostroot ,readonly=on
                      share mods "$modules" modules ,readonly=on
                      share out "$out" bedout "")

# shellcheck disable=SC2054  # the commas are inside QEMU option values
qemu=(qemu-system-x86_64
  -accel "tcg,thread=multi,tb-size=512" -cpu max   # KVM here is PVM-only: see README
  "${machine_args[@]}" -smp "$smp" -m "$mem"
  -nodefaults -no-user-config -display none -no-reboot
  -nic none                                        # no network device at all
  -chardev stdio,id=console,signal=on -serial chardev:console
  -device "virtio-rng-$bus"
  "${shares[@]}"
  -kernel "$kernel" -initrd "$bed/initramfs.cpio.gz"
  -append "${append[*]}")

# The console filter passes everything through line by line until the
# guest's end marker (stage2.sh prints it after the command; the line break
# before it is its own, so it is dropped too) and swallows the rest.
# mawk (Debian's awk) reads its input in large blocks: without -W interactive
# the suites' output arrived only when the VM ended, not as it streamed.
console_filter() {
  local awk_opts=()
  awk -W version 2>&1 | grep -q mawk && awk_opts=(-W interactive)
  awk "${awk_opts[@]}" -v marker='@@lvs-bed-end@@' '
    done { next }
    { i = index($0, marker) }
    i { if (i > 1) print substr($0, 1, i - 1); done = 1; fflush(); next }
    { if (held) print ""; held = 0 }
    /^\r?$/ { held = 1; next }
    { print; fflush() }'
}
# Hard limit: TERM after the timeout, KILL 10 s later. --foreground keeps
# QEMU in our process group so Ctrl-C still reaches it.
set +e
timeout --foreground -k 10 "$timeout_s" "${qemu[@]}" </dev/null | console_filter
qemu_status=${PIPESTATUS[0]}
set -e

if [[ -s $out/rc ]]; then
  exit "$(cat "$out/rc")"
fi
if ((qemu_status == 124 || qemu_status == 137)); then
  echo "vm-run: time limit of ${timeout_s}s reached; QEMU killed" >&2
  exit 124
fi
echo "vm-run: the guest did not report a status (QEMU exit $qemu_status; boot failure or crash)" >&2
exit 125
