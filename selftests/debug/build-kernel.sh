#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel of `make check-debug` from Debian's
# linux-source-6.12, the LTS series (GRECAP_DEBUG_SERIES=6.1: from
# linux-source-6.1), as tinyconfig + kernel.config + the selftests' own
# config fragment, once: the result is cached outside the tree, keyed by
# the source package version, the fragments and the compiler, and later
# calls only print where it is.
#
#   build-kernel.sh            prints the cache directory on stdout
#   build-kernel.sh --cached   ... only if the kernel is built already
#
# The cache directory holds:  bzImage, release (the kernel release string),
# build/ (the object tree modules are built against) and
# mods/lib/modules/<release>/ (its modules, installed).

set -eu
here=$(cd "$(dirname "$0")" && pwd)
fragments=("$here/kernel.config" "$here/../net/config")
srcpkg=linux-source-${GRECAP_DEBUG_SERIES:-6.12}
tarball=/usr/src/$srcpkg.tar.xz
cache=${GRECAP_CACHE:-/var/cache/grecap}
jobs=$(nproc)

log() { echo "build-kernel: $*" >&2; }
# stdout carries only the cache directory; everything else goes to stderr.
exec 3>&1 1>&2

if [ ! -r "$tarball" ]; then
	log "no $tarball (make deps-debug installs it)"
	exit 1
fi
srcver=$(dpkg-query -W -f='${Version}' "$srcpkg")
key=$( { echo "$srcver"; cat "${fragments[@]}"; gcc --version | head -n 1; } |
	sha256sum | cut -c1-12)
dir=$cache/kernel-$srcver-$key
if [ -s "$dir/bzImage" ] && [ -s "$dir/release" ]; then
	echo "$dir" >&3
	exit 0
fi
[ "${1:-}" = --cached ] && exit 1

log "building the debug kernel into $dir (first run only: the longest step of CI)"
# Builds of this series for an older source, config or compiler are of no
# more use.
rm -rf "$cache/kernel-${GRECAP_DEBUG_SERIES:-6.12}."*
mkdir -p "$dir/src" "$dir/build"
tar -xf "$tarball" -C "$dir/src" --strip-components=1

src=$dir/src
obj=$dir/build
kmake() { make -C "$src" O="$obj" -j"$jobs" "$@"; }

kmake -s tinyconfig >"$dir/config.log"
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"${fragments[@]}" >"$dir/merge.log"
# A distinct release string keeps its modules apart from Debian's.
echo 'CONFIG_LOCALVERSION="-grecap-debug"' >>"$obj/.config"
kmake -s olddefconfig >>"$dir/config.log"

# Every option of the fragment must have survived the dependency checks.
bad=0
while IFS= read -r line; do
	case $line in CONFIG_*=*) ;; *) continue ;; esac
	if ! grep -qx "$line" "$obj/.config"; then
		log "option not applied: $line (have: $(grep "^${line%%=*}=" "$obj/.config" || echo unset))"
		bad=1
	fi
done < <(cat "${fragments[@]}")
[ "$bad" = 0 ] || exit 1

start=$(date +%s)
kmake -s bzImage modules >"$dir/make.log" 2>&1 || {
	tail -n 40 "$dir/make.log" >&2
	exit 1
}
kmake -s INSTALL_MOD_PATH="$dir/mods" modules_install >>"$dir/make.log" 2>&1
kmake -s kernelrelease >"$dir/release"
cp "$obj/arch/x86/boot/bzImage" "$dir/bzImage"
log "built $(cat "$dir/release") in $(($(date +%s) - start)) s"
echo "$dir" >&3
