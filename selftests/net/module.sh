#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# grecap.ko loads and unloads; its metadata says what it is; and
# "ip link add ... type grecap" loads it by itself (rtnl-link alias).

source "${0%/*}/lib.sh"

ALL_TESTS="
	metadata
	bare_insmod
	make_load
	autoload
	link_param
"
info=$(modinfo "$GRECAP_KO")
deps=$(modinfo -F depends "$GRECAP_KO" | tr , ' ')

metadata() {
	check "modinfo: alias rtnl-link-grecap" grep -q "^alias: *rtnl-link-grecap$" <<<"$info"
	check "modinfo: license GPL" grep -q "^license: *GPL$" <<<"$info"
	check "modinfo: description" grep -q "^description: *." <<<"$info"
	check "modinfo: version" grep -q "^version: *[0-9]" <<<"$info"
	check "modinfo lists the link parameter" grep -q "^parm: *link:" <<<"$info"
	log_test "modinfo: alias, license, description, version, parameter"
}

# unload MODULE: unload it and whatever holds it (a namespace's devices go
# away after the test that made them, so wait).
unload() {
	local holder
	[ -e "/sys/module/$1/refcnt" ] || return 0
	for holder in "/sys/module/$1/holders/"*; do
		[ -e "$holder" ] && unload "${holder##*/}"
	done
	busywait 10000 rmmod "$1" 2>/dev/null
}

# insmod resolves nothing.  Without its dependencies grecap.ko does not
# load, and the kernel log names the symbol it lacks (the advice, modprobe
# or make load, is in the documentation).  Earlier tests may have left
# them loaded, held by ip_gre and the like: unload those first.
bare_insmod() {
	local dep before

	[ -d /sys/module/grecap ] && rmmod grecap
	for dep in $deps; do
		check "$dep unloaded" unload "$dep"
	done
	before=$(dmesg | wc -l)
	check_fail_msg "insmod without its dependencies is refused" "Unknown symbol" \
		insmod "$GRECAP_KO"
	check "the kernel log names a symbol of a dependency" grep -q \
		"grecap: Unknown symbol \(gre_parse_header\|nf_ct_frag6_gather\)" \
		<<<"$(dmesg | tail -n +$((before + 1)))"
	check "not loaded" test ! -d /sys/module/grecap

	# Load what modinfo says grecap depends on, then insmod works.
	for dep in $deps; do
		modprobe -q "$dep"
	done
	check "insmod" insmod "$GRECAP_KO"
	check "loaded" test -d /sys/module/grecap
	check "rmmod" rmmod grecap
	check "unloaded" test ! -d /sys/module/grecap
	log_test "bare insmod refused (Unknown symbol); with dependencies it loads"
}

# make load, in the tree grecap.ko was built in (check.sh builds in a copy
# of the sources per kernel).
make_load() {
	[ -d /sys/module/grecap ] && rmmod grecap
	check "make load: dependencies, then grecap.ko" \
		make -s -C "$(dirname "$GRECAP_KO")" load
	check "loaded" test -d /sys/module/grecap
	rmmod grecap
	log_test "make load"
}

# Installed where modprobe finds it (the guest's /lib is a writable
# overlay).  depmod -a would read every module of the kernel (minutes
# under emulation when they are compressed); an index of grecap and the
# modules these cases load does, and the kernel's own index comes back
# after them.
kdir=/lib/modules/$(uname -r)
extra=$kdir/extra
INSTALLED=0
install_ko() {
	local mods

	((INSTALLED)) && return 0
	mkdir -p "$TMP/index" "$extra"
	cp -a "$kdir"/modules.* "$TMP/index/"
	trap 'restore_index; cleanup' EXIT
	mods=$(modprobe --show-depends -a $deps veth | awk '$1 == "insmod" { print $2 }')
	cp "$GRECAP_KO" "$extra/"
	check "depmod: grecap indexed" depmod "$(uname -r)" "$extra/grecap.ko" $mods
	INSTALLED=1
}
restore_index() {
	((INSTALLED)) || return 0
	rm -f "$extra/grecap.ko"
	cp -a "$TMP/index/"modules.* "$kdir/"
	INSTALLED=0
}

# Create a link without loading anything: the rtnl-link alias loads it.
autoload() {
	[ -d /sys/module/grecap ] && rmmod grecap
	install_ko
	setup_ns COL
	ip -n "$COL" link add col0 type veth peer name peer0
	check "ip link add ... type grecap loads the module" \
		ip -n "$COL" link add grecap0 link col0 type grecap
	check "module loaded by alias" test -d /sys/module/grecap
	check "ip link del" ip -n "$COL" link del grecap0
	check "device gone" test -z "$(ip -n "$COL" link show grecap0 2>/dev/null)"
	check "rmmod after use" rmmod grecap
	cleanup_ns "$COL"
	log_test "ip link add ... type grecap loads the module"
}

# modprobe grecap link=IFACE: grecap0 on that interface at load, for
# "insmod and go"; a name that does not resolve is told in the kernel log,
# and the module loads all the same.
link_param() {
	local before

	[ -d /sys/module/grecap ] && rmmod grecap
	install_ko
	ip link add gm0 type veth peer name gm1
	check "modprobe grecap link=gm0" modprobe grecap link=gm0
	check_eq "grecap0 created on gm0" gm0 "$(cat /sys/class/net/grecap0/grecap/link 2>&1)"
	check "ip link configures it like any other" ip link set grecap0 type grecap key 5
	check_eq "key set" 5 "$(cat /sys/class/net/grecap0/grecap/key 2>&1)"
	check "rmmod takes it along" rmmod grecap
	check "grecap0 gone" test ! -e /sys/class/net/grecap0
	before=$(dmesg | wc -l)
	check "modprobe with a link= that does not exist loads" modprobe grecap link=nosuch0
	check "the kernel log says why" grep -q \
		"link=nosuch0: no device created: no such interface" <<<"$(dmesg | tail -n +$((before + 1)))"
	check "no device created" test -z "$(ip link show type grecap)"
	rmmod grecap
	ip link del gm0
	log_test "modprobe grecap link=IFACE creates grecap0 there"
}

tests_run
