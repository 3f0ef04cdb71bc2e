#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cloud and router mirrors over UDP: VXLAN (AWS VPC Traffic Mirroring,
# Azure vTAP), GENEVE (AWS Gateway Load Balancer, Google Cloud) and TZSP
# (MikroTik).  The kernel's own vxlan and geneve devices send where they
# can (GENEVE options through tc tunnel_key); grecap_pkt.py builds the
# rest (GENEVE carrying IP, OAM, critical options, TZSP, checksums,
# truncations).  Each frame lands byte-exact on the device that takes its
# port and VNI, every refusal is counted, no ICMP goes back, and what no
# grecap device takes reaches the host's own vxlan device.

source "${0%/*}/lib.sh"

ALL_TESTS="
	vxlan_kernel
	vxlan_vni
	host_vxlan
	geneve_kernel
	geneve_options
	geneve_ip
	geneve_refused
	tzsp
	checksums
	truncated
	fragments
	no_icmp
"

# udp_send ARGS...: hand-built UDP-encapsulated frames to the collector.
udp_send() {
	pkt udp snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 "$@"
}

# deliver DESC DEV N SEND-CMD...: SEND-CMD (which must write its expected
# frames to $f.exp) delivers N frames on DEV, byte-exact.
deliver() {
	local desc=$1 dev=$2 n=$3
	shift 3
	capture_start "$COL" "$dev" "$f.pcap"
	"$@"
	capture_stop "$f.pcap" "$n"
	check "$desc: $n frames byte-exact on $dev" pkt compare "$f.exp" "$f.pcap"
}

# The kernel's vxlan device as the mirror source: without and with UDP
# checksums, over IPv4 and IPv6.
vxlan_kernel() {
	local f=$TMP/vxk v0 i0

	gstat_v v0 "$COL" gvx123 rx_vxlan
	i0=$(icmp_out "$COL")
	deliver "vxlan, no UDP checksum" gvx123 20 pkt send vx123 eth 20 --expect "$f.exp"
	f=$TMP/vxkc
	deliver "vxlan, UDP checksum" gvx456 20 pkt send vxc456 eth 20 --expect "$f.exp"
	f=$TMP/vxk6
	deliver "vxlan over IPv6 (UDP checksum)" gvx6 10 pkt send vx6 eth 10 --expect "$f.exp"
	check_delta "rx_vxlan counts them" "$COL" gvx123 rx_vxlan "$v0" 20
	check_eq "no ICMP back" 0 $(($(icmp_out "$COL") - i0))
	log_test "kernel vxlan: Ethernet frames byte-exact, IPv4 and IPv6"
}

# The VNI picks the device; a VNI no device takes goes to the catch-all.
vxlan_vni() {
	local f=$TMP/vni a0 b0 c0

	gstat_v a0 "$COL" gvx123 rx_packets
	gstat_v b0 "$COL" gvx456 rx_packets
	gstat_v c0 "$COL" gvxany rx_packets
	udp_send --encap vxlan --port 4789 --vni 456 --count 7
	udp_send --encap vxlan --port 4789 --vni 123 --count 5
	udp_send --encap vxlan --port 4789 --vni 789 --count 3
	check_delta "VNI 456 to gvx456" "$COL" gvx456 rx_packets "$b0" 7
	check_delta "VNI 123 to gvx123" "$COL" gvx123 rx_packets "$a0" 5
	check_delta "VNI 789 to the catch-all" "$COL" gvxany rx_packets "$c0" 3
	check_eq "sysfs: vni" 456 "$(gsetting "$COL" gvx456 vni)"
	check_eq "sysfs: encap and port" "vxlan 4789" \
		"$(gsetting "$COL" gvx456 encap) $(gsetting "$COL" gvx456 port)"
	log_test "VNI filters: each VNI its device, the rest the catch-all"
}

# The host is a VXLAN endpoint itself: what no grecap device takes (a VNI
# on a link without a catch-all, a port no device takes) reaches its
# vxlan devices, and grecap counts it unmatched, not more.
host_vxlan() {
	local h0 h8 u0 m0

	ip -n "$COL" link set gvxany down
	ip -n "$COL" link del gvxany
	gstat_v h0 "$COL" vxh999 rx_packets
	gstat_v h8 "$COL" vxh8472 rx_packets
	gstat_v u0 "$COL" gvx123 link_pass_unmatched
	pkt send vx999 eth 6
	pkt send vx8472 eth 4
	check_delta "VNI 999: to the host's vxlan device" "$COL" vxh999 rx_packets "$h0" 6
	check_delta "port 8472: to the host's vxlan device" "$COL" vxh8472 rx_packets "$h8" 4
	check_delta "the VNI no device takes counted link_pass_unmatched" \
		"$COL" gvx123 link_pass_unmatched "$u0" 6
	grecap_add gvxany vxlan
	log_test "unmatched VNIs and ports reach the host's own vxlan devices"
}

