#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build grecap.ko for the kernel the test VM boots, boot it in
# QEMU and run the selftests there.  Prints KTAP and ends with the line
# "N passed, N failed, N skipped"; exits non-zero on any failure.
#
#   selftests/check.sh [TEST...]      (VM_KVER=<release> picks the kernel)

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

kver=$(selftests/vm/kernel-release.sh) || exit 1
out=$top/build/vm-$kver
mkdir -p "$out"

echo "# building grecap.ko for $kver"
if ! make -s KVER="$kver" >"$out/build.log" 2>&1; then
	cat "$out/build.log"
	echo "0 passed, 1 failed"
	exit 1
fi

selftests/vm/run-vm.sh -r "$kver" -o "$out" -t "${VM_TIMEOUT:-3000}" -- \
	selftests/run_tests.sh "$top/grecap.ko" "$@" | tee "$out/ktap.log"
rc=${PIPESTATUS[0]}

passed=$(grep -Ec '^ok [0-9]+ [^#]*(# time|$)' "$out/ktap.log")
skipped=$(grep -Ec '^ok [0-9]+ .*# SKIP' "$out/ktap.log")
failed=$(grep -Ec '^not ok [0-9]+ ' "$out/ktap.log")
planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$out/ktap.log" | head -n 1)
ran=$((passed + skipped + failed))
if [ "$rc" != 0 ] || [ -z "$planned" ] || [ "$ran" -lt "${planned:-1}" ]; then
	# The guest died, hung or stopped early: what did not report failed.
	missing=$((${planned:-1} - ran))
	((missing < 1)) && missing=1
	echo "# the VM run did not complete (exit $rc); $missing test(s) unreported"
	failed=$((failed + missing))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
