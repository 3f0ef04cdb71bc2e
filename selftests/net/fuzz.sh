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
pkt_uses_scapy

ALL_TESTS="
	fuzz
	still_working
"
SEED=${GRECAP_FUZZ_SEED:-20261122}

sum_stats() {
	local n=0 s
	for s in "$@"; do
		n=$((n + $(gstat "$COL" grecap0 "$s")))
	done
	echo $n
}
# ends: packets that reached an end (whole, or completed by reassembly).
ends() {
	echo $(($(sum_stats rx_packets rx_crc_errors rx_length_errors \
		drop_erspan_unknown drop_dev_down drop_nomem link_pass_unsupported) -
		$(gstat "$COL" grecap0 link_frag_reassembled)))
}

fuzz() {
	local whole frags q0 e0 r0 s

	q0=$(gstat "$COL" grecap0 link_frag_queued)
	e0=$(ends)
	r0=$(gstat "$COL" grecap0 link_frag_reassembled)
	if ! scapy fuzz snd0 --dst-mac "$CMAC" --seed "$SEED" >"$TMP/sent"; then
		fail "the fuzzer did not run"
		log_test "fuzzed GRE, ERSPAN and fragments, seed $SEED"
		return
	fi
	whole=$(awk '$1 == "whole" { print $2 }' "$TMP/sent")
	frags=$(awk '$1 == "fragments" { print $2 }' "$TMP/sent")
	log "seed $SEED: sent $whole whole packets and $frags fragments"

	# Wait for the last packets to be counted (busywait re-reads each
	# try).
	all_queued() { (($(gstat "$COL" grecap0 link_frag_queued) - q0 >= frags)); }
	all_ended() { (($(ends) - e0 >= whole)); }
	busywait 10000 all_queued
	busywait 10000 all_ended
	check_eq "every fragment queued for reassembly" "$frags" \
		$(($(gstat "$COL" grecap0 link_frag_queued) - q0))
	check_eq "every whole packet delivered, dropped or passed" "$whole" \
		$(($(ends) - e0))
	for s in rx_packets link_frag_reassembled link_frag_dropped rx_crc_errors \
		rx_length_errors drop_erspan_unknown drop_nomem link_pass_unsupported \
		link_pass_not_local link_pass_unmatched; do
		log "  $s $(gstat "$COL" grecap0 "$s")"
	done
	check "the 60000-byte inner frame was reassembled and delivered" \
		test $(($(gstat "$COL" grecap0 link_frag_reassembled) - r0)) -ge 1
	log_test "fuzzed GRE, ERSPAN and fragments, seed $SEED: all accounted"
}

# Still working: valid traffic afterwards, byte-exact.
still_working() {
	tunnel gt4 gretap key 5
	capture_start "$COL" grecap0 "$TMP/got.pcap"
	pkt send gt4 eth 20 --expect "$TMP/exp.pcap"
	capture_stop "$TMP/got.pcap" 20
	check "valid traffic after the fuzzing: byte-exact" \
		pkt compare "$TMP/exp.pcap" "$TMP/got.pcap"
	ip -n "$SND" link del gt4
	log_test "valid traffic afterwards delivered byte-exact"
}

setup_topo
CMAC=$(mac "$COL" col0)
ip netns exec "$COL" ethtool -K col0 gro off >/dev/null 2>&1
grecap_add grecap0
tests_run
