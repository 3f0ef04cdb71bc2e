#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Captured GRE gets no ICMP back: not "protocol unreachable" when no GRE
# module is loaded, not the "port unreachable" of ip_gre for GRE that no
# tunnel matches.  Each case first shows the host does answer without
# grecap, so the test can tell.

source "$(dirname "$0")/lib.sh"

setup_topo
CMAC=$(mac "$COL" col0)

# send4 / send6: 10 GRE packets to the collector, built by hand.
send4() {
	ip netns exec "$SND" $PKT gre snd0 --dst-mac "$CMAC" --src $SND4 \
		--dst $COL4 --count 10
}
send6() {
	ip netns exec "$SND" $PKT gre snd0 --dst-mac "$CMAC" --src $SND6 \
		--dst $COL6 --count 10
}

icmp_after() {
	local before
	before=$(icmp_out "$COL")
	"$@"
	sleep 0.3
	echo $(($(icmp_out "$COL") - before))
}

# Without any GRE module: the host answers with protocol unreachable
# (IPv4) and parameter problem (IPv6).  grecap needs gre.ko, whose demux
# drops unhandled GRE quietly, so this baseline is taken before it loads.
rmmod grecap
modprobe -q -r ip6_gre ip_gre gre
if [ -d /sys/module/gre ]; then
	log "gre.ko is built in or in use; the no-GRE-module baseline is not run"
else
	n=$(icmp_after send4)
	check "no GRE module: IPv4 GRE draws ICMP ($n)" test "$n" -ge 1
	n=$(icmp_after send6)
	check "no GRE module: IPv6 GRE draws ICMPv6 ($n)" test "$n" -ge 1
fi
load_grecap
grecap_add grecap0
check_eq "grecap loaded: no ICMP for IPv4 GRE" 0 "$(icmp_after send4)"
check_eq "grecap loaded: no ICMPv6 for IPv6 GRE" 0 "$(icmp_after send6)"
check_eq "all 20 delivered" 20 "$(gstat "$COL" grecap0 rx_packets)"
ip -n "$COL" link del grecap0

# With ip_gre and ip6_gre loaded: their fallback devices answer unmatched
# GRE with port unreachable.
modprobe ip_gre && modprobe ip6_gre || skip "no ip_gre/ip6_gre"
n=$(icmp_after send4)
check "ip_gre, no grecap: unmatched IPv4 GRE draws ICMP ($n)" test "$n" -ge 1
n=$(icmp_after send6)
check "ip6_gre, no grecap: unmatched IPv6 GRE draws ICMPv6 ($n)" test "$n" -ge 1
grecap_add grecap0
check_eq "ip_gre, grecap: no ICMP for IPv4 GRE" 0 "$(icmp_after send4)"
check_eq "ip6_gre, grecap: no ICMPv6 for IPv6 GRE" 0 "$(icmp_after send6)"

# Down: still taken, counted, and no ICMP.
ip -n "$COL" link set grecap0 down
check_eq "grecap0 down: no ICMP" 0 "$(icmp_after send4)"
check_eq "grecap0 down: no ICMPv6" 0 "$(icmp_after send6)"
check_eq "grecap0 down: counted drop_dev_down" 20 "$(gstat "$COL" grecap0 drop_dev_down)"
check_eq "grecap0 down: counted in rx_dropped" 20 "$(gstat "$COL" grecap0 rx_dropped)"

finish
