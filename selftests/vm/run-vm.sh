#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU with the host's root file system shared read-only
# (virtio-9p, tmpfs overlay on top) and run one command in the guest.
#
# The guest sees the host's tools and this repository at their host paths,
# so nothing is installed into an image: the command runs the selftests
# against the grecap.ko that was built on the host.
#
#   run-vm.sh [-k VMLINUZ] [-r RELEASE] [-M MODROOT] [-t SECONDS] [-o OUTDIR]
#             [-m MEM_MB] [-c CPUS] [-a CMDLINE] [-p PLUGIN] [-S] -- CMD [ARGS]
#
# -p: a TCG plugin for QEMU's -plugin option (FILE.so,ARG=VALUE...), as
# make bench-insns loads one to count the guest's instructions.
#
# -S: one host thread runs every guest CPU in turn (TCG's thread=single)
# instead of one thread each: the guest's CPUs never run at the same
# instant, and the VM keeps one host CPU busy (check.sh says why it uses
# it, and where it does not).
#
# MODROOT: for a kernel not installed on the host (the debug kernel, a
# kernel of another release's root), the directory holding its
# lib/modules/RELEASE: the initramfs takes its boot modules from there and
# the guest links it in place.
#
# The command's output is streamed to stdout.  The kernel console is kept in
# OUTDIR/console.log.  Exit status: the command's, or 124 when the guest did
# not finish (timeout, panic, hang).

set -u

here=$(cd "$(dirname "$0")" && pwd)
kernel=
release=
timeout=1800
outdir=
mem=2048
cpus=2
append_extra=
modroot=
plugin=()
tcg_threads=multi

usage() {
	echo "usage: $0 [-k vmlinuz] [-r release] [-M modroot] [-t seconds] [-o outdir] [-m mem] [-c cpus] [-a cmdline] [-p plugin] [-S] -- cmd [args]" >&2
	exit 2
}

while getopts "k:r:t:o:m:c:a:M:p:S" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	r) release=$OPTARG ;;
	t) timeout=$OPTARG ;;
	o) outdir=$OPTARG ;;
	m) mem=$OPTARG ;;
	c) cpus=$OPTARG ;;
	a) append_extra=$OPTARG ;;
	M) modroot=$OPTARG ;;
	p) plugin=(-plugin "$OPTARG") ;;
	S) tcg_threads=single ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage

if [ -z "$release" ]; then
	if [ -n "$kernel" ]; then
		echo "run-vm: -k needs -r (the release whose modules to use)" >&2
		exit 2
	fi
	release=$("$here/kernel-release.sh") || exit 2
fi
[ -n "$kernel" ] || kernel=/boot/vmlinuz-$release
if [ ! -r "$kernel" ]; then
	echo "run-vm: no kernel image $kernel" >&2
	exit 2
fi
for tool in qemu-system-x86_64 cpio /bin/busybox; do
	if ! command -v "$tool" >/dev/null; then
		echo "run-vm: $tool is missing (make deps installs it)" >&2
		exit 2
	fi
done

[ -n "$outdir" ] || outdir=$(mktemp -d /tmp/grecap-vm.XXXXXX)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
rm -f "$outdir/rc" "$outdir/console.log" "$outdir/output.log"

# The command, as a script the guest runs from the shared out directory.
{
	echo "cd $(printf '%q' "$PWD") || exit 1"
	printf '%q ' "$@"
	echo
} >"$outdir/cmd.sh"

# The initramfs: static busybox, the modules that mount the host's root,
# and the first-stage init.  Built once per release and reused.
initrd=$outdir/initrd-$release.cpio.gz
if [ ! -s "$initrd" ] || [ "$here/init" -nt "$initrd" ] ||
	[ "$0" -nt "$initrd" ]; then
	stage=$(mktemp -d)
	mkdir -p "$stage"/{bin,dev,proc,sys,mods,lower,rw,newroot}
	cp /bin/busybox "$stage/bin/busybox"
	cp "$here/init" "$stage/init"
	chmod 755 "$stage/init"
	: >"$stage/mods/order"
	# From MODROOT when given: a kernel not installed on the host has
	# its modules only there.  Compressed modules (.ko.xz, .ko.zst) are
	# unpacked: busybox insmod and a kernel without in-kernel
	# decompression take plain ones only.
	for m in virtio_pci 9pnet_virtio 9p overlay; do
		modprobe ${modroot:+-d "$modroot"} -S "$release" \
			--show-depends "$m" 2>/dev/null
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
		name=$(basename "$ko")
		case $name in
		*.ko.xz) xz -dc "$ko" >"$stage/mods/${name%.xz}" ;;
		*.ko.zst) zstd -qdc "$ko" >"$stage/mods/${name%.zst}" ;;
		*.ko.gz) gzip -dc "$ko" >"$stage/mods/${name%.gz}" ;;
		*) cp "$ko" "$stage/mods/" ;;
		esac
		basename "${name%.ko*}.ko" >>"$stage/mods/order"
	done
	if [ ! -s "$stage/mods/order" ]; then
		# A kernel with these built in (the debug kernel) needs none.
		echo "run-vm: no modules listed for $release; assuming built in" >&2
	fi
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd"
	rm -rf "$stage"
fi

# The runner's own arguments have a prefix no module has: the kernel hands
# "module.param" arguments to that module when it loads.
cmdline="console=ttyS0 loglevel=7 panic=-1 oops=panic"
# DAMON_STAT (Debian's 7.x turns it on by default) runs a kdamond thread
# from boot that samples memory every few milliseconds: CPU an emulated
# guest has none to spare, and a thread that is always in sched_clock_cpu()
# when the boot patches sched_clock's static key (7.2 under TCG: "Oops:
# int3" in kdamond.0 at 1.5 s, once).  Kernels without DAMON_STAT pass the
# unknown parameter on to init, which ignores it.
cmdline+=" damon_stat.enabled=N"
cmdline+=" grecapvm.out=$outdir grecapvm.stage2=$here/guest-init.sh"
[ -n "$modroot" ] && cmdline+=" grecapvm.mods=$modroot"
[ -n "$append_extra" ] && cmdline+=" $append_extra"

: >"$outdir/output.log"
timeout -s KILL "$timeout" qemu-system-x86_64 \
	-nodefaults -no-user-config -no-reboot -display none \
	-machine q35 -accel tcg,thread="$tcg_threads" -cpu max -smp "$cpus" -m "$mem" \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$outdir",mount_tag=out,security_model=none,multidevs=remap \
	-serial file:"$outdir/console.log" \
	-serial file:"$outdir/output.log" "${plugin[@]}" \
	</dev/null >"$outdir/qemu.log" 2>&1 &
qpid=$!
# timeout runs QEMU in a process group of its own, out of reach of a ^C or
# of a kill of the caller's group: pass such a signal on (timeout relays it
# to QEMU).
trap 'kill "$qpid" 2>/dev/null; exit 143' TERM INT HUP

# Stream the guest's output while it runs.
tail -n +1 -f --pid=$qpid "$outdir/output.log" | sed -u 's/\r$//' &
tpid=$!
wait $qpid
qrc=$?
wait $tpid 2>/dev/null

if [ ! -s "$outdir/rc" ]; then
	echo "# run-vm: the guest did not finish (qemu exit $qrc, timeout ${timeout}s)"
	echo "# run-vm: last lines of $outdir/console.log:"
	tail -n 40 "$outdir/console.log" | tr -d '\r' | sed 's/^/# /'
	[ -s "$outdir/qemu.log" ] && sed 's/^/# qemu: /' "$outdir/qemu.log"
	exit 124
fi
exit "$(cat "$outdir/rc")"
