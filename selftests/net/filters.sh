#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Several grecap devices on one link, each with a filter on local, remote
# and key: every packet goes to the most specific match; GRE no device
# matches reaches a native tunnel on the same host; GRE to an address of
# another host is left alone.

source "${0%/*}/lib.sh"

ALL_TESTS="
	precedence
	change
	not_local
	address_moves
	unmatched
"
SND4B=192.0.2.3
COL4B=192.0.2.4

# send SRC DST [gre options...]: 5 GRE packets built by hand.
send() {
	local src=$1 dst=$2
	shift 2
	pkt gre snd0 --dst-mac "$CMAC" --src "$src" \
		--dst "$dst" --count 5 "$@"
}

# expect DEV DESC: DEV and only DEV received the 5 packets just sent.
declare -A seen
DEVS=(g_any g_key g_rem g_remkey g_loc g_rem6)
expect() {
	local d n
	for d in "${DEVS[@]}"; do
		n=$(gstat "$COL" $d rx_packets)
		if [ "$d" = "$1" ]; then
			check_eq "$2 -> $d" $((${seen[$d]:-0} + 5)) "$n"
		elif [ "$n" != "${seen[$d]:-0}" ]; then
			fail "$2: $d received $((n - ${seen[$d]:-0})) it should not have"
		fi
		seen[$d]=$n
	done
}

precedence() {
	send $SND4 $COL4 --key 42;	expect g_remkey "remote+key"
	send $SND4 $COL4 --key 43;	expect g_rem "remote, other key"
	send $SND4 $COL4;		expect g_rem "remote, no key"
	send $SND4B $COL4 --key 42;	expect g_key "key, other remote"
	send $SND4B $COL4;		expect g_any "no key, other remote"
	send $SND4B $COL4B;		expect g_loc "local"
	send $SND4 $COL4B --key 42;	expect g_remkey "remote+key beats local"
	send $SND6 $COL6;		expect g_rem6 "IPv6 remote"
	send 2001:db8::3 $COL6 --key 42; expect g_key "IPv6, key"
	log_test "most specific filter wins (IPv4, IPv6)"
}

# Filters change at run time.
change() {
	grecap_set "$COL" g_remkey key 43
	send $SND4 $COL4 --key 43;	expect g_remkey "after key change"
	send $SND4 $COL4 --key 42;	expect g_rem "old key now falls to remote"
	check_fail_msg "clearing key would duplicate g_rem" "same filter" \
		grecap_set "$COL" g_remkey key any
	check_eq "refused change left the key" 43 "$(gsetting "$COL" g_remkey key)"
	grecap_set "$COL" g_remkey key 42
	log_test "filter changed at run time; a duplicate refused"
}

# GRE to an address that is not the collector's is not captured.
not_local() {
	local nl0

	nl0=$(gstat "$COL" g_rem link_pass_not_local)
	send $SND4 192.0.2.77 --key 42
	check_delta "GRE to another host: counted link_pass_not_local" \
		"$COL" g_rem link_pass_not_local "$nl0" 5
	expect none "GRE to another host is not captured"
	log_test "GRE to another host's address left alone"
}

# Whether an address is local follows the host's configuration at once:
# each CPU remembers the last local address it saw only until addresses or
# routes change.  192.0.2.5 is taken while col0 has it, left alone once it
# is removed, taken again once it is back.
address_moves() {
	local nl0

	ip -n "$COL" addr add 192.0.2.5/32 dev col0
	send $SND4 192.0.2.5 --key 42;	expect g_remkey "while the address is the collector's"
	ip -n "$COL" addr del 192.0.2.5/32 dev col0
	nl0=$(gstat "$COL" g_rem link_pass_not_local)
	send $SND4 192.0.2.5 --key 42
	check_delta "after the address was removed: link_pass_not_local" \
		"$COL" g_rem link_pass_not_local "$nl0" 5
	expect none "after the address was removed: not captured"
	ip -n "$COL" addr add 192.0.2.5/32 dev col0
	send $SND4 192.0.2.5 --key 42;	expect g_remkey "once the address is back"
	ip -n "$COL" addr del 192.0.2.5/32 dev col0
	log_test "an address removed from the host is no longer captured"
}

# Unmatched GRE goes to the stack: a native gretap on the collector.
unmatched() {
	local d pass0 nat0

	for d in g_any g_key; do ip -n "$COL" link del $d; done
	DEVS=(g_rem g_remkey g_loc g_rem6)
	ip -n "$COL" link add nat0 type gretap local $COL4 remote $SND4B key 99
	ip -n "$COL" link set nat0 up
	pass0=$(gstat "$COL" g_rem link_pass_unmatched)
	nat0=$(rx_of "$COL" nat0)
	send $SND4B $COL4 --key 99
	nat_got() { (($(rx_of "$COL" nat0) >= nat0 + 5)); }
	busywait 2000 nat_got
	check_eq "unmatched GRE reaches a native gretap" 5 \
		$(($(rx_of "$COL" nat0) - nat0))
	check_eq "counted as link_pass_unmatched" 5 \
		$(($(gstat "$COL" g_rem link_pass_unmatched) - pass0))
	expect none "nor did any grecap device take it"
	ip -n "$COL" link del nat0
	grecap_add g_any
	grecap_add g_key key 42
	DEVS=(g_any g_key g_rem g_remkey g_loc g_rem6)
	seen[g_any]=0 seen[g_key]=0
	log_test "GRE no device matches goes to a native tunnel"
}

setup_topo
modprobe -q ip_gre || skip "no ip_gre"
ip -n "$SND" addr add $SND4B/24 dev snd0
ip -n "$COL" addr add $COL4B/24 dev col0
CMAC=$(mac "$COL" col0)
# Each device is created with its whole filter in one command, so the
# order does not matter: the catch-all comes first.
ip -n "$COL" -batch - <<EOF || exit $ksft_fail
link add g_any link col0 up type grecap
link add g_remkey link col0 up type grecap remote $SND4 key 42
link add g_key link col0 up type grecap key 42
link add g_rem link col0 up type grecap remote $SND4
link add g_loc link col0 up type grecap local $COL4B
link add g_rem6 link col0 up type grecap remote $SND6
EOF
# One CPU sends and, through the veth, receives: address_moves tests what
# that CPU remembers.
taskset -pc 0 "$PKT_SRV_PID" >/dev/null || exit $ksft_fail
tests_run
