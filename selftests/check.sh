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

# One host thread runs both of the guest's CPUs in turn (run-vm.sh -S):
# the suite is mostly one process after another, which runs as fast so
# (7.2: 354 s of tests, 349 s with a thread per CPU) and leaves the
# host's other CPU to the second VM below.  The guest still has two
# CPUs (RPS spreads, per-CPU state, IPIs); what it loses is two of them
# running at the same instant, which the debug kernel keeps (--debug:
# KASAN and lockdep want real races).  It should also spare 7.x a crash
# seen with a thread per CPU: an int3 of its own live patching, "Oops:
# int3" at a static branch at the top of __netif_receive_skb_core (the
# timestamp check's, it seems: every ping toggles that key) in a ping's
# softirq, in CI, and once in kdamond at boot (see run-vm.sh).  The int3
# handler found no patch in progress: a CPU ran the int3 after the patch
# was done and synced, which the kernel's cross-CPU sync rules out on
# hardware.  6.1 and 6.12 never showed it.  With one thread, no guest
# CPU runs while another patches.
vm_args=(-S)
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
	vm_args+=(-k "$root/boot/vmlinuz-$kver" -M "$root")
elif [ "${1:-}" = --debug ]; then
	shift
	if ! kdir=$(selftests/debug/build-kernel.sh); then
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	kver=$(cat "$kdir/release")
	build=(KDIR="$kdir/build")
	# A host thread per guest CPU here (no -S): CPUs that really run at
	# once, for KASAN and lockdep.
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
src=$out/src
mkdir -p "$out"

# The iproute2 plugin, which the guest installs where its ip looks.  First:
# make deb, which the second VM starts with, builds it from the same
# iproute2 source, fetched and cached here on first use.
echo "# building the iproute2 plugin"
if ! make -s -C tools/iproute2 >"$out/plugin.log" 2>&1; then
	cat "$out/plugin.log"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi

