#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Creating and deleting grecap devices, and every link grecap refuses, with
# the netlink error message that says why and what to use instead.

source "${0%/*}/lib.sh"

ALL_TESTS="
	create_delete
	second_device
	refused_links
"

ipc() { ip -n "$COL" "$@"; }

create_delete() {
	check "create grecap0 on a veth" ipc link add grecap0 link col0 type grecap
	check "shows as grecap0@col0" grep -q "grecap0@col0" <<<"$(ipc link show grecap0)"
	check "link kind is grecap" grep -q "grecap" <<<"$(ipc -d link show grecap0)"
	check_eq "sysfs link names the lower" col0 "$(gsetting "$COL" grecap0 link)"
	check_eq "sysfs filters default to any" "any any any any" \
		"$(for f in local remote key session; do gsetting "$COL" grecap0 $f; done | xargs)"
	check "ethtool -i names the driver" \
		grep -q "^driver: grecap" <<<"$(ip netns exec "$COL" ethtool -i grecap0)"
	check "ethtool -S lists counters" \
		grep -q "drop_nomem: 0" <<<"$(ip netns exec "$COL" ethtool -S grecap0)"
	check "set up" ipc link set grecap0 up
	check "delete grecap0" ipc link del grecap0
	check "grecap0 gone" test -z "$(ipc link show grecap0 2>/dev/null)"
	log_test "create, show and delete a device"
}

# A second device on the same link needs its own filter.
second_device() {
	ipc link add grecap0 link col0 type grecap
	check_fail_msg "same filter twice on one link" "same filter" \
		ipc link add grecap1 link col0 type grecap
	check "a second device with a filter of its own" \
		ipc link add grecap1 link col0 type grecap key 7
	ipc link del grecap1
	ipc link del grecap0
	log_test "a second device on a link needs a filter of its own"
}

# Links grecap cannot hook.
refused_links() {
	local d

	check_fail_msg "no link" "needs a link" ipc link add grecap0 type grecap
	check_fail_msg "loopback" "loopback" ipc link add grecap0 link lo type grecap
	modprobe -q ip_gre
	ipc link add gre9 type gre local 192.0.2.2 remote 192.0.2.9
	check_fail_msg "non-Ethernet link (gre)" "must be an Ethernet device" \
		ipc link add grecap0 link gre9 type grecap
	ipc link add dummy9 type dummy 2>/dev/null || modprobe dummy
	ipc link add dummy9 type dummy 2>/dev/null
	ipc link add br9 type bridge
	ipc link set dummy9 master br9
	check_fail_msg "bridge port" "attach grecap to the bridge" \
		ipc link add grecap0 link dummy9 type grecap
	check "the bridge itself is fine" ipc link add grecap0 link br9 type grecap
	ipc link del grecap0
	ipc link set dummy9 nomaster
	modprobe -q bonding
	ipc link add bond9 type bond
	ipc link set dummy9 down
	ipc link set dummy9 master bond9
	check_fail_msg "bond port" "attach grecap to the bond" \
		ipc link add grecap0 link dummy9 type grecap
	ipc link set dummy9 nomaster
	ipc link add mv9 link dummy9 type macvlan
	check_fail_msg "link with another receive handler (macvlan lower)" \
		"already has a receive handler" ipc link add grecap0 link dummy9 type grecap
	ipc link del mv9
	ipc link add grecap0 link dummy9 type grecap
	check_fail_msg "grecap on grecap" "cannot be the link of another" \
		ipc link add grecap1 link grecap0 type grecap
	check_fail_msg "VLAN on grecap" "VLAN" \
		ipc link add link grecap0 name grecap0.5 type vlan id 5
	check_fail_msg "bridge port on grecap" "does not allow enslaving to a bridge" \
		ipc link set grecap0 master br9
	ipc link del grecap0
	for d in gre9 br9 bond9 dummy9; do ipc link del $d; done
	log_test "links grecap refuses, each with its reason"
}

load_grecap
setup_ns COL
ipc link add col0 type veth peer name peer0
tests_run
