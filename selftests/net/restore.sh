#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# grecap devices back after a reboot: grecap@LINK.service (shipped in the
# packages) runs grecap-links for /etc/grecap/LINK.conf.  The test VM has
# no systemd running: systemd-analyze verifies the unit, and the test runs
# the commands the unit would, from its own lines, against a file of its
# own (the unit's paths taken to the tree's script and a temporary
# /etc/grecap).

source "${0%/*}/lib.sh"

ALL_TESTS="
	unit
	up_down
	bad_line
"
require_command systemd-analyze
UNIT=$TOP/tools/systemd/grecap@.service
LINKS=$TOP/tools/systemd/grecap-links

# unit_cmd KEY: the unit's ExecStart or ExecStop for col0, paths mapped.
unit_cmd() {
	sed -n "s/^$1=//p" "$UNIT" | sed -e "s|/usr/sbin/grecap-links|$LINKS|" \
		-e "s|/etc/grecap|$TMP/etc|" -e "s|%I|col0|g"
}

unit() {
	mkdir -p "$TMP/unit"
	sed "s|/usr/sbin/grecap-links|$LINKS|" "$UNIT" >"$TMP/unit/grecap@.service"
	check "systemd-analyze verify grecap@col0.service" \
		systemd-analyze verify --man=no "$TMP/unit/grecap@col0.service"
	log_test "the unit: grecap@.service verifies"
}

all_up() {
	local dev state

	for dev in grecap0 aws0 span7; do
		ns_read state "$COL" "/sys/class/net/$dev/operstate" &&
			[ "$state" = up ] || return 1
	done
}

# The devices the file lists, made in the collector's namespace as the
# unit makes them in the host's.
up_down() {
	local f=$TMP/r

	ip netns exec "$COL" $(unit_cmd ExecStart) || fail "ExecStart failed"
	# Up as their link is, once the kernel's link watch has run (it may
	# wait a second).
	busywait 3000 all_up
	check_eq "the three devices, up, with their settings" \
		"grecap0@col0 UP|aws0@col0 UP|span7@col0 UP" \
		"$(ip -n "$COL" -br link show type grecap | awk '{ print $1, $2 }' | paste -s -d '|')"
	check_eq "aws0: vxlan vni 123" "vxlan 123" \
		"$(gsetting "$COL" aws0 encap) $(gsetting "$COL" aws0 vni)"
	capture_start "$COL" aws0 "$f.pcap"
	pkt udp snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 --encap vxlan \
		--port 4789 --vni 123 --count 5 --expect "$f.exp"
	capture_stop "$f.pcap" 5
	check "traffic for aws0 reaches it, byte-exact" pkt compare "$f.exp" "$f.pcap"
	ip netns exec "$COL" $(unit_cmd ExecStop) || fail "ExecStop failed"
	check_eq "ExecStop: gone" "" "$(ip -n "$COL" link show type grecap)"
	log_test "grecap-links up and down, as the unit runs them"
}

bad_line() {
	printf '%s\n' "ok0 link col0 type grecap key 1" \
		"bad0 link col0 type grecap vni 5" >"$TMP/etc/col0.conf"
	check_fail_msg "a device the kernel refuses: the error and its line" \
		"vni: a GRE device has no VNI.*Command failed -:2" \
		ip netns exec "$COL" $(unit_cmd ExecStart)
	check_eq "all or none: what it made before is deleted" "" \
		"$(ip -n "$COL" link show type grecap)"
	log_test "a bad line: ip's error, the line it was on, nothing left"
}

setup_topo
CMAC=$(mac "$COL" col0)
mkdir -p "$TMP/etc"
cat >"$TMP/etc/col0.conf" <<EOT
# The mirror streams arriving on col0.
grecap0 link col0 type grecap
aws0 link col0 type grecap vxlan vni 123   # AWS Traffic Mirroring
span7 link col0 type grecap session 7 vlan on
EOT
tests_run
