#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packaging: dkms.conf and the module agree on the version, and DKMS adds,
# builds and installs grecap so that modprobe finds it.  Runs in the test
# VM, whose /var/lib/dkms and /lib/modules are a throwaway overlay.

source "$(dirname "$0")/lib.sh"

command -v dkms >/dev/null || skip "dkms is not installed"
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
check_eq "dkms.conf version is the module's" \
	"$(modinfo -F version "$GRECAP_KO")" "$ver"

# DKMS copies the tree; give it the sources only.
src=/usr/src/grecap-$ver
rm -rf "$src" && mkdir -p "$src"
cp -r "$TOP"/{Kbuild,Makefile,dkms.conf,module,include} "$src/"
check "dkms add" dkms add -m grecap -v "$ver"
check "dkms build" dkms build -m grecap -v "$ver" -k "$(uname -r)"
check "dkms install" dkms install -m grecap -v "$ver" -k "$(uname -r)"
check "modprobe finds the DKMS module" modprobe grecap
check_eq "loaded from the DKMS tree" "$ver" "$(cat /sys/module/grecap/version)"
modprobe -r grecap
check "dkms remove" dkms remove -m grecap -v "$ver" --all

finish
