#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own gretap, gre, ip6gretap and ip6gre devices send each
# payload kind, plain and with key, checksum and sequence number; the
# frames tcpdump reads on grecap0 must be byte for byte what was sent (an
# L3 payload behind grecap's synthesized Ethernet header), and the
# counters must add up to exactly what was sent.

source "$(dirname "$0")/lib.sh"

ALL_TESTS="
	gretap
	gre
	ip6gretap
	ip6gre
	counters
	shared_skb
"
COUNT=20
total=0
declare -A kinds=([eth]=0 [ipv4]=0 [ipv6]=0 [other]=0)

# case_ TYPE KIND [tunnel options...]: COUNT frames of KIND through a
# kernel tunnel device of TYPE, byte for byte on grecap0.
case_() {
	local type=$1 kind=$2 desc exp=$TMP/case$((total / COUNT)).exp
	shift 2
	desc="$type${*:+ $*}, $kind payload"
	tunnel t0 "$type" "$@"
	capture_start "$COL" grecap0 "$TMP/got.pcap"
	pkt send t0 "$kind" $COUNT --mac "$GMAC" \
		--expect "$exp"
	capture_stop "$TMP/got.pcap" $COUNT
	check "$desc: $COUNT frames byte-exact" pkt compare "$exp" "$TMP/got.pcap"
	ip -n "$SND" link del t0
	total=$((total + COUNT))
	case $kind in
	eth) kinds[eth]=$((kinds[eth] + COUNT)) ;;
	ipv4 | ipv6) kinds[$kind]=$((kinds[$kind] + COUNT)) ;;
	*) kinds[other]=$((kinds[other] + COUNT)) ;;
	esac
}

gretap() {
	case_ gretap eth
	case_ gretap eth key 42
	case_ gretap eth csum
	case_ gretap eth seq
	case_ gretap eth key 7 csum seq
	log_test "gretap: plain, key, csum, seq, all three"
}

gre() {
	case_ gre ipv4
	case_ gre ipv6 key 9 csum
	case_ gre mpls seq
	log_test "gre: IPv4, IPv6, MPLS payloads"
}

ip6gretap() {
	case_ ip6gretap eth
	case_ ip6gretap eth key 42 csum seq
	# ip6gre puts a destination options header (encapsulation limit)
	# before GRE.
	case_ ip6gretap eth encaplimit 2
	case_ ip6gretap eth encaplimit none
	log_test "ip6gretap: plain, key+csum+seq, encapsulation limit"
}

ip6gre() {
	case_ ip6gre ipv4
	case_ ip6gre ipv6 csum
	case_ ip6gre mpls key 3
	log_test "ip6gre: IPv4, IPv6, MPLS payloads"
}

# The counters add up to exactly what the cases before sent.
counters() {
	local k

	check_eq "rx_packets" $total "$(gstat "$COL" grecap0 rx_packets)"
	if ((total > 0)); then
		check_eq "rx_bytes" "$(pkt bytes "$TMP"/case*.exp)" \
			"$(gstat "$COL" grecap0 rx_bytes)"
	fi
	for k in eth ipv4 ipv6 other; do
		check_eq "rx_$k" ${kinds[$k]} "$(gstat "$COL" grecap0 rx_$k)"
	done
	check_eq "ethtool -S rx_eth agrees" "rx_eth: ${kinds[eth]}" \
		"$(ip netns exec "$COL" ethtool -S grecap0 | grep -o 'rx_eth: [0-9]*')"
	check_eq "rx_errors" 0 "$(gstat "$COL" grecap0 rx_errors)"
	check_eq "rx_dropped" 0 "$(gstat "$COL" grecap0 rx_dropped)"
	log_test "counters add up ($total frames)"
}

# stamp_on: a process keeping a SO_TIMESTAMP socket open, so the kernel
# stamps every skb on arrival; returns once it does.  The kernel turns
# stamping on from a work item: a datagram to itself, read 0.2 s after it
# was sent, carries its arrival time only once stamping is on (before, it
# is stamped when read).
stamp_on() {
	$PY -S - "$TMP/ts.ready" <<'PYEOF' &
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 29, 1)  # SO_TIMESTAMP
s.bind(("127.0.0.1", 0))
while True:
    sent = time.time()
    s.sendto(b"x", s.getsockname())
    time.sleep(0.2)
    _, anc, _, _ = s.recvmsg(1, 64)
    sec, usec = struct.unpack("qq", anc[0][2][:16])
    if sec + usec / 1e6 < sent + 0.1:
        break
open(sys.argv[1], "w").close()
time.sleep(600)
PYEOF
	BG_PIDS+=($!)
	busywait 20000 test -e "$TMP/ts.ready"
}

# Capture on the link at the same time: the skb is shared with the tap, so
# decap must unshare it and leave what the tap saw intact; both taps read
# the same skb->tstamp unless decap loses it.
shared_skb() {
	local outer_pid exp=$TMP/case$((total / COUNT)).exp

	check "receive stamping on" stamp_on
	tunnel t0 gre
	capture_start "$COL" col0 "$TMP/outer.pcap" proto 47
	outer_pid=$CAPTURE_PID
	capture_start "$COL" grecap0 "$TMP/got.pcap"
	pkt send t0 ipv4 $COUNT --mac "$GMAC" --expect "$exp"
	capture_stop "$TMP/got.pcap" $COUNT
	CAPTURE_PID=$outer_pid capture_stop "$TMP/outer.pcap" $COUNT
	check "with tcpdump on the link too: frames byte-exact" \
		pkt compare "$exp" "$TMP/got.pcap"
	check_eq "the link's tap saw the outer packets" $COUNT "$(pkt count "$TMP/outer.pcap")"
	# Both taps read skb->tstamp: equal only if decap kept the arrival time.
	check "receive timestamps kept (grecap0 = link)" \
		pkt same-time "$TMP/outer.pcap" "$TMP/got.pcap"
	ip -n "$SND" link del t0
	total=$((total + COUNT))
	kinds[ipv4]=$((kinds[ipv4] + COUNT))
	log_test "link tapped too: frames intact, arrival time kept"
}

setup_topo
modprobe -q ip_gre && modprobe -q ip6_gre || skip "no ip_gre/ip6_gre"
grecap_add grecap0
GMAC=$(mac "$COL" grecap0)
tests_run
