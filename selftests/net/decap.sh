#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own gretap, gre, ip6gretap and ip6gre devices send each
# payload kind, plain and with key, checksum and sequence number; the
# frames tcpdump reads on grecap0 must be byte for byte what was sent (an
# L3 payload behind grecap's synthesized Ethernet header), and the
# counters must add up to exactly what was sent.

source "$(dirname "$0")/lib.sh"

COUNT=20
setup_topo
modprobe -q ip_gre && modprobe -q ip6_gre || skip "no ip_gre/ip6_gre"
grecap_add grecap0
GMAC=$(mac "$COL" grecap0)

total=0
declare -A kinds=([eth]=0 [ipv4]=0 [ipv6]=0 [other]=0)

# case TYPE KIND [tunnel options...]
case_() {
	local type=$1 kind=$2 desc exp=$TMP/case$((total / COUNT)).exp
	shift 2
	desc="$type${*:+ $*}, $kind payload"
	tunnel t0 "$type" "$@"
	capture_start "$COL" grecap0 "$TMP/got.pcap"
	ip netns exec "$SND" $PKT send t0 "$kind" $COUNT --mac "$GMAC" \
		--expect "$exp"
	capture_stop "$TMP/got.pcap" $COUNT
	check "$desc: $COUNT frames byte-exact" $PKT compare "$exp" "$TMP/got.pcap"
	ip -n "$SND" link del t0
	total=$((total + COUNT))
	case $kind in
	eth) kinds[eth]=$((kinds[eth] + COUNT)) ;;
	ipv4 | ipv6) kinds[$kind]=$((kinds[$kind] + COUNT)) ;;
	*) kinds[other]=$((kinds[other] + COUNT)) ;;
	esac
}

case_ gretap eth
case_ gretap eth key 42
case_ gretap eth csum
case_ gretap eth seq
case_ gretap eth key 7 csum seq
case_ gre ipv4
case_ gre ipv6 key 9 csum
case_ gre mpls seq
case_ ip6gretap eth
case_ ip6gretap eth key 42 csum seq
case_ ip6gre ipv4
case_ ip6gre ipv6 csum
case_ ip6gre mpls key 3
# ip6gre puts a destination options header (encapsulation limit) before GRE.
case_ ip6gretap eth encaplimit 2
case_ ip6gretap eth encaplimit none

check_eq "rx_packets" $total "$(gstat "$COL" grecap0 rx_packets)"
check_eq "rx_bytes" "$($PKT bytes "$TMP"/case*.exp)" "$(gstat "$COL" grecap0 rx_bytes)"
for k in eth ipv4 ipv6 other; do
	check_eq "rx_$k" ${kinds[$k]} "$(gstat "$COL" grecap0 rx_$k)"
done
check_eq "ethtool -S rx_eth agrees" "rx_eth: ${kinds[eth]}" \
	"$(ip netns exec "$COL" ethtool -S grecap0 | grep -o 'rx_eth: [0-9]*')"
check_eq "rx_errors" 0 "$(gstat "$COL" grecap0 rx_errors)"
check_eq "rx_dropped" 0 "$(gstat "$COL" grecap0 rx_dropped)"

# Capture on the link at the same time: the skb is shared with the tap, so
# decap must unshare it and leave what the tap saw intact.  A socket with
# SO_TIMESTAMP (29; Python does not name it) makes the kernel stamp skbs
# on arrival, so both taps read the same skb->tstamp unless decap loses it.
$PY -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 29, 1)  # SO_TIMESTAMP
open("'"$TMP/ts.ready"'", "w").close()
time.sleep(600)' &
BG_PIDS+=($!)
busywait 20000 test -e "$TMP/ts.ready"
sleep 0.5
tunnel t0 gre
capture_start "$COL" col0 "$TMP/outer.pcap" proto 47
outer_pid=$CAPTURE_PID
capture_start "$COL" grecap0 "$TMP/got.pcap"
ip netns exec "$SND" $PKT send t0 ipv4 $COUNT --mac "$GMAC" --expect "$TMP/exp.pcap"
capture_stop "$TMP/got.pcap" $COUNT
CAPTURE_PID=$outer_pid capture_stop "$TMP/outer.pcap" $COUNT
check "with tcpdump on the link too: frames byte-exact" \
	$PKT compare "$TMP/exp.pcap" "$TMP/got.pcap"
check_eq "the link's tap saw the outer packets" $COUNT "$($PKT count "$TMP/outer.pcap")"
# Both taps read skb->tstamp: equal only if decap kept the arrival time.
check "receive timestamps kept (grecap0 = link)" \
	$PKT same-time "$TMP/outer.pcap" "$TMP/got.pcap"

finish
