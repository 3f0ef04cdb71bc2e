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
# (grecap_faults.py); module load and unload and deleting the link are
# checked here the same way.  Each prints how many failure points it has.
#
# The receive path under memory pressure: floods of each flavour (GRE,
# keyed, ERSPAN, VXLAN, GENEVE, fragmented, GRO-merged; a tap on the link
# makes every packet a clone, RPS on one of them) while a fifth of the
# atomic allocations made under grecap's code fail (failslab and
# fail_page_alloc, the stack filter aimed at grecap's module).  Every
# frame is delivered or dropped under a named counter, and delivery is
# whole again once the injection stops.  run_tests.sh fails the test on
# any kernel report, and the run ends with a kmemleak scan.

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
	local name size _refs _deps _state addr
	while read -r name size _refs _deps _state addr; do
		[ "$name" = grecap ] && printf '%u %u\n' "$addr" $((addr + size))
	done </proc/modules
}

FAULT_ARGS=()
config() {
	local op out

	fi_nth
	for op in add-first add-key add-remote6 add-session add-vni add-geneve \
		add-tzsp set-key set-remote set-session set-options set-encap \
		set-vni del netns; do
		if out=$(pkt faults "$op" "${FAULT_ARGS[@]}"); then
			pass "$out"
		else
			fail "$op: $out"
		fi
	done
	fi_off
	log_test "configuration: every allocation failed in turn, all or nothing"
}

