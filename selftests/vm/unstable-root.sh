#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A minimal Debian unstable root holding the newest Debian kernel (7.x), its
# headers and the compiler they need (a newer gcc than the host's), made
# once with mmdebstrap and cached outside the tree.  grecap is built for
# that kernel inside the root (build-in-root), and the test VM boots its
# kernel with the host's userspace and the root's modules (run-vm.sh -M).
#
#   unstable-root.sh                 prints the root's directory on stdout
#   unstable-root.sh --cached        ... only if it is made already
#   unstable-root.sh release         prints its kernel release
#   unstable-root.sh make ARGS...    runs make in this tree inside the root
#
# Debian's unstable Release file can be past its Valid-Until date on a
# mirror that is not refreshed; apt is told not to check it (the archive
# signature is still checked).

set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${GRECAP_CACHE:-/var/cache/grecap}
root=$cache/root-unstable
mirror=${GRECAP_MIRROR:-http://deb.debian.org/debian}

log() { echo "unstable-root: $*" >&2; }

release() {
	local rel
	rel=$(ls "$root/lib/modules" 2>/dev/null | sort -V | tail -n 1)
	[ -n "$rel" ] && [ -r "$root/boot/vmlinuz-$rel" ] || return 1
	echo "$rel"
}

# What the root holds is in the marker's name: a root made with less is
# made anew.
complete=$root/.complete-sparse
make_root() {
	[ -e "$complete" ] && return 0
	if ! command -v mmdebstrap >/dev/null; then
		log "installing mmdebstrap"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends mmdebstrap >/dev/null
	fi
	log "making $root (first run only, about 5 minutes)"
	rm -rf "$root"
	mkdir -p "$cache"
	mmdebstrap --quiet --variant=minbase \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--aptopt='APT::Install-Recommends "false"' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--include=make,gcc,libc6-dev,kmod,sparse,tiny-initramfs,linux-image-amd64,linux-headers-amd64 \
		unstable "$root" "$mirror" >&2
	release >/dev/null || {
		log "no kernel in $root"
		exit 1
	}
	touch "$complete"
}

# make in this tree, inside the root: the tree is bind-mounted at its own
# path, so the objects land where the host's tests expect them.  The
# kernel's build tools want /proc (objtool reads its stack limit there).
in_root_make() {
	local rc=0

	mkdir -p "$root$top"
	mount --bind "$top" "$root$top"
	mount -t proc proc "$root/proc"
	chroot "$root" make -C "$top" "$@" || rc=$?
	umount "$root/proc"
	umount "$root$top"
	return $rc
}

if [ "${1:-}" = --cached ]; then
	[ -e "$complete" ] && echo "$root"
	exit
fi
make_root
case ${1:-} in
'') echo "$root" ;;
release) release ;;
make)
	shift
	in_root_make "$@"
	;;
*)
	log "usage: $0 [release | make ARGS...]"
	exit 2
	;;
esac