geneve_kernel() {
	local f=$TMP/gnk g0

	gstat_v g0 "$COL" ggn7 rx_geneve
	deliver "geneve VNI 7" ggn7 20 pkt send gpin eth 20 --expect "$f.exp"
	check_delta "rx_geneve counts them" "$COL" ggn7 rx_geneve "$g0" 20
	log_test "kernel geneve: Ethernet frames byte-exact"
}

# Options, whatever their class and the critical bit: from the kernel's
# geneve in external mode with tc tunnel_key, and built by hand.
geneve_options() {
	local f=$TMP/gno

	deliver "geneve options from tc tunnel_key (GWLB-like classes)" ggn8 10 \
		pkt send gnin eth 10 --expect "$f.exp"
	f=$TMP/gnc
	deliver "geneve critical options, built by hand" ggn8 10 \
		udp_send --encap geneve --port 6081 --vni 8 --options 3 \
		--critical --count 10 --expect "$f.exp"
	log_test "GENEVE options skipped, critical or not"
}

# Google Cloud's GENEVE carries IPv4 or IPv6 without Ethernet: delivered
# behind an Ethernet header of grecap's, as GRE's L3 payloads.  AWS
# Gateway Load Balancer's carries the mirror's VXLAN as IPv4: shown as it
# came unless the device says innervxlan.
geneve_ip() {
	local f=$TMP/gip

	deliver "GENEVE IPv4 (Google Cloud)" ggn0 10 udp_send --encap geneve \
		--port 6081 --proto 0x0800 --options 5 --mac "$(mac "$COL" ggn0)" \
		--count 10 --expect "$f.exp"
	f=$TMP/gip6
	deliver "GENEVE IPv6" ggn0 10 udp_send --encap geneve --port 6081 \
		--proto 0x86dd --mac "$(mac "$COL" ggn0)" --count 10 --expect "$f.exp"
	f=$TMP/gwlb
	deliver "GWLB, innervxlan off: the VXLAN packet as sent" ggn0 10 \
		udp_send --encap geneve --port 6081 --gwlb --options 3 \
		--mac "$(mac "$COL" ggn0)" --count 10 --expect "$f.exp"
	grecap_set "$COL" ggn0 innervxlan on
	f=$TMP/gwlbi
	deliver "GWLB, innervxlan on: the mirrored frame" ggn0 10 \
		udp_send --encap geneve --port 6081 --gwlb --options 3 \
		--expect-inner --count 10 --expect "$f.exp"
	grecap_set "$COL" ggn0 innervxlan off
	log_test "GENEVE carrying IP; VXLAN inside GENEVE with innervxlan"
}

# What GENEVE carries that grecap0 cannot show is dropped and counted.
# A version grecap does not know has no VNI it can trust: the catch-all's.
geneve_refused() {
	local o0 u0 v0 r0 a0

	gstat_v o0 "$COL" ggn0 drop_geneve_oam
	gstat_v u0 "$COL" ggn0 drop_udp_unknown
	gstat_v v0 "$COL" ggnany drop_udp_unknown
	gstat_v r0 "$COL" ggn0 rx_packets
	gstat_v a0 "$COL" ggnany rx_packets
	udp_send --encap geneve --port 6081 --oam --count 4
	udp_send --encap geneve --port 6081 --proto 0x8847 --count 2
	udp_send --encap geneve --port 6081 --geneve-ver 1 --count 3
	check_delta "OAM frames: drop_geneve_oam" "$COL" ggn0 drop_geneve_oam "$o0" 4
	check_delta "MPLS payload: drop_udp_unknown" "$COL" ggn0 drop_udp_unknown "$u0" 2
	check_delta "version 1, to the catch-all: drop_udp_unknown" \
		"$COL" ggnany drop_udp_unknown "$v0" 3
	check_delta "none delivered" "$COL" ggn0 rx_packets "$r0" 0
	check_delta "none delivered by the catch-all" "$COL" ggnany rx_packets "$a0" 0
	log_test "GENEVE OAM, unknown versions and payloads dropped, counted"
}

