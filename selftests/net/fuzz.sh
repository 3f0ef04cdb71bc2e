#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile input (grecap_scapy.py fuzz, fixed seed so a failure repeats):
# thousands of malformed GRE, ERSPAN and fragment packets addressed to the
# collector, then as many of UDP to the VXLAN, GENEVE and TZSP ports.  The kernel stays healthy (run_tests.sh fails the test on any
# splat), every packet ends accounted for, and valid traffic sent
# afterwards is still delivered byte-exact.
#
# Accounting, with one catch-all device per encapsulation and GRO off on
# the link: each fragment is queued for reassembly (link_frag_queued);
# each whole packet sent, and each packet reassembly completes, is
# delivered (rx_packets), dropped under a named counter (rx_crc_errors,
# rx_length_errors, drop_*), or passed to the stack as GRE grecap does
# not take (link_pass_unsupported).

source "${0%/*}/lib.sh"
pkt_uses_scapy

ALL_TESTS="
	fuzz
	fuzz_udp
	still_working
"
SEED=${GRECAP_FUZZ_SEED:-20261122}

# sum_stats DEV... -- COUNTER...: the COUNTERs of the DEVs, summed.
sum_stats() {
	local devs=() n=0 d s v
	while [ "$1" != -- ]; do
		devs+=("$1")
		shift
	done
	shift
	for d in "${devs[@]}"; do
		for s in "$@"; do
			gstat_v v "$COL" "$d" "$s"
			n=$((n + v))
		done
	done
	echo $n
}
# ends DEV...: packets that reached an end (whole, or completed by
# reassembly) on the DEVs; the link's counters once.
ends() {
	echo $(($(sum_stats "$@" -- rx_packets rx_crc_errors rx_length_errors \
		drop_erspan_unknown drop_udp_unknown drop_geneve_oam \
		drop_tzsp_not_eth drop_dev_down drop_nomem) +
		$(sum_stats "$1" -- link_pass_unsupported) -
		$(gstat "$COL" "$1" link_frag_reassembled)))
}

fuzz() {
	local whole frags q0 e0 r0 s

	q0=$(gstat "$COL" grecap0 link_frag_queued)
	e0=$(ends grecap0)
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
	all_ended() { (($(ends grecap0) - e0 >= whole)); }
	busywait 10000 all_queued
	busywait 10000 all_ended
	check_eq "every fragment queued for reassembly" "$frags" \
		$(($(gstat "$COL" grecap0 link_frag_queued) - q0))
	check_eq "every whole packet delivered, dropped or passed" "$whole" \
		$(($(ends grecap0) - e0))
	for s in rx_packets link_frag_reassembled link_frag_dropped rx_crc_errors \
		rx_length_errors drop_erspan_unknown drop_nomem link_pass_unsupported \
		link_pass_not_local link_pass_unmatched; do
		log "  $s $(gstat "$COL" grecap0 "$s")"
	done
	check "the 60000-byte inner frame was reassembled and delivered" \
		test $(($(gstat "$COL" grecap0 link_frag_reassembled) - r0)) -ge 1
	log_test "fuzzed GRE, ERSPAN and fragments, seed $SEED: all accounted"
}

# UDP, into catch-all vxlan, geneve and tzsp devices: each packet is
# theirs (the UDP header is whole), and ends on one of them.
fuzz_udp() {
	local whole frags q0 e0 r0 p0 s d devs=(gvx ggn gtz)

	q0=$(gstat "$COL" gvx link_frag_queued)
	e0=$(ends "${devs[@]}")
	r0=$(gstat "$COL" gvx link_frag_reassembled)
	p0=$(sum_stats gvx -- link_pass_not_local link_pass_unmatched \
		link_pass_unsupported)
	if ! scapy fuzz snd0 --dst-mac "$CMAC" --seed "$SEED" --udp >"$TMP/sent"; then
		fail "the fuzzer did not run"
		log_test "fuzzed VXLAN, GENEVE, TZSP, seed $SEED"
		return
	fi
	whole=$(awk '$1 == "whole" { print $2 }' "$TMP/sent")
	frags=$(awk '$1 == "fragments" { print $2 }' "$TMP/sent")
	log "seed $SEED: sent $whole whole UDP packets and $frags fragments"
	all_queued() { (($(gstat "$COL" gvx link_frag_queued) - q0 >= frags)); }
	all_ended() { (($(ends "${devs[@]}") - e0 >= whole)); }
	busywait 10000 all_queued
	busywait 10000 all_ended
	check_eq "every fragment queued for reassembly" "$frags" \
		$(($(gstat "$COL" gvx link_frag_queued) - q0))
	check_eq "every whole packet delivered or dropped on a UDP device" \
		"$whole" $(($(ends "${devs[@]}") - e0))
	check_eq "the fragmented VXLAN packet reassembled" 1 \
		$(($(gstat "$COL" gvx link_frag_reassembled) - r0))
	check_eq "none of it to the stack (link_pass_*)" 0 \
		$(($(sum_stats gvx -- link_pass_not_local link_pass_unmatched \
			link_pass_unsupported) - p0))
	for d in "${devs[@]}"; do
		for s in rx_packets rx_crc_errors rx_length_errors \
			drop_udp_unknown drop_geneve_oam drop_tzsp_not_eth drop_nomem; do
			log "  $d $s $(gstat "$COL" "$d" "$s")"
		done
	done
	log_test "fuzzed VXLAN, GENEVE, TZSP, seed $SEED: all accounted"
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
grecap_add gvx vxlan
grecap_add ggn geneve
grecap_add gtz tzsp
tests_run
