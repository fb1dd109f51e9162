#!/usr/bin/env bash
# build-bed.sh - build (or refresh) the real-kernel IPVS test bed.
#
# The host kernel of our dev/CI machines has no IPVS, so the kernel suites
# run inside a throw-away QEMU guest that boots Debian 12's stock kernel and
# borrows the host's own userland (see vm-run.sh and README.md).
#
# What this script leaves in the bed directory ($LVS_BED_DIR, default
# /var/cache/lvs-console/kernel-bed, outside the git tree):
#
#   vmlinuz            the Debian kernel image as shipped
#   vmlinux            the same kernel uncompressed (ELF, booted via PVH)
#   config             the kernel's build config (for reference)
#   sysroot/lib/modules/<release>/   pruned module tree + depmod indexes
#   initramfs.cpio.gz  busybox-static + the few modules to reach the host root
#   kernel.id          "<package>=<version>" the kernel was built from
#   kernel.release     uname -r of the guest kernel
#   initramfs.id       hash of the inputs of the initramfs
#
# Idempotent: the kernel is only downloaded again when the Debian package
# version that linux-image-amd64 points to changes; the initramfs is rebuilt
# when the guest init scripts change. Needs root (apt-get, dpkg).
#
# Environment:
#   LVS_BED_DIR        bed directory (no spaces or commas: it ends up in QEMU
#                      -fsdev options)
#   LVS_BED_KPKG       pin a kernel package, e.g. linux-image-6.1.0-56-amd64
#   LVS_BED_OFFLINE=1  never call apt-get; use the bed as it is
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly HERE
readonly BED=${LVS_BED_DIR:-/var/cache/lvs-console/kernel-bed}

# Packages the bed needs on the host. The guest runs these same binaries
# (it mounts the host root), so ipvsadm, ip, curl, nft and busybox are
# "installed in the guest" by installing them here.
readonly HOST_PACKAGES=(
  qemu-system-x86   # the emulator (TCG; KVM is unusable here, see README)
  ipvsadm           # the tool under test
  busybox-static    # initramfs shell + tiny httpd for the real servers
  kmod              # depmod/modprobe for the pruned module tree
  iproute2          # ip netns / veth / bridge
  curl              # bounded request loops
  nftables          # nft: SNAT half of the FULLNAT topology
  cpio              # packs the initramfs
  xz-utils          # unpacks vmlinux from vmlinuz
  keepalived        # VRRP for the HA pair suite (suites/ha.sh)
)

# Module directories kept from the ~400 MB Debian tree (networking, crypto
# helpers, virtio transport, 9p/overlay for the root). Everything else is
# hardware the guest does not have.
readonly KEEP_MODULE_DIRS=(
  kernel/net kernel/crypto kernel/lib kernel/arch
  kernel/fs/9p kernel/fs/netfs kernel/fs/fscache kernel/fs/overlayfs
  kernel/drivers/virtio kernel/drivers/char/hw_random kernel/drivers/net
)
readonly DROP_NET_DRIVER_DIRS=(wireless ethernet usb can wwan ieee802154 fddi hamradio arcnet plip slip wan)

# Modules /init loads before it can mount the host root. virtio_mmio serves
# the microvm machine, virtio_pci the "pc" fallback.
readonly INITRAMFS_MODULES=(virtio_mmio virtio_pci virtio_rng 9pnet_virtio 9p overlay)

