#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Churn under load: while trafgen floods the link with GRE and VXLAN,
# grecap devices of every encapsulation are added and deleted, filters,
# ports and encapsulations change with ip link (netlink), a device goes
# down and up, moves between namespaces and dies with its namespace,
# the link itself is deleted, and the module is unloaded and loaded again.
# No crash or splat (run_tests.sh watches the kernel log), no device left
# behind, and a device that survives keeps counting.

source "${0%/*}/lib.sh"

ALL_TESTS="
	device_churn
	link_delete
	module_reload
"
ROUNDS=${GRECAP_CHURN_ROUNDS:-5}

# flood_cfg: trafgen packets, GRE with keys 1 and 2 and VXLAN with VNIs 5
# and 6 around an Ethernet frame, to the collector's current MAC.
flood_cfg() {
	pkt trafgen "$TMP/flood.cfg" --dst-mac "$(mac "$COL" col0)" \
		--src $SND4 --dst $COL4 --keys 1,2 --vnis 5,6 || exit $ksft_fail
}

flood_start() {
	ip netns exec "$SND" trafgen --dev snd0 --conf "$TMP/flood.cfg" \
		--rate 2000pps --cpus 1 >/dev/null 2>&1 &
	FLOOD_PID=$!
	BG_PIDS+=($!)
}
flood_stop() {
	# trafgen does not notice its device vanishing; KILL it.
	kill -KILL "$FLOOD_PID" 2>/dev/null
	wait "$FLOOD_PID" 2>/dev/null
}
above() {
	local v
	gstat_v v "$COL" "$1" rx_packets && ((v > $2))
}
rising() {
	local v0
	gstat_v v0 "$COL" "$1" rx_packets && busywait 5000 above "$1" "$v0"
}

# grecap_devs_anywhere [NAME]: grecap devices (or the device NAME) in the
# root namespace and in every named one, one line each.
grecap_devs_anywhere() {
	local sel=(type grecap)
	[ -n "${1:-}" ] && sel=(dev "$1")
	{
		ip -br link show "${sel[@]}" 2>/dev/null
		ip -all netns exec ip -br link show "${sel[@]}" 2>/dev/null
	} | grep -v -e '^netns:' -e '^$'
}

# keep_add NAME: a device on key 1 that counts the flood.
keep_add() {
	ip -n "$COL" link add "$1" link col0 type grecap key 1 || exit $ksft_fail
	ip -n "$COL" link set "$1" up
}

device_churn() {
	keep_add keep1
	ip -n "$COL" link add keepv link col0 up type grecap vxlan vni 5 ||
		exit $ksft_fail
	flood_start
	check "flood reaches keep1" rising keep1
	check "flood reaches keepv (VXLAN)" rising keepv
	for r in $(seq "$ROUNDS"); do
		# Devices come and go; filters change both ways meanwhile.  One
		# ip per namespace and step (a batch stops at its first error,
		# and says which line).
		ip -n "$COL" -batch - <<-EOF || fail "round $r: add and change"
			link add c1 link col0 type grecap key 2 remote $SND4 session 1
			link set c1 up
			link add c2 link col0 type grecap key 2 remote $SND4 session 2
			link set c2 up
			link add c3 link col0 type grecap key 2 remote $SND4 session 3
			link set c3 up
			link add k2 link col0 type grecap key 2
			link set k2 up
			link set k2 type grecap key 7
			link set k2 type grecap key 2
			link set k2 type grecap remote $SND4 vlan on tstamp on
			link set k2 type grecap remote any
			link set k2 down
			link set k2 up
			link add u1 link col0 up type grecap vxlan vni 6
			link add u2 link col0 up type grecap vxlan
			link add u3 link col0 up type grecap geneve
			link add u4 link col0 up type grecap tzsp
			link set u1 type grecap vni 7
			link set u1 type grecap vni 6
			link set u2 type grecap dstport 8472
			link set u2 type grecap geneve dstport 8472 vni 6
			link set u2 type grecap vxlan dstport 4789 vni any
			link set u3 type grecap innervxlan on
			link set u4 type grecap dstport 31337
		EOF
		# To another namespace and back, then dying with one.
		setup_ns MV
		ip -n "$COL" link set k2 netns "$MV" || fail "round $r: move"
		ip -n "$MV" link set k2 up
		ip -n "$MV" link set k2 netns "$COL" || fail "round $r: move back"
		ip -n "$COL" -batch - <<-EOF || fail "round $r: move and delete"
			link set k2 netns $MV
			link set u1 netns $MV
			link del c1
			link del c2
			link del c3
			link del u2
			link del u3
			link del u4
		EOF
		cleanup_ns "$MV"
		check "round $r: keep1 still counting" rising keep1
		check "round $r: keepv still counting" rising keepv
	done
	moved_gone() { [ -z "$(grecap_devs_anywhere k2)$(grecap_devs_anywhere u1)" ]; }
	busywait 5000 moved_gone
	check_eq "namespace deletion took its devices along (root namespace too)" "" \
		"$(grecap_devs_anywhere k2)$(grecap_devs_anywhere u1)"
	flood_stop
	ip -n "$COL" -batch - <<-EOF
		link del keep1
		link del keepv
	EOF
	check_eq "no grecap device left in the collector's namespace" "" \
		"$(ip -n "$COL" link show type grecap)"
	log_test "devices of each encapsulation added, changed, moved, deleted under load ($ROUNDS rounds)"
}

# The link goes away under load, taking its devices; a new one works.
link_delete() {
	keep_add keep1
	ip -n "$COL" link add k2 link col0 type grecap key 2
	flood_start
	check "flood reaches keep1" rising keep1
	ip -n "$COL" link del col0
	check "link deleted: its devices gone" \
		test -z "$(ip -n "$COL" link show type grecap 2>/dev/null)"
	flood_stop
	ip -n "$SND" link add snd0 type veth peer name col0 netns "$COL"
	ip -n "$SND" addr add $SND4/24 dev snd0
	ip -n "$COL" addr add $COL4/24 dev col0
	ip -n "$SND" link set snd0 up
	ip -n "$COL" link set col0 up
	keep_add keep1
	busywait 5000 link_up "$SND" snd0 && busywait 5000 link_up "$COL" col0
	flood_cfg
	flood_start
	check "flood reaches the new link's device" rising keep1
	flood_stop
	ip -n "$COL" link del keep1
	log_test "the link deleted under load"
}

module_reload() {
	keep_add keep1
	flood_start
	check "flood reaches keep1" rising keep1
	for r in $(seq "$ROUNDS"); do
		rmmod grecap || fail "round $r: rmmod under load"
		load_grecap
		ip -n "$COL" link add keep1 link col0 type grecap key 1 || fail "round $r: re-add"
		ip -n "$COL" link set keep1 up
		check "round $r: module reloaded, counting again" rising keep1
	done
	flood_stop
	check "rmmod with a device and a flood just stopped" rmmod grecap
	check_eq "no grecap device left in any namespace, the root one too" "" \
		"$(grecap_devs_anywhere)"
	check "the link still works" ip netns exec "$SND" ping -c 1 -W 2 -q $COL4
	load_grecap
	log_test "module unloaded and loaded under load ($ROUNDS rounds)"
}

setup_topo
flood_cfg
tests_run
