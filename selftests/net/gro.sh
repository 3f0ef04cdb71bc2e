#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Frames as they were on the wire: with GRO on the link, consecutive GRE
# (or VXLAN) packets of one TCP flow arrive merged into one super-packet;
# grecap0 shows the original segments, byte-exact, and never aggregates on
# its own.

source "${0%/*}/lib.sh"

ALL_TESTS="
	gro_fixed_off
	gro_split
	gro_split_vxlan
"

gro_fixed_off() {
	check "grecap0: GRO fixed off" grep -q '^generic-receive-offload: off \[fixed\]' \
		<<<"$(ip netns exec "$COL" ethtool -k grecap0)"
	log_test "grecap0 never aggregates (GRO fixed off)"
}

gro_split() {
	local merged link_order r0 p0

	# The stack cuts the super-frame in software on the way out (no TSO, no
	# GRE segmentation offload, no checksum offload: the segments carry their
	# final checksums, as on a wire), so back-to-back segments cross the veth;
	# GRO on the collector's side merges them again.
	tunnel gt4 gretap key 9
	ip netns exec "$SND" ethtool -K snd0 tx off tso off gso off \
		tx-gre-segmentation off tx-gre-csum-segmentation off >/dev/null 2>&1
	ip netns exec "$COL" ethtool -K col0 gro on || exit $ksft_fail

	gstat_v r0 "$COL" grecap0 rx_gro_split
	gstat_v p0 "$COL" grecap0 rx_packets
	capture_start "$SND" snd0 "$TMP/wire.pcap"
	capture_start "$COL" col0 "$TMP/col.pcap"
	capture_start "$COL" grecap0 "$TMP/got.pcap"
	pkt tso gt4 --segments 20 --mss 1400
	capture_stop "$TMP/got.pcap" 20
	# The link's capture is complete when its frames stand for all 20
	# segments, merged or not.
	link_complete() {
		local seqs
		seqs=($(pkt tcp-seqs "$TMP/col.pcap" --outer)) && ((${#seqs[@]} >= 20))
	}
	busywait 5000 link_complete
	capture_stop "$TMP/col.pcap"
	capture_stop "$TMP/wire.pcap" 20

	pkt decap "$TMP/wire.pcap" "$TMP/exp.pcap"
	check_eq "the sender put 20 segments on the wire" 20 "$(pkt count "$TMP/exp.pcap")"
	merged=$(pkt count "$TMP/col.pcap" --longer-than 1514)
	check "GRO on col0 merged them (frames over 1514 bytes seen: $merged)" \
		test "$merged" -gt 0
	# GRO itself may hand a flow's last segment (PSH, which ends a merge) up
	# before the merged ones: every segment once, in any order, and in the
	# order the link received them (checked below from the sequence numbers).
	check "grecap0: the 20 original segments, byte-exact" \
		pkt compare "$TMP/exp.pcap" "$TMP/got.pcap" --any-order
	link_order=$(pkt tcp-seqs "$TMP/col.pcap" --outer)
	log "link: $link_order"
	check_eq "grecap0 keeps the order the link received" "$link_order" \
		"$(pkt tcp-seqs "$TMP/got.pcap")"
	check_delta "rx_gro_split counts the merged packets, each once" \
		"$COL" grecap0 rx_gro_split "$r0" "$merged"
	check_delta "rx_packets counts segments" "$COL" grecap0 rx_packets "$p0" 20
	ip -n "$SND" link del gt4
	log_test "GRO-merged GRE split back into the wire's segments, in order"
}

# The host has a VXLAN device of its own on port 4789 (its socket is what
# lets GRO merge VXLAN packets on the link, as on a hypervisor); grecap's
# vxlan device on the link takes VNI 9's packets before the stack, merged
# or not, and shows the segments of the wire.
gro_split_vxlan() {
	local merged link_order r0 p0

	ip -n "$COL" link add vxh up type vxlan id 1000 dstport 4789 \
		local $COL4 || exit $ksft_fail
	ip -n "$SND" link add vx9 type vxlan id 9 dstport 4789 local $SND4 \
		remote $COL4 || exit $ksft_fail
	ip -n "$SND" link set vx9 up
	grecap_add gv9 vxlan vni 9
	ip netns exec "$SND" ethtool -K snd0 tx off tso off gso off \
		tx-udp_tnl-segmentation off tx-udp_tnl-csum-segmentation off \
		>/dev/null 2>&1
	ip netns exec "$COL" ethtool -K col0 gro on || exit $ksft_fail

	gstat_v r0 "$COL" gv9 rx_gro_split
	gstat_v p0 "$COL" gv9 rx_packets
	capture_start "$SND" snd0 "$TMP/vwire.pcap"
	capture_start "$COL" col0 "$TMP/vcol.pcap"
	capture_start "$COL" gv9 "$TMP/vgot.pcap"
	pkt tso vx9 --segments 20 --mss 1400
	capture_stop "$TMP/vgot.pcap" 20
	link_complete() {
		local seqs
		seqs=($(pkt tcp-seqs "$TMP/vcol.pcap" --outer)) && ((${#seqs[@]} >= 20))
	}
	busywait 5000 link_complete
	capture_stop "$TMP/vcol.pcap"
	capture_stop "$TMP/vwire.pcap" 20

	pkt decap "$TMP/vwire.pcap" "$TMP/vexp.pcap"
	check_eq "the sender put 20 segments on the wire" 20 \
		"$(pkt count "$TMP/vexp.pcap")"
	merged=$(pkt count "$TMP/vcol.pcap" --longer-than 1514)
	check "GRO on col0 merged them (frames over 1514 bytes seen: $merged)" \
		test "$merged" -gt 0
	check "gv9: the 20 original segments, byte-exact" \
		pkt compare "$TMP/vexp.pcap" "$TMP/vgot.pcap" --any-order
	link_order=$(pkt tcp-seqs "$TMP/vcol.pcap" --outer)
	log "link: $link_order"
	check_eq "gv9 keeps the order the link received" "$link_order" \
		"$(pkt tcp-seqs "$TMP/vgot.pcap")"
	check_delta "rx_gro_split counts the merged packets, each once" \
		"$COL" gv9 rx_gro_split "$r0" "$merged"
	check_delta "rx_packets counts segments" "$COL" gv9 rx_packets "$p0" 20
	ip -n "$SND" link del vx9
	ip -n "$COL" -batch - <<-EOF
		link del vxh
		link del gv9
	EOF
	log_test "GRO-merged VXLAN split back into the wire's segments, in order"
}

setup_topo
grecap_add grecap0
tests_run
