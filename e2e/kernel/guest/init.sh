#!/bin/busybox sh
# /init of the kernel-bed initramfs: PID 1 in the guest, busybox only.
#
# Job: reach the host's root filesystem and hand over to stage2.sh.
#   1. load the virtio / 9p / overlay modules listed in /modules.load
#   2. mount the host root (9p tag "hostroot", exported read-only by QEMU)
#      as the lower layer of an overlay whose upper layer is tmpfs, so the
#      guest may write anywhere while the host stays untouched
#   3. mount the bed's pruned module tree (tag "modules") on /usr/lib/modules
#      (Debian 12 is merged-/usr) and the result share (tag "bedout",
#      read-write) on /bed-out
#   4. switch_root into the overlay and run stage2.sh with the host's bash
# On any failure it says why and powers the VM off, so vm-run.sh reports a
# missing status instead of hanging until its timeout.
/bin/busybox --install -s /bin
export PATH=/bin

fail() {
  echo "bed-init: FATAL: $*"
  echo o >/proc/sysrq-trigger
  sleep 5
  poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

while read -r ko; do
  insmod "/lib/modules/$ko" || echo "bed-init: insmod $ko failed"
done </modules.load

opts="trans=virtio,version=9p2000.L,msize=512000"
mkdir -p /mnt/host /mnt/scratch
# The virtio device can show up a moment after its driver loads.
tries=0
until mount -t 9p -o "$opts,ro,cache=loose" hostroot /mnt/host 2>/dev/null; do
  tries=$((tries + 1))
  [ "$tries" -le 100 ] || fail "cannot mount the host root (9p tag hostroot)"
  sleep 0.05
done
mount -t tmpfs -o mode=0755 tmpfs /mnt/scratch || fail "tmpfs"
mkdir -p /mnt/scratch/upper /mnt/scratch/work
mount -t overlay overlay \
  -o lowerdir=/mnt/host,upperdir=/mnt/scratch/upper,workdir=/mnt/scratch/work /newroot \
  || fail "cannot mount the overlay root"

mkdir -p /newroot/usr/lib/modules /newroot/bed-out
mount -t 9p -o "$opts,ro,cache=loose" modules /newroot/usr/lib/modules || fail "cannot mount the module tree"
mount -t 9p -o "$opts" bedout /newroot/bed-out || fail "cannot mount the result share"
# The host's /run (netns handles, pid files, sockets) must not leak in.
# /tmp stays as it is: the checkout may live there, and writes go to the
# tmpfs upper layer anyway.
mount -t tmpfs -o mode=0755 tmpfs /newroot/run || fail "tmpfs on /run"

mount --move /dev /newroot/dev
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
cp /stage2.sh /newroot/bed-stage2.sh || fail "cannot copy stage2"
exec switch_root /newroot /bin/bash /bed-stage2.sh
