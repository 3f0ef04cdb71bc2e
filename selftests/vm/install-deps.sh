#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building, packaging and testing grecap needs, from Debian's
# archive.  Quiet when everything is there already.

pkgs="build-essential linux-headers-amd64 linux-image-amd64 qemu-system-x86
busybox-static kmod cpio iproute2 ethtool tcpdump tshark python3-scapy
netsniff-ng dkms sparse iputils-ping jq dpkg-dev curl
debhelper dh-dkms mmdebstrap"
# install-deps.sh debug: also what building the debug kernel needs;
# install-deps.sh kernel: only that (CI starts the build with it);
# install-deps.sh bench: also perf, for make bench's profiles, and xz to
# unpack QEMU's plugin header for make bench-insns.
kernel="linux-source-${GRECAP_DEBUG_SERIES:-6.12} bc bison flex libelf-dev libssl-dev xz-utils"
if [ "${1:-}" = debug ]; then
	pkgs="$pkgs $kernel"
elif [ "${1:-}" = kernel ]; then
	pkgs="build-essential kmod cpio $kernel"
elif [ "${1:-}" = bench ]; then
	pkgs="$pkgs linux-perf xz-utils"
fi

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

line="apt-get install -y$missing"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages; as root run:" >&2
	echo "  apt-get update && $line" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the answer is no.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections
apt-get update -qq || exit 1
apt-get install -y -qq --no-install-recommends$missing >/dev/null || exit 1
