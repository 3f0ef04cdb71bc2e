#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every error path taken: what grecap does when the kernel says no (the
# debug kernel's fault injection; the test skips on a kernel without it).
#
# Configuration, as syzkaller tests a system call: the 1st, 2nd, 3rd, ...
# allocation of each operation fails in turn (/proc/thread-self/fail-nth,
# sleeping allocations included: ignore-gfp-wait N) until it runs through.
# After each try the operation took full effect or none, an error came
# back when none, and traffic still reaches the right devices
# (grecap_faults.py); module load and unload and deleting a link are
# checked the same way.  Each prints how many failure points it has.
#
# The receive path under memory pressure: floods of each flavour (GRE,
# keyed, GRE carrying IPv4, ERSPAN, VXLAN, GENEVE, fragmented, GRO-merged;
# a packet socket on the link makes every packet a clone, RPS on one of
# them) while a fifth of the atomic allocations made under grecap's code
# fail (failslab and fail_page_alloc, the stack filter aimed at grecap's
# module).  Every frame is delivered or dropped under a named counter, and
# delivery is whole again once the injection stops.  run_tests.sh fails
# the test on any kernel report, and the run ends with a kmemleak scan.

source "${0%/*}/lib.sh"

ALL_TESTS="
	config
	module_load
	module_unload
	link_delete
	rx_pressure
"
FI=/sys/kernel/debug
[ -e /proc/thread-self/fail-nth ] && [ -d $FI/failslab ] && [ -d $FI/fail_page_alloc ] ||
	skip "no fault injection in this kernel (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS)"
# The page allocator reports the failures injected into it (a stack dump
# and the memory state): run_tests.sh leaves those out of its check of the
# kernel log, and only those.
echo "EXPECT: allocation failure reports"

# inject KEY VALUE: set KEY of failslab and fail_page_alloc.
inject() {
	echo "$2" >"$FI/failslab/$1" && echo "$2" >"$FI/fail_page_alloc/$1"
}

# fi_off: no injection, quietly (an injected failure with verbose on
# prints a stack trace, which run_tests.sh would count as a report).
fi_off() {
	inject probability 0
	inject verbose 0
	inject times -1
	inject interval 1
	inject space 0
	inject require-start 0
	inject require-end "$(printf '%u' -1)"
	inject reject-start 0
	inject reject-end 0
	echo N >"$FI/fail_page_alloc/ignore-gfp-highmem"
	echo 0 >"$FI/fail_page_alloc/min-order"
}

# For fail-nth: sleeping allocations fail too, as they do for syzkaller
# (left at Y, almost nothing of the configuration path could fail).
fi_nth() {
	fi_off
	inject ignore-gfp-wait N
}

# grecap_range: the module's memory, "START END" (/proc/modules).
grecap_range() {
	local name size _refs _deps _state addr _taint
	while read -r name size _refs _deps _state addr _taint; do
		[ "$name" = grecap ] && printf '%u %u\n' "$addr" $((addr + size))
	done </proc/modules
}

# sym_range NAME: "START END" of the kernel function NAME, END the address
# of the symbol after it (/proc/kallsyms lists the kernel's own in order).
sym_range() {
	awk -v name="$1" 'f { print "0x" s, "0x" $1; exit } $3 == name { s = $1; f = 1 }' \
		/proc/kallsyms
}

# reject [FUNCTION]: leave the allocations made under the kernel's
# FUNCTION out of the failure points (the stack filter's reject range);
# without FUNCTION, none.
reject() {
	local r=(0 0)

	if [ -n "${1:-}" ]; then
		read -r -a r <<<"$(sym_range "$1")"
		if [ ${#r[@]} != 2 ]; then
			fail "$1 is not in /proc/kallsyms"
			return 1
		fi
	fi
	inject reject-start "${r[0]}"
	inject reject-end "${r[1]}"
	inject stacktrace-depth 32
}

# A net device's sysfs registration (netdev_register_kobject(): the device,
# its queues and attribute groups, grecap's among them; about 400 of the
# some 490 allocations of an ip link add) is the kernel's common code,
# reached the same way by every operation that makes a device.  Its points
# are failed one by one where a device is made on a link for the first
# time and where a further one is (add-first, add-key), and left out of
# the operations that only differ from those in grecap's own work: the
# other kinds of further device, and grecap0 made by modprobe's link=.
# GRECAP_FAULTS_ALL=1 fails them everywhere (about six minutes more on
# the debug kernel).
SHARED_REG=netdev_register_kobject
[ "${GRECAP_FAULTS_ALL:-0}" = 1 ] && SHARED_REG=

FAULT_ARGS=()
config() {
	local op out

	fi_nth
	for op in add-first add-key add-remote6 add-session add-vni add-geneve \
		add-tzsp set-key set-remote set-session set-options set-encap \
		set-vni del netns; do
		case $op in
		# Moving a device to another namespace renames its sysfs
		# directory halfway through, past the point of no return: the
		# kernel's own __dev_change_net_namespace() cannot undo a
		# failure there, and says so with a WARN_ON (net/core/dev.c).
		# What device_rename() allocates is left out of that operation;
		# every other allocation is failed as in the rest.
		netns) reject device_rename ;;
		add-first | add-key) reject ;;
		add-*) reject $SHARED_REG ;;
		*) reject ;;
		esac || continue
		if out=$(pkt faults "$op" "${FAULT_ARGS[@]}"); then
			[[ -n $SHARED_REG && $op == add-[!fk]* ]] &&
				out+=" (the sysfs registration left out)"
			pass "$out"
		else
			fail "$op: $out"
		fi
	done
	fi_off
	log_test "configuration: every allocation failed in turn, all or nothing"
}

