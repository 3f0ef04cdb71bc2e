#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: build grecap.ko for the kernel the test VM boots, boot it and
# run guest.sh there (rates of grecap beside bare receive and the kernel's
# own tunnel devices; see guest.sh for the method).  The table is printed
# and kept, with every run's figures, in build/bench-RELEASE/.  Exits 1
# when a goal is not met.
#
# make bench-insns (BENCH_INSNS=1): the same paths' cost in guest
# instructions per frame, counted by QEMU instead of timed (a TCG plugin,
# insns-plugin.c; the guest's side is insns-guest.sh, the table insns.py),
# in build/bench-insns-RELEASE/.  Rates under emulation vary by 5-50 %
# from run to run; instruction counts repeat to a fraction of a per cent,
# so two versions of the receive path can be compared, and the functions
# where the paths' costs differ are listed.  Not a rate: TCG does not
# charge every instruction alike (memory accesses cost more), so the goals
# stay make bench's.  Debian ships no QEMU plugin header: the installed
# QEMU's source package is fetched once (tools/apt-source.sh) into
# $GRECAP_CACHE for it.
#
#   tools/bench/bench.sh        (VM_KVER=<release>: another kernel;
#                                    BENCH_* variables: see guest.sh and
#                                    insns-guest.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
cache=${GRECAP_CACHE:-/var/cache/grecap}

kver=$(selftests/vm/kernel-release.sh) || exit 1
out=$top/build/bench${BENCH_INSNS:+-insns}-$kver
mkdir -p "$out"

plugin=()
if [ -n "${BENCH_INSNS:-}" ]; then
	# No snapshot of an earlier run left to be read as this one's.
	rm -f "$out"/insns-*.txt
	# Built against the plugin header of the QEMU that loads it.
	qsrc=$(dpkg-query -W -f='${source:Version}' qemu-system-x86) || exit 1
	hdir=$cache/qemu-plugin-$qsrc
	if [ ! -f "$hdir/qemu-plugin.h" ]; then
		echo "# fetching QEMU's plugin header (source package qemu $qsrc)"
		rm -rf "$hdir.tmp"
		tools/apt-source.sh "$hdir.tmp" "qemu=$qsrc" --download-only &&
			tar -xJf "$hdir.tmp"/qemu_*.orig.tar.xz -C "$hdir.tmp" \
				--wildcards --no-anchored --strip-components=3 \
				'include/qemu/qemu-plugin.h' || exit 1
		mkdir -p "$hdir"
		mv "$hdir.tmp/qemu-plugin.h" "$hdir/"
		rm -rf "$hdir.tmp"
	fi
	gcc -O2 -Wall -Werror -shared -fPIC -I"$hdir" \
		-o "$out/libgrecap-insns.so" tools/bench/insns-plugin.c \
		-lpthread || exit 1
	plugin=(-p "$out/libgrecap-insns.so,trigger=$out/insns.trigger,dir=$out")
fi

echo "# building grecap.ko and the iproute2 plugin for $kver"
if ! make -s KVER="$kver" >"$out/build.log" 2>&1 ||
	! make -s -C tools/iproute2 >>"$out/build.log" 2>&1; then
	cat "$out/build.log"
	exit 1
fi

vars=()
for v in $(compgen -v BENCH_); do
	vars+=("$v=${!v}")
done
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), host: $(nproc) CPUs," \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
selftests/vm/run-vm.sh -r "$kver" -o "$out" -t "${VM_TIMEOUT:-3600}" \
	"${plugin[@]}" -- \
	env "${vars[@]}" BENCH_OUT="$out" GRECAP_KO="$top/grecap.ko" \
	bash -c 'make -s -C tools/iproute2 install >/dev/null &&
		exec bash tools/bench/guest.sh' | tee "$out/bench.txt"
rc=${PIPESTATUS[0]}
if [ -n "${BENCH_INSNS:-}" ] && [ "$rc" = 0 ]; then
	tools/bench/insns.py "$out" | tee "$out/insns.txt"
	rc=${PIPESTATUS[0]}
	echo "# by function, grecap less bare receive: $out/insns-FLAVOUR.txt"
fi
exit "$rc"
