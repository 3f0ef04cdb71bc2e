#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One mirror stream, many CPUs: a source sends one outer flow, which the
# link receives on one CPU.  With RPS on grecap0 (rps_cpus), the inner
# frames are spread over the CPUs by inner flow, each flow in order, for
# every flavour; without it they stay on the receiving CPU.
#
# The sender is pinned to CPU 0, and a veth receives on the sending CPU,
# so the link's CPU is 0.  A frame steered elsewhere is processed by that
# CPU's backlog: /proc/net/softnet_stat's first column there counts it.

source "${0%/*}/lib.sh"

ALL_TESTS="
	teb
	gre_ipv4
	ip6gretap
	erspan1
	erspan2
	erspan3
	no_rps
"

N=320
FLOWS=32
# The N frames come in one burst: room for all of them in tcpdump's ring.
CAPTURE_RING_KIB=32768

# processed_elsewhere: frames the CPUs other than 0 have processed.
processed_elsewhere() {
	local processed cpu=0 n=0

	while read -r processed _; do
		((cpu++ > 0)) && n=$((n + 0x$processed))
	done </proc/net/softnet_stat
	echo $n
}

# spread DESC MIN_PERCENT SEND-CMD...: send N frames of FLOWS inner flows
# with SEND-CMD, capture them on grecap0; at least MIN_PERCENT of them
# must have been processed off CPU 0, each flow in order.
spread() {
	local desc=$1 min=$2 f=$TMP/s$RANDOM p0 off
	shift 2

	capture_start "$COL" grecap0 "$f.pcap"
	p0=$(processed_elsewhere)
	log "sending $N frames"
	"$@"
	capture_stop "$f.pcap" $N
	off=$(($(processed_elsewhere) - p0))
	check_eq "$desc: frames delivered" $N "$(pcap_frames "$f.pcap")"
	if ((min > 0)); then
		check "$desc: $off of $N frames processed off the link's CPU (at least $min %)" \
			test $((off * 100)) -ge $((N * min))
	else
		check "$desc: $off of $N frames processed off the link's CPU (none expected)" \
			test $((off * 100)) -lt $((N * 5))
	fi
	check "$desc: each of $FLOWS inner flows in order" pkt flow-order "$f.pcap"
}

# rps_set MASK: grecap0's RPS CPU mask.
rps_set() {
	ns_write "$COL" /sys/class/net/grecap0/queues/rx-0/rps_cpus "$1"
}

rps_on() {
	rps_set "$ALL_CPUS"
}

# spread_case TITLE DESC SEND-CMD...: a case of one flavour, RPS on.
spread_case() {
	local title=$1 desc=$2
	shift 2

	rps_on
	spread "$desc" 20 "$@"
	log_test "$title"
}

teb() {
	spread_case "GRE TEB: spread over the CPUs by inner flow" gretap \
		pkt send t4 eth $N --flows $FLOWS
}

gre_ipv4() {
	spread_case "GRE carrying IPv4: spread by inner flow" "gre (IPv4 payload)" \
		pkt send g4 ipv4 $N --flows $FLOWS
}

ip6gretap() {
	spread_case "GRE TEB over IPv6: spread by inner flow" ip6gretap \
		pkt send t6 eth $N --flows $FLOWS
}

erspan1() {
	spread_case "ERSPAN Type I: spread by inner flow" "ERSPAN Type I" \
		pkt erspan snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 \
		--type 1 --count $N --flows $FLOWS
}

erspan2() {
	spread_case "ERSPAN Type II: spread by inner flow" "erspan (Type II)" \
		pkt send e2 eth $N --flows $FLOWS
}

erspan3() {
	spread_case "ERSPAN Type III: spread by inner flow" "erspan (Type III)" \
		pkt send e3 eth $N --flows $FLOWS
}

no_rps() {
	rps_set 0
	spread "erspan (Type II), no RPS" 0 pkt send e2 eth $N --flows $FLOWS
	rps_on
	log_test "without RPS on grecap0: the link's CPU does it all"
}

[ "$(nproc)" -ge 2 ] || skip "one CPU: nothing to spread over"
ALL_CPUS=$(printf '%x' $(((1 << $(nproc)) - 1)))
setup_topo
modprobe -q ip_gre || skip "no ip_gre"
modprobe -q ip6_gre || skip "no ip6_gre"
CMAC=$(mac "$COL" col0)
grecap_add grecap0
tunnel t4 gretap
tunnel g4 gre
tunnel t6 ip6gretap
tunnel e2 erspan seq key 1 erspan_ver 1 erspan 10
tunnel e3 erspan seq key 2 erspan_ver 2 erspan_dir ingress erspan_hwid 3
# The sender, so the link's receive, on CPU 0.
taskset -pc 0 "$PKT_SRV_PID" >/dev/null || exit $ksft_fail
tests_run
