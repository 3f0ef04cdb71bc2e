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
	check "grecap0: GRO fixed off" \
		sh -c "ip netns exec $COL ethtool -k grecap0 | grep -q '^generic-receive-offload: off \[fixed\]'"
	log_test "grecap0 never aggregates (GRO fixed off)"
}

# TCP sequence numbers as the link and grecap0 saw them: a merged packet on
# the link stands for its segments, in order.
seqs() {
	$PY - "$LIB_DIR" "$1" "$2" <<'PYEOF'
import struct, sys
sys.path.insert(0, sys.argv[1])
import grecap_pkt as g
out = []
for fr in g.pcap_read(sys.argv[2]):
    off = 14 + 20 + 8 + 14 if sys.argv[3] == "outer" else 14
    if fr[12:14] != b"\x08\x00" or fr[off - 14 + 12:off - 14 + 14] != b"\x08\x00" \
            or fr[off + 9] != 6:
        continue
    seq = struct.unpack("!I", fr[off + 24:off + 28])[0]
    for n in range(max(1, (len(fr) - off - 40) // 1400)):
        out.append(str(seq + n * 1400))
print(" ".join(out))
PYEOF
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

	r0=$(gstat "$COL" grecap0 rx_gro_split)
	p0=$(gstat "$COL" grecap0 rx_packets)
	capture_start "$SND" snd0 "$TMP/wire.pcap"
	capture_start "$COL" col0 "$TMP/col.pcap"
	capture_start "$COL" grecap0 "$TMP/got.pcap"
	scapy tso gt4 --segments 20 --mss 1400
	capture_stop "$TMP/got.pcap" 20
	capture_stop "$TMP/col.pcap" 1
	capture_stop "$TMP/wire.pcap" 20

	scapy decap "$TMP/wire.pcap" "$TMP/exp.pcap"
	check_eq "the sender put 20 segments on the wire" 20 "$(pkt count "$TMP/exp.pcap")"
	merged=$($PY -c 'import sys; sys.path.insert(0, sys.argv[1]); import grecap_pkt as g
print(sum(len(f) > 1514 for f in g.pcap_read(sys.argv[2])))' "$LIB_DIR" "$TMP/col.pcap")
	check "GRO on col0 merged them (frames over 1514 bytes seen: $merged)" \
		test "$merged" -gt 0
	# GRO itself may hand a flow's last segment (PSH, which ends a merge) up
	# before the merged ones: every segment once, in any order, and in the
	# order the link received them (checked below from the sequence numbers).
	check "grecap0: the 20 original segments, byte-exact" \
		pkt compare "$TMP/exp.pcap" "$TMP/got.pcap" --any-order
	link_order=$(seqs "$TMP/col.pcap" outer)
	log "link: $link_order"
	check_eq "grecap0 keeps the order the link received" "$link_order" \
		"$(seqs "$TMP/got.pcap" inner)"
	check "rx_gro_split counts the merged packets" \
		test $(($(gstat "$COL" grecap0 rx_gro_split) - r0)) -ge "$merged"
	check_eq "rx_packets counts segments" 20 \
		$(($(gstat "$COL" grecap0 rx_packets) - p0))
	ip -n "$SND" link del gt4
	log_test "GRO-merged GRE split back into the wire's segments, in order"
}

setup_topo
grecap_add grecap0
tests_run
