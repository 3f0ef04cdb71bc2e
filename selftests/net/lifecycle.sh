#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifecycle: carrier and operational state follow the link; a grecap device moved to another
# namespace keeps capturing from its link; deleting the link deletes its
# grecap devices; rmmod with devices present and traffic flowing.

source "${0%/*}/lib.sh"

ALL_TESTS="
	carrier
	move_netns
	link_delete
	rmmod_busy
"

# operstate_is DEV STATE: DEV's operational state in $COL (RFC 2863).
operstate_is() {
	local state

	ns_read state "$COL" "/sys/class/net/$1/operstate" && [ "$state" = "$2" ]
}

carrier() {
	check "a fresh device on a link that is up: up" \
		busywait 3000 operstate_is grecap0 up
	ip -n "$COL" link set col0 down
	check "link down: grecap0's lower layer down (no carrier)" \
		busywait 3000 operstate_is grecap0 lowerlayerdown
	grecap_add g_new remote 192.0.2.77
	check "made while its link is down: lower layer down" \
		busywait 3000 operstate_is g_new lowerlayerdown
	ip -n "$COL" link set col0 up
	check "link up: carrier back, up" busywait 5000 operstate_is grecap0 up
	check "link up: the device made meanwhile up too" \
		busywait 5000 operstate_is g_new up
	ip -n "$COL" link del g_new
	busywait 5000 link_up "$SND" snd0
	log_test "carrier and state follow the link"
}

# A containerised sniffer: grecap0 in its own namespace.
move_netns() {
	local sen

	setup_ns SEN
	sen=$SEN
	ip -n "$COL" link set grecap0 netns "$sen"
	ns_anchor "$sen"
	check_eq "moved: IPv6 still off in the new namespace" 1 \
		"$(ip netns exec "$sen" sysctl -n net.ipv6.conf.grecap0.disable_ipv6)"
	ip -n "$sen" link set grecap0 up
	check "moved: gone from the link's namespace" \
		test -z "$(ip -n "$COL" link show grecap0 2>/dev/null)"
	check "moved: shows its link in the other namespace" \
		grep -q "link-netns $COL" <<<"$(ip -n "$sen" -d link show grecap0)"
	capture_start "$sen" grecap0 "$TMP/got.pcap"
	pkt send t0 eth 10 --expect "$TMP/exp.pcap"
	capture_stop "$TMP/got.pcap" 10
	check "moved: still captures byte-exact" pkt compare "$TMP/exp.pcap" "$TMP/got.pcap"
	check_eq "moved: sysfs link" col0 "$(gsetting "$sen" grecap0 link)"
	ip -n "$sen" link set grecap0 netns "$COL"
	ip -n "$COL" link set grecap0 up
	log_test "moved to another namespace, it keeps capturing"
}

# relink: a new veth pair between the namespaces, and grecap0 on it.
relink() {
	ip -n "$SND" link add snd0 type veth peer name col0 netns "$COL"
	ip -n "$SND" addr add $SND4/24 dev snd0
	ip -n "$COL" addr add $COL4/24 dev col0
	ip -n "$SND" link set snd0 up
	ip -n "$COL" link set col0 up
	busywait 5000 link_up "$SND" snd0 && busywait 5000 link_up "$COL" col0
}

# Deleting the link deletes its grecap devices.
link_delete() {
	check "a second device on the link" \
		ip -n "$COL" link add grecap1 link col0 type grecap key 1
	ip -n "$COL" link del col0
	check "link deleted: grecap devices gone" \
		test -z "$(ip -n "$COL" link show type grecap 2>/dev/null)"
	relink
	grecap_add grecap0
	log_test "deleting the link deletes its devices"
}

# rmmod while devices exist and traffic flows.
rmmod_busy() {
	local i key flood

	# g0 takes grecap0's place: two catch-alls on one link are refused.
	ip -n "$COL" link del grecap0
	for i in 3 2 1 0; do
		key=(key $i)
		[ $i = 0 ] && key=()
		ip -n "$COL" link add g$i link col0 type grecap "${key[@]}" || fail "add g$i"
		ip -n "$COL" link set g$i up
	done
	ip netns exec "$SND" sh -c "while :; do $PKT send t0 eth 50; done" &
	flood=$!
	BG_PIDS+=($flood)
	g0_counting() { [ "$(gstat "$COL" g0 rx_packets)" -gt 0 ]; }
	check "traffic flowing before rmmod" busywait 5000 g0_counting
	check "rmmod under traffic" rmmod grecap
	check "all grecap devices gone" test -z "$(ip -n "$COL" link show type grecap 2>/dev/null)"
	check "link still works" ip netns exec "$SND" ping -c 1 -W 2 -q $COL4
	kill "$flood"
	load_grecap
	grecap_add grecap0
	log_test "rmmod with devices and traffic"
}

setup_topo
modprobe -q ip_gre || skip "no ip_gre"
grecap_add grecap0
tunnel t0 gretap
tests_run