# MikroTik's sniffer stream: TZSP version 1, its tagged fields skipped;
# what is not Ethernet is dropped and counted.
tzsp() {
	local f=$TMP/tz n0 u0 t0

	deliver "TZSP, no tags" gtz 10 udp_send --encap tzsp --port 37008 \
		--count 10 --expect "$f.exp"
	f=$TMP/tzt
	deliver "TZSP with padding and tags" gtz 10 udp_send --encap tzsp \
		--port 37008 --tzsp-tags "0000 0a01f0 0b0400001234 00" --count 10 \
		--expect "$f.exp"
	gstat_v n0 "$COL" gtz drop_tzsp_not_eth
	gstat_v u0 "$COL" gtz drop_udp_unknown
	gstat_v t0 "$COL" gtz rx_tzsp
	udp_send --encap tzsp --port 37008 --tzsp-encap 18 --count 3
	udp_send --encap tzsp --port 37008 --tzsp-version 2 --count 2
	udp_send --encap tzsp --port 37008 --tzsp-type 4 --count 2
	udp_send --encap tzsp --port 37008 \
		--tzsp-tags "$(printf '00%.0s' $(seq 130))" --count 2
	check_delta "802.11 in TZSP: drop_tzsp_not_eth" "$COL" gtz drop_tzsp_not_eth "$n0" 3
	check_delta "version 2, keepalive, 130 bytes of padding: drop_udp_unknown" \
		"$COL" gtz drop_udp_unknown "$u0" 6
	check_delta "rx_tzsp only what was delivered" "$COL" gtz rx_tzsp "$t0" 0
	log_test "TZSP: Ethernet delivered, tags skipped, the rest counted"
}

# A UDP checksum that is there is checked; none (0) is fine on IPv4 and
# IPv6 (RFC 6935, for tunnels).
checksums() {
	local f=$TMP/ck c0

	gstat_v c0 "$COL" gvxany rx_crc_errors
	deliver "good checksum" gvxany 5 udp_send --encap vxlan --port 4789 \
		--vni 5 --checksum good --count 5 --expect "$f.exp"
	f=$TMP/ck6
	deliver "IPv6 without a checksum" gvxany 5 pkt udp snd0 --dst-mac "$CMAC" \
		--src $SND6 --dst $COL6 --encap vxlan --port 4789 --vni 5 \
		--checksum none --count 5 --expect "$f.exp"
	udp_send --encap vxlan --port 4789 --vni 5 --checksum bad --count 6
	pkt udp snd0 --dst-mac "$CMAC" --src $SND6 --dst $COL6 --encap vxlan \
		--port 4789 --vni 5 --checksum bad --count 4
	check_delta "bad checksums (IPv4, IPv6): rx_crc_errors" \
		"$COL" gvxany rx_crc_errors "$c0" 10
	log_test "UDP checksums: checked when there, absent allowed"
}

truncated() {
	local l0 r0 s0 t0 f=$TMP/aws

	gstat_v l0 "$COL" gvxany rx_length_errors
	gstat_v t0 "$COL" gtz rx_length_errors
	gstat_v r0 "$COL" gvxany rx_packets
	udp_send --encap vxlan --port 4789 --vni 5 --truncate 48
	udp_send --encap vxlan --port 4789 --vni 5 --udp-len 4000
	udp_send --encap vxlan --port 4789 --vni 5 --inner-len 13
	# A tag of 100 bytes in a datagram that ends before them.
	udp_send --encap tzsp --port 37008 --tzsp-tags 0a64 --inner-len 20
	check_delta "VXLAN header cut, UDP length too long, inner frame of 13 bytes: rx_length_errors" \
		"$COL" gvxany rx_length_errors "$l0" 3
	check_delta "TZSP tags cut: rx_length_errors" "$COL" gtz rx_length_errors "$t0" 1
	check_delta "none delivered" "$COL" gvxany rx_packets "$r0" 0
	# An AWS session with a packet length: frames cut by the source are
	# delivered as they came, and counted.
	gstat_v s0 "$COL" gvxany rx_source_truncated
	deliver "frames the source cut to 100 bytes" gvxany 4 udp_send --encap vxlan \
		--port 4789 --vni 5 --size 600 --inner-len 100 --count 4 \
		--expect "$f.exp"
	check_delta "rx_source_truncated" "$COL" gvxany rx_source_truncated "$s0" 4
	log_test "cut short: dropped and counted; cut by the source: delivered"
}

