#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# GRE that is ours but broken is dropped under a named counter and never
# delivered: bad checksum, a header or inner frame cut short.  GRE that is
# not ours to take (version 1, the routing bit) goes to the stack.

source "$(dirname "$0")/lib.sh"

ALL_TESTS="
	valid
	bad_csum
	truncated
	not_ours
"

send() {
	pkt gre snd0 --dst-mac "$CMAC" --src $SND4 \
		--dst $COL4 "$@"
}

# Well-formed GRE with the options that are easy to get wrong.
valid() {
	capture_start "$COL" grecap0 "$TMP/got.pcap"
	send --count 10 --csum --key 5 --seq --expect "$TMP/exp.pcap"
	capture_stop "$TMP/got.pcap" 10
	check "valid checksum: delivered byte-exact" \
		pkt compare "$TMP/exp.pcap" "$TMP/got.pcap"

	capture_start "$COL" grecap0 "$TMP/opt.pcap"
	send --count 10 --key 5 --ip-options --expect "$TMP/optexp.pcap"
	capture_stop "$TMP/opt.pcap" 10
	check "outer IPv4 with options: delivered byte-exact" \
		pkt compare "$TMP/optexp.pcap" "$TMP/opt.pcap"

	# An L3 payload of any length is delivered (the header is
	# synthesized).
	capture_start "$COL" grecap0 "$TMP/l3.pcap"
	send --count 3 --proto 0x0800 --inner-len 1 --mac "$GMAC" \
		--expect "$TMP/l3exp.pcap"
	capture_stop "$TMP/l3.pcap" 3
	check "1-byte L3 payload: delivered" \
		pkt compare "$TMP/l3exp.pcap" "$TMP/l3.pcap"
	log_test "valid: checksum, outer IPv4 options, 1-byte L3 payload"
}

bad_csum() {
	local d0 c0 e0

	d0=$(gstat "$COL" grecap0 drop_bad_csum)
	c0=$(gstat "$COL" grecap0 rx_crc_errors)
	e0=$(gstat "$COL" grecap0 rx_errors)
	capture_start "$COL" grecap0 "$TMP/bad.pcap"
	send --count 10 --csum --bad-csum
	send --count 10 --csum --bad-csum --key 5 --proto 0x0800
	pkt gre snd0 --dst-mac "$CMAC" --src $SND6 \
		--dst $COL6 --count 10 --csum --bad-csum
	check_delta "bad checksum: drop_bad_csum" "$COL" grecap0 drop_bad_csum "$d0" 30
	capture_stop "$TMP/bad.pcap"
	check_eq "bad checksum: nothing delivered" 0 "$(pkt count "$TMP/bad.pcap")"
	check_eq "bad checksum: rx_crc_errors" 30 \
		$(($(gstat "$COL" grecap0 rx_crc_errors) - c0))
	check_eq "bad checksum: rx_errors" 30 \
		$(($(gstat "$COL" grecap0 rx_errors) - e0))
	log_test "bad checksum (IPv4, IPv6): dropped, counted"
}

truncated() {
	local rx0 d0 l0 e0

	rx0=$(gstat "$COL" grecap0 rx_packets)
	d0=$(gstat "$COL" grecap0 drop_truncated)
	l0=$(gstat "$COL" grecap0 rx_length_errors)
	e0=$(gstat "$COL" grecap0 rx_errors)
	send --count 10 --inner-len 13
	send --count 10 --inner-len 0
	send --count 10 --key 7 --inner-len 0 --truncate 40
	check_delta "short inner Ethernet frame: drop_truncated" \
		"$COL" grecap0 drop_truncated "$d0" 20
	check_eq "truncated: rx_length_errors" 20 \
		$(($(gstat "$COL" grecap0 rx_length_errors) - l0))
	check_eq "truncated: rx_errors" 20 \
		$(($(gstat "$COL" grecap0 rx_errors) - e0))
	check_eq "truncated: nothing delivered" "$rx0" \
		"$(gstat "$COL" grecap0 rx_packets)"
	log_test "inner frame or GRE header cut short: dropped, counted"
}

not_ours() {
	local rx0 u0

	rx0=$(gstat "$COL" grecap0 rx_packets)
	u0=$(gstat "$COL" grecap0 link_pass_unsupported)
	send --count 10 --version 1
	send --count 10 --routing
	check_delta "version 1 and routing: passed to the stack" \
		"$COL" grecap0 link_pass_unsupported "$u0" 20
	check_eq "nothing delivered" "$rx0" "$(gstat "$COL" grecap0 rx_packets)"
	log_test "GRE version 1, routing bit: passed to the stack"
}

setup_topo
grecap_add grecap0
CMAC=$(mac "$COL" col0)
GMAC=$(mac "$COL" grecap0)
tests_run
