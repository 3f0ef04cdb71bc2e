#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the grecap selftests, in the manner of the kernel's
# tools/testing/selftests/net/lib.sh: a network namespace per host, veth
# between them, busywait instead of sleeps, kselftest exit codes.
#
# The standard topology (setup_topo):
#
#   netns $SND (mirror source)            netns $COL (collector)
#   snd0 192.0.2.1/24 2001:db8::1/64 ---- col0 192.0.2.2/24 2001:db8::2/64
#   tunnel devices of the kernel             grecap0 link col0

ksft_pass=0
ksft_fail=1
ksft_skip=4

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$LIB_DIR/../.." && pwd)
GRECAP_KO=${GRECAP_KO:-$TOP/grecap.ko}
PY=/usr/bin/python3
# grecap_pkt.py needs only the standard library: -S skips site-packages
# and their .pth hooks, a good part of each start in the test VM.
PKT="$PY -S $LIB_DIR/grecap_pkt.py"
TMP=$(mktemp -d /tmp/grecap-test.XXXXXX)
RET=0
EXIT_STATUS=0
RAN=0
SKIPS=0
SND=snd-$$
COL=col-$$
NS_LIST=()
BG_PIDS=()
PKT_SCAPY=

SND4=192.0.2.1
COL4=192.0.2.2
SND6=2001:db8::1
COL6=2001:db8::2

# ---- reporting
#
# As in the kernel's selftests: a script lists its cases in ALL_TESTS and
# ends with tests_run; TESTS="case ..." runs only those (run_tests.sh
# passes "script:case,case").  A case is a function whose checks print a
# line each ("ok: ..." or "FAIL: ...") and that ends with log_test, which
# prints the case's verdict:
#
#   TEST: bad checksum (IPv4, IPv6): dropped, counted              [ OK ]
#
# What a script sets up before tests_run is shared by its cases; a case
# reads counters as differences, so any subset runs in any order.

log() { echo "$*"; }

pass() { echo "    ok: $*"; }

fail() {
	echo "    FAIL: $*"
	RET=$ksft_fail
}

# skip REASON: the whole script cannot run here (a missing tool or module).
skip() {
	echo "SKIP: $*"
	cleanup
	exit $ksft_skip
}

# log_test NAME: the verdict of the case that just ran; resets RET.
log_test() {
	local verdict="[ OK ]"

	if ((RET == ksft_skip)); then
		verdict="[SKIP]"
	elif ((RET != 0)); then
		verdict="[FAIL]"
		EXIT_STATUS=$ksft_fail
	fi
	printf "TEST: %-60s  %s\n" "$1" "$verdict"
	if [ "$verdict" = "[SKIP]" ]; then
		SKIPS=$((SKIPS + 1))
	else
		RAN=$((RAN + 1))
	fi
	RET=$ksft_pass
}

# log_test_skip NAME REASON: a case that cannot run here.
log_test_skip() {
	echo "    SKIP: $2"
	RET=$ksft_skip
	log_test "$1"
}

# tests_run: run the cases TESTS names (default: ALL_TESTS) and exit.
tests_run() {
	local t

	for t in ${TESTS:-$ALL_TESTS}; do
		if [[ " ${ALL_TESTS//[$'\t\n']/ } " != *" $t "* ]]; then
			echo "no case '$t' here; cases:" $ALL_TESTS
			EXIT_STATUS=$ksft_fail
			continue
		fi
		"$t"
		# A case that forgot its log_test fails rather than passes.
		if ((RET != 0)); then
			log_test "$t"
		fi
	done
	finish
}

# require_command CMD: skip the test when CMD is not installed.
require_command() {
	command -v "$1" >/dev/null || skip "$1 is not installed"
}

# check DESC CMD...: run CMD, pass when it succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then
		pass "$1 ($3)"
	else
		fail "$1: expected '$2', got '$3'"
	fi
}

# check_fail_msg DESC PATTERN CMD...: CMD must fail and say PATTERN.
check_fail_msg() {
	local desc=$1 pat=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		fail "$desc: succeeded, expected an error"
	elif grep -q -- "$pat" <<<"$out"; then
		pass "$desc: $(head -n 1 <<<"$out")"
	else
		fail "$desc: error did not say '$pat': $out"
	fi
}