log() { printf '[build-bed] %s\n' "$*" >&2; }
die() { printf '[build-bed] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "must run as root (apt-get, dpkg, depmod)"
[[ $BED == /* && $BED != *[[:space:],]* ]] \
  || die "LVS_BED_DIR must be an absolute path without spaces or commas: '$BED'"
mkdir -p "$BED" || die "cannot create $BED"

# One build at a time (two test runs may start together).
exec {lock_fd}>"$BED/.lock"
flock -w 600 "$lock_fd" || die "timed out waiting for the lock on $BED/.lock"

# ------------------------------------------------------------ 1. host packages
apt_updated=0
apt_update_once() {
  ((apt_updated)) && return 0
  log "apt-get update"
  apt-get update -qq || die "apt-get update failed"
  apt_updated=1
}

missing=()
for pkg in "${HOST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  [[ ${LVS_BED_OFFLINE:-0} == 1 ]] && die "missing packages and LVS_BED_OFFLINE=1: ${missing[*]}"
  # An empty package list (fresh image) means apt-cache knows nothing yet.
  [[ -n $(apt-cache policy "${missing[0]}" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)"') ]] || apt_update_once
  log "apt-get install --no-install-recommends ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    apt_update_once   # a stale list can point at packages the mirror dropped
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  fi
else
  log "host packages present: ${HOST_PACKAGES[*]}"
fi
{ ldd /bin/busybox 2>&1 || true; } | grep -q "not a dynamic" || die "/bin/busybox is not static (busybox-static)"

# ------------------------------------------------------------ 2. kernel
# linux-image-amd64 is a meta package; its Depends names the current ABI
# package (linux-image-6.1.0-NN-amd64). The bed is keyed on that package's
# version, so a Debian point release brings a fresh kernel, nothing else does.
resolve_kernel_package() {
  local pkg=${LVS_BED_KPKG:-}
  if [[ -z $pkg ]]; then
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    if [[ -z $pkg ]]; then
      apt_update_once
      pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    fi
  fi
  [[ -n $pkg ]] || return 1
  local ver
  ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
  [[ -n $ver && $ver != "(none)" ]] || return 1
  printf '%s=%s\n' "$pkg" "$ver"
}

if [[ ${LVS_BED_OFFLINE:-0} == 1 ]]; then
  want_kernel=$(cat "$BED/kernel.id" 2>/dev/null) || die "LVS_BED_OFFLINE=1 but no kernel in $BED"
elif ! want_kernel=$(resolve_kernel_package); then
  # No apt metadata (offline machine)? A bed that already exists still works.
  want_kernel=$(cat "$BED/kernel.id" 2>/dev/null) \
    || die "cannot resolve the Debian kernel package (linux-image-amd64) and there is no bed yet"
  log "WARNING: cannot resolve linux-image-amd64; keeping the existing kernel $want_kernel"
fi

have_kernel=$(cat "$BED/kernel.id" 2>/dev/null || true)
if [[ $have_kernel == "$want_kernel" && -s $BED/vmlinuz && -s $BED/kernel.release \
      && -d $BED/sysroot/lib/modules/$(cat "$BED/kernel.release") ]]; then
  log "kernel up to date: $want_kernel ($(cat "$BED/kernel.release"))"
else
  log "fetching kernel $want_kernel${have_kernel:+ (replacing $have_kernel)}"
  stage=$(mktemp -d "$BED/.stage.XXXXXX")
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage/deb" "$stage/root"
  chmod 0755 "$stage"
  # _apt needs to write the download directory, or apt warns it runs unsandboxed.
  chown _apt "$stage/deb" 2>/dev/null || true
  (cd "$stage/deb" && apt-get download -q "$want_kernel" >/dev/null) \
    || { apt_update_once; (cd "$stage/deb" && apt-get download -q "$want_kernel" >/dev/null); } \
    || die "apt-get download $want_kernel failed"
  debs=("$stage"/deb/*.deb)
  [[ -s ${debs[0]} ]] || die "apt-get download produced no .deb"
  dpkg -x "${debs[0]}" "$stage/root" || die "dpkg -x ${debs[0]} failed"
  rm -rf "$stage/deb"

  releases=("$stage"/root/lib/modules/*)
  ((${#releases[@]} == 1)) || die "expected one module tree in the package, found ${#releases[@]}"
  release=$(basename "${releases[0]}")
  src=$stage/root/lib/modules/$release
  [[ -s $stage/root/boot/vmlinuz-$release ]] || die "no /boot/vmlinuz-$release in the package"

  log "pruning modules of $release"
  new=$stage/bed
  dst=$new/sysroot/lib/modules/$release
  mkdir -p "$dst"
  cp -a "$src"/modules.builtin* "$src/modules.order" "$dst/"
  for dir in "${KEEP_MODULE_DIRS[@]}"; do
    [[ -d $src/$dir ]] || { log "  (no $dir in this kernel)"; continue; }
    mkdir -p "$dst/$(dirname "$dir")"
    cp -a "$src/$dir" "$dst/$dir"
  done
  for dir in "${DROP_NET_DRIVER_DIRS[@]}"; do rm -rf "$dst/kernel/drivers/net/$dir"; done
  depmod -b "$new/sysroot" "$release" || die "depmod failed"
  [[ -n $(find "$dst" -name 'ip_vs.ko*' -print -quit) ]] || die "the kernel package has no ip_vs module"

  cp "$stage/root/boot/vmlinuz-$release" "$new/vmlinuz"
  cp "$stage/root/boot/config-$release" "$new/config" 2>/dev/null || true

  # vmlinuz is a bzImage whose payload is an xz stream holding the ELF
  # vmlinux (the kernel's scripts/extract-vmlinux does the same). QEMU
  # boots the ELF through its PVH entry point, which skips ~3 s of xz
  # decompression under TCG. Trailing data after the stream makes xz
  # complain, hence the tolerated exit status and the ELF check.
  log "extracting vmlinux"
  offset=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$new/vmlinuz" | head -n1 | cut -d: -f1 || true)
  if [[ -n $offset ]]; then
    tail -c +"$((offset + 1))" "$new/vmlinuz" | xz -dcq >"$new/vmlinux" 2>/dev/null || true
  fi
  if [[ ! -s $new/vmlinux || $(head -c4 "$new/vmlinux" | od -An -tx1 | tr -d ' \n') != 7f454c46 ]]; then
    rm -f "$new/vmlinux"
    log "WARNING: could not extract vmlinux; vm-run.sh will boot the slower vmlinuz"
  fi
  echo "$release" >"$new/kernel.release"
  echo "$want_kernel" >"$new/kernel.id"

  # Swap the new kernel in; keep the initramfs only if it matches (it won't).
  rm -rf "$BED/sysroot" "$BED/vmlinux" "$BED/vmlinuz" "$BED/config" "$BED/initramfs.id"
  mv "$new/sysroot" "$BED/sysroot"
  for f in vmlinuz vmlinux config kernel.release; do
    [[ -e $new/$f ]] && mv "$new/$f" "$BED/$f"
  done
  mv "$new/kernel.id" "$BED/kernel.id"   # last: marks the kernel complete
  rm -rf "$stage"
  trap - EXIT
fi
release=$(cat "$BED/kernel.release")

# ------------------------------------------------------------ 3. initramfs
# Inputs: the two guest scripts, the busybox binary and the kernel.
initramfs_id=$(cat "$HERE/guest/init.sh" "$HERE/guest/stage2.sh" /bin/busybox "$BED/kernel.id" | sha256sum | cut -c1-16)
if [[ -s $BED/initramfs.cpio.gz && $(cat "$BED/initramfs.id" 2>/dev/null) == "$initramfs_id" ]]; then
  log "initramfs up to date ($initramfs_id)"
else
  log "building initramfs ($initramfs_id)"
  tree=$(mktemp -d "$BED/.initramfs.XXXXXX")
  trap 'rm -rf "$tree"' EXIT
  mkdir -p "$tree"/{bin,dev,proc,sys,mnt,newroot,lib/modules}
  cp /bin/busybox "$tree/bin/busybox"
  # Resolve the load order (dependencies first); built-in modules print
  # "builtin NAME" and need nothing.
  : >"$tree/modules.load"
  for mod in "${INITRAMFS_MODULES[@]}"; do
    modprobe -d "$BED/sysroot" -S "$release" --show-depends "$mod" \
      || die "module $mod not found in the pruned tree"
  done | awk '$1 == "insmod" && !seen[$2]++ {print $2}' | while read -r ko; do
    rel=${ko#"$BED/sysroot/lib/modules/$release/"}
    mkdir -p "$tree/lib/modules/$(dirname "$rel")"
    cp "$ko" "$tree/lib/modules/$rel"
    echo "$rel" >>"$tree/modules.load"
  done
  install -m 0755 "$HERE/guest/init.sh" "$tree/init"
  install -m 0755 "$HERE/guest/stage2.sh" "$tree/stage2.sh"
  (cd "$tree" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$BED/initramfs.cpio.gz.tmp"
  mv "$BED/initramfs.cpio.gz.tmp" "$BED/initramfs.cpio.gz"
  echo "$initramfs_id" >"$BED/initramfs.id"
  rm -rf "$tree"
  trap - EXIT
fi

log "bed ready: $BED ($(du -sh "$BED" | cut -f1), kernel $release from $(cat "$BED/kernel.id"))"
