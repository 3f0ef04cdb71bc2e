#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration with ip link and the grecap plugin, as a user does it: a
# whole filter at creation, in either order of devices; changes; putting a
# field back to any; options; read back with ip -d, ip -j -d and sysfs.
# Every refusal with its message, from ip for bad arguments and from the
# kernel (extack) for bad settings; grecap_nl.py sends the malformed
# attributes ip cannot.  A device configured this way captures its stream.

source "${0%/*}/lib.sh"

ALL_TESTS="
	plugin
	create_change
	either_order
	reset_options
	ip_refusals
	kernel_refusals
	raw_attributes
	udp_config
	udp_refusals
	stream
"
require_command jq
ipc() { ip -n "$COL" "$@"; }
add() { ipc link add "$1" link col0 type grecap "${@:2}"; }
set_() { ipc link set "$1" type grecap "${@:2}"; }
# info NAME: what ip -j -d shows of the device's grecap settings.
info() { ipc -j -d link show "$1" | jq -c '.[0].linkinfo.info_data'; }
# text NAME: the grecap part of ip -d link show.
text() {
	ipc -d link show "$1" | awk '$1 == "grecap" {
		out = $1
		for (i = 2; i <= NF; i++) {
			if ($i ~ /^(vxlan|geneve|tzsp)$/)
				out = out " " $i
			else if ($i ~ /^(dstport|local|remote|key|session|vni|vlan|tstamp|innervxlan)$/)
				out = out " " $i " " $(++i)
			else
				break
		}
		print out
	}'
}
nl() { pkt nl --netns "/run/netns/$COL" "$@"; }

# The plugin is built only against the source of the ip that loads it.
plugin() {
	mkdir -p "$TMP/other/include"
	echo 'static const char version[] = "0.0.1";' >"$TMP/other/include/version.h"
	check_fail_msg "plugin build refuses another iproute2 version" \
		"must be built against the source of the ip that loads it" \
		make -s -B -C "$TOP/tools/iproute2" IPROUTE2_SRC="$TMP/other" link_grecap.so
	check "ip link help grecap: usage with every option" grep -Pzq \
		"Usage: ... grecap \\[ gre \\| vxlan \\| geneve \\| tzsp \\].*\\n.*remote ADDR.*\\n.*vni VNI.*\\n.*innervxlan" \
		<<<"$(ip link help grecap 2>&1)"
	check_fail_msg "type grecap help: usage, non-zero exit" "Usage: ... grecap" \
		ipc link add g_h link col0 type grecap help
	log_test "plugin: built for its ip only; help"
}

# The issue's example and the README's.
create_change() {
	check "create with remote and key in one command" \
		add grecap1 remote $SND4 key 100
	check_eq "ip -d shows them" "grecap remote $SND4 key 100" "$(text grecap1)"
	check_eq "ip -j -d shows them" \
		"{\"encap\":\"gre\",\"remote\":\"$SND4\",\"key\":100,\"vlan\":false,\"tstamp\":false,\"innervxlan\":false}" \
		"$(info grecap1)"
	check "change the key" set_ grecap1 key 200
	check_eq "key changed, remote kept" "grecap remote $SND4 key 200" "$(text grecap1)"
	check_eq "sysfs agrees" "$SND4 200 any any" \
		"$(for f in remote key local session; do gsetting "$COL" grecap1 $f; done | xargs)"
	check "create with session and vlan" add span7 remote 192.0.2.11 session 7 vlan on
	check_eq "ip -d shows it" "grecap remote 192.0.2.11 session 7 vlan on" "$(text span7)"
	check_eq "sysfs: session and vlan" "7 1 0" \
		"$(for f in session vlan tstamp; do gsetting "$COL" span7 $f; done | xargs)"
	ipc link del grecap1
	ipc link del span7
	log_test "create with a whole filter, change it, read it back"
}

# Two devices, different filters, one command each, in either order.
either_order() {
	check "catch-all first" add g_a
	check "then a keyed one" add g_b key 5
	ipc link del g_a
	ipc link del g_b
	check "keyed one first" add g_b key 5
	check "then the catch-all" add g_a
	ipc link del g_b
	ipc link del g_a
	log_test "two devices, two filters, created in either order"
}

reset_options() {
	check "IPv6 local and remote" add g_v6 local $COL6 remote $SND6
	check_eq "IPv6 in ip -j -d" \
		"{\"encap\":\"gre\",\"local\":\"$COL6\",\"remote\":\"$SND6\",\"vlan\":false,\"tstamp\":false,\"innervxlan\":false}" \
		"$(info g_v6)"
	check "remote back to any" set_ g_v6 remote any
	check_eq "remote any" "grecap local $COL6" "$(text g_v6)"
	check_eq "sysfs shows any" any "$(gsetting "$COL" g_v6 remote)"
	check "key as a dotted quad" set_ g_v6 key 0.0.1.0
	check_eq "read back as a number" 256 "$(gsetting "$COL" g_v6 key)"
	check "nokey" set_ g_v6 nokey
	check_eq "key any" any "$(gsetting "$COL" g_v6 key)"
	add span7 remote 192.0.2.11 session 7 vlan on
	check "options alone" set_ span7 tstamp on vlan off
	check_eq "filter kept" "grecap remote 192.0.2.11 session 7 tstamp on" "$(text span7)"
	check "session and remote back to any, key set, in one command" \
		set_ span7 session any remote any key 9
	check_eq "changed together" "grecap key 9 tstamp on" "$(text span7)"
	check_eq "in JSON too" '{"encap":"gre","key":9,"vlan":false,"tstamp":true,"innervxlan":false}' "$(info span7)"
	ipc link del g_v6
	ipc link del span7
	log_test "IPv6 filter; fields back to any; options alone"
}