# busywait TIMEOUT_MS CMD...: poll until CMD succeeds.  GRECAP_TIMEOUT_SCALE
# stretches the timeout on slow (debug) kernels.
busywait() {
	# In microseconds, from $EPOCHREALTIME: date(1) is a process per
	# poll, which costs seconds per test on the debug kernel.
	local timeout=$(($1 * 1000 * ${GRECAP_TIMEOUT_SCALE:-1}))
	local start=${EPOCHREALTIME/[.,]/}
	shift
	while true; do
		"$@" && return 0
		((${EPOCHREALTIME/[.,]/} - start > timeout)) && return 1
		sleep 0.05
	done
}

# ---- setup and cleanup

cleanup() {
	local pid ns
	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	for ns in "${NS_LIST[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ -d /sys/module/grecap ]; then
		rmmod grecap 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# finish: exit with the kselftest code of everything that ran.  Checks
# outside any case (setup) count as well; when every case skipped, the
# script skipped.
finish() {
	((RET != 0)) && EXIT_STATUS=$ksft_fail
	if ((EXIT_STATUS == 0 && RAN == 0 && SKIPS > 0)); then
		exit $ksft_skip
	fi
	exit $EXIT_STATUS
}

ns_add() {
	ip netns add "$1" || exit $ksft_fail
	NS_LIST+=("$1")
	ip -n "$1" link set lo up
}

load_grecap() {
	[ -d /sys/module/grecap ] && return 0
	if [ ! -r "$GRECAP_KO" ]; then
		echo "no module at $GRECAP_KO"
		exit $ksft_fail
	fi
	# insmod does not resolve dependencies: load what modinfo lists.
	local dep
	for dep in $(modinfo -F depends "$GRECAP_KO" | tr , ' '); do
		modprobe -q "$dep"
	done
	insmod "$GRECAP_KO" || exit $ksft_fail
}

setup_topo() {
	load_grecap
	ns_add "$SND"
	ns_add "$COL"
	# One ip per namespace: each process start counts in the guest.
	ip -n "$SND" -batch - <<-EOF || exit $ksft_fail
		link add snd0 type veth peer name col0 netns $COL
		addr add $SND4/24 dev snd0
		addr add $SND6/64 dev snd0 nodad
		link set snd0 up
	EOF
	ip -n "$COL" -batch - <<-EOF || exit $ksft_fail
		addr add $COL4/24 dev col0
		addr add $COL6/64 dev col0 nodad
		link set col0 up
	EOF
	busywait 5000 ip netns exec "$SND" ping -c 1 -W 1 -q $COL4 >/dev/null ||
		exit $ksft_fail
	busywait 5000 ip netns exec "$SND" ping -6 -c 1 -W 1 -q $COL6 >/dev/null ||
		exit $ksft_fail
	# Tunnel devices made from now on send nothing of their own (no
	# router solicitations, MLD or DAD inside the tunnel).
	ip netns exec "$SND" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	pkt_start "$SND"
}

# The seeds' scene (setup_mirror): a client and a web server on either side
# of a router, $SND, which is also the mirror source.
#
#   netns $CLI  cli0 10.1.0.1/24 ---- rcli 10.1.0.254  netns $SND
#   netns $SRV  srv0 10.2.0.1/24 ---- rsrv 10.2.0.254  (routes between them)
#
# The server serves the request of the seed documents with busybox httpd.
CLI=cli-$$
SRV=srv-$$
HTTP_HOST=album.creneco.com
HTTP_URI=/modules/imageframe/frames/flicking/BR.gif
setup_mirror() {
	local www=$TMP/www
	ns_add "$CLI"
	ns_add "$SRV"
	# IPv4 only: no MLD or router solicitations in the mirrored stream.
	ip netns exec "$CLI" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip netns exec "$SRV" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip -n "$CLI" link add cli0 type veth peer name rcli netns "$SND"
	ip -n "$SRV" link add srv0 type veth peer name rsrv netns "$SND"
	ip -n "$CLI" addr add 10.1.0.1/24 dev cli0
	ip -n "$SRV" addr add 10.2.0.1/24 dev srv0
	ip -n "$SND" addr add 10.1.0.254/24 dev rcli
	ip -n "$SND" addr add 10.2.0.254/24 dev rsrv
	ip -n "$CLI" link set cli0 up
	ip -n "$SRV" link set srv0 up
	ip -n "$SND" link set rcli up
	ip -n "$SND" link set rsrv up
	ip -n "$CLI" route add default via 10.1.0.254
	ip -n "$SRV" route add default via 10.2.0.254
	ip netns exec "$SND" sysctl -qw net.ipv4.ip_forward=1
	mkdir -p "$www${HTTP_URI%/*}"
	printf 'GIF89a\001\000\001\000\000\000\000;' >"$www$HTTP_URI"
	ip netns exec "$SRV" busybox httpd -f -p 80 -h "$www" &
	BG_PIDS+=($!)
	busywait 10000 http_get || {
		fail "the web server does not answer"
		exit $ksft_fail
	}
}

# http_get: the client's request of the seeds (Host album.creneco.com).
http_get() {
	ip netns exec "$CLI" curl -s -o /dev/null --max-time 5 \
		--resolve $HTTP_HOST:80:10.2.0.1 "http://$HTTP_HOST$HTTP_URI"
}

# mirror DEV: the router copies what its client port receives and sends
# into the tunnel device DEV (tc mirred, as a port mirror does).
mirror() {
	tc -n "$SND" qdisc add dev rcli clsact
	tc -n "$SND" filter add dev rcli ingress matchall \
		action mirred egress mirror dev "$1"
	tc -n "$SND" filter add dev rcli egress matchall \
		action mirred egress mirror dev "$1"
}

# mac NS DEV
mac() {
	ip netns exec "$1" cat "/sys/class/net/$2/address"
}

# tunnel NAME TYPE [ip link options...]: a tunnel device in $SND toward the
# collector that sends nothing of its own (no IPv6 autoconf, no ARP).
tunnel() {
	local name=$1 type=$2 local remote
	shift 2
	case $type in
	ip6*) local=$SND6 remote=$COL6 ;;
	*) local=$SND4 remote=$COL4 ;;
	esac
	# IPv6 is off on it: setup_topo turned it off for new devices.
	ip -n "$SND" link add "$name" arp off up type "$type" \
		local $local remote $remote "$@" || exit $ksft_fail
}

