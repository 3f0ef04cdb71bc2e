#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: build grecap.ko for the kernel the test VM boots, boot it and
# run guest.sh there (rates of grecap beside bare receive and the kernel's
# own tunnel devices; see guest.sh for the method).  The table is printed
# and kept, with every run's figures, in build/bench-RELEASE/.  Exits 1
# when a goal is not met.
#
#   selftests/bench/bench.sh        (VM_KVER=<release>: another kernel;
#                                    BENCH_* variables: see guest.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

kver=$(selftests/vm/kernel-release.sh) || exit 1
out=$top/build/bench-$kver
mkdir -p "$out"

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
selftests/vm/run-vm.sh -r "$kver" -o "$out" -t "${VM_TIMEOUT:-3600}" -- \
	env "${vars[@]}" BENCH_OUT="$out" GRECAP_KO="$top/grecap.ko" \
	bash -c 'make -s -C tools/iproute2 install >/dev/null &&
		exec bash selftests/bench/guest.sh' | tee "$out/bench.txt"
exit "${PIPESTATUS[0]}"
