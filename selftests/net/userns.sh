#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# grecap in user namespaces.
#
# A device handed to a container (a network namespace owned by a user
# namespace) can be used and read there, but only CAP_NET_ADMIN in the
# namespace of its link changes what it captures.
#
# A rootless container, entered by an unprivileged user, creates,
# configures (ip link with the plugin) and reads a grecap device on a link
# of its own; its sysfs files belong to the container's root, as the
# kernel's own net-sysfs files do.

source "${0%/*}/lib.sh"

require_command unshare
require_command nsenter
require_command setpriv

ALL_TESTS="
	handed_over
	rootless
"

# A container made by root: user, network and mount namespaces, its sysfs.
handed_over() {
	local CPID

	grecap_add grecap0 key 5
	unshare -U -r -n -m sh -c 'mount -t sysfs sysfs /sys && exec sleep 600' &
	CPID=$!
	BG_PIDS+=($CPID)
	# The container is ready once its sysfs is mounted: then it runs sleep.
	ct_ready() { [ "$(readlink "/proc/$CPID/exe")" = "$(readlink -f "$(command -v sleep)")" ]; }
	busywait 5000 ct_ready || exit $ksft_fail
	in_ct() { nsenter -t "$CPID" -U -n -m --preserve-credentials "$@"; }
	as_host_root() { nsenter -t "$CPID" -n -m "$@"; }

	check "device handed to the container" ip -n "$COL" link set grecap0 netns "$CPID"
	check "the container's root sets it up" in_ct ip link set grecap0 up
	check_eq "and reads its filter" 5 "$(in_ct cat /sys/class/net/grecap0/grecap/key)"
	check_fail_msg "filter change refused" "CAP_NET_ADMIN in the namespace of its link" \
		in_ct ip link set grecap0 type grecap key 6
	check_fail_msg "option change refused" "CAP_NET_ADMIN" \
		in_ct ip link set grecap0 type grecap vlan on
	check_eq "filter unchanged" 5 "$(in_ct cat /sys/class/net/grecap0/grecap/key)"
	check_eq "options unchanged" 0 "$(in_ct cat /sys/class/net/grecap0/grecap/vlan)"
	check "host root changes it" as_host_root ip link set grecap0 type grecap key 7
	check_eq "changed" 7 "$(in_ct cat /sys/class/net/grecap0/grecap/key)"
	check "the container creates a link of its own" in_ct ip link add d0 type dummy
	check "and a grecap device on it" in_ct ip link add gc link d0 type grecap key 1
	check "and changes its filter" in_ct ip link set gc type grecap key 2
	kill "$CPID"
	log_test "a device handed to a container: used there, filter kept"
}

# A rootless container: nobody unshares its own namespaces.
rootless() {
	[ -w /proc/sys/kernel/unprivileged_userns_clone ] &&
		sysctl -qw kernel.unprivileged_userns_clone=1
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare -U -r -n -m sh -c '
		set -e
		mount -t sysfs sysfs /sys
		ip link add d0 type dummy
		ip link add g0 link d0 type grecap remote 192.0.2.1 key 3
		ip link set g0 type grecap key 4 vlan on
		ip link set g0 up
		echo "ip: $(ip -d link show g0 | grep -o "grecap remote [^a]*vlan on")"
		echo "sysfs: $(cat /sys/class/net/g0/grecap/remote /sys/class/net/g0/grecap/key \
			/sys/class/net/g0/grecap/vlan | xargs)"
		echo "owner: $(stat -c %u:%g /sys/class/net/g0/grecap/key \
			/sys/class/net/g0/grecap_stats/rx_eth | sort -u | xargs)"
		echo "counter: $(cat /sys/class/net/g0/grecap_stats/drop_nomem)"
		ip link del g0
		echo done
	' >"$TMP/rootless" 2>&1
	sed 's/^/  rootless: /' "$TMP/rootless"
	check_eq "rootless: configured with ip" "ip: grecap remote 192.0.2.1 key 4 vlan on" \
		"$(grep '^ip:' "$TMP/rootless")"
	check_eq "rootless: read in sysfs" "sysfs: 192.0.2.1 4 1" "$(grep '^sysfs:' "$TMP/rootless")"
	check_eq "rootless: sysfs files belong to the container's root" "owner: 0:0" \
		"$(grep '^owner:' "$TMP/rootless")"
	check_eq "rootless: counters readable" "counter: 0" "$(grep '^counter:' "$TMP/rootless")"
	check "rootless: deleted again" grep -qx done "$TMP/rootless"
	log_test "a rootless container creates, configures and reads its own"
}

setup_topo
modprobe -q dummy
tests_run