# grecap_add NAME [ip link options...]: a grecap device on col0, up, with
# its whole filter set in one command ("remote 192.0.2.1 key 42").
grecap_add() {
	local name=$1
	shift
	ip -n "$COL" link add "$name" link col0 up type grecap "$@" ||
		exit $ksft_fail
}

# grecap_set NS NAME [ip link options...]: change a grecap device.
grecap_set() {
	local ns=$1 name=$2
	shift 2
	ip -n "$ns" link set "$name" type grecap "$@"
}

# gsetting NS DEV NAME: a setting as sysfs shows it (grecap/NAME).
gsetting() {
	ip netns exec "$1" cat "/sys/class/net/$2/grecap/$3"
}

# gstat NS DEV NAME: a grecap counter from sysfs (grecap_stats/) or
# statistics/.
gstat() {
	local f=/sys/class/net/$2/grecap_stats/$3
	case $3 in
	rx_packets | rx_bytes | rx_errors | rx_dropped | rx_crc_errors | \
		rx_length_errors | tx_dropped | tx_packets)
		f=/sys/class/net/$2/statistics/$3 ;;
	esac
	ip netns exec "$1" cat "$f"
}

# check_delta DESC NS DEV COUNTER BASE EXPECTED: COUNTER (as gstat reads it)
# rises from BASE by EXPECTED; waited for, so no sleep is needed before.
check_delta() {
	local desc=$1 ns=$2 dev=$3 stat=$4 base=$5 want=$6

	delta_reached() {
		[ $(($(gstat "$ns" "$dev" "$stat") - base)) -ge "$want" ]
	}
	busywait 5000 delta_reached
	check_eq "$desc" "$want" $(($(gstat "$ns" "$dev" "$stat") - base))
}

# capture_start NS DEV FILE: tcpdump on DEV into FILE, ready when it returns.
# libpcap gives each frame of its ring a slot the size of the device's
# MTU, 64 KiB on grecap0: tcpdump's default buffer holds some 40 frames
# there, which a burst outruns when the emulated guest is slow to run
# tcpdump.  -B (KiB): CAPTURE_RING_KIB; 8192 holds 128 such frames, 32768
# 512.
CAPTURE_RING_KIB=8192
capture_start() {
	local ns=$1 dev=$2 file=$3
	shift 3
	ip netns exec "$ns" tcpdump -i "$dev" -p -s 0 -B "$CAPTURE_RING_KIB" \
		-U --immediate-mode \
		-w "$file" "$@" 2>"$file.log" &
	BG_PIDS+=($!)
	CAPTURE_PID=$!
	busywait 10000 grep -q "listening on" "$file.log" || {
		cat "$file.log"
		fail "tcpdump did not start on $dev"
	}
}

# pcap_frames FILE: frames in a pcap, one being written too.
pcap_frames() {
	pkt count "$1"
}

