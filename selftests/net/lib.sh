#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the grecap selftests, in the manner of the kernel's
# tools/testing/selftests/net/lib.sh: setup_ns and cleanup_ns for network
# namespaces with unique names, veth between them, busywait instead of
# sleeps, kselftest exit codes.
#
# The standard topology (setup_topo):
#
#   netns $SND (mirror source)            netns $COL (collector)
#   snd0 192.0.2.1/24 2001:db8::1/64 ---- col0 192.0.2.2/24 2001:db8::2/64
#   tunnel devices of the kernel             grecap0 link col0
#
# Under emulation (the test VM) every process a test starts costs tens of
# milliseconds on Debian's kernel and several hundred on the debug kernel:
# what runs often here is written with shell builtins.  Counters and
# settings are read from a namespace's sysfs through a process that lives
# in it (ns_anchor), the shell sleeps on a FIFO, and one Python process per
# test sends and reads packets (pkt_start).

ksft_pass=0
ksft_fail=1
ksft_skip=4
SCRIPT_START=${EPOCHREALTIME/[.,]/}
CASE_START=$SCRIPT_START

# No process for these (dirname, mktemp): each start counts in the guest.
LIB_DIR=${BASH_SOURCE[0]%/*}
[[ $LIB_DIR == /* ]] || LIB_DIR=$PWD/$LIB_DIR
TOP=${LIB_DIR%/selftests/net}
GRECAP_KO=${GRECAP_KO:-$TOP/grecap.ko}
PY=/usr/bin/python3
# grecap_pkt.py needs only the standard library: -S skips site-packages
# and their .pth hooks, a good part of each start in the test VM.
PKT="$PY -S $LIB_DIR/grecap_pkt.py"
TMP=/tmp/grecap-test.$$.$RANDOM
mkdir -m 700 "$TMP" || exit 1
RET=0
EXIT_STATUS=0
RAN=0
SKIPS=0
NS_LIST=()
BG_PIDS=()
PKT_SCAPY=
declare -A NS_ANCHOR CAPTURE_PIDS

SND4=192.0.2.1
COL4=192.0.2.2
SND6=2001:db8::1
COL6=2001:db8::2

# nap SECONDS: sleep without starting a process (sleep(1) is one per
# call): a read with a timeout on a FIFO that no one writes, run_tests.sh's
# (GRECAP_NAP_FIFO) or one of the test's own.
if [ ! -p "${GRECAP_NAP_FIFO:-}" ]; then
	GRECAP_NAP_FIFO=$TMP/.nap
	mkfifo "$GRECAP_NAP_FIFO"
fi
exec {NAP_FD}<>"$GRECAP_NAP_FIFO"
nap() {
	read -r -t "$1" -u "$NAP_FD" || :
}

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
# reads counters as differences, so any subset runs in any order.  Every
# skip, of a script or of a case, prints a line "SKIP: REASON", which
# run_tests.sh carries into the KTAP result line.

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

# log_test NAME: the verdict of the case that just ran, and how long it
# took (tests_run started its clock); resets RET.
log_test() {
	local verdict="[ OK ]" ms=$(((${EPOCHREALTIME/[.,]/} - CASE_START) / 1000))

	if ((RET == ksft_skip)); then
		verdict="[SKIP]"
	elif ((RET != 0)); then
		verdict="[FAIL]"
		EXIT_STATUS=$ksft_fail
	fi
	printf "TEST: %-60s  %s %d.%01ds\n" "$1" "$verdict" $((ms / 1000)) \
		$((ms % 1000 / 100))
	CASE_START=${EPOCHREALTIME/[.,]/}
	if [ "$verdict" = "[SKIP]" ]; then
		SKIPS=$((SKIPS + 1))
	else
		RAN=$((RAN + 1))
	fi
	RET=$ksft_pass
}

# log_test_skip NAME REASON: a case that cannot run here.
log_test_skip() {
	echo "    SKIP: $1: $2"
	RET=$ksft_skip
	log_test "$1"
}

# tests_run: run the cases TESTS names (default: ALL_TESTS) and exit.
tests_run() {
	local t ms=$(((${EPOCHREALTIME/[.,]/} - SCRIPT_START) / 1000))

	echo "setup: $((ms / 1000)).$((ms % 1000 / 100))s"
	CASE_START=${EPOCHREALTIME/[.,]/}
	for t in ${TESTS:-$ALL_TESTS}; do
		if [[ " ${ALL_TESTS//[$'\t\n']/ } " != *" $t "* ]]; then
			echo "no case '$t' here; cases:" $ALL_TESTS
			EXIT_STATUS=$ksft_fail
			continue
		fi
		# In the kernel log too, where a report is then told apart by
		# the case it came in (as the kselftest runner marks its tests).
		echo "grecap selftests: ${0##*/}: $t" >/dev/kmsg 2>/dev/null
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

