#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: the situation of the seed documents, in the test VM, with the
# kernel's own devices as the mirror source.  A router mirrors a client's
# HTTP request to a capture server, wrapped in GRE: first without grecap,
# then with one "ip link add ... type grecap".  Runs in the guest:
#
#   demo.sh GRECAP_KO OUTDIR      (OUTDIR: where grecap0's pcap goes)
#
# Exits non-zero when a step does not show what it says.

export GRECAP_KO=${1:?usage: demo.sh GRECAP_KO OUTDIR}
out=${2:?usage: demo.sh GRECAP_KO OUTDIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
source "$top/selftests/net/lib.sh"

say() { printf '\n== %s\n' "$*"; }
# run NS CMD...: show a command as the capture server's admin types it.
run() {
	local ns=$1
	shift
	echo "  capture-server# $*"
	ip netns exec "$ns" "$@" 2>&1 | sed 's/^/    /'
}
# summary FILE [FILTER]: tshark's one-line view of a capture.
summary() {
	tshark -r "$1" -n ${2:+-Y "$2"} 2>/dev/null | sed 's/^ */    /'
}
tshark_http() {
	tshark -r "$1" -Y http.request -T fields -e http.host \
		-e http.request.uri 2>/dev/null | tr '\t' ' '
}

make -s -C "$top/tools/iproute2" install >/dev/null || exit 1
modprobe -q act_mirred
modprobe -q cls_matchall

say "The scene"
cat <<'TXT'
    client 10.1.0.1 --- router --- web server 10.2.0.1 (album.creneco.com)
                          |
                          | port mirror of the client's port, wrapped in GRE
                          v
    capture server 192.0.2.2 (col0), mirror source 192.0.2.1
TXT
setup_topo >/dev/null
setup_mirror >/dev/null
ip netns exec "$COL" sysctl -qw net.ipv4.icmp_ratelimit=0

say "1. A virtual tap sends Ethernet in GRE (0x6558, key 7); no grecap yet"
tunnel t0 gretap key 7
mirror t0
capture_start "$COL" col0 "$TMP/before.pcap" ip proto 47 or icmp
icmp0=$(icmp_out "$COL")
echo "  client# curl http://$HTTP_HOST$HTTP_URI"
http_get || fail "the client's request"
capture_stop "$TMP/before.pcap" 10
echo "  tcpdump on col0 sees the traffic wrapped, and the host answering it:"
tcpdump -r "$TMP/before.pcap" -n 2>/dev/null | head -n 6 | cut -c 17- | sed 's/^/    /' 
gre=$(tshark -r "$TMP/before.pcap" -Y gre 2>/dev/null | wc -l)
unreach=$(($(icmp_out "$COL") - icmp0))
check "GRE-wrapped frames on col0 ($gre)" test "$gre" -gt 0
check "the capture server sent ICMP unreachable back for them ($unreach)" \
	test "$unreach" -gt 0

say "2. The same with grecap"
load_grecap
run "$COL" ip link add grecap0 link col0 type grecap remote $SND4
run "$COL" ip link set grecap0 up
run "$COL" ip -d link show grecap0
capture_start "$COL" grecap0 "$out/grecap0.pcap"
icmp0=$(icmp_out "$COL")
echo "  client# curl http://$HTTP_HOST$HTTP_URI"
http_get || fail "the client's request"
capture_stop "$out/grecap0.pcap" 8
echo "  tshark on grecap0 sees the client's traffic as it was:"
summary "$out/grecap0.pcap" | head -n 10
echo "  tshark -Y http.request -T fields -e http.host -e http.request.uri:"
got=$(tshark_http "$out/grecap0.pcap")
echo "    $got"
check_eq "the request decoded from grecap0" "$HTTP_HOST $HTTP_URI" "$got"
check_eq "no ICMP back to the router" 0 $(($(icmp_out "$COL") - icmp0))
run "$COL" ip -s link show grecap0
echo "  capture-server# grep -v ':0$' /sys/class/net/grecap0/grecap_stats/*"
ip netns exec "$COL" sh -c "grep -H . /sys/class/net/grecap0/grecap_stats/*" |
	grep -v ':0$' | sed 's|.*/||; s/^/    /'

say "3. A Juniper port-mirror to a gr- interface sends IPv4 in GRE (0x0800)"
tc -n "$SND" qdisc del dev rcli clsact
tunnel t1 gre
mirror t1
capture_start "$COL" grecap0 "$out/grecap0-gre-ipv4.pcap"
echo "  client# curl http://$HTTP_HOST$HTTP_URI"
http_get || fail "the client's request"
capture_stop "$out/grecap0-gre-ipv4.pcap" 8
got=$(tshark_http "$out/grecap0-gre-ipv4.pcap")
echo "  tshark on grecap0: $got"
check_eq "the request decoded from the L3 mirror" "$HTTP_HOST $HTTP_URI" "$got"
check "counted as IPv4 payload" test "$(gstat "$COL" grecap0 rx_ipv4)" -gt 0

say "Captures written"
echo "    $out/grecap0.pcap (virtual tap), $out/grecap0-gre-ipv4.pcap (gr- mirror)"
if [ "$RET" = 0 ]; then
	say "Every step showed what it said."
else
	say "A step failed: see FAIL above."
fi
finish
