#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Frames as they were on the wire: with GRO on the link, consecutive GRE
# packets of one TCP flow arrive merged into one super-packet; grecap0 shows
# the original segments, byte-exact, and never aggregates on its own.

source "$(dirname "$0")/lib.sh"
pkt_uses_scapy

ALL_TESTS="
	gro_fixed_off
	gro_split
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
	scapy tso gt4 --segments 20 --mss 1400
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

	scapy decap "$TMP/wire.pcap" "$TMP/exp.pcap"
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

setup_topo
grecap_add grecap0
tests_run
