#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifecycle: carrier follows the link; a grecap device moved to another
# namespace keeps capturing from its link; deleting the link deletes its
# grecap devices; rmmod with devices present and traffic flowing.

source "$(dirname "$0")/lib.sh"

setup_topo
modprobe -q ip_gre || skip "no ip_gre"
grecap_add grecap0
tunnel t0 gretap

ip -n "$COL" link set col0 down
check "link down: grecap0 has no carrier" \
	busywait 2000 sh -c "ip -n $COL link show grecap0 | grep -q NO-CARRIER"
ip -n "$COL" link set col0 up
check "link up: carrier back" \
	busywait 5000 sh -c "! ip -n $COL link show grecap0 | grep -q NO-CARRIER"
busywait 5000 ip netns exec "$SND" ping -c 1 -W 1 -q $COL4 >/dev/null

# A containerised sniffer: grecap0 in its own namespace.
SEN=sen-$$
ns_add "$SEN"
ip -n "$COL" link set grecap0 netns "$SEN"
check_eq "moved: IPv6 still off in the new namespace" 1 \
	"$(ip netns exec "$SEN" sysctl -n net.ipv6.conf.grecap0.disable_ipv6)"
ip -n "$SEN" link set grecap0 up
check "moved: gone from the link's namespace" test -z "$(ip -n "$COL" link show grecap0 2>/dev/null)"
check "moved: shows its link in the other namespace" \
	grep -q "link-netns $COL" <<<"$(ip -n "$SEN" -d link show grecap0)"
capture_start "$SEN" grecap0 "$TMP/got.pcap"
ip netns exec "$SND" $PKT send t0 eth 10 --expect "$TMP/exp.pcap"
capture_stop "$TMP/got.pcap" 10
check "moved: still captures byte-exact" $PKT compare "$TMP/exp.pcap" "$TMP/got.pcap"
check_eq "moved: sysfs link" col0 "$(gsetting "$SEN" grecap0 link)"
ip -n "$SEN" link set grecap0 netns "$COL"

# Deleting the link deletes its grecap devices.
check "a second device on the link" \
	ip -n "$COL" link add grecap1 link col0 type grecap key 1
ip -n "$COL" link del col0
check "link deleted: grecap devices gone" \
	test -z "$(ip -n "$COL" link show type grecap 2>/dev/null)"

# rmmod while devices exist and traffic flows.
ip -n "$SND" link add snd0 type veth peer name col0 netns "$COL"
ip -n "$SND" addr add $SND4/24 dev snd0
ip -n "$COL" addr add $COL4/24 dev col0
ip -n "$SND" link set snd0 up
ip -n "$COL" link set col0 up
for i in 3 2 1 0; do
	key=(key $i)
	[ $i = 0 ] && key=()
	ip -n "$COL" link add g$i link col0 type grecap "${key[@]}" || fail "add g$i"
	ip -n "$COL" link set g$i up
done
busywait 5000 ip netns exec "$SND" ping -c 1 -W 1 -q $COL4 >/dev/null
ip netns exec "$SND" sh -c "while :; do $PKT send t0 eth 50; done" &
BG_PIDS+=($!)
g0_counting() { [ "$(gstat "$COL" g0 rx_packets)" -gt 0 ]; }
check "traffic flowing before rmmod" busywait 5000 g0_counting
check "rmmod under traffic" rmmod grecap
check "all grecap devices gone" test -z "$(ip -n "$COL" link show type grecap 2>/dev/null)"
check "link still works" ip netns exec "$SND" ping -c 1 -W 2 -q $COL4

finish
