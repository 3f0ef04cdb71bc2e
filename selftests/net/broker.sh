#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# grecap as a packet broker: tc on the grecap device picks part of the
# decapsulated traffic (flower) and sends it out of a tool port (mirred
# redirect), as a broker's filter-and-forward does; the rest stays on the
# device, and sniffers on it see everything, before tc.

source "${0%/*}/lib.sh"

ALL_TESTS="
	tool_port
"

tool_port() {
	local f=$TMP/b n

	capture_start "$TOOL" toolp "$f.tool.pcap"
	capture_start "$COL" grecap0 "$f.all.pcap"
	pkt send t0 syn 10 --dst-mac "$GMAC" --expect "$f.syn.exp"
	pkt send t0 eth 10 --expect "$f.udp.exp"
	capture_stop "$f.tool.pcap" 10
	capture_stop "$f.all.pcap" 20
	check "the tool port got the 10 TCP frames to port 22, byte-exact" \
		pkt compare "$f.syn.exp" "$f.tool.pcap"
	pkt merge "$f.all.exp" "$f.syn.exp" "$f.udp.exp"
	check "grecap0's sniffers saw all 20" pkt compare "$f.all.exp" "$f.all.pcap"
	n=$(tc -n "$COL" -s filter show dev grecap0 ingress |
		awk '$1 == "Sent" && $5 == "pkt" { n += $4 } END { print n + 0 }')
	check_eq "the flower filter redirected 10" 10 "$n"
	log_test "flower on grecap0: TCP/22 out of a tool port, the rest stays"
}

setup_topo
modprobe -q ip_gre && modprobe -q cls_flower && modprobe -q act_mirred &&
	modprobe -q sch_ingress || skip "no ip_gre, cls_flower, act_mirred or sch_ingress"
setup_ns TOOL
grecap_add grecap0
GMAC=$(mac "$COL" grecap0)
tunnel t0 gretap
# The tool port: a veth whose far end, in a namespace of its own, is the
# analysis tool's.  No IPv6 on it, whose own MLD and DAD would show in
# the tool's capture.
ip netns exec "$COL" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 &&
	ip netns exec "$TOOL" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 ||
	exit $ksft_fail
ip -n "$COL" link add tool0 up type veth peer name toolp netns "$TOOL"
ip -n "$TOOL" link set toolp up
busywait 5000 link_up "$COL" tool0 || exit $ksft_fail
tc -n "$COL" -batch - <<EOT || exit $ksft_fail
qdisc add dev grecap0 clsact
filter add dev grecap0 ingress protocol ip flower ip_proto tcp dst_port 22 action mirred egress redirect dev tool0
EOT
tests_run