# The tests, and the ones that run in a VM of their own beside the others.
tests=("$@")
if [ $# = 0 ]; then
	for t in selftests/net/*.sh; do
		[ "$(basename "$t")" = lib.sh ] || tests+=("$(basename "$t" .sh)")
	done
fi
# The longest test runs in a second VM beside the others.  dkms compiles
# grecap inside the guest, for four to five minutes on about one CPU of
# the host, while the other tests keep about one busy: run beside them, it
# takes three minutes off make check (not where it only skips: --unstable
# has no compiler for that kernel in this userspace).  On the debug
# kernel, faults: every allocation of every operation failed in turn,
# about as long under KASAN as the rest of the suite.  With kmemleak each
# VM ends with a scan of its own, after all of its tests, numbered as one
# more test.
side_test=
if [ "${GRECAP_KMEMLEAK:-0}" = 1 ]; then
	side_test=faults
elif [ ${#make_in[@]} = 0 ]; then
	side_test=dkms
fi
main=() side=()
for t in "${tests[@]}"; do
	if [ -n "$side_test" ] && [[ ${t%.sh} == "$side_test" || $t == "$side_test":* ]]; then
		side+=("$t")
	else
		main+=("$t")
	fi
done
# GRECAP_ONE_VM=1: no second VM; its test runs last in the first.  CI
# (.ci/run) keeps to one VM per host CPU across all its suites.
if [ ${#main[@]} = 0 ] || [ "${GRECAP_ONE_VM:-0}" = 1 ]; then
	main+=("${side[@]}")
	side=()
fi
total=${#tests[@]}
[ "${GRECAP_KMEMLEAK:-0}" = 1 ] && [ ${#side[@]} -gt 0 ] && total=$((total + 1))

# vm_tests OUTDIR FIRST TEST...: the tests, numbered from FIRST, in one VM.
# SIDE_VM=1: the second VM, with one CPU, at nice 19.  Under emulation a
# guest's CPUs wait for one another (IPIs, TLB shootdowns), and those of
# the first VM wait whenever the host runs the second: its tests took a
# third longer so, twice as long with the second at normal priority; with
# the second at SCHED_IDLE, that one starved (make check 604 s against
# 515 s).  The debug kernel's second VM keeps its two CPUs, for KASAN
# and lockdep, and its priority: both VMs are mostly one process after
# another there, far from two CPUs' worth each.
vm_tests() {
	local dir=$1 first=$2 run=(selftests/vm/run-vm.sh)
	shift 2
	if [ "${SIDE_VM:-0}" = 1 ] && [ "${GRECAP_KMEMLEAK:-0}" = 0 ]; then
		run=(nice -n 19 "${run[@]}" -c 1)
	fi
	"${run[@]}" -r "$kver" "${vm_args[@]}" -o "$dir" \
		-t "${VM_TIMEOUT:-4200}" -- \
		env GRECAP_KMEMLEAK="${GRECAP_KMEMLEAK:-0}" \
		GRECAP_TIMEOUT_SCALE="${GRECAP_TIMEOUT_SCALE:-1}" \
		GRECAP_CHURN_ROUNDS="${GRECAP_CHURN_ROUNDS:-5}" \
		GRECAP_FAULTS_ALL="${GRECAP_FAULTS_ALL:-0}" \
		make -s -C selftests/net run_tests RUN_FLAGS="--part $first/$total" \
		GRECAP_KO="$src/grecap.ko" TESTS="$*"
}

# deb_tests OUTDIR FIRST TEST...: the Debian packages of make deb, which
# the dkms test installs (dkms skips on the unstable kernel: see dkms.sh),
# then the tests.
deb_tests() {
	local dir=$1 first=$2 n
	shift 2
	if [ ${#make_in[@]} = 0 ] && [[ " $* " =~ \ dkms(\.sh)?[\ :] ]]; then
		echo "# building the Debian packages"
		if ! make -s deb >"$out/deb.log" 2>&1; then
			sed 's/^/# /' "$out/deb.log"
			[ "$first" = 1 ] && echo "TAP version 13" && echo "1..$total"
			n=$first
			for t in "$@"; do
				echo "not ok $n $t # make deb failed"
				n=$((n + 1))
			done
			return 1
		fi
	fi
	vm_tests "$dir" "$first" "$@"
}

# start_side: the second VM, in a process group of its own, which a
# failed build below stops.  dkms needs the packages, not grecap.ko: it
# starts before the build; faults after it.
side_out=$out-side
side_pid=
start_side() {
	[ ${#side[@]} -gt 0 ] || return 0
	mkdir -p "$side_out"
	echo "# running ${side[*]} in a second VM beside the others ($side_out)"
	set -m
	# After the first VM's tests, and its kmemleak scan where there is one.
	side_first=$((${#main[@]} + 1))
	[ "${GRECAP_KMEMLEAK:-0}" = 1 ] && side_first=$((side_first + 1))
	SIDE_VM=1 deb_tests "$side_out" "$side_first" "${side[@]}" \
		>"$side_out/ktap.log" 2>&1 &
	side_pid=$!
	set +m
}
[ "$side_test" = dkms ] && start_side

# grecap.ko is built in a copy of the sources of its own, so that runs for
# several kernels at once (CI) do not share objects.
rm -rf "$src"
mkdir -p "$src/debian" "$src/selftests"
cp -r Kbuild Makefile module include "$src/"
cp -r selftests/kmod "$src/selftests/"
cp debian/changelog "$src/debian/"
echo "# building grecap.ko for $kver"
if ! "${make_in[@]}" make -s -C "$src" "${build[@]}" GRECAP_SELFTEST=m \
	>"$out/build.log" 2>&1; then
	cat "$out/build.log"
	if [ -n "$side_pid" ]; then
		kill -- -"$side_pid" 2>/dev/null
		wait "$side_pid" 2>/dev/null
	fi
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
# What grecap.ko depends on, read once here rather than by a modinfo in
# every test of the guest (lib.sh's load_grecap).
modinfo -F depends "$src/grecap.ko" >"$src/grecap.ko.deps"
[ "$side_test" = dkms ] || start_side
deb_tests "$out" 1 "${main[@]}" | tee "$out/ktap.log"
rc=${PIPESTATUS[0]}
if [ -n "$side_pid" ]; then
	wait "$side_pid"
	side_rc=$?
	echo "# ${side[*]}, from the second VM:"
	tee -a "$out/ktap.log" <"$side_out/ktap.log"
	[ "$side_rc" = 0 ] || rc=$side_rc
fi

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