# Refusals: ip's own for what it cannot parse.
ip_refusals() {
	check_fail_msg "bad address" 'address is expected rather than "300.1.1.1"' \
		add g_bad remote 300.1.1.1
	check_fail_msg "bad key" 'invalid value for "key"' add g_bad key zz
	check_fail_msg "key above 32 bits" 'invalid value for "key"' add g_bad key 4294967296
	check_fail_msg "session above 1023" "invalid ERSPAN session ID" add g_bad session 1024
	check_fail_msg "vlan neither on nor off" 'must be one of "off", "on"' add g_bad vlan 2
	check_fail_msg "unknown option" 'unknown option "colour"' add g_bad colour blue
	check "refused creations leave no device" \
		test -z "$(ipc link show g_bad 2>/dev/null)"
	log_test "ip refuses what it cannot parse, and says why"
}

# The kernel's refusals (extack), through ip.
kernel_refusals() {
	add g_a
	add g_v6 local $COL6
	add span7 key 9 tstamp on
	check_fail_msg "same filter as another device" \
		"another grecap device on this link has the same filter" add g_dup local $COL6
	check_fail_msg "change into another device's filter (the catch-all's)" "same filter" \
		set_ span7 nokey tstamp off
	check_eq "a refused change changes nothing" "grecap key 9 tstamp on" "$(text span7)"
	check_fail_msg "families differ" "local and remote must be of the same address family" \
		add g_bad local $COL4 remote $SND6
	check_fail_msg "multicast local" "local and remote must be unicast addresses" \
		add g_bad local 224.0.0.5
	check_fail_msg "broadcast remote" "local and remote must be unicast addresses" \
		add g_bad remote 255.255.255.255
	check_fail_msg "no link" "grecap needs a link" ipc link add g_bad type grecap key 1
	check_fail_msg "multicast MAC address" "address: must be a unicast Ethernet address" \
		ipc link add g_bad link col0 address 01:00:5e:00:00:01 type grecap key 1
	check "refused creations leave no device" \
		test -z "$(ipc link show g_bad 2>/dev/null)"
	ipc link del g_a
	ipc link del g_v6
	ipc link del span7
	log_test "the kernel refuses bad settings with a message (extack)"
}

# Malformed attributes, which only a raw client sends.
raw_attributes() {
	check_fail_msg "IPv4 address of 5 bytes" "out of range|length" \
		nl raw g_bad col0 1:c000020101
	check_fail_msg "IPv6 address of 4 bytes" "out of range|length" \
		nl raw g_bad col0 3:c0000201
	check_fail_msg "key of 3 bytes" "length" nl raw g_bad col0 6:000001
	check_fail_msg "GRE flags other than GRE_KEY" "reserved bit" nl raw g_bad col0 5:8000
	check_fail_msg "local in both families" "give an IPv4 or an IPv6 address, not both" \
		nl raw g_bad col0 1:c0000202 3:20010db8000000000000000000000002
	check_fail_msg "IPv4-mapped IPv6 remote" "give IPv4 addresses as IPv4, not IPv4-mapped IPv6" \
		nl raw g_bad col0 4:00000000000000000000ffffc0000201
	check_fail_msg "a key while GRE_KEY is cleared" "key: a key given while" \
		nl raw g_bad col0 5:0000 6:00000001
	check_fail_msg "session 1024" "session: not an ERSPAN session ID" \
		nl raw g_bad col0 7:0004
	check_fail_msg "vlan 2" "out of range" nl raw g_bad col0 8:02
	check "refused creations leave no device" \
		test -z "$(ipc link show g_bad 2>/dev/null)"
	check "a key alone (no IFLA_GRECAP_IFLAGS) is a key filter" \
		nl raw g_raw col0 6:0000002a
	check_eq "key 42" 42 "$(gsetting "$COL" g_raw key)"
	add g_v6 local $COL6
	check "IFLA_GRECAP_IFLAGS with GRE_KEY and no key: key 0" nl rawset g_v6 5:2000
	check_eq "key 0" 0 "$(gsetting "$COL" g_v6 key)"
	ipc link del g_raw
	ipc link del g_v6
	log_test "malformed attributes refused by policy or with a message"
}

