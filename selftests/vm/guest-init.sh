#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Second-stage init of the test VM, running on the host's root (read-only,
# with a tmpfs overlay): set up a minimal system, run the command that
# run-vm.sh left in the out share with its output on the second serial
# port, record its exit status and power off.

out=$1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
# Tests that change the system's packages run here only (dkms).
export GRECAP_VM=1

mount -t proc proc /proc
mount -t sysfs sys /sys
# No tmpfs on /tmp: the repository may live there on the host, and the
# overlay's tmpfs upper layer already takes the guest's writes.
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/netns /dev/pts /dev/shm
# What udev would make: bash's process substitution (dkms) needs /dev/fd.
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
# The out share is mounted last: run-vm.sh may have put it under /tmp.
mkdir -p "$out"
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out "$out"; then
	echo "guest-init: cannot mount the out share at $out"
	/bin/busybox poweroff -f
fi

# A kernel built outside the host's packages brings its own modules.
mods=$(sed -n 's/.*grecapvm\.mods=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$mods" ] && [ ! -e "/lib/modules/$(uname -r)" ]; then
	ln -s "$mods/lib/modules/$(uname -r)" "/lib/modules/$(uname -r)"
fi

hostname grecap-vm
ip link set lo up
# The guest's console must show WARN splats (KERN_WARNING) so the runner
# can fail on them.
echo 7 >/proc/sys/kernel/printk

tty=/dev/ttyS1
stty -F $tty raw -echo 2>/dev/null

bash "$out/cmd.sh" >$tty 2>&1 </dev/null
echo $? >"$out/rc"
sync

/bin/busybox poweroff -f
echo o >/proc/sysrq-trigger
