#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Outer fragments: GRE addressed to the collector, fragmented by the mirror
# source (the kernel's gretap/ip6gretap over a 1500-byte path, and scapy for
# reordered, duplicate, overlapping and never-completed fragments), is
# reassembled and every inner frame delivered once, byte-exact.  Fragments
# of other traffic are left to the stack.

source "$(dirname "$0")/lib.sh"

setup_topo
CMAC=$(mac "$COL" col0)
grecap_add grecap0
# Imports scapy while the kernel source runs.
scapy_start "$SND"

# The kernel as mirror source: 1514-byte frames through a gretap with a
# 1500-byte MTU over a 1500-byte path, outer DF clear.  (An ip6gretap
# answers Packet Too Big instead of fragmenting: IPv6 fragments come from
# scapy below.)
tunnel gt4 gretap nopmtudisc
ip -n "$SND" link set gt4 mtu 1500

kernel_frag() {
	local dev=$1 f=$TMP/$1
	q0=$(gstat "$COL" grecap0 link_frag_queued)
	r0=$(gstat "$COL" grecap0 link_frag_reassembled)
	capture_start "$COL" grecap0 "$f.pcap"
	ip netns exec "$SND" $PKT send "$dev" eth 20 --size 1472 --expect "$f.exp"
	capture_stop "$f.pcap" 20
	check "$dev: 20 fragmented 1514-byte frames delivered byte-exact" \
		$PKT compare "$f.exp" "$f.pcap"
	check_eq "$dev: link_frag_queued" 40 $(($(gstat "$COL" grecap0 link_frag_queued) - q0))
	check_eq "$dev: link_frag_reassembled" 20 $(($(gstat "$COL" grecap0 link_frag_reassembled) - r0))
}
kernel_frag gt4

# scapy_frag FAMILY MODE EXPECTED-FRAMES: each run its own reassembly IDs.
ids=1000
scapy_frag() {
	local fam=$1 src=$SND4 dst=$COL4 f=$TMP/$1$2
	[ "$fam" = 6 ] && src=$SND6 dst=$COL6
	shift
	capture_start "$COL" grecap0 "$f.pcap"
	scapy frag snd0 --dst-mac "$CMAC" --src $src \
		--dst $dst --mtu 600 --size 1400 --count 5 --mode "$1" \
		--ip-id $ids --expect "$f.exp" >"$f.n"
	ids=$((ids + 100))
	capture_stop "$f.pcap" "$2"
	check "IPv$fam $1 fragments: $2 frames delivered byte-exact" \
		$PKT compare "$f.exp" "$f.pcap"
}
for fam in 4 6; do
	scapy_frag $fam inorder 5
	scapy_frag $fam reverse 5
	scapy_frag $fam dup 5
	d0=$(gstat "$COL" grecap0 link_frag_dropped)
	scapy_frag $fam overlap 0
	check "IPv$fam overlap: counted link_frag_dropped" \
		test "$(gstat "$COL" grecap0 link_frag_dropped)" -gt "$d0"
done

# Never completed: only the kernel's timeout and memory, counted there.
ip netns exec "$COL" sysctl -qw net.ipv4.ipfrag_time=1
check "IPv6 reassembly timeout 1 s" \
	ip netns exec "$COL" sysctl -qw net.netfilter.nf_conntrack_frag6_timeout=1
t4=$(snmp "$COL" Ip ReasmTimeout)
t6=$(snmp "$COL" Ip6 ReasmTimeout)
rx0=$(gstat "$COL" grecap0 rx_packets)
scapy frag snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 \
	--mtu 600 --count 3 --mode incomplete --ip-id 5000 >/dev/null
scapy frag snd0 --dst-mac "$CMAC" --src $SND6 --dst $COL6 \
	--mtu 600 --count 3 --mode incomplete --ip-id 5000 >/dev/null
# timeouts_reach PROTO N: busywait re-reads the counter on every try.
timeouts_reach() { [ "$(snmp "$COL" "$1" ReasmTimeout)" -ge "$2" ]; }
busywait 10000 timeouts_reach Ip $((t4 + 3))
busywait 10000 timeouts_reach Ip6 $((t6 + 3))
check "incomplete IPv4: ReasmTimeout counts 3 ($t4 -> $(snmp "$COL" Ip ReasmTimeout))" \
	test "$(snmp "$COL" Ip ReasmTimeout)" -ge $((t4 + 3))
check "incomplete IPv6: ReasmTimeout counts 3 ($t6 -> $(snmp "$COL" Ip6 ReasmTimeout))" \
	test "$(snmp "$COL" Ip6 ReasmTimeout)" -ge $((t6 + 3))
check_eq "incomplete: nothing delivered" "$rx0" "$(gstat "$COL" grecap0 rx_packets)"

# Fragments of anything else are the stack's: a large ping reassembles
# there and is answered.
q0=$(gstat "$COL" grecap0 link_frag_queued)
ok4=$(snmp "$COL" Ip ReasmOKs)
check "fragmented ping to the collector answered" \
	ip netns exec "$SND" ping -c 2 -W 2 -q -s 3000 $COL4
check_eq "non-GRE fragments not taken" "$q0" "$(gstat "$COL" grecap0 link_frag_queued)"
check "non-GRE fragments reassembled by the stack" \
	test "$(snmp "$COL" Ip ReasmOKs)" -ge $((ok4 + 2))

finish
