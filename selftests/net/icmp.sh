#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Captured GRE gets no ICMP back: not "protocol unreachable" when no GRE
# module is loaded, not the "port unreachable" of ip_gre for GRE that no
# tunnel matches.  Each case first shows the host does answer without
# grecap, so the test can tell.

source "${0%/*}/lib.sh"

ALL_TESTS="
	no_gre_module
	ip_gre_loaded
	dev_down
"

# send4 / send6: 10 GRE packets to the collector, built by hand.
send4() {
	pkt gre snd0 --dst-mac "$CMAC" --src $SND4 \
		--dst $COL4 --count 10
}
send6() {
	pkt gre snd0 --dst-mac "$CMAC" --src $SND6 \
		--dst $COL6 --count 10
}

# icmp_drawn CMD...: ICMP the collector sent after CMD, waited for (at
# least one).
icmp_drawn() {
	local before
	before=$(icmp_out "$COL")
	"$@"
	icmp_rose() { (($(icmp_out "$COL") > before)); }
	busywait 5000 icmp_rose
	echo $(($(icmp_out "$COL") - before))
}

# icmp_none STAT CMD...: ICMP the collector sent after CMD, read once
# grecap0's STAT counted all 10 packets: a packet grecap took cannot
# draw an ICMP later.
icmp_none() {
	local before stat=$1 s0
	shift
	before=$(icmp_out "$COL")
	gstat_v s0 "$COL" grecap0 "$stat"
	"$@"
	counted() {
		local v
		gstat_v v "$COL" grecap0 "$stat" && ((v - s0 >= 10))
	}
	busywait 5000 counted || echo "grecap0 $stat did not count 10" >&2
	echo $(($(icmp_out "$COL") - before))
}

# Without any GRE module: the host answers with protocol unreachable
# (IPv4) and parameter problem (IPv6).  grecap needs gre.ko, whose demux
# drops unhandled GRE quietly, so this baseline is taken before it loads.
no_gre_module() {
	local n

	if [ -d /sys/module/gre ] && [ ! -e /sys/module/gre/refcnt ]; then
		log_test_skip "no GRE module: grecap stops the ICMP the host would send" \
			"gre is built into this kernel: there is no host without it"
		return
	fi
	rmmod grecap
	modprobe -q -r ip6_gre ip_gre gre
	check "gre.ko unloaded for the baseline" test ! -d /sys/module/gre
	n=$(icmp_drawn send4)
	check "no GRE module: IPv4 GRE draws ICMP ($n)" test "$n" -ge 1
	n=$(icmp_drawn send6)
	check "no GRE module: IPv6 GRE draws ICMPv6 ($n)" test "$n" -ge 1
	load_grecap
	grecap_add grecap0
	check_eq "grecap loaded: no ICMP for IPv4 GRE" 0 "$(icmp_none rx_packets send4)"
	check_eq "grecap loaded: no ICMPv6 for IPv6 GRE" 0 "$(icmp_none rx_packets send6)"
	check_eq "all 20 delivered" 20 "$(gstat "$COL" grecap0 rx_packets)"
	ip -n "$COL" link del grecap0
	log_test "no GRE module: grecap stops the ICMP the host would send"
}

# With ip_gre and ip6_gre loaded: their fallback devices answer unmatched
# GRE with port unreachable.
ip_gre_loaded() {
	local n

	if ! modprobe ip_gre || ! modprobe ip6_gre; then
		log_test_skip "ip_gre loaded: no ICMP for captured GRE" "no ip_gre/ip6_gre"
		return
	fi
	n=$(icmp_drawn send4)
	check "ip_gre, no grecap: unmatched IPv4 GRE draws ICMP ($n)" test "$n" -ge 1
	n=$(icmp_drawn send6)
	check "ip6_gre, no grecap: unmatched IPv6 GRE draws ICMPv6 ($n)" test "$n" -ge 1
	grecap_add grecap0
	check_eq "ip_gre, grecap: no ICMP for IPv4 GRE" 0 "$(icmp_none rx_packets send4)"
	check_eq "ip6_gre, grecap: no ICMPv6 for IPv6 GRE" 0 "$(icmp_none rx_packets send6)"
	ip -n "$COL" link del grecap0
	log_test "ip_gre loaded: grecap stops its port unreachables"
}

# Down: still taken, counted, and no ICMP.
dev_down() {
	modprobe -q ip_gre
	modprobe -q ip6_gre
	grecap_add grecap0
	ip -n "$COL" link set grecap0 down
	check_eq "grecap0 down: no ICMP" 0 "$(icmp_none drop_dev_down send4)"
	check_eq "grecap0 down: no ICMPv6" 0 "$(icmp_none drop_dev_down send6)"
	check_eq "grecap0 down: counted drop_dev_down" 20 "$(gstat "$COL" grecap0 drop_dev_down)"
	check_eq "grecap0 down: counted in rx_dropped" 20 "$(gstat "$COL" grecap0 rx_dropped)"
	ip -n "$COL" link del grecap0
	log_test "grecap0 down: GRE taken, counted, no ICMP"
}

setup_topo
CMAC=$(mac "$COL" col0)
tests_run
