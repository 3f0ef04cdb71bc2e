#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# GRE that is ours but broken is dropped under a named counter and never
# delivered: bad checksum, a header or inner frame cut short.  GRE that is
# not ours to take (version 1, the routing bit) goes to the stack.

source "${0%/*}/lib.sh"

ALL_TESTS="
	valid
	bad_csum
	truncated
	ip_cut_short
	not_ours
	gre_parse
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
	local c0 e0 rx0

	gstat_v c0 "$COL" grecap0 rx_crc_errors
	gstat_v e0 "$COL" grecap0 rx_errors
	gstat_v rx0 "$COL" grecap0 rx_packets
	capture_start "$COL" grecap0 "$TMP/bad.pcap"
	send --count 10 --csum --bad-csum
	send --count 10 --csum --bad-csum --key 5 --proto 0x0800
	pkt gre snd0 --dst-mac "$CMAC" --src $SND6 \
		--dst $COL6 --count 10 --csum --bad-csum
	check_delta "bad checksum: rx_crc_errors" "$COL" grecap0 rx_crc_errors "$c0" 30
	capture_stop "$TMP/bad.pcap"
	check_eq "bad checksum: nothing delivered" 0 "$(pkt count "$TMP/bad.pcap")"
	check_delta "bad checksum: rx_errors" "$COL" grecap0 rx_errors "$e0" 30
	check_delta "bad checksum: rx_packets" "$COL" grecap0 rx_packets "$rx0" 0
	log_test "bad checksum (IPv4, IPv6): dropped, counted"
}

truncated() {
	local rx0 d0 l0 e0 t0

	gstat_v rx0 "$COL" grecap0 rx_packets
	gstat_v d0 "$COL" grecap0 rx_length_errors
	gstat_v e0 "$COL" grecap0 rx_errors
	send --count 10 --inner-len 13
	send --count 10 --inner-len 0
	# The GRE header itself cut short: a key flag, two bytes of the key,
	# and an outer IP header that says so.
	send --count 10 --key 7 --inner-len 0 --truncate 40 --ip-len-fixed
	# ... and cut inside its first four bytes (flags and protocol).
	send --count 10 --inner-len 0 --truncate 36 --ip-len-fixed
	check_delta "short inner Ethernet frame, GRE header cut short: rx_length_errors" \
		"$COL" grecap0 rx_length_errors "$d0" 40
	check_delta "truncated: rx_errors" "$COL" grecap0 rx_errors "$e0" 40
	check_delta "truncated: nothing delivered" "$COL" grecap0 rx_packets "$rx0" 0
	log_test "inner frame or GRE header cut short: dropped, counted"
}

# An outer IP header that claims more than arrived is the stack's to drop
# and count (InTruncatedPkts), not grecap's.
ip_cut_short() {
	local rx0 d0 t0

	gstat_v rx0 "$COL" grecap0 rx_packets
	gstat_v d0 "$COL" grecap0 rx_length_errors
	t0=$(netstat_ext "$COL" IpExt InTruncatedPkts)
	send --count 10 --key 7 --inner-len 0 --truncate 40
	truncated_seen() { (($(netstat_ext "$COL" IpExt InTruncatedPkts) - t0 >= 10)); }
	busywait 5000 truncated_seen
	check_eq "the stack counted them InTruncatedPkts" 10 \
		$(($(netstat_ext "$COL" IpExt InTruncatedPkts) - t0))
	check_delta "grecap took none: rx_length_errors" "$COL" grecap0 rx_length_errors "$d0" 0
	check_delta "nor delivered any" "$COL" grecap0 rx_packets "$rx0" 0
	log_test "outer IP length beyond the packet: left to the stack"
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

# The receive path parses GRE in place where gre_parse_header() does more
# than mirror traffic needs (module/gre_parse.h); grecap_selftest.ko, built
# beside grecap.ko, proves in the kernel that both give the same verdicts.
gre_parse() {
	local ko=${GRECAP_KO%/*}/grecap_selftest.ko before lines

	if [ ! -r "$ko" ]; then
		log_test_skip "the fast GRE parse against gre_parse_header()" \
			"no grecap_selftest.ko beside $GRECAP_KO"
		return
	fi
	before=$(dmesg | wc -l)
	check "grecap_selftest.ko runs its cases and loads" insmod "$ko"
	lines=$(dmesg | tail -n +$((before + 1)) | grep grecap_selftest)
	log "$lines"
	check "every case: the same verdict, length, protocol, sequence" \
		grep -q -E 'grecap_selftest: PASS: [1-9][0-9]* cases answered' \
		<<<"$lines"
	lsmod | grep -q '^grecap_selftest ' &&
		check "unloaded" rmmod grecap_selftest
	log_test "the fast GRE parse gives gre_parse_header()'s verdicts"
}

setup_topo
grecap_add grecap0
CMAC=$(mac "$COL" col0)
GMAC=$(mac "$COL" grecap0)
tests_run
