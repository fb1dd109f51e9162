#!/bin/bash
# Stage 2 of the kernel-bed guest: PID 1 after switch_root, running the
# HOST's bash on the guest kernel (the root is the host's, seen through 9p
# with a tmpfs overlay).
#
# Contract with vm-run.sh, through the read-write share /bed-out:
#   /bed-out/cmd   a bash script: exported variables + the command line
#   /bed-out/cwd   the directory to run it in
#   /bed-out/rc    written here: the command's exit status
# The command's stdout and stderr go to the serial console, which QEMU
# streams to vm-run.sh's stdout. Then the VM powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb

mkdir -p /dev/pts /dev/shm
mount -t devpts -o mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
[[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd
echo lvs-bed >/proc/sys/kernel/hostname
ip link set lo up
# No "\n" -> "\r\n" on the console: the host sees exactly what was printed.
stty -onlcr </dev/console 2>/dev/null || :

status=125
if [[ -r /bed-out/cmd ]]; then
  cd "$(cat /bed-out/cwd 2>/dev/null || echo /)" 2>/dev/null || { echo "bed-stage2: cannot cd to $(cat /bed-out/cwd)"; cd /; }
  # The command runs as a child in its own session, so PID 1 survives to
  # record the status. Its output goes through a pipe (not the console tty),
  # as it would in CI: no colours, no tty-only behaviour.
  LVS_BED_OUT=/bed-out LVS_IN_GUEST=1 setsid -w bash /bed-out/cmd </dev/null 2>&1 | cat
  status=${PIPESTATUS[0]}
else
  echo "bed-stage2: no /bed-out/cmd"
fi
echo "$status" >/bed-out/rc.tmp && mv /bed-out/rc.tmp /bed-out/rc
sync
# vm-run.sh stops echoing the console at this marker: what follows is the
# kernel's own power-off chatter, which no log level setting silences.
printf '\n@@lvs-bed-end@@\n'
sleep 0.2                          # let the UART drain the last lines
echo o >/proc/sysrq-trigger        # power off; QEMU exits
sleep 10 || :
