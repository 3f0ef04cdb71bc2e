#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real sniffers on grecap0.  A router mirrors a client's port into a
# gretap (as a virtual tap does) and into an L3 GRE tunnel (as a Juniper
# port-mirror to a gr- interface does); the client fetches the seeds' page:
#  - tshark reading grecap0's capture decodes the inner HTTP request and
#    response fields;
#  - tcpdump with a BPF filter on grecap0 ("tcp port 80") selects the
#    inner traffic, leaving out the client's pings mirrored meanwhile.

source "${0%/*}/lib.sh"

ALL_TESTS="
	gretap_mirror
	gre_ipv4_mirror
"
require_command tshark
require_command curl
require_command busybox

# tshark_http FILE: host, URI and method of the requests, and the status
# of the responses, tshark finds in FILE.
tshark_http() {
	tshark -r "$1" -Y http -T fields -e http.host -e http.request.uri \
		-e http.request.method -e http.response.code 2>/dev/null |
		tr '\t' ' ' | sed 's/^ *//; s/ *$//'
}
# quiet_tcp: no TCP connection of the client or the server has anything
# left to send (closed, or in TIME_WAIT).
quiet_tcp() {
	no_tcp() {
		local ns
		for ns in "$CLI" "$SRV"; do
			ip netns exec "$ns" ss -Htan state connected \
				exclude time-wait | grep -q . && return 1
		done
		return 0
	}
	busywait 10000 no_tcp || fail "a TCP connection did not close"
}

# mirrored: frames the router's two mirror filters copied so far.
mirrored() {
	{
		tc -n "$SND" -s filter show dev rcli ingress
		tc -n "$SND" -s filter show dev rcli egress
	} | awk '$1 == "Sent" && $5 == "pkt" { n += $4 } END { print n + 0 }'
}

# What it finds in one fetch of the seeds' page.
HTTP_SEEN="$HTTP_HOST $HTTP_URI GET"$'\n'"200"

# Ethernet in GRE with a key: the virtual tap's way.
gretap_mirror() {
	tunnel t0 gretap key 7
	grecap_add grecap0 key 7
	mirror t0
	capture_start "$COL" grecap0 "$TMP/teb.pcap"
	check "the client fetches the page" http_get
	# SYN, SYN-ACK, ACK, GET, its ACK, the response, and the closing ones.
	capture_stop "$TMP/teb.pcap" 8
	check_eq "tshark decodes the mirrored HTTP (GRE-TEB)" \
		"$HTTP_SEEN" "$(tshark_http "$TMP/teb.pcap")"

	# The same with tcpdump's BPF filter, while the client also pings.
	# Beside it an unfiltered capture; once the TCP session has closed,
	# the router's mirror filters say how many frames they copied, and
	# grecap0 must have delivered exactly those.
	local base m n80 nall nicmp n80all
	quiet_tcp
	m=$(mirrored)
	gstat_v base "$COL" grecap0 rx_packets
	capture_start "$COL" grecap0 "$TMP/p80.pcap" tcp port 80
	capture_start "$COL" grecap0 "$TMP/all.pcap"
	ip netns exec "$CLI" ping -c 3 -i 0.2 -q 10.2.0.1 >/dev/null
	check "the client fetches the page again" http_get
	quiet_tcp
	m=$(($(mirrored) - m))
	check_delta "grecap0 delivered every frame the router mirrored" \
		"$COL" grecap0 rx_packets "$base" "$m"
	capture_stop "$TMP/all.pcap" "$m"
	n80all=$(tcpdump -r "$TMP/all.pcap" -n 'tcp port 80' 2>/dev/null | wc -l)
	capture_stop "$TMP/p80.pcap" "$n80all"
	n80=$(pcap_frames "$TMP/p80.pcap")
	nall=$(pcap_frames "$TMP/all.pcap")
	nicmp=$(tcpdump -r "$TMP/all.pcap" -n 'icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply' 2>/dev/null | wc -l)
	check_eq "the unfiltered capture holds them all" "$m" "$nall"
	check_eq "the 3 pings and their replies among them" 6 "$nicmp"
	check_eq "tcpdump 'tcp port 80': exactly the HTTP session's frames" \
		"$n80all" "$n80"
	check "an HTTP session of at least 8 frames" test "$n80" -ge 8
	check_eq "and nothing else" "$n80" \
		"$(tcpdump -r "$TMP/p80.pcap" -n 'tcp port 80' 2>/dev/null | wc -l)"

	tc -n "$SND" qdisc del dev rcli clsact
	ip -n "$COL" link del grecap0
	ip -n "$SND" link del t0
	log_test "gretap mirror: tshark decodes HTTP, tcpdump BPF on inner"
}

# GRE carrying IPv4, no key: the Juniper gr- way.  Its own device, on the
# outer source; the grecap device shows the packets behind an Ethernet
# header of its own.
gre_ipv4_mirror() {
	local m n4

	tunnel t1 gre
	grecap_add grecap0 remote $SND4
	mirror t1
	capture_start "$COL" grecap0 "$TMP/l3.pcap"
	check "the client fetches the page over the L3 mirror" http_get
	quiet_tcp
	m=$(mirrored)
	check_delta "grecap0 delivered every frame the router mirrored" \
		"$COL" grecap0 rx_packets 0 "$m"
	capture_stop "$TMP/l3.pcap" "$m"
	check_eq "tshark decodes the mirrored HTTP (GRE-IPv4)" \
		"$HTTP_SEEN" "$(tshark_http "$TMP/l3.pcap")"
	n4=$(tcpdump -r "$TMP/l3.pcap" -n ip 2>/dev/null | wc -l)
	check "the HTTP session is among them" test "$n4" -ge 8
	check_eq "counted as IPv4 payload: each IPv4 frame captured" \
		"$n4" "$(gstat "$COL" grecap0 rx_ipv4)"
	tc -n "$SND" qdisc del dev rcli clsact
	ip -n "$COL" link del grecap0
	ip -n "$SND" link del t1
	log_test "GRE-IPv4 mirror (gr- style): tshark decodes HTTP"
}

setup_topo
setup_mirror
modprobe -q act_mirred
modprobe -q cls_matchall
tests_run
