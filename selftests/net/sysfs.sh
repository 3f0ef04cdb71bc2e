#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sysfs shows a grecap device's settings (grecap/) and counters
# (grecap_stats/), read-only: no file is writable, not even by root.
#
# Reading is safe while devices come and go: a reader reads every grecap
# file of every device over and over while devices are created, set up,
# changed and deleted beside it.  (A read racing a deletion once hit a
# NULL filter.)  run_tests.sh fails the test on any oops or splat.

source "${0%/*}/lib.sh"

ALL_TESTS="
	read_only
	read_while_churning
"
ROUNDS=${GRECAP_SYSFS_ROUNDS:-200}
dir=/sys/class/net/grecap0

read_only() {
	local n_set n_stats

	n_set=$(ip netns exec "$COL" ls "$dir/grecap" | xargs)
	check_eq "settings" "encap inner_vxlan key link local port remote session tstamp vlan vni" "$n_set"
	n_stats=$(ip netns exec "$COL" ls "$dir/grecap_stats" | wc -l)
	check_eq "counters: one file each, as ethtool -S" \
		"$(ip netns exec "$COL" ethtool -S grecap0 | grep -c ':.*[0-9]$')" "$n_stats"
	check_eq "no grecap sysfs file is writable" "" \
		"$(ip netns exec "$COL" find "$dir/grecap/" "$dir/grecap_stats/" -perm /222 -type f)"
	check_fail_msg "root cannot write one either" "Permission denied" \
		ip netns exec "$COL" sh -c "echo 2 > $dir/grecap/key"
	check_eq "settings as set" "$SND4 1 any" \
		"$(for f in remote key local; do gsetting "$COL" grecap0 $f; done | xargs)"
	log_test "settings and counters shown, read-only even for root"
}

read_while_churning() {
	local i churned reader window

	# The reader: every file of every grecap device, 20 reads per open, until
	# told to stop; it counts reads, those of the devices that come and go,
	# and the failed ones (ENODEV or ENOENT while a device goes).
	ip netns exec "$COL" $PY -S - "$TMP" >"$TMP/reader" 2>&1 <<'PYEOF' &
import glob
import os
import sys

reads = churned = failed = 0
open(sys.argv[1] + "/ready", "w").close()
while not os.path.exists(sys.argv[1] + "/stop"):
    paths = glob.glob("/sys/class/net/*/grecap/*")
    paths += glob.glob("/sys/class/net/*/grecap_stats/*")
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            failed += 1
            continue
        try:
            for _ in range(20):
                os.pread(fd, 64, 0)
                reads += 1
                if "/grecap0/" not in path:
                    churned += 1
        except OSError:
            failed += 1
        finally:
            os.close(fd)
print("reads", reads, "churned", churned, "failed", failed)
PYEOF
	reader=$!
	BG_PIDS+=($reader)

	# Devices come and go in one ip process (ip -batch), so the churn is fast.
	# Each lives for window rounds (a device added in round i is deleted in
	# round i + window), so the reader both reads devices that stay a while and
	# races the deletions; a device deleted in the round that added it would be
	# gone before most reader passes even listed it.
	window=8
	for i in $(seq "$((ROUNDS + window))"); do
		if [ "$i" -le "$ROUNDS" ]; then
			echo "link add g$i link col0 type grecap key $((i + 100)) remote $SND4"
			echo "link set g$i up"
			echo "link set g$i type grecap key $((i + 5000)) session $((i % 1000)) vlan on"
		fi
		[ "$i" -gt "$window" ] && echo "link del g$((i - window))"
	done >"$TMP/batch"
	busywait 10000 test -e "$TMP/ready" || fail "the reader did not start"
	check "$ROUNDS devices added, changed and deleted while read" \
		ip -n "$COL" -batch "$TMP/batch"
	touch "$TMP/stop"
	wait "$reader"
	log "reader: $(cat "$TMP/reader")"
	churned=$(awk '{ print $4 }' "$TMP/reader")
	check "the reader read the changing devices' files meanwhile" \
		test "${churned:-0}" -gt 0
	check_eq "the device that stayed still reads right" "$SND4 1" \
		"$(for f in remote key; do gsetting "$COL" grecap0 $f; done | xargs)"
	log_test "files read while $ROUNDS devices come and go"
}

setup_topo
grecap_add grecap0 remote $SND4 key 1
tests_run
