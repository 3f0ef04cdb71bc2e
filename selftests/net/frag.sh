#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Outer fragments: GRE addressed to the collector, fragmented by the mirror
# source (the kernel's gretap/ip6gretap over a 1500-byte path, and pkt frag
# for reordered, duplicate, overlapping and never-completed fragments), is
# reassembled and every inner frame delivered once, byte-exact.  Fragments
# of other traffic are left to the stack.

source "${0%/*}/lib.sh"

ALL_TESTS="
	kernel_ipv4
	crafted_ipv4
	crafted_ipv6
	incomplete
	not_gre
"

kernel_frag() {
	local dev=$1 f=$TMP/$1 q0 r0
	q0=$(gstat "$COL" grecap0 link_frag_queued)
	r0=$(gstat "$COL" grecap0 link_frag_reassembled)
	capture_start "$COL" grecap0 "$f.pcap"
	pkt send "$dev" eth 20 --size 1472 --expect "$f.exp"
	capture_stop "$f.pcap" 20
	check "$dev: 20 fragmented 1514-byte frames delivered byte-exact" \
		pkt compare "$f.exp" "$f.pcap"
	check_eq "$dev: link_frag_queued" 40 $(($(gstat "$COL" grecap0 link_frag_queued) - q0))
	check_eq "$dev: link_frag_reassembled" 20 $(($(gstat "$COL" grecap0 link_frag_reassembled) - r0))
}

# The kernel as mirror source: 1514-byte frames through a gretap with a
# 1500-byte MTU over a 1500-byte path, outer DF clear.  (An ip6gretap
# answers Packet Too Big instead of fragmenting: IPv6 fragments come from
# pkt frag.)
kernel_ipv4() {
	tunnel gt4 gretap nopmtudisc
	ip -n "$SND" link set gt4 mtu 1500
	kernel_frag gt4
	ip -n "$SND" link del gt4
	log_test "kernel gretap fragments (IPv4): reassembled, byte-exact"
}

# crafted_frag FAMILY MODE EXPECTED-FRAMES: each run its own reassembly IDs.
ids=1000
# When none is expected, the capture stops once reassembly dropped some.
crafted_frag() {
	local fam=$1 src=$SND4 dst=$COL4 f=$TMP/$1$2 d0
	[ "$fam" = 6 ] && src=$SND6 dst=$COL6
	shift
	d0=$(gstat "$COL" grecap0 link_frag_dropped)
	capture_start "$COL" grecap0 "$f.pcap"
	pkt frag snd0 --dst-mac "$CMAC" --src $src \
		--dst $dst --mtu 600 --size 1400 --count 5 --mode "$1" \
		--ip-id $ids --expect "$f.exp" >"$f.n"
	ids=$((ids + 100))
	if (($2 == 0)); then
		frag_dropped() { (($(gstat "$COL" grecap0 link_frag_dropped) > d0)); }
		busywait 5000 frag_dropped
	fi
	capture_stop "$f.pcap" "$2"
	check "IPv$fam $1 fragments: $2 frames delivered byte-exact" \
		pkt compare "$f.exp" "$f.pcap"
}

# crafted_fam FAMILY: in order, reversed, duplicated and overlapping.
crafted_fam() {
	local fam=$1 d0

	crafted_frag $fam inorder 5
	crafted_frag $fam reverse 5
	crafted_frag $fam dup 5
	d0=$(gstat "$COL" grecap0 link_frag_dropped)
	crafted_frag $fam overlap 0
	check "IPv$fam overlap: counted link_frag_dropped" \
		test "$(gstat "$COL" grecap0 link_frag_dropped)" -gt "$d0"
}

crafted_ipv4() {
	crafted_fam 4
	log_test "IPv4 fragments in order, reversed, duplicate, overlapping"
}

crafted_ipv6() {
	crafted_fam 6
	log_test "IPv6 fragments in order, reversed, duplicate, overlapping"
}

# timeouts_reach PROTO N: busywait re-reads the counter on every try.
timeouts_reach() { [ "$(snmp "$COL" "$1" ReasmTimeout)" -ge "$2" ]; }

# Never completed: only the kernel's timeout and memory, counted there.
incomplete() {
	local t4 t6 rx0

	check "reassembly timeouts 1 s (IPv4, IPv6)" ip netns exec "$COL" sysctl -qw \
		net.ipv4.ipfrag_time=1 net.netfilter.nf_conntrack_frag6_timeout=1
	t4=$(snmp "$COL" Ip ReasmTimeout)
	t6=$(snmp "$COL" Ip6 ReasmTimeout)
	rx0=$(gstat "$COL" grecap0 rx_packets)
	pkt frag snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 \
		--mtu 600 --count 3 --mode incomplete --ip-id 5000 >/dev/null
	pkt frag snd0 --dst-mac "$CMAC" --src $SND6 --dst $COL6 \
		--mtu 600 --count 3 --mode incomplete --ip-id 5000 >/dev/null
	busywait 10000 timeouts_reach Ip $((t4 + 3))
	busywait 10000 timeouts_reach Ip6 $((t6 + 3))
	check "incomplete IPv4: ReasmTimeout counts 3 ($t4 -> $(snmp "$COL" Ip ReasmTimeout))" \
		test "$(snmp "$COL" Ip ReasmTimeout)" -ge $((t4 + 3))
	check "incomplete IPv6: ReasmTimeout counts 3 ($t6 -> $(snmp "$COL" Ip6 ReasmTimeout))" \
		test "$(snmp "$COL" Ip6 ReasmTimeout)" -ge $((t6 + 3))
	check_eq "incomplete: nothing delivered" "$rx0" "$(gstat "$COL" grecap0 rx_packets)"
	log_test "never-completed fragments time out in the kernel"
}

# Fragments of anything else are the stack's: a large ping reassembles
# there and is answered.
not_gre() {
	local q0 ok4

	q0=$(gstat "$COL" grecap0 link_frag_queued)
	ok4=$(snmp "$COL" Ip ReasmOKs)
	check "fragmented ping to the collector answered" \
		ip netns exec "$SND" ping -c 2 -W 2 -q -s 3000 $COL4
	check_eq "non-GRE fragments not taken" "$q0" "$(gstat "$COL" grecap0 link_frag_queued)"
	check "non-GRE fragments reassembled by the stack" \
		test "$(snmp "$COL" Ip ReasmOKs)" -ge $((ok4 + 2))
	log_test "fragments of other traffic left to the stack"
}

setup_topo
CMAC=$(mac "$COL" col0)
grecap_add grecap0
tests_run
