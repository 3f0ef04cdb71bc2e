#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packaging, end to end, with the Debian packages of make deb (check.sh
# builds them): apt installs them, DKMS builds grecap for the running
# kernel, "ip link add ... type grecap" loads it and the plugin configures
# it; apt remove while a grecap device exists (its prerm runs dkms remove
# --all) leaves nothing behind.  Runs in the
# test VM, whose root is a throwaway overlay.

source "${0%/*}/lib.sh"

# One flow, each step needing the one before: one case.
ALL_TESTS="packages"
[ -n "${GRECAP_VM:-}" ] ||
	skip "installs and removes Debian packages: in the test VM only (make check)"
require_command dkms
require_command apt-get
# DKMS builds against the running kernel's headers with the compiler major
# version the kernel was built with.  A kernel booted from another
# release's root (make check-unstable) brings its headers, but its gcc is
# not in this userspace.
build=/lib/modules/$(uname -r)/build
[ -r "$build/.config" ] ||
	skip "no headers for $(uname -r) in this userspace ($build)"
kcc=$(($(sed -n 's/^CONFIG_GCC_VERSION=//p' "$build/.config") / 10000))
command -v "gcc-$kcc" >/dev/null ||
	[ "$(gcc -dumpversion | cut -d. -f1)" = "$kcc" ] ||
	skip "$(uname -r) was built with gcc $kcc, which this userspace lacks"
# The version, in one place: debian/changelog.
ver=$(sed -n '1s/^grecap .\([0-9][0-9A-Za-z.+~-]*\).*/\1/p' "$TOP/debian/changelog")
# What grecap.ko depends on (this VM starts before grecap.ko is built:
# checked against the module DKMS builds).
grecap_deps="gre nf_defrag_ipv6"

# apt_get ARGS...: apt-get, non-interactive, knowing no archive.  What the
# packages depend on is installed already; without sources apt reads only
# dpkg's status, not the archive's package lists, which it would parse
# anew on every run (these machines keep no pkgcache) for minutes under
# emulation.
apt_get() {
	mkdir -p "$TMP/no-sources"
	env DEBIAN_FRONTEND=noninteractive apt-get -y -q \
		-o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$TMP/no-sources" "$@"
}