# The kernel's vxlan fragments 1514-byte frames over a 1500-byte path.
fragments() {
	local f=$TMP/vxf q0 r0

	gstat_v q0 "$COL" gvx123 link_frag_queued
	gstat_v r0 "$COL" gvx123 link_frag_reassembled
	deliver "1514-byte frames in fragmented VXLAN" gvx123 10 \
		pkt send vx123 eth 10 --size 1472 --expect "$f.exp"
	check_delta "link_frag_queued" "$COL" gvx123 link_frag_queued "$q0" 20
	check_delta "link_frag_reassembled" "$COL" gvx123 link_frag_reassembled "$r0" 10
	log_test "outer fragments of VXLAN reassembled, frames byte-exact"
}

# No ICMP for what grecap takes, on any of its ports; without a device on
# a port, the host answers (a baseline, so that the test can tell).
no_icmp() {
	local n i0 d0

	gstat_v d0 "$COL" gtz drop_dev_down
	i0=$(icmp_out "$COL")
	udp_send --encap vxlan --port 5555 --vni 5 --count 3
	icmp_rose() { (($(icmp_out "$COL") > i0)); }
	busywait 5000 icmp_rose
	check "baseline: port 5555, no device: the host answers port unreachable" icmp_rose
	i0=$(icmp_out "$COL")
	udp_send --encap vxlan --port 4789 --vni 123 --count 5
	udp_send --encap geneve --port 6081 --vni 7 --count 5
	udp_send --encap tzsp --port 37008 --count 5
	pkt udp snd0 --dst-mac "$CMAC" --src $SND6 --dst $COL6 --encap vxlan \
		--port 4789 --vni 5 --count 5
	ip -n "$COL" link set gtz down
	udp_send --encap tzsp --port 37008 --count 5
	check_delta "a device down takes them all the same" "$COL" gtz drop_dev_down "$d0" 5
	ip -n "$COL" link set gtz up
	n=$(($(icmp_out "$COL") - i0))
	check_eq "no ICMP or ICMPv6 for VXLAN, GENEVE, TZSP" 0 "$n"
	log_test "no ICMP for what grecap takes"
}

setup_topo
modprobe -q vxlan && modprobe -q geneve || skip "no vxlan or geneve module"
modprobe -q act_tunnel_key && modprobe -q act_mirred && modprobe -q cls_matchall ||
	skip "no tc tunnel_key, mirred or matchall"
CMAC=$(mac "$COL" col0)
ip -n "$COL" -batch - <<EOF || exit $ksft_fail
link add gvx123 link col0 up type grecap vxlan vni 123
link add gvx456 link col0 up type grecap vxlan vni 456
link add gvxany link col0 up type grecap vxlan
link add gvx6 link col0 up type grecap vxlan vni 6 remote $SND6
link add ggn7 link col0 up type grecap geneve vni 7
link add ggn8 link col0 up type grecap geneve vni 8
link add ggn0 link col0 up type grecap geneve vni 0
link add ggnany link col0 up type grecap geneve
link add gtz link col0 up type grecap tzsp
link add vxh999 up type vxlan id 999 local $COL4 remote $SND4 dstport 4789
link add vxh8472 up type vxlan id 1 local $COL4 remote $SND4 dstport 8472
EOF
# The senders: vxlan (vx123 with a 1500-byte MTU over a 1500-byte path,
# for fragments), and geneve in external mode fed by tc tunnel_key
# through veths: from gpin VNI 7, from gnin VNI 8 with options of AWS
# GWLB's class, 0x0108.
ip -n "$SND" -batch - <<EOF || exit $ksft_fail
link add vx123 up mtu 1500 type vxlan id 123 local $SND4 remote $COL4 dstport 4789
link add vxc456 up type vxlan id 456 local $SND4 remote $COL4 dstport 4789 udpcsum
link add vx6 up type vxlan id 6 local $SND6 remote $COL6 dstport 4789
link add vx999 up type vxlan id 999 local $SND4 remote $COL4 dstport 4789
link add vx8472 up type vxlan id 1 local $SND4 remote $COL4 dstport 8472
link add gnx up type geneve external
link add gnin up type veth peer name gnout
link set gnout up
link add gpin up type veth peer name gpout
link set gpout up
EOF
tc -n "$SND" -batch - <<EOF || exit $ksft_fail
qdisc add dev gnout clsact
filter add dev gnout ingress matchall action tunnel_key set src_ip $SND4 dst_ip $COL4 id 8 geneve_opts 0108:01:00000001,0108:02:0000000200000003 action mirred egress redirect dev gnx
qdisc add dev gpout clsact
filter add dev gpout ingress matchall action tunnel_key set src_ip $SND4 dst_ip $COL4 id 7 nocsum action mirred egress redirect dev gnx
EOF
tests_run
