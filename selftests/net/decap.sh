#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own gretap, gre, ip6gretap and ip6gre devices send each
# payload kind, plain and with key, checksum and sequence number; the
# frames tcpdump reads on grecap0 must be byte for byte what was sent (an
# L3 payload behind grecap's synthesized Ethernet header), and the
# counters must add up to exactly what was sent.

source "${0%/*}/lib.sh"

ALL_TESTS="
	gretap
	gre
	ip6gretap
	ip6gre
	counters
	shared_skb
"
COUNT=20
ncase=0

# case_ TYPE KIND [tunnel options...]: COUNT frames of KIND through a
# kernel tunnel device of TYPE, byte for byte on grecap0.
case_() {
	local type=$1 kind=$2 desc exp=$TMP/case$((ncase++)).exp
	shift 2
	desc="$type${*:+ $*}, $kind payload"
	tunnel t0 "$type" "$@"
	capture_start "$COL" grecap0 "$TMP/got.pcap"
	pkt send t0 "$kind" $COUNT --mac "$GMAC" \
		--expect "$exp"
	capture_stop "$TMP/got.pcap" $COUNT
	check "$desc: $COUNT frames byte-exact" pkt compare "$exp" "$TMP/got.pcap"
	ip -n "$SND" link del t0
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

# The counters add up to exactly what this case sends: a frame of each
# payload kind through the tunnel devices, counted against what each
# counter read before (any case order, any subset).
counters() {
	local k exp=() c0 b0 e0 r0 d0 eth0
	local -A k0

	gstat_v c0 "$COL" grecap0 rx_packets
	gstat_v b0 "$COL" grecap0 rx_bytes
	gstat_v e0 "$COL" grecap0 rx_errors
	gstat_v d0 "$COL" grecap0 rx_dropped
	for k in eth ipv4 ipv6 other; do
		gstat_v "k0[$k]" "$COL" grecap0 rx_$k
	done
	eth0=$(ethtool_stat "$COL" grecap0 rx_eth)
	tunnel t0 gretap
	tunnel t1 gre
	pkt send t0 eth 7 --expect "$TMP/c-eth.exp"
	pkt send t1 ipv4 5 --mac "$GMAC" --expect "$TMP/c-ipv4.exp"
	pkt send t1 ipv6 4 --mac "$GMAC" --expect "$TMP/c-ipv6.exp"
	pkt send t1 mpls 3 --mac "$GMAC" --expect "$TMP/c-mpls.exp"
	check_delta "rx_packets" "$COL" grecap0 rx_packets "$c0" 19
	check_delta "rx_bytes: the frames' lengths" "$COL" grecap0 rx_bytes "$b0" \
		"$(pkt bytes "$TMP"/c-*.exp)"
	check_delta "rx_eth" "$COL" grecap0 rx_eth "${k0[eth]}" 7
	check_delta "rx_ipv4" "$COL" grecap0 rx_ipv4 "${k0[ipv4]}" 5
	check_delta "rx_ipv6" "$COL" grecap0 rx_ipv6 "${k0[ipv6]}" 4
	check_delta "rx_other (MPLS)" "$COL" grecap0 rx_other "${k0[other]}" 3
	check_eq "ethtool -S rx_eth agrees" 7 \
		$(($(ethtool_stat "$COL" grecap0 rx_eth) - eth0))
	check_delta "rx_errors" "$COL" grecap0 rx_errors "$e0" 0
	check_delta "rx_dropped" "$COL" grecap0 rx_dropped "$d0" 0
	ip -n "$SND" -batch - <<-EOF
		link del t0
		link del t1
	EOF
	log_test "counters add up (19 frames of four payload kinds)"
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
	local exp=$TMP/shared.exp

	check "receive stamping on" stamp_on
	tunnel t0 gre
	capture_start "$COL" col0 "$TMP/outer.pcap" proto 47
	capture_start "$COL" grecap0 "$TMP/got.pcap"
	pkt send t0 ipv4 $COUNT --mac "$GMAC" --expect "$exp"
	capture_stop "$TMP/got.pcap" $COUNT
	capture_stop "$TMP/outer.pcap" $COUNT
	check "with tcpdump on the link too: frames byte-exact" \
		pkt compare "$exp" "$TMP/got.pcap"
	check_eq "the link's tap saw the outer packets" $COUNT "$(pkt count "$TMP/outer.pcap")"
	# Both taps read skb->tstamp: equal only if decap kept the arrival time.
	check "receive timestamps kept (grecap0 = link)" \
		pkt same-time "$TMP/outer.pcap" "$TMP/got.pcap"
	ip -n "$SND" link del t0
	log_test "link tapped too: frames intact, arrival time kept"
}

setup_topo
modprobe -q ip_gre && modprobe -q ip6_gre || skip "no ip_gre/ip6_gre"
grecap_add grecap0
GMAC=$(mac "$COL" grecap0)
tests_run