# fail_nth_loop DESC CHECK NTH-ARGS...: run "pkt fail-nth N NTH-ARGS" for
# N = 1, 2, ... until it runs through; after each, CHECK RESULT INJECTED
# checks the state and puts it back.  Prints the failure points.
fail_nth_loop() {
	local desc=$1 check=$2 n=0 out res hit
	shift 2

	while ((n < 2000)); do
		n=$((n + 1))
		out=$(pkt fail-nth "$n" "$@") || {
			fail "$desc: try $n: $out"
			return
		}
		res=${out%%$'\n'*}
		hit=${out##*$'\n'}
		"$check" "$res" "$hit" || {
			fail "$desc: try $n ($res, $hit): the state is not all or nothing"
			return
		}
		[ "$hit" = "ran through" ] && break
	done
	if [ "$res" != ok ]; then
		fail "$desc: ran through at try $n, but: $res"
	else
		pass "$desc: $((n - 1)) failure points, each refused or done whole"
	fi
}

# unload: delete_module(2) from the pkt process, as rmmod does (a process
# fewer per try).
unload() {
	local out

	out=$(pkt fail-nth 0 modunload grecap) && [ "${out%%$'\n'*}" = ok ]
}

# After a load: either loaded, with grecap0 on gm0 or the log saying why
# not (link= is documented to leave the module loaded), or not loaded and
# no grecap0.  Each try starts with a line of its own in the kernel log
# (TRY), which the log is read from when it has to be.
loaded_whole() {
	local res=$1 ok=1

	if [ "$res" = ok ]; then
		[ -d /sys/module/grecap ] || ok=0
		if [ ! -e /sys/class/net/grecap0 ] &&
			! dmesg | sed -n "/grecap faults: try $TRY\$/,\$p" |
			grep -q "link=gm0: no device created"; then
			ok=0
		fi
		unload || ok=0
	else
		[ ! -d /sys/module/grecap ] && [ ! -e /sys/class/net/grecap0 ] || ok=0
	fi
	TRY=$((TRY + 1))
	echo "grecap faults: try $TRY" >/dev/kmsg
	((ok))
}

module_load() {
	local dep

	rmmod grecap 2>/dev/null
	for dep in $(modinfo -F depends "$GRECAP_KO" | tr , ' '); do
		modprobe -q "$dep"
	done
	ip link add gm0 type veth peer name gm1
	TRY=1
	echo "grecap faults: try $TRY" >/dev/kmsg
	fi_nth
	fail_nth_loop "modprobe grecap link=gm0 (finit_module)" loaded_whole \
		modload "$GRECAP_KO" link=gm0
	fi_off
	ip link del gm0
	load_grecap
	restore_devices
	log_test "module load with link=: every allocation failed in turn"
}

# After an unload: gone with its devices, or loaded with them all.
unloaded_whole() {
	if [ "$1" = ok ]; then
		[ ! -d /sys/module/grecap ] &&
			[ -z "$(ip -n "$COL" link show type grecap 2>/dev/null)" ] || return 1
	else
		[ -d /sys/module/grecap ] && [ -e /sys/class/net/grecap0 ] &&
			gsetting "$COL" keep link >/dev/null || return 1
		unload || return 1
	fi
	# The next try unloads a module with its devices again.
	fi_off
	load_with_devices
	fi_nth
}

# grecap.ko (its dependencies stay loaded), loaded from the pkt process,
# with grecap0 on gm0 and the setup's devices.
load_with_devices() {
	local out

	out=$(pkt fail-nth 0 modload "$GRECAP_KO" link=gm0) &&
		[ "${out%%$'\n'*}" = ok ] || return 1
	ip -n "$COL" -batch - <<-EOF
		link add keep link col0 up type grecap
		link add k7 link col0 up type grecap key 7
	EOF
}

module_unload() {
	ip link add gm0 type veth peer name gm1
	rmmod grecap 2>/dev/null
	modprobe -q gre
	modprobe -q nf_defrag_ipv6
	load_with_devices
	fi_nth
	fail_nth_loop "rmmod grecap with devices (delete_module)" unloaded_whole \
		modunload grecap
	fi_off
	ip link del gm0
	[ -d /sys/module/grecap ] || load_grecap
	restore_devices
	log_test "module unload with devices: every allocation failed in turn"
}

# The link (col1) with two grecap devices, as the deletion starts from.
link_with_devices() {
	[ -e "/proc/${NS_ANCHOR[$COL]}/root/sys/class/net/col1" ] ||
		ip -n "$SND" link add snd1 up type veth peer name col1 netns "$COL"
	ip -n "$COL" -batch - <<-EOF
		link set col1 up
		link add l1 link col1 type grecap
		link add l2 link col1 type grecap key 1
	EOF
}

# After deleting col1: gone with its devices, or there with both.
deleted_whole() {
	local left
	left=$(ip -n "$COL" -br link show 2>/dev/null | grep -c -E '^(col1|l1|l2)(@| )')
	if [ "$1" = ok ]; then
		[ "$left" = 0 ] || return 1
	else
		[ "$left" = 3 ] || return 1
		ip -n "$COL" link del col1 || return 1
	fi
	fi_off
	link_with_devices
	fi_nth
}

link_delete() {
	ip -n "$COL" link del col1 2>/dev/null
	link_with_devices
	fi_nth
	fail_nth_loop "deleting the link of two devices" deleted_whole \
		dellink "/run/netns/$COL" col1
	fi_off
	ip -n "$COL" link del col1 2>/dev/null
	link_with_devices
	ip -n "$COL" -batch - <<-EOF
		link del l1
		link del l2
	EOF
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

rx_pressure() {
	local range f=$TMP/after r0 q0 m0 t0 tap

	ip -n "$COL" -batch - <<-EOF
		link add gvx link col0 up type grecap vxlan
		link add ggn link col0 up type grecap geneve
	EOF
	# Every frame is a clone: a tap on the link (whose own losses are its
	# business).
	ip netns exec "$COL" tcpdump -i col0 -p -w /dev/null 2>/dev/null &
	tap=$!
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
	# Fragments: reassembly may fail too; the packets it could not
	# complete time out in the kernel (ReasmTimeout), the rest are
	# delivered or dropped.
	gstat_v q0 "$COL" keep link_frag_reassembled
	t0=$(snmp "$COL" Ip ReasmTimeout)
	gstat_v r0 "$COL" keep rx_packets
	gstat_v m0 "$COL" keep drop_nomem
	pkt send gt9 eth 100 --size 1472
	frag_ended() {
		local r m q t
		gstat_v r "$COL" keep rx_packets && gstat_v m "$COL" keep drop_nomem &&
			gstat_v q "$COL" keep link_frag_reassembled &&
			t=$(snmp "$COL" Ip ReasmTimeout) &&
			((q - q0 + t - t0 >= 100 && r - r0 + m - m0 >= q - q0))
	}
	check "fragmented GRE: 100 packets reassembled or timed out, each reassembled one delivered or dropped" \
		busywait 20000 frag_ended
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