# fail_loop WHAT ARGS...: pkt fail-loop WHAT, which fails the 1st, 2nd,
# ... allocation of the operation in turn, checks each try and puts the
# state back, in one process (grecap_faults.py says what each checks).
fail_loop() {
	local out

	if out=$(pkt fail-loop "$@"); then
		pass "$out"
	else
		fail "$out"
	fi
}

module_load() {
	local dep

	rmmod grecap 2>/dev/null
	for dep in $(modinfo -F depends "$GRECAP_KO" | tr , ' '); do
		modprobe -q "$dep"
	done
	ip link add gm0 type veth peer name gm1
	fi_nth
	reject $SHARED_REG && fail_loop modload --ko "$FAULT_KO"
	fi_off
	ip link del gm0
	load_grecap
	restore_devices
	log_test "module load with link=: every allocation failed in turn${SHARED_REG:+ (the sysfs registration left out)}"
}

module_unload() {
	ip link add gm0 type veth peer name gm1
	rmmod grecap 2>/dev/null
	modprobe -q gre
	modprobe -q nf_defrag_ipv6
	fi_nth
	fail_loop modunload --ko "$FAULT_KO" --netns "/run/netns/$COL"
	fi_off
	ip link del gm0
	[ -d /sys/module/grecap ] || load_grecap
	restore_devices
	log_test "module unload with devices: every allocation failed in turn"
}

link_delete() {
	ip -n "$COL" link del col1 2>/dev/null
	fi_nth
	fail_loop dellink --netns "/run/netns/$COL" --snd-netns "/run/netns/$SND"
	fi_off
	# As the setup left it: col1 up, without grecap devices.
	ip -n "$COL" link del col1 2>/dev/null
	ip -n "$SND" link add snd1 up type veth peer name col1 netns "$COL"
	ip -n "$COL" link set col1 address "$CMAC1" up
	log_test "deleting a link with devices: every allocation failed in turn"
}

# The devices of the setup, made again after the module went.
restore_devices() {
	ip -n "$COL" link show keep >/dev/null 2>&1 && return 0
	ip -n "$COL" -batch - <<-EOF
		link add keep link col0 up type grecap
		link add k7 link col0 up type grecap key 7
	EOF
}

# flood DESC DEV N SEND...: N frames for DEV sent by SEND while atomic
# allocations fail under grecap's code; each must be delivered or counted
# dropped.
flood() {
	local desc=$1 dev=$2 n=$3 r0 d0 r d
	shift 3

	gstat_v r0 "$COL" "$dev" rx_packets
	gstat_v d0 "$COL" "$dev" drop_nomem
	"$@"
	ended() {
		gstat_v r "$COL" "$dev" rx_packets &&
			gstat_v d "$COL" "$dev" drop_nomem && ((r - r0 + d - d0 >= n))
	}
	busywait 20000 ended
	gstat_v r "$COL" "$dev" rx_packets
	gstat_v d "$COL" "$dev" drop_nomem
	check_eq "$desc: $n sent = delivered $((r - r0)) + dropped for memory $((d - d0))" \
		"$n" $((r - r0 + d - d0))
	((d - d0 > 0)) || log "    ($desc: no failure hit it this time)"
}

# frag_queues: IPv4 reassembly queues of the collector's namespace
# (sockstat's "FRAG: inuse N").
frag_queues() {
	local line

	ns_anchor "$COL" || return 1
	while read -r -a line; do
		[ "${line[0]}" = FRAG: ] && echo "${line[2]}"
	done <"/proc/$ANCHOR/net/sockstat"
}

