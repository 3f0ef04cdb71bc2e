#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inner traffic never reaches the collector's stack: an inner ARP request,
# ping and SYN for the collector's own addresses get no answer, inner
# packets are not forwarded even with forwarding on, and grecap0 sends
# nothing.  Taps on grecap0 still see every frame.

source "$(dirname "$0")/lib.sh"

COUNT=10
setup_topo
modprobe -q ip_gre || skip "no ip_gre"
grecap_add grecap0
GMAC=$(mac "$COL" grecap0)
# Give grecap0 an address too, and make forwarding possible.
ip -n "$COL" addr add 10.9.0.2/24 dev grecap0
ip netns exec "$COL" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$COL" sysctl -qw net.ipv4.conf.all.rp_filter=0
ip netns exec "$COL" sysctl -qw net.ipv4.conf.grecap0.rp_filter=0
ip -n "$COL" route add 198.51.100.0/24 via $SND4
tunnel t0 gretap

icmp0=$(icmp_out "$COL")
rst0=$(snmp "$COL" Tcp OutRsts)
tcpout0=$(snmp "$COL" Tcp OutSegs)
fwd0=$(snmp "$COL" Ip ForwDatagrams)

# What the collector sends on its link, but for the ARP and neighbour
# discovery that the outer GRE itself needs.
capture_start "$COL" col0 "$TMP/out.pcap" -Q out not arp and not \
	'(icmp6 and ip6[40] >= 133 and ip6[40] <= 137)'
out_pid=$CAPTURE_PID
capture_start "$COL" grecap0 "$TMP/got.pcap"
for dst in $COL4 10.9.0.2; do
	ip netns exec "$SND" $PKT send t0 arp $COUNT --dst-ip $dst
	ip netns exec "$SND" $PKT send t0 ping $COUNT --dst-ip $dst --dst-mac "$GMAC"
	ip netns exec "$SND" $PKT send t0 syn $COUNT --dst-ip $dst --dst-mac "$GMAC"
done
ip netns exec "$SND" $PKT send t0 ping $COUNT --dst-ip 198.51.100.1 --dst-mac "$GMAC"
capture_stop "$TMP/got.pcap" $((7 * COUNT))
sleep 0.5
CAPTURE_PID=$out_pid capture_stop "$TMP/out.pcap"

check_eq "tcpdump on grecap0 saw every frame" $((7 * COUNT)) "$($PKT count "$TMP/got.pcap")"
check_eq "nothing left the collector on its link" 0 "$($PKT count "$TMP/out.pcap")"
check_eq "no ICMP sent (echo reply, errors)" 0 $(($(icmp_out "$COL") - icmp0))
check_eq "no TCP reset or segment sent" 0 \
	$(($(snmp "$COL" Tcp OutRsts) - rst0 + $(snmp "$COL" Tcp OutSegs) - tcpout0))
check_eq "nothing forwarded" 0 $(($(snmp "$COL" Ip ForwDatagrams) - fwd0))
check_eq "no neighbour learnt from inner ARP" 0 \
	"$(ip -n "$COL" neigh show | grep -c -i 02:00:00:00:00:01)"
check_eq "grecap0 sent nothing" 0 "$(gstat "$COL" grecap0 tx_packets)"

# grecap0 never transmits: what is sent to it is dropped and counted.
before=$(gstat "$COL" grecap0 tx_dropped)
ip netns exec "$COL" $PKT send grecap0 eth 5
check_eq "frames sent to grecap0 are counted in tx_dropped" 5 \
	$(($(gstat "$COL" grecap0 tx_dropped) - before))

# tc ingress on grecap0 sees the frames (before the stack would).
modprobe -q sch_ingress; modprobe -q cls_matchall; modprobe -q act_gact
if ip netns exec "$COL" tc qdisc add dev grecap0 ingress 2>/dev/null &&
	ip netns exec "$COL" tc filter add dev grecap0 ingress matchall action pass; then
	ip netns exec "$SND" $PKT send t0 eth $COUNT
	busywait 3000 sh -c "ip netns exec $COL tc -s filter show dev grecap0 ingress | grep -q 'Sent [0-9]* bytes $COUNT pkt'"
	check "tc ingress on grecap0 saw $COUNT frames" test $? -eq 0
else
	log "no ingress qdisc or matchall in this kernel; tc check not run"
fi

finish