# capture_stop FILE [COUNT]: stop the last capture once COUNT frames are
# in FILE (waited for up to 5 s).  Without COUNT it stops at once: a test
# that expects nothing first waits for a sign that the traffic was handled
# (a counter, a reply to a later packet).
capture_stop() {
	local file=$1 count=${2:-0}

	capture_has() {
		local n
		n=$(pcap_frames "$file") && [ "$n" -ge "$count" ]
	}
	if ((count > 0)); then
		busywait 5000 capture_has
	fi
	kill -INT "$CAPTURE_PID" 2>/dev/null
	wait "$CAPTURE_PID" 2>/dev/null
	# Frames the sniffer's ring had no room for: said so, rather than a
	# count falling short as though grecap had lost them.
	local dropped
	dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$file.log")
	if [ "${dropped:-0}" != 0 ]; then
		fail "capture $(basename "$file"): tcpdump's ring was full, $dropped frame(s) dropped"
	fi
}

# pkt_start NS: one grecap_pkt.py process in NS serving the commands of
# pkt and scapy for the rest of the test: a Python start costs a second or
# more in the emulated guest, and scapy's import several.  setup_topo
# starts it in $SND.
pkt_start() {
	coproc PKT_SRV {
		exec ip netns exec "$1" $PKT serve ${PKT_SCAPY:+--scapy} 2>&1
	}
	BG_PIDS+=("$PKT_SRV_PID")
}

# pkt_uses_scapy: called before setup_topo by a test that uses scapy; its
# grecap_pkt.py process then imports scapy while the test sets up.
pkt_uses_scapy() {
	PKT_SCAPY=1
}

# pkt CMD [ARGS...]: run one grecap_pkt.py command in that process; its
# output on stdout, its status as the function's.  Sending commands
# (send, gre) act in the process's namespace; the others read files.
# Call it in the shell or in $(...), never in a pipeline: bash closes the
# coprocess's descriptors in a pipeline's subshells, and that loses the
# process for the rest of the script.
pkt() {
	local line

	if [ -z "${PKT_SRV[1]:-}" ]; then
		echo "pkt: the grecap_pkt.py process is not running (pkt_start)"
		return 1
	fi
	printf '%q ' "$@" >&"${PKT_SRV[1]}"
	echo >&"${PKT_SRV[1]}"
	while IFS= read -r line <&"${PKT_SRV[0]}"; do
		case $line in
		"done "*) return "${line#done }" ;;
		esac
		printf '%s\n' "$line"
	done
	echo "pkt: the grecap_pkt.py process died"
	return 1
}

# scapy CMD [ARGS...]: a grecap_scapy.py command, in the same process.
scapy() {
	pkt scapy "$@"
}

# tx_of NS DEV: frames DEV has sent.
tx_of() {
	ip netns exec "$1" cat /sys/class/net/"$2"/statistics/tx_packets
}

# rx_of NS DEV: frames DEV has received.
rx_of() {
	ip netns exec "$1" cat /sys/class/net/"$2"/statistics/rx_packets
}

# snmp NS PROTO FIELD: a counter of /proc/net/snmp (Ip, Icmp, Tcp, ...) or,
# for PROTO Icmp6/Ip6, of /proc/net/snmp6.
snmp() {
	if [[ $2 == *6 ]]; then
		ip netns exec "$1" awk -v k="$2$3" '$1 == k { print $2 }' /proc/net/snmp6
	else
		ip netns exec "$1" awk -v p="$2:" -v k="$3" '
			$1 == p && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
			$1 == p && h { print $col[k] }' /proc/net/snmp
	fi
}

# icmp_out NS: ICMP and ICMPv6 errors and echo replies NS has sent
# (neighbour discovery, which the outer link needs, is not counted).
# One awk over both files: this is read around every send.
icmp_out() {
	ip netns exec "$1" awk '
		BEGIN {
			split("OutDestUnreachs OutParmProbs OutTimeExcds OutEchoReps OutRedirects", v4)
			for (i in v4) want4[v4[i]] = 1
			split("OutDestUnreachs OutParmProblems OutTimeExcds OutEchoReplies OutRedirects", v6)
			for (i in v6) want6["Icmp6" v6[i]] = 1
		}
		FILENAME ~ /snmp6$/ { if ($1 in want6) n += $2; next }
		$1 == "Icmp:" && !h { for (i = 2; i <= NF; i++) col[i] = $i; h = 1; next }
		$1 == "Icmp:" && h { for (i = 2; i <= NF; i++) if (col[i] in want4) n += $i }
		END { print n + 0 }' /proc/net/snmp /proc/net/snmp6
}