# The UDP encapsulations: chosen per device, each with its port (the
# encapsulation's default unless given), shown by ip -d, ip -j -d and
# sysfs; changed like any other setting.
udp_config() {
	check "vxlan with a VNI, the default port" add gv vxlan vni 123
	check_eq "ip -d" "grecap vxlan dstport 4789 vni 123" "$(text gv)"
	check_eq "ip -j -d" \
		'{"encap":"vxlan","dstport":4789,"vni":123,"vlan":false,"tstamp":false,"innervxlan":false}' \
		"$(info gv)"
	check_eq "sysfs" "vxlan 4789 123 0" \
		"$(for f in encap port vni inner_vxlan; do gsetting "$COL" gv $f; done | xargs)"
	check "to geneve: its default port, the VNI kept" set_ gv geneve innervxlan on
	check_eq "ip -d" "grecap geneve dstport 6081 vni 123 innervxlan on" "$(text gv)"
	check "another port" set_ gv dstport 7000
	check_eq "the port changed" 7000 "$(gsetting "$COL" gv port)"
	check "port 0: back to the default" set_ gv dstport 0
	check_eq "the default" 6081 "$(gsetting "$COL" gv port)"
	check "to tzsp, the VNI and innervxlan let go" set_ gv tzsp vni any innervxlan off
	check_eq "ip -d" "grecap tzsp dstport 37008" "$(text gv)"
	check "back to GRE, with a key" set_ gv gre key 5
	check_eq "ip -d: GRE, as a GRE device shows" "grecap key 5" "$(text gv)"
	check "vxlan on 8472 (Linux's old port)" add gv8 vxlan dstport 8472
	check "a second vxlan device on that port, of a VNI" \
		add gv8b vxlan dstport 8472 vni 9
	ipc link del gv
	ipc link del gv8
	# The port alone the device holds goes to another encapsulation.
	check "geneve on 8472, the port's only device now" set_ gv8b geneve dstport 8472
	check_eq "changed" "geneve 8472 9" \
		"$(for f in encap port vni; do gsetting "$COL" gv8b $f; done | xargs)"
	ipc link del gv8b
	log_test "UDP encapsulations: ports, VNIs, changes, shown"
}

udp_refusals() {
	local p

	add gt tzsp
	check_fail_msg "a port another encapsulation takes on this link" \
		"another grecap device on this link takes this UDP port for another encapsulation" \
		add g_bad vxlan dstport 37008
	check_fail_msg "a VNI on a GRE device" "vni: a GRE device has no VNI" \
		add g_bad vni 5
	check_fail_msg "a VNI on TZSP" "vni: TZSP has no VNI" add g_bad tzsp dstport 3000 vni 5
	check_fail_msg "a GRE key on vxlan" "key: a GRE key, for GRE devices only" \
		add g_bad vxlan key 5
	check_fail_msg "a session on geneve" "session: an ERSPAN session, for GRE devices only" \
		add g_bad geneve session 3
	check_fail_msg "ERSPAN options on vxlan" "vlan and tstamp are ERSPAN options" \
		add g_bad vxlan vlan on
	check_fail_msg "innervxlan off GENEVE" "innervxlan strips VXLAN carried in GENEVE" \
		add g_bad vxlan innervxlan on
	check_fail_msg "a port on a GRE device" "port: GRE has no UDP port" \
		add g_bad dstport 4789
	check_fail_msg "VNI above 24 bits (ip)" "invalid VNI" add g_bad vxlan vni 16777216
	check_fail_msg "VNI above 24 bits (netlink)" "vni: not a VNI" \
		nl raw g_bad col0 10:01 12:00000001
	check_fail_msg "an unknown encapsulation (netlink)" "out of range" \
		nl raw g_bad col0 10:04
	check_fail_msg "the same filter on one port" "same filter" add g_bad tzsp
	for p in 5001 5002 5003 5004 5005 5006 5007; do
		add "gp$p" vxlan dstport $p || fail "vxlan on $p"
	done
	check_fail_msg "a ninth UDP port on a link" \
		"already take as many UDP ports as a link can have \\(8\\)" add g_bad vxlan dstport 5008
	check "refused creations leave no device" \
		test -z "$(ipc link show g_bad 2>/dev/null)"
	for p in 5001 5002 5003 5004 5005 5006 5007; do
		ipc link del "gp$p"
	done
	check "the ports are free again" add g_ok vxlan dstport 5008
	ipc link del g_ok
	ipc link del gt
	log_test "UDP settings refused with a message (extack)"
}

# The stream goes where the filter says.
stream() {
	add g_rk remote $SND4 key 43
	add g_a
	ipc link set g_rk up
	ipc link set g_a up
	pkt gre snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 \
		--key 43 --count 5
	check_delta "remote+key stream delivered to g_rk" "$COL" g_rk rx_packets 0 5
	check_eq "not to the catch-all" 0 "$(gstat "$COL" g_a rx_packets)"
	ipc link del g_rk
	ipc link del g_a
	log_test "a device configured with ip captures its stream"
}

setup_topo
CMAC=$(mac "$COL" col0)
tests_run