# held: bytes the collector's packet sockets bound to every protocol keep
# queued (/proc/net/packet's Rmem): what pkt hold holds; empty while
# there is no such socket.
held() {
	local proto rmem n=

	ns_anchor "$COL" || return 1
	while read -r _ _ _ proto _ _ rmem _; do
		[ "$proto" = 0003 ] && n=$((${n:-0} + rmem))
	done <"/proc/$ANCHOR/net/packet"
	echo "$n"
}
tap_bound() { [ -n "$(held)" ]; }

rx_pressure() {
	local range f=$TMP/after r0 q0 m0 t0 f0 x0 q x t r m tap fq h0 h

	ip -n "$COL" -batch - <<-EOF
		link add gvx link col0 up type grecap vxlan
		link add ggn link col0 up type grecap geneve
	EOF
	# Every frame is a clone, its data shared: a packet socket on the
	# link that never reads holds a clone of each (packet_rcv(); a
	# tcpdump's ring would copy instead), so writing a header over the
	# stripped ones takes a copy, an allocation it otherwise would not.
	ip netns exec "$COL" $PKT hold col0 &
	tap=$!
	# Python starts slowly on this kernel: the floods below went by
	# before it had bound its socket, and nothing was cloned.
	check "the tap on the link is bound" busywait 60000 tap_bound
	fi_off
	read -r -a range <<<"$(grecap_range)"
	inject require-start "${range[0]}"
	inject require-end "${range[1]}"
	inject stacktrace-depth 32
	inject ignore-gfp-wait Y
	inject probability 20
	flood "GRE" keep 300 pkt gre snd0 --dst-mac "$CMAC" --src $SND4 \
		--dst $COL4 --count 300
	flood "GRE, keyed, numbered" keep 300 pkt gre snd0 --dst-mac "$CMAC" \
		--src $SND4 --dst $COL4 --key 9 --seq --count 300
	h0=$(held)
	gstat_v m0 "$COL" keep drop_nomem
	flood "GRE carrying IPv4 (an Ethernet header written)" keep 300 \
		pkt gre snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 \
		--proto 0x0800 --count 300
	h=$(held)
	check "the tap holds clones of them (queued: $h0 bytes, then $h)" \
		test "$h" -gt "$h0"
	# Each shared header is copied before one is written: an allocation
	# per packet, of which about one in five fails (0.8^300 that none do).
	check "writing over a shared header failed for memory, and was counted ($(($(gstat "$COL" keep drop_nomem) - m0)))" \
		test "$(gstat "$COL" keep drop_nomem)" -gt "$m0"
	flood "ERSPAN II" keep 200 pkt send e2 eth 200
	flood "VXLAN" gvx 300 pkt udp snd0 --dst-mac "$CMAC" --src $SND4 \
		--dst $COL4 --encap vxlan --port 4789 --vni 3 --count 300
	flood "GENEVE, options" ggn 300 pkt udp snd0 --dst-mac "$CMAC" \
		--src $SND4 --dst $COL4 --encap geneve --port 6081 --options 2 \
		--count 300
	ns_write "$COL" /sys/class/net/keep/queues/rx-0/rps_cpus \
		"$(printf '%x' $(((1 << $(nproc)) - 1)))"
	flood "GRE, RPS on" keep 300 pkt gre snd0 --dst-mac "$CMAC" \
		--src $SND4 --dst $COL4 --count 300
	ns_write "$COL" /sys/class/net/keep/queues/rx-0/rps_cpus 0
	# Fragments: reassembly may fail too.  Each of the 200 fragments
	# reaches grecap's reassembly (link_frag_queued); a packet is then
	# reassembled (link_frag_reassembled), or a fragment of it dropped
	# there (link_frag_dropped: grecap's own allocations, or the kernel's
	# queue or reassembly failing), and a fragment left alone in its
	# queue times out (ReasmTimeout, ipfrag_time 1 s).  Once no queue is
	# left (sockstat's FRAG inuse 0), each packet shows in at least one
	# of these, and each reassembled one was delivered or dropped for
	# memory, exactly.
	gstat_v f0 "$COL" keep link_frag_queued
	gstat_v q0 "$COL" keep link_frag_reassembled
	gstat_v x0 "$COL" keep link_frag_dropped
	t0=$(snmp "$COL" Ip ReasmTimeout)
	gstat_v r0 "$COL" keep rx_packets
	gstat_v m0 "$COL" keep drop_nomem
	pkt send gt9 eth 100 --size 1472
	frag_ended() {
		local n
		gstat_v n "$COL" keep link_frag_queued && ((n - f0 >= 200)) &&
			[ "$(frag_queues)" = 0 ]
	}
	busywait 20000 frag_ended
	gstat_v fq "$COL" keep link_frag_queued
	check "fragmented GRE: 200 fragments reached reassembly ($((fq - f0))), no queue left ($(frag_queues))" \
		frag_ended
	gstat_v q "$COL" keep link_frag_reassembled
	gstat_v x "$COL" keep link_frag_dropped
	t=$(snmp "$COL" Ip ReasmTimeout)
	gstat_v r "$COL" keep rx_packets
	gstat_v m "$COL" keep drop_nomem
	check "fragmented GRE: 100 packets, each reassembled ($((q - q0))), cut short in reassembly ($((x - x0)) fragments) or timed out ($((t - t0)))" \
		test $((q - q0 + x - x0 + t - t0)) -ge 100
	check_eq "fragmented GRE: each reassembled packet delivered ($((r - r0))) or dropped for memory ($((m - m0)))" \
		$((q - q0)) $((r - r0 + m - m0))
	# GRO-merged packets, cut back or dropped whole.
	m0=$(gstat "$COL" keep drop_nomem)
	gstat_v r0 "$COL" keep rx_gro_split
	pkt tso gt9 --segments 20 --mss 1400
	pkt tso gt9 --segments 20 --mss 1400
	gro_ended() {
		local r m
		gstat_v r "$COL" keep rx_gro_split && gstat_v m "$COL" keep drop_nomem &&
			((r - r0 + m - m0 >= 1))
	}
	check "GRO-merged: split or dropped under drop_nomem" busywait 20000 gro_ended
	fi_off
	kill "$tap"
	wait "$tap" 2>/dev/null

	# Back to normal: every flavour delivered whole, byte-exact.
	capture_start "$COL" keep "$f.pcap"
	pkt gre snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 --count 10 \
		--expect "$f.1"
	pkt send gt9 eth 10 --size 1472 --expect "$f.2"
	capture_stop "$f.pcap" 20
	pkt merge "$f.exp" "$f.1" "$f.2"
	capture_start "$COL" gvx "$f.vx.pcap"
	pkt udp snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 --encap vxlan \
		--port 4789 --vni 3 --count 10 --expect "$f.vx"
	capture_stop "$f.vx.pcap" 10
	check "injection off: VXLAN delivered byte-exact" pkt compare "$f.vx" "$f.vx.pcap"
	check "injection off: every flavour delivered byte-exact" \
		pkt compare "$f.exp" "$f.pcap"
	ip -n "$COL" -batch - <<-EOF
		link del gvx
		link del ggn
	EOF
	log_test "receive path under memory pressure: all accounted, then whole"
}

