#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile input (grecap_scapy.py fuzz, fixed seed so a failure repeats):
# thousands of malformed GRE, ERSPAN and fragment packets addressed to the
# collector.  The kernel stays healthy (run_tests.sh fails the test on any
# splat), every packet ends accounted for, and valid traffic sent
# afterwards is still delivered byte-exact.
#
# Accounting, with one catch-all device and GRO off on the link: each
# fragment is queued for reassembly (link_frag_queued); each whole packet
# sent, and each packet reassembly completes, is delivered (rx_packets),
# dropped under a named counter (drop_*), or passed to the stack as GRE
# grecap does not take (link_pass_unsupported).

source "$(dirname "$0")/lib.sh"
SCAPY="$PY $LIB_DIR/grecap_scapy.py"
SEED=${GRECAP_FUZZ_SEED:-20261122}

setup_topo
CMAC=$(mac "$COL" col0)
ip netns exec "$COL" ethtool -K col0 gro off >/dev/null 2>&1
grecap_add grecap0

ip netns exec "$SND" $SCAPY fuzz snd0 --dst-mac "$CMAC" --seed "$SEED" >"$TMP/sent" ||
	exit $ksft_fail
whole=$(awk '$1 == "whole" { print $2 }' "$TMP/sent")
frags=$(awk '$1 == "fragments" { print $2 }' "$TMP/sent")
log "seed $SEED: sent $whole whole packets and $frags fragments"

sum_stats() {
	local n=0 s
	for s in "$@"; do
		n=$((n + $(gstat "$COL" grecap0 "$s")))
	done
	echo $n
}
ends() {
	echo $(($(sum_stats rx_packets drop_bad_csum drop_truncated \
		drop_erspan_unknown drop_dev_down drop_nomem link_pass_unsupported) -
		$(gstat "$COL" grecap0 link_frag_reassembled)))
}
# Wait for the last packets to be counted (busywait re-reads each try).
all_queued() { [ "$(gstat "$COL" grecap0 link_frag_queued)" -ge "$frags" ]; }
all_ended() { [ "$(ends)" -ge "$whole" ]; }
busywait 10000 all_queued
busywait 10000 all_ended
check_eq "every fragment queued for reassembly" "$frags" \
	"$(gstat "$COL" grecap0 link_frag_queued)"
check_eq "every whole packet delivered, dropped or passed" "$whole" "$(ends)"
for s in rx_packets link_frag_reassembled link_frag_dropped drop_bad_csum \
	drop_truncated drop_erspan_unknown drop_nomem link_pass_unsupported \
	link_pass_not_local link_pass_unmatched; do
	log "  $s $(gstat "$COL" grecap0 "$s")"
done
check "the 60000-byte inner frame was reassembled and delivered" \
	test "$(gstat "$COL" grecap0 link_frag_reassembled)" -ge 1

# Still working: valid traffic afterwards, byte-exact.
tunnel gt4 gretap key 5
capture_start "$COL" grecap0 "$TMP/got.pcap"
ip netns exec "$SND" $PKT send gt4 eth 20 --expect "$TMP/exp.pcap"
capture_stop "$TMP/got.pcap" 20
check "valid traffic after the fuzzing: byte-exact" \
	$PKT compare "$TMP/exp.pcap" "$TMP/got.pcap"

finish
