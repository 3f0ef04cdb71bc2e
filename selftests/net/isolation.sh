#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inner traffic never reaches the collector's stack: an inner ARP request,
# ping and SYN for the collector's own addresses get no answer, inner
# packets are not forwarded even with forwarding on, and grecap0 sends
# nothing.  Taps on grecap0 still see every frame.

source "${0%/*}/lib.sh"

ALL_TESTS="
	inner_unanswered
	no_transmit
	tc_ingress
"
COUNT=10

# on_cpu0 CMD...: run CMD in $SND on CPU 0, where the packet process runs
# too (setup below).  A veth hands what it sends to the receive path of
# the sending CPU, in order: a reply to a ping sent on that CPU means
# everything sent before it there was handled.
on_cpu0() {
	ip netns exec "$SND" taskset -c 0 "$@"
}

inner_unanswered() {
	local icmp0 rst0 tcpout0 fwd0 dst

	icmp0=$(icmp_out "$COL")
	rst0=$(snmp "$COL" Tcp OutRsts)
	tcpout0=$(snmp "$COL" Tcp OutSegs)
	fwd0=$(snmp "$COL" Ip ForwDatagrams)

	# What the collector sends on its link, but for the ARP and neighbour
	# discovery that the outer GRE itself needs, and the MLD reports of
	# the link's own IPv6 addresses (ICMPv6 after a Hop-by-Hop header),
	# which a kernel may send late, seconds after the addresses came.
	capture_start "$COL" col0 "$TMP/out.pcap" -Q out not arp and not \
		'(icmp6 and ip6[40] >= 133 and ip6[40] <= 137)' and not \
		'(ip6[6] == 0 and ip6[40] == 58 and (ip6[48] == 131 or ip6[48] == 132 or ip6[48] == 143))'
	capture_start "$COL" grecap0 "$TMP/got.pcap"
	for dst in $COL4 10.9.0.2; do
		pkt send t0 arp $COUNT --dst-ip $dst
		pkt send t0 ping $COUNT --dst-ip $dst --dst-mac "$GMAC"
		pkt send t0 syn $COUNT --dst-ip $dst --dst-mac "$GMAC"
	done
	pkt send t0 ping $COUNT --dst-ip 198.51.100.1 --dst-mac "$GMAC"
	capture_stop "$TMP/got.pcap" $((7 * COUNT))
	# The barrier: one ping to the collector on the outer link, answered.
	check "barrier: the collector answers a ping on its link" \
		on_cpu0 ping -c 1 -W 5 -q $COL4
	capture_stop "$TMP/out.pcap" 1

	check_eq "tcpdump on grecap0 saw every frame" $((7 * COUNT)) \
		"$(pkt count "$TMP/got.pcap")"
	check_eq "nothing left the collector on its link but the barrier's reply" \
		"ICMP echo reply" \
		"$(tcpdump -r "$TMP/out.pcap" -n 2>/dev/null | sed 's/.*\(ICMP echo reply\).*/\1/')"
	check_eq "no ICMP sent (echo reply, errors) but the barrier's" 1 \
		$(($(icmp_out "$COL") - icmp0))
	check_eq "no TCP reset or segment sent" 0 \
		$(($(snmp "$COL" Tcp OutRsts) - rst0 + $(snmp "$COL" Tcp OutSegs) - tcpout0))
	check_eq "nothing forwarded" 0 $(($(snmp "$COL" Ip ForwDatagrams) - fwd0))
	check_eq "no neighbour learnt from inner ARP" 0 \
		"$(ip -n "$COL" neigh show | grep -c -i 02:00:00:00:00:01)"
	check_eq "grecap0 sent nothing" 0 "$(gstat "$COL" grecap0 tx_packets)"
	log_test "inner ARP, ping, SYN, routed packets: no answer, not forwarded"
}

# grecap0 never transmits: what is sent to it is dropped and counted.
no_transmit() {
	local before

	before=$(gstat "$COL" grecap0 tx_dropped)
	ip netns exec "$COL" $PKT send grecap0 eth 5
	check_eq "frames sent to grecap0 are counted in tx_dropped" 5 \
		$(($(gstat "$COL" grecap0 tx_dropped) - before))
	check_eq "and none sent" 0 "$(gstat "$COL" grecap0 tx_packets)"
	log_test "frames sent to grecap0 dropped, counted in tx_dropped"
}

# tc ingress on grecap0 sees the frames (before the stack would).
tc_ingress() {
	modprobe -q sch_ingress
	modprobe -q cls_matchall
	modprobe -q act_gact
	if ! tc -n "$COL" qdisc add dev grecap0 ingress 2>/dev/null ||
		! tc -n "$COL" filter add dev grecap0 ingress matchall action pass; then
		log_test_skip "tc ingress on grecap0" "no ingress qdisc or matchall"
		return
	fi
	pkt send t0 eth $COUNT
	tc_saw() {
		tc -n "$COL" -s filter show dev grecap0 ingress |
			grep -q "Sent [0-9]* bytes $COUNT pkt"
	}
	check "tc ingress on grecap0 saw $COUNT frames" busywait 3000 tc_saw
	tc -n "$COL" qdisc del dev grecap0 ingress
	log_test "tc ingress on grecap0 sees the frames"
}

setup_topo
modprobe -q ip_gre || skip "no ip_gre"
grecap_add grecap0
GMAC=$(mac "$COL" grecap0)
# Give grecap0 an address too, and make forwarding possible.
ip -n "$COL" addr add 10.9.0.2/24 dev grecap0
ip netns exec "$COL" sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.grecap0.rp_filter=0
ip -n "$COL" route add 198.51.100.0/24 via $SND4
tunnel t0 gretap
taskset -pc 0 "$PKT_SRV_PID" >/dev/null || exit $ksft_fail
tests_run