setup_topo
setup_ns OTHER
# The module is loaded from the guest's tmpfs: read over 9p, as it lies
# in the shared tree, the 9p client's own allocations would fail too, and
# netfs (6.12) drops a request's reference twice when one does
# (refcount_t underflow in netfs_unbuffered_read_iter_locked()): not
# grecap's code, nor a user's setup.
FAULT_KO=$TMP/grecap.ko
cp "$GRECAP_KO" "$FAULT_KO"
CMAC=$(mac "$COL" col0)
ip -n "$SND" link add snd1 up type veth peer name col1 netns "$COL"
ip -n "$COL" link set col1 up
CMAC1=$(mac "$COL" col1)
restore_devices
modprobe -q ip_gre || skip "no ip_gre"
# The ERSPAN II sender, and a gretap whose frames fragment (and GRO on the
# collector's side merges).
tunnel e2 erspan seq key 9 erspan_ver 1 erspan 10
tunnel gt9 gretap nopmtudisc
ip -n "$SND" link set gt9 mtu 1500
ip netns exec "$SND" ethtool -K snd0 tx off tso off gso off \
	tx-gre-segmentation off tx-gre-csum-segmentation off >/dev/null 2>&1
ip netns exec "$COL" ethtool -K col0 gro on >/dev/null
ip netns exec "$COL" sysctl -qw net.ipv4.ipfrag_time=1
ns_anchor "$COL"
FAULT_ARGS=(--netns "/run/netns/$COL" --other-netns "/run/netns/$OTHER"
	--sys "/proc/$ANCHOR/root/sys" --dst-mac "$CMAC" --dst-mac1 "$CMAC1"
	--src $SND4 --dst $COL4)
tests_run
