#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build grecap.ko for the kernel the test VM boots, boot it in
# QEMU and run the selftests there.  Prints KTAP and ends with the line
# "N passed, N failed, N skipped"; exits non-zero on any failure.
#
#   selftests/check.sh [--debug | --unstable] [TEST...]
#                         (TEST: a script, or SCRIPT:CASE[,CASE...])
#                         (VM_KVER=<release> picks an installed kernel)
#
# --debug (make check-debug): the same on the debug kernel of
# selftests/debug/ (KASAN, lockdep, kmemleak, refcount trackers), built
# once and cached; the run ends with a kmemleak scan.
# --unstable (make check-unstable): on Debian unstable's kernel (7.x), from
# the root of selftests/vm/unstable-root.sh, made once and cached; grecap
# is built inside that root, with the compiler its kernel was built with.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

vm_args=()
make_in=()
if [ "${1:-}" = --unstable ]; then
	shift
	if ! root=$(selftests/vm/unstable-root.sh) ||
		! kver=$(selftests/vm/unstable-root.sh release); then
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	build=(KVER="$kver")
	make_in=(selftests/vm/unstable-root.sh)
	vm_args=(-k "$root/boot/vmlinuz-$kver" -M "$root")
elif [ "${1:-}" = --debug ]; then
	shift
	if ! kdir=$(selftests/debug/build-kernel.sh); then
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	kver=$(cat "$kdir/release")
	build=(KDIR="$kdir/build")
	vm_args=(-k "$kdir/bzImage" -M "$kdir/mods")
	export GRECAP_KMEMLEAK=1
	# Everything, userspace included, runs several times slower on it
	# under emulation: readiness waits get longer, nothing else changes.
	export GRECAP_TIMEOUT_SCALE=${GRECAP_TIMEOUT_SCALE:-5}
else
	kver=$(selftests/vm/kernel-release.sh) || exit 1
	build=(KVER="$kver")
fi
out=$top/build/vm-$kver
mkdir -p "$out"

echo "# building grecap.ko for $kver"
if ! "${make_in[@]}" make -s "${build[@]}" >"$out/build.log" 2>&1; then
	cat "$out/build.log"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi

# The iproute2 plugin, which the guest installs where its ip looks.
echo "# building the iproute2 plugin"
if ! make -s -C tools/iproute2 >"$out/plugin.log" 2>&1; then
	cat "$out/plugin.log"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi

# The Debian packages, for the dkms test (when it runs).
# (dkms skips on the unstable kernel: see dkms.sh.)
if [ ${#make_in[@]} = 0 ] && { [ $# = 0 ] || [[ " $* " =~ \ dkms[\ :] ]]; }; then
	echo "# building the Debian packages"
	if ! make -s deb >"$out/deb.log" 2>&1; then
		cat "$out/deb.log"
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
fi

selftests/vm/run-vm.sh -r "$kver" "${vm_args[@]}" -o "$out" \
	-t "${VM_TIMEOUT:-4200}" -- \
	env GRECAP_KMEMLEAK="${GRECAP_KMEMLEAK:-0}" \
	GRECAP_TIMEOUT_SCALE="${GRECAP_TIMEOUT_SCALE:-1}" \
	GRECAP_CHURN_ROUNDS="${GRECAP_CHURN_ROUNDS:-5}" \
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