# check_fail_msg DESC REGEX CMD...: CMD must fail with a message matching
# the extended regular expression REGEX.
check_fail_msg() {
	local desc=$1 pat=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		fail "$desc: succeeded, expected an error"
	elif [[ $out =~ $pat ]]; then
		pass "$desc: ${out%%$'\n'*}"
	else
		fail "$desc: error did not say '$pat': $out"
	fi
}

# busywait TIMEOUT_MS CMD...: poll until CMD succeeds.  GRECAP_TIMEOUT_SCALE
# stretches the timeout on slow (debug) kernels.
busywait() {
	# In microseconds, from $EPOCHREALTIME: date(1) is a process per
	# poll.
	local timeout=$(($1 * 1000 * ${GRECAP_TIMEOUT_SCALE:-1}))
	local start=${EPOCHREALTIME/[.,]/}
	shift
	while true; do
		"$@" && return 0
		((${EPOCHREALTIME/[.,]/} - start > timeout)) && return 1
		nap 0.02
	done
}

# ---- namespaces

# setup_ns [--no-lo] NAME...: a network namespace for each variable NAME,
# named after it and unique ("snd-4711-1"), with lo up (--no-lo: the
# caller brings it up in a batch of its own); removed on exit.  A NAME
# already set is deleted and made anew.
NS_SEQ=0
setup_ns() {
	local var ns batch=() lo=1

	if [ "$1" = --no-lo ]; then
		lo=0
		shift
	fi
	for var in "$@"; do
		if [ -n "${!var:-}" ]; then
			cleanup_ns "${!var}"
		fi
		NS_SEQ=$((NS_SEQ + 1))
		printf -v "$var" '%s-%s-%s' "${var,,}" "$$" "$NS_SEQ"
		batch+=("netns add ${!var}")
		NS_LIST+=("${!var}")
	done
	printf '%s\n' "${batch[@]}" | ip -batch - || exit $ksft_fail
	((lo)) || return 0
	for var in "$@"; do
		ip -n "${!var}" link set lo up || exit $ksft_fail
	done
}

