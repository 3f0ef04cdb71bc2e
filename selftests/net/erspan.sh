#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ERSPAN Type I, II and III: the kernel's erspan and ip6erspan devices and
# hand-built packets (pkt erspan: Type I, Type III with the platform
# subheader, unknown versions) as mirror sources.  Each session lands
# byte-exact on the device filtering on it; the vlan and tstamp options act
# on the captured frames.

source "${0%/*}/lib.sh"

ALL_TESTS="
	kernel_sessions
	crafted_types
	unknown_versions
	vlan
	tstamp
	kernel_tstamp
	options
"

# kernel_stream DEV GRECAP COUNTER: frames through a kernel ERSPAN device.
kernel_stream() {
	local dev=$1 gdev=$2 counter=$3 c0
	c0=$(gstat "$COL" "$gdev" "$counter")
	capture_start "$COL" "$gdev" "$TMP/$dev.pcap"
	pkt send "$dev" eth 20 --expect "$TMP/$dev.exp"
	capture_stop "$TMP/$dev.pcap" 20
	check "$dev ($counter) -> $gdev: byte-exact" \
		pkt compare "$TMP/$dev.exp" "$TMP/$dev.pcap"
	check_eq "$gdev $counter" 20 $(($(gstat "$COL" "$gdev" "$counter") - c0))
}

kernel_sessions() {
	local p0

	p0=$(gstat "$COL" grecap0 rx_packets)
	kernel_stream ers1 gs100 rx_erspan2
	kernel_stream ers2 gs200 rx_erspan3
	kernel_stream ers6 gs300 rx_erspan3
	check_eq "ethtool -S agrees with sysfs" "$(gstat "$COL" gs100 rx_erspan2)" \
		"$(ethtool_stat "$COL" gs100 rx_erspan2)"
	check_eq "catch-all got none of the sessions" 0 \
		$(($(gstat "$COL" grecap0 rx_packets) - p0))
	log_test "kernel erspan/ip6erspan (Type II, III): each session its device"
}

ers() {
	pkt erspan snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 "$@"
}

# crafted_stream DESC GRECAP CAPTURE-ARGS -- ERSPAN-ARGS
crafted_stream() {
	local desc=$1 gdev=$2 f=$TMP/s$RANDOM
	shift 2
	capture_start "$COL" "$gdev" "$f.pcap"
	ers --count 10 --expect "$f.exp" "$@"
	capture_stop "$f.pcap" 10
	check "$desc" pkt compare "$f.exp" "$f.pcap"
}

crafted_types() {
	local e0

	e0=$(gstat "$COL" grecap0 rx_erspan1)
	crafted_stream "Type I -> catch-all: byte-exact" grecap0 --type 1
	check_eq "rx_erspan1" 10 $(($(gstat "$COL" grecap0 rx_erspan1) - e0))
	crafted_stream "Type III with platform subheader: byte-exact" grecap0 \
		--type 3 --session 7 --platform 3:0x1234:0x5678
	crafted_stream "Type III with an IP frame (ft 2): byte-exact" grecap0 \
		--type 3 --session 7 --ft 2 --mac "$(mac "$COL" grecap0)"
	crafted_stream "Type II to session 100 (hand-built): byte-exact" gs100 \
		--type 2 --session 100
	log_test "Type I, Type III with platform subheader and IP frame, Type II"
}

# Unknown versions are dropped and counted; the device still matches.
unknown_versions() {
	local d0

	d0=$(gstat "$COL" grecap0 drop_erspan_unknown)
	ers --count 5 --type 2 --ver 2 --session 9
	ers --count 5 --type 3 --ver 1 --session 9
	ers --count 5 --type 3 --ver 7 --session 9
	check_delta "unknown ERSPAN versions: drop_erspan_unknown" \
		"$COL" grecap0 drop_erspan_unknown "$d0" 15
	log_test "unknown ERSPAN versions dropped, counted"
}

# VLAN restore: Type II En=802.1Q and ISL, Type III with a VLAN and an
# untagged frame; not when the option is off or the tag is in the frame.
vlan() {
	crafted_stream "vlan: Type II En=2 tag put back (vid 100, pcp 5)" gv500 \
		--type 2 --session 500 --en 2 --vlan 100 --cos 5 --expect-vlan
	crafted_stream "vlan: Type II En=1 (ISL) tag put back" gv500 \
		--type 2 --session 500 --en 1 --vlan 4000 --cos 1 --expect-vlan
	crafted_stream "vlan: Type III tag put back (vid 77, pcp 3)" gv502 \
		--type 3 --session 502 --vlan 77 --cos 3 --expect-vlan
	crafted_stream "vlan: Type II En=3 (tag in frame) left alone" gv500 \
		--type 2 --session 500 --en 3 --vlan 33 --inner-vlan 33
	crafted_stream "vlan: Type II En=0 left alone" gv500 --type 2 --session 500
	crafted_stream "vlan off: frame as sent" gn501 \
		--type 2 --session 501 --en 2 --vlan 100 --cos 5
	log_test "vlan on: the source's VLAN tag put back (Type II, III)"
}

