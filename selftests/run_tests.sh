#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the grecap selftests and print KTAP: in the test VM (check.sh), or
# on a host through make -C selftests/net run_tests.
#
#   run_tests.sh [--part FIRST/TOTAL] MODULE.ko|- [TEST...]
#
# MODULE.ko: the grecap.ko the tests load; "-": the one modprobe finds.
#
# TEST is a script's name under selftests/net/ (every case in its
# ALL_TESTS), or NAME:CASE[,CASE...] for some of its cases.
#
# --part: these tests are part of a run of TOTAL split over several VMs
# (check.sh); they are numbered from FIRST, and only the part with FIRST 1
# prints KTAP's header and plan (1..TOTAL), so that the parts' outputs, put
# one after the other, make one KTAP document.
#
# Each test is a script exiting 0 (pass), 4 (skip) or anything else (fail);
# its output becomes KTAP diagnostics.  The result line carries the
# test's time and the processes it started (under emulation a process
# start is what a test mostly pays for), and the reason of every skip: the
# whole script's (# SKIP REASON), or of some of its cases, which leaves it
# passed ("ok ... # time=12s forks=300; skipped case: CASE: REASON").  A
# test also fails when the kernel log shows an oops, BUG, WARNING, Call
# Trace or a sanitizer report while it ran, as the netdev CI does; and
# when it runs longer than selftests/net/settings says.

top=$(cd "$(dirname "$0")/.." && pwd)
first=1
total=
if [ "${1:-}" = --part ]; then
	first=${2%/*}
	total=${2#*/}
	shift 2
fi
export GRECAP_KO=${1:?usage: run_tests.sh [--part FIRST/TOTAL] MODULE.ko|- [TEST...]}
shift
[ "$GRECAP_KO" = - ] && GRECAP_KO=
cd "$top" || exit 1

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=()
	for t in selftests/net/*.sh; do
		[ "$(basename "$t")" = lib.sh ] || tests+=("$(basename "$t" .sh)")
	done
fi

# Tests configure grecap as users do, with ip and the plugin: this tree's,
# installed where the system's ip looks (the guest's root is a throwaway
# overlay), unless the host has one (grecap-iproute2).
if [ -n "${GRECAP_VM:-}" ] || ! ip link help grecap 2>&1 | grep -q "Usage: ... grecap"; then
	if ! make -s -C tools/iproute2 install >/dev/null; then
		echo "# cannot install tools/iproute2/link_grecap.so"
		exit 1
	fi
fi
# settings' timeout, stretched as the readiness waits are (the debug
# kernel runs everything several times slower).
timeout=$(sed -n 's/^timeout=//p' selftests/net/settings)
timeout=$((${timeout:-900} * ${GRECAP_TIMEOUT_SCALE:-1}))

# forks: processes started since boot.
forks() {
	local key n
	while read -r key n; do
		[ "$key" = processes ] && echo "$n" && return
	done </proc/stat
}
out=$(mktemp /tmp/grecap-run.XXXXXX)
# The FIFO lib.sh's nap reads from, one for all tests.
export GRECAP_NAP_FIFO=$out.nap
rm -f "$GRECAP_NAP_FIFO"
mkfifo "$GRECAP_NAP_FIFO"
trap 'rm -f "$out" "$GRECAP_NAP_FIFO"' EXIT

splat='BUG:|WARNING:|Call Trace|Oops|general protection|KASAN|UBSAN|kmemleak|refcount_t|ref_tracker|unreferenced object|possible circular locking|suspicious RCU usage|sleeping function called'

# drop_alloc_failures: the kernel log without warn_alloc()'s reports
# ("page allocation failure", "vmalloc error": a stack dump, then the
# memory state, ending "N pages reserved").  The start of any other report
# (a BUG or WARNING line, or KASAN's and lockdep's rule) ends one, and
# stays.
drop_alloc_failures() {
	awk '
	{ msg = $0; sub(/^\[[ 0-9.]*\] /, "", msg) }
	/page allocation failure: |vmalloc error: / { skip = 1; next }
	skip && msg ~ /^(BUG|WARNING)|^=+$/ { skip = 0 }
	skip { if (msg ~ /pages reserved$/) skip = 0; next }
	{ print }'
}

# On a kernel with kmemleak (the debug kernel), leaks are looked for once
# all tests ran, as one more test; what leaked before them is not ours.
# No automatic scans meanwhile: their reports would land in whichever
# test happened to run.
leakfile=/sys/kernel/debug/kmemleak
leaks=0
if [ "${GRECAP_KMEMLEAK:-0}" = 1 ]; then
	if [ -w "$leakfile" ]; then
		echo scan=off >"$leakfile"
		echo scan >"$leakfile"
		echo clear >"$leakfile"
		leaks=1
	else
		echo "# GRECAP_KMEMLEAK=1 but no $leakfile"
	fi
fi

if [ "$first" = 1 ]; then
	echo "TAP version 13"
	echo "1..$((${total:-${#tests[@]}} + leaks))"
fi
n=$((first - 1))
for t in "${tests[@]}"; do
	n=$((n + 1))
	cases=
	if [[ $t == *:* ]]; then
		cases=${t#*:}
		cases=${cases//,/ }
		t=${t%%:*}
	fi
	t=${t%.sh}
	name=$t${cases:+:${cases// /,}}
	before=$(dmesg | wc -l)
	start=$(date +%s)
	forks0=$(forks)
	# awk ends every line, the last one of a killed test too, so the
	# result line below always starts a line of its own.
	TESTS=$cases timeout -k 10 "${timeout:-900}" bash "selftests/net/$t.sh" 2>&1 |
		awk '{ print "# " $0; fflush() }' | tee "$out"
	rc=${PIPESTATUS[0]}
	secs=$(($(date +%s) - start))
	nforks=$(($(forks) - forks0))
	# "SKIP: REASON" of the script, "    SKIP: CASE: REASON" of a case.
	why=$(sed -n 's/^# *SKIP: //p' "$out" | paste -s -d ';' | sed 's/;/; /g')
	new=$(dmesg | tail -n +$((before + 1)))
	# A test that fails allocations on purpose (faults) says so: the
	# kernel's reports of a failed allocation (its stack and memory
	# state) are then expected, and only they are left out.
	grep -q '^# *EXPECT: allocation failure reports' "$out" &&
		new=$(drop_alloc_failures <<<"$new")
	if grep -Eq "$splat" <<<"$new"; then
		echo "# kernel log while $t ran:"
		sed 's/^/# /' <<<"$new"
		rc=1
	fi
	case $rc in
	0) echo "ok $n $name # time=${secs}s forks=$nforks${why:+; skipped case: $why}" ;;
	4) echo "ok $n $name # SKIP ${why:-no reason given}" ;;
	124) echo "not ok $n $name # TIMEOUT after ${secs}s" ;;
	*) echo "not ok $n $name # exit=$rc time=${secs}s forks=$nforks" ;;
	esac
done

if [ "$leaks" = 1 ]; then
	n=$((n + 1))
	# Unloading frees everything grecap owns; objects need two scans (and
	# a few seconds of age) before kmemleak calls them leaks.
	rmmod grecap 2>/dev/null
	echo scan >"$leakfile"
	sleep 6
	echo scan >"$leakfile"
	report=$(cat "$leakfile")
	if [ -n "$report" ]; then
		echo "# kmemleak after all tests:"
		sed 's/^/# /' <<<"$report"
		echo "not ok $n kmemleak"
	else
		echo "ok $n kmemleak"
	fi
fi