# small_module_tree: this kernel's module directory, seen by everything
# here, holding only the modules the test loads (veth, and what grecap
# depends on) beside the kernel's own lists and its build tree.  DKMS runs
# depmod -a after installing and after removing, and looks for an older
# grecap.ko with find: over the 9p share under emulation, on Debian's
# 4,000 modules, that alone took 60 s of the test, and grecap's place in
# the index is the same with 40 of them.
small_module_tree() {
	local kdir=/lib/modules/$(uname -r) mods=$TMP/modules f

	mkdir -p "$mods"
	cp -a "$kdir"/modules.builtin* "$kdir"/modules.order "$mods/" &&
		cp -a "$kdir/build" "$mods/" || return 1
	for f in $(modprobe --show-depends -a veth $grecap_deps |
		awk '$1 == "insmod" { print $2 }'); do
		mkdir -p "$mods/$(dirname "${f#"$kdir"/}")"
		cp "$f" "$mods/${f#"$kdir"/}" || return 1
	done
	mount --bind "$mods" "$kdir" && depmod "$(uname -r)"
}

packages() {
	local debs deb cfg

	debs=("$TOP"/build/deb/grecap-dkms_"$ver"_all.deb "$TOP"/build/deb/grecap-iproute2_"$ver"_*.deb)
	for deb in "${debs[@]}"; do
		[ -r "$deb" ] || { fail "no package $deb (make deb)"; return; }
	done
	libdir=/usr/lib/$(gcc -print-multiarch)/ip

	# The plugin run_tests.sh installed is not the package's: set it aside.
	mv "$libdir/link_grecap.so" "$TMP/link_grecap.so"
	restore_plugin() { mkdir -p "$libdir" && mv "$TMP/link_grecap.so" "$libdir/"; }

	# DKMS's postinst builds for the running kernel and for the newest
	# one in /boot.  A host with a newer kernel installed (make
	# check-matrix installs 6.12) would double the build, the slowest
	# step under emulation, and test nothing more of grecap: the other
	# kernels' configs leave the throwaway root while apt runs.
	mkdir "$TMP/boot"
	for cfg in /boot/config-*; do
		[ -e "$cfg" ] && [ "$cfg" != "/boot/config-$(uname -r)" ] &&
			mv "$cfg" "$TMP/boot/"
	done

	check "a module directory of the modules the test loads" small_module_tree
	cp "${debs[@]}" "$TMP/"
	check "apt install ./grecap-dkms ./grecap-iproute2" \
		apt_get install "$TMP"/grecap-dkms_*.deb "$TMP"/grecap-iproute2_*.deb
	mv "$TMP"/boot/config-* /boot/ 2>/dev/null
	check_eq "the package's dkms.conf has the version" "PACKAGE_VERSION=\"$ver\"" \
		"$(grep '^PACKAGE_VERSION=' "/usr/src/grecap-$ver/dkms.conf")"
	check_eq "DKMS built and installed it for the running kernel" \
		"grecap/$ver, $(uname -r), $(uname -m): installed" "$(dkms status grecap 2>/dev/null)"
	check_eq "the modules grecap depends on are those kept" \
		"$(tr ' ' '\n' <<<"$grecap_deps" | sort | xargs)" \
		"$(modinfo -F depends "/lib/modules/$(uname -r)/updates/dkms/grecap.ko" | tr , '\n' | sort | xargs)"
	check_eq "the plugin is the package's" "grecap-iproute2: $libdir/link_grecap.so" \
		"$(dpkg -S "$libdir/link_grecap.so" 2>&1)"
	check_eq "and the boot-time unit and its script" \
		"grecap-iproute2: /lib/systemd/system/grecap@.service|grecap-iproute2: /usr/sbin/grecap-links" \
		"$(dpkg -S /lib/systemd/system/grecap@.service /usr/sbin/grecap-links 2>&1 | paste -s -d '|')"

	setup_ns COL
	ip -n "$COL" link add col0 type veth peer name peer0
	check "ip link add ... type grecap loads the DKMS module" \
		ip -n "$COL" link add grecap0 link col0 type grecap remote 192.0.2.1 key 5
	check_eq "loaded from the DKMS tree" "$ver" "$(cat /sys/module/grecap/version 2>&1)"
	check "the packaged plugin shows it" \
		grep -q "grecap remote 192.0.2.1 key 5" <<<"$(ip -n "$COL" -d link show grecap0)"

	# Removed while in use: the package's prerm runs "dkms remove --all",
	# which takes away every file DKMS installed; the loaded module and
	# its devices live on until unloaded.
	check "apt remove while a grecap device exists" \
		apt_get remove grecap-dkms grecap-iproute2
	check_eq "no trace in the DKMS tree" "" "$(ls -A /var/lib/dkms/grecap 2>/dev/null)"
	check_eq "no trace under /lib/modules" "" \
		"$(find /lib/modules -name 'grecap.ko*' 2>/dev/null)"
	check "modprobe no longer finds it" sh -c '! modinfo grecap >/dev/null 2>&1'
	check "the device lives until unload" test -n "$(ip -n "$COL" link show grecap0)"
	check_eq "nothing left of the packages" "" \
		"$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'grecap-*' 2>/dev/null | grep -v '^un')"
	check_eq "nor of their files" "" \
		"$(ls -d /usr/src/grecap-* "$libdir/link_grecap.so" /usr/sbin/grecap-links \
			/lib/systemd/system/grecap@.service 2>/dev/null)"
	check "rmmod" rmmod grecap
	restore_plugin
	umount "/lib/modules/$(uname -r)"
	log_test "apt install, DKMS build, ip link add, apt remove in use"
}

tests_run