# cleanup_ns NS...: delete namespaces, their anchors first (an anchor
# keeps its namespace alive).
cleanup_ns() {
	local ns i del=()

	for ns in "$@"; do
		if [ -n "${NS_ANCHOR[$ns]:-}" ]; then
			kill "${NS_ANCHOR[$ns]}" 2>/dev/null
			wait "${NS_ANCHOR[$ns]}" 2>/dev/null
			unset "NS_ANCHOR[$ns]"
		fi
		del+=("netns del $ns")
		for i in "${!NS_LIST[@]}"; do
			[ "${NS_LIST[i]}" = "$ns" ] && unset "NS_LIST[i]"
		done
	done
	# One ip for them all; -force goes on past one that is gone.
	((${#del[@]})) && printf '%s\n' "${del[@]}" | ip -force -batch - 2>/dev/null
	return 0
}

# ns_anchor NS: a process living in NS (started on first use), whose
# /proc/PID/root/sys is NS's sysfs and /proc/PID/net NS's /proc/net: read
# with builtins, a counter costs no process.  Its PID is in ANCHOR; empty
# when asked in a subshell ($(...)) before the script itself started it,
# which the script would not know to stop (setup_topo starts those of $SND
# and $COL).
ns_anchor() {
	ANCHOR=${NS_ANCHOR[$1]:-}
	[ -n "$ANCHOR" ] && return 0
	[ "$BASHPID" = $$ ] || return 1
	ip netns exec "$1" sleep 1000000 &
	ANCHOR=$!
	NS_ANCHOR[$1]=$ANCHOR
	# Ready once it runs sleep in the namespace, /sys mounted.
	anchored() { [ "/proc/$ANCHOR/exe" -ef "$SLEEP_EXE" ]; }
	busywait 10000 anchored || {
		echo "ns_anchor: no process in $1"
		exit $ksft_fail
	}
}
SLEEP_EXE=$(command -v sleep)

# ns_read VAR NS PATH: the first line of PATH (under /sys or /proc/net),
# as NS sees it, into VAR; false when it cannot be read.
ns_read() {
	local -n _out=$1
	local path=$3

	_out=
	if ! ns_anchor "$2"; then
		_out=$(ip netns exec "$2" head -n 1 "$path" 2>/dev/null)
		[ -n "$_out" ]
		return
	fi
	case $path in
	/sys/*) path=/proc/$ANCHOR/root$path ;;
	/proc/net/*) path=/proc/$ANCHOR/net/${path#/proc/net/} ;;
	esac
	IFS= read -r _out <"$path" 2>/dev/null || [ -n "$_out" ]
}

# ns_write NS PATH VALUE: write VALUE to a sysfs file of NS.
ns_write() {
	if ns_anchor "$1"; then
		echo "$3" >"/proc/$ANCHOR/root$2"
	else
		ip netns exec "$1" sh -c "echo $3 > $2"
	fi
}

# ---- setup and cleanup

cleanup() {
	local pid
	for pid in "${BG_PIDS[@]}" "${CAPTURE_PIDS[@]}" "${NS_ANCHOR[@]}"; do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	cleanup_ns "${NS_LIST[@]}"
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

# load_grecap: grecap.ko ($GRECAP_KO) with what it depends on, or, on a
# host where it is installed (make -C selftests/net run_tests), modprobe.
load_grecap() {
	[ -d /sys/module/grecap ] && return 0
	if [ ! -r "$GRECAP_KO" ]; then
		modprobe grecap && return 0
		echo "no module at $GRECAP_KO, and modprobe grecap failed"
		exit $ksft_fail
	fi
	# insmod does not resolve dependencies: load what modinfo lists
	# (check.sh wrote it beside the module: one process less per test).
	local deps
	if [ -r "$GRECAP_KO.deps" ]; then
		read -r deps <"$GRECAP_KO.deps"
	else
		deps=$(modinfo -F depends "$GRECAP_KO")
	fi
	modprobe -q -a ${deps//,/ }
	insmod "$GRECAP_KO" || exit $ksft_fail
}

# link_up NS DEV: DEV's operational state is up (or unknown, as for a
# device without carrier reporting).
link_up() {
	local state
	ns_read state "$1" "/sys/class/net/$2/operstate" &&
		[[ $state == up || $state == unknown ]]
}

setup_topo() {
	load_grecap
	setup_ns --no-lo SND COL
	# The test's Python process starts while the rest is set up; it is
	# also the process whose sysfs and /proc/net are $SND's (ns_anchor).
	pkt_start "$SND" || exit $ksft_fail
	# One ip per namespace: each process start counts in the guest.
	ip -n "$SND" -batch - <<-EOF || exit $ksft_fail
		link set lo up
		link add snd0 type veth peer name col0 netns $COL
		addr add $SND4/24 dev snd0
		addr add $SND6/64 dev snd0 nodad
		link set snd0 up
	EOF
	ip -n "$COL" -batch - <<-EOF || exit $ksft_fail
		link set lo up
		addr add $COL4/24 dev col0
		addr add $COL6/64 dev col0 nodad
		link set col0 up
	EOF
	ns_anchor "$COL"
	# Tunnel devices made from now on send nothing of their own (no
	# router solicitations, MLD or DAD inside the tunnel).
	pkt sysctl net.ipv6.conf.default.disable_ipv6=1 || exit $ksft_fail
	NS_ANCHOR[$SND]=$PKT_SRV_PID
	busywait 5000 link_up "$SND" snd0 && busywait 5000 link_up "$COL" col0 ||
		exit $ksft_fail
}

# The seeds' scene (setup_mirror): a client and a web server on either side
# of a router, $SND, which is also the mirror source.
#
#   netns $CLI  cli0 10.1.0.1/24 ---- rcli 10.1.0.254  netns $SND
#   netns $SRV  srv0 10.2.0.1/24 ---- rsrv 10.2.0.254  (routes between them)
#
# The server serves the request of the seed documents with busybox httpd.
HTTP_HOST=album.creneco.com
HTTP_URI=/modules/imageframe/frames/flicking/BR.gif
setup_mirror() {
	local www=$TMP/www
	setup_ns CLI SRV
	# IPv4 only: no MLD or router solicitations in the mirrored stream.
	ip netns exec "$CLI" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip netns exec "$SRV" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip -n "$CLI" -batch - <<-EOF
		link add cli0 type veth peer name rcli netns $SND
		addr add 10.1.0.1/24 dev cli0
		link set cli0 up
		route add default via 10.1.0.254
	EOF
	ip -n "$SRV" -batch - <<-EOF
		link add srv0 type veth peer name rsrv netns $SND
		addr add 10.2.0.1/24 dev srv0
		link set srv0 up
		route add default via 10.2.0.254
	EOF
	ip -n "$SND" -batch - <<-EOF
		addr add 10.1.0.254/24 dev rcli
		addr add 10.2.0.254/24 dev rsrv
		link set rcli up
		link set rsrv up
	EOF
	pkt sysctl net.ipv4.ip_forward=1
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
	tc -n "$SND" -batch - <<-EOF
		qdisc add dev rcli clsact
		filter add dev rcli ingress matchall action mirred egress mirror dev $1
		filter add dev rcli egress matchall action mirred egress mirror dev $1
	EOF
}

# mac NS DEV
mac() {
	local m
	ns_read m "$1" "/sys/class/net/$2/address" && echo "$m"
}

# tunnel NAME TYPE [ip link options...]: a tunnel device in $SND toward the
# collector that sends nothing of its own (no IPv6 autoconf, no ARP).
tunnel() {
	local name=$1 type=$2 src=$SND4 dst=$COL4
	shift 2
	[[ $type == ip6* ]] && src=$SND6 dst=$COL6
	# IPv6 is off on it: setup_topo turned it off for new devices.
	ip -n "$SND" link add "$name" arp off up type "$type" \
		local $src remote $dst "$@" || exit $ksft_fail
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
	local v
	ns_read v "$1" "/sys/class/net/$2/grecap/$3" && echo "$v"
}

# gstat_v VAR NS DEV NAME: a counter (as stat_path says) into VAR; empty
# when there is none.  gstat NS DEV NAME prints it.
gstat_v() {
	local f
	case $4 in
	rx_packets | rx_bytes | rx_errors | rx_dropped | rx_crc_errors | \
		rx_length_errors | rx_missed_errors | tx_dropped | tx_packets)
		f=/sys/class/net/$3/statistics/$4 ;;
	*) f=/sys/class/net/$3/grecap_stats/$4 ;;
	esac
	ns_read "$1" "$2" "$f"
}
gstat() {
	local v
	gstat_v v "$@"
	echo "$v"
}

# ethtool_stat NS DEV NAME: one counter of ethtool -S.
ethtool_stat() {
	ip netns exec "$1" ethtool -S "$2" | awk -v k="$3:" '$1 == k { print $2 }'
}

# check_delta DESC NS DEV COUNTER BASE EXPECTED: COUNTER (as gstat reads it)
# rises from BASE by EXPECTED; waited for, so no sleep is needed before.
# Waiting ends at EXPECTED: more is seen as a failure only if it has
# arrived by then.
check_delta() {
	local desc=$1 ns=$2 dev=$3 stat=$4 base=$5 want=$6 v

	delta_reached() {
		gstat_v v "$ns" "$dev" "$stat" && ((v - base >= want))
	}
	busywait 5000 delta_reached
	gstat_v v "$ns" "$dev" "$stat"
	check_eq "$desc" "$want" $((v - base))
}

# capture_start NS DEV FILE [FILTER...]: tcpdump on DEV into FILE, ready
# when it returns.  libpcap gives each frame of its ring a slot the size of
# the device's MTU, 64 KiB on grecap0: tcpdump's default buffer holds some
# 40 frames there, which a burst outruns when the emulated guest is slow to
# run tcpdump.  -B (KiB): CAPTURE_RING_KIB; 8192 holds 128 such frames,
# 32768 512.  capture_stop FILE stops it.
CAPTURE_RING_KIB=8192
capture_start() {
	local ns=$1 dev=$2 file=$3
	shift 3
	# Emptied here, not by the redirection below, which the background
	# job makes later: a log left by an earlier capture into the same
	# file would say "listening on" before this tcpdump does (and before
	# it catches SIGINT).
	: >"$file.log"
	ip netns exec "$ns" tcpdump -i "$dev" -p -s 0 -B "$CAPTURE_RING_KIB" \
		-U --immediate-mode \
		-w "$file" "$@" 2>"$file.log" &
	CAPTURE_PIDS[$file]=$!
	busywait 10000 file_has "$file.log" "listening on" || {
		cat "$file.log"
		fail "tcpdump did not start on $dev"
	}
}

# file_has FILE TEXT: a line of FILE contains TEXT (no grep process).
file_has() {
	local line
	while IFS= read -r line; do
		[[ $line == *"$2"* ]] && return 0
	done <"$1" 2>/dev/null
	return 1
}

# pcap_frames FILE: frames in a pcap, one being written too.
pcap_frames() {
	pkt count "$1"
}

# capture_stop FILE [COUNT]: stop the capture into FILE once COUNT frames
# are in it (waited for up to 5 s).  Without COUNT it stops at once: a test
# that expects nothing first waits for a sign that the traffic was handled
# (a counter, a reply to a later packet).  tcpdump's closing summary must
# be in its log, and must say the kernel dropped nothing: frames the
# sniffer's ring had no room for are said so, rather than a count falling
# short as though grecap had lost them.
capture_stop() {
	local file=$1 count=${2:-0} pid=${CAPTURE_PIDS[$1]:-} line dropped=

	capture_has() {
		local n
		n=$(pcap_frames "$file") && [ "$n" -ge "$count" ]
	}
	if [ -z "$pid" ]; then
		fail "capture_stop: no capture into $file"
		return
	fi
	if ((count > 0)); then
		busywait 5000 capture_has
	fi
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "CAPTURE_PIDS[$file]"
	while IFS= read -r line; do
		[[ $line =~ ^([0-9]+)\ packets?\ dropped\ by\ kernel$ ]] &&
			dropped=${BASH_REMATCH[1]}
	done <"$file.log"
	if [ -z "$dropped" ]; then
		fail "capture $(basename "$file"): tcpdump ended without its summary: $(<"$file.log")"
	elif [ "$dropped" != 0 ]; then
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
	local v
	ns_read v "$1" "/sys/class/net/$2/statistics/tx_packets" && echo "$v"
}

# rx_of NS DEV: frames DEV has received.
rx_of() {
	local v
	ns_read v "$1" "/sys/class/net/$2/statistics/rx_packets" && echo "$v"
}

# snmp_file NS FILE: the lines of /proc/net/FILE as NS sees them, in the
# array SNMP.
snmp_file() {
	if ns_anchor "$1"; then
		mapfile -t SNMP <"/proc/$ANCHOR/net/$2"
	else
		mapfile -t SNMP < <(ip netns exec "$1" cat "/proc/net/$2")
	fi
}

# proc_counter NS FILE PROTO FIELD: a counter of a /proc/net file in the
# two-line format of snmp and netstat ("Ip: Forwarding ..." then "Ip: 1
# ..."), as NS sees it.
proc_counter() {
	local line names='' vals i

	snmp_file "$1" "$2"
	for line in "${SNMP[@]}"; do
		[[ $line == "$3: "* ]] || continue
		if [ -z "$names" ]; then
			read -r -a names <<<"$line"
			continue
		fi
		read -r -a vals <<<"$line"
		for i in "${!names[@]}"; do
			[ "${names[i]}" = "$4" ] && echo "${vals[i]}" && return
		done
	done
	return 1
}

# snmp NS PROTO FIELD: a counter of /proc/net/snmp (Ip, Icmp, Tcp, ...) or,
# for PROTO Icmp6/Ip6, of /proc/net/snmp6.
snmp() {
	local line vals
	if [[ $2 == *6 ]]; then
		snmp_file "$1" snmp6
		for line in "${SNMP[@]}"; do
			read -r -a vals <<<"$line"
			[ "${vals[0]}" = "$2$3" ] && echo "${vals[1]}" && return
		done
		return 1
	fi
	proc_counter "$1" snmp "$2" "$3"
}

# netstat_ext NS PROTO FIELD: a counter of /proc/net/netstat (TcpExt,
# IpExt).
netstat_ext() {
	proc_counter "$1" netstat "$2" "$3"
}

# icmp_out NS: ICMP and ICMPv6 errors and echo replies NS has sent
# (neighbour discovery, which the outer link needs, is not counted).
icmp_out() {
	local line names vals i n=0
	local -A want=([OutDestUnreachs]=1 [OutParmProbs]=1 [OutTimeExcds]=1
		[OutEchoReps]=1 [OutRedirects]=1 [Icmp6OutDestUnreachs]=1
		[Icmp6OutParmProblems]=1 [Icmp6OutTimeExcds]=1
		[Icmp6OutEchoReplies]=1 [Icmp6OutRedirects]=1)

	snmp_file "$1" snmp
	for line in "${SNMP[@]}"; do
		[[ $line == "Icmp: "* ]] || continue
		if [ -z "${names:-}" ]; then
			read -r -a names <<<"$line"
			continue
		fi
		read -r -a vals <<<"$line"
		for i in "${!names[@]}"; do
			[ -n "${want[${names[i]}]:-}" ] && n=$((n + vals[i]))
		done
	done
	snmp_file "$1" snmp6
	for line in "${SNMP[@]}"; do
		read -r -a vals <<<"$line"
		[ -n "${want[${vals[0]}]:-}" ] && n=$((n + vals[1]))
	done
	echo $n
}