# tstamp: the capture time is the header's, to the nanosecond.
stamp_test() {
	local desc=$1 gdev=$2 expect=$3 f=$TMP/t$RANDOM got
	shift 3
	capture_start "$COL" "$gdev" "$f.pcap" --time-stamp-precision nano
	ers --count 3 "$@"
	capture_stop "$f.pcap" 3
	got=$(pkt stamps "$f.pcap")
	# One line per frame, compared as one line.
	check_eq "$desc" "$expect $expect $expect" "$(echo $got)"
}
tstamp() {
	local now t sec f got

	now=$(date +%s%N)
	t=$(((now - 2500000000) / 100 * 100))
	stamp_test "tstamp: 100 ns granularity, 2.5 s old" gt600 $t \
		--type 3 --session 600 --gra 1 --timestamp $(((t / 100) % (1 << 32)))
	t=$(((now - 10000000000) / 100000 * 100000))
	stamp_test "tstamp: 100 us granularity, 10 s old" gt600 $t \
		--type 3 --session 600 --gra 0 --timestamp $(((t / 100000) % (1 << 32)))
	sec=$((now / 1000000000 - 100))
	stamp_test "tstamp: IEEE 1588 with seconds in platform subheader" gt600 \
		$((sec * 1000000000 + 123456789)) --type 3 --session 600 --gra 2 \
		--timestamp 123456789 --platform 3:0:$sec
	t=$(((now - 2500000000) / 100 * 100))
	f=$TMP/arrival
	capture_start "$COL" gt601 "$f.pcap" --time-stamp-precision nano
	ers --count 1 --type 3 --session 601 --gra 1 --timestamp $(((t / 100) % (1 << 32)))
	capture_stop "$f.pcap" 1
	got=$(pkt stamps "$f.pcap")
	check "tstamp off: arrival time kept (not the header's)" \
		test $((got - t)) -gt 2000000000
	log_test "tstamp on: capture time from the ERSPAN header"
}

# The kernel's Type III sender stamps in 100 us units at send time.
kernel_tstamp() {
	local ok a b

	grecap_set "$COL" gs200 tstamp on
	capture_start "$COL" gs200 "$TMP/k.pcap" --time-stamp-precision nano
	capture_start "$COL" col0 "$TMP/kc.pcap" --time-stamp-precision nano ip proto 47
	pkt send ers2 eth 5
	capture_stop "$TMP/kc.pcap" 5
	capture_stop "$TMP/k.pcap" 5
	ok=0
	pkt stamps "$TMP/k.pcap" >"$TMP/k.t"
	pkt stamps "$TMP/kc.pcap" >"$TMP/kc.t"
	check_eq "frames on gs200" 5 "$(wc -l <"$TMP/k.t")"
	check_eq "GRE packets on the link" 5 "$(wc -l <"$TMP/kc.t")"
	paste -d ' ' "$TMP/k.t" "$TMP/kc.t" >"$TMP/kt"
	while read -r a b; do
		# Sent before it arrived, by less than 1 s, on a 100 us boundary.
		((a % 100000 == 0 && a <= b && b - a < 1000000000)) && ok=$((ok + 1))
	done <"$TMP/kt"
	check_eq "tstamp from the kernel's Type III sender" 5 $ok
	# What was compared, when it failed: header time, arrival time.
	((ok == 5)) || sed 's/^/      gs200 link: /' "$TMP/kt"
	grecap_set "$COL" gs200 tstamp off
	log_test "tstamp on: the kernel's Type III timestamps"
}

# Options read back in the link dump and in sysfs.
options() {
	check "ip -d link shows session and options" \
		grep -q "grecap session 600 tstamp on" <<<"$(ip -n "$COL" -d link show gt600)"
	check_eq "sysfs vlan reads back" 1 "$(gsetting "$COL" gv500 vlan)"
	check_eq "sysfs session reads back" 500 "$(gsetting "$COL" gv500 session)"
	check_fail_msg "session 1024 refused" "invalid ERSPAN session ID" \
		grecap_set "$COL" gn501 session 1024
	log_test "options read back in ip -d and sysfs"
}

setup_topo
CMAC=$(mac "$COL" col0)
# One device per session.
grecap_add gs100 session 100
grecap_add gs200 session 200
grecap_add gs300 session 300 remote $SND6
grecap_add gv500 session 500 vlan on
grecap_add gn501 session 501
grecap_add gv502 session 502 vlan on
grecap_add gt600 session 600 tstamp on
grecap_add gt601 session 601
grecap_add grecap0
tunnel ers1 erspan seq key 100 erspan_ver 1 erspan 123
tunnel ers2 erspan seq key 200 erspan_ver 2 erspan_dir egress erspan_hwid 7
tunnel ers6 ip6erspan seq key 300 erspan_ver 2 erspan_dir ingress erspan_hwid 9
tests_run
