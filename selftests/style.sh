#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-style: what a netdev maintainer runs before reading a patch.
#
#   - grecap.ko built with W=1 and sparse (C=1) for each kernel the suite
#     runs on: Debian 12's 6.1, the debug kernel's 6.12 tree, unstable's
#     7.x (in its root); any warning fails;
#   - checkpatch.pl --strict on the module, the uAPI header and the ip
#     plugin, from the debug kernel's source tree.
#
# Uses what make check, check-debug and check-unstable made (the debug
# kernel and the unstable root); a kernel whose tree is not there counts
# as a failure.  One line per check, then "N passed, N failed".

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
out=$top/build/style
rm -rf "$out"
mkdir -p "$out"
passed=0
failed=0

ok() {
	echo "ok: $*"
	passed=$((passed + 1))
}
not_ok() {
	echo "not ok: $*"
	failed=$((failed + 1))
}

# wbuild NAME [in-root command] MAKE-ARGS...: W=1 C=1 from scratch in a
# copy of the sources.
wbuild() {
	local name=$1 src=$out/$1 log=$out/$1.log in=()
	shift
	[ "$1" = in-root ] && in=(selftests/vm/unstable-root.sh) && shift
	mkdir -p "$src/debian" "$src/selftests"
	cp -r Kbuild Makefile module include "$src/"
	cp -r selftests/kmod "$src/selftests/"
	cp debian/changelog "$src/debian/"
	if ! "${in[@]}" make -s -C "$src" W=1 C=1 GRECAP_SELFTEST=m "$@" \
		>"$log" 2>&1; then
		sed 's/^/# /' "$log"
		not_ok "$name: W=1 C=1 build failed"
		return
	fi
	if grep -q -E 'warning|error' "$log"; then
		grep -E 'warning|error' "$log" | sed 's/^/# /'
		not_ok "$name: W=1 C=1 build: $(grep -c -E 'warning|error' "$log") warning(s)"
	else
		ok "$name: W=1 C=1 build, no warning"
	fi
}

if kver=$(selftests/vm/kernel-release.sh); then
	wbuild "$kver" KVER="$kver"
else
	not_ok "6.1: no kernel headers (make deps)"
fi
if kdir=$(selftests/debug/build-kernel.sh --cached); then
	wbuild "$(cat "$kdir/release")" KDIR="$kdir/build"
	checkpatch=$kdir/src/scripts/checkpatch.pl
else
	not_ok "6.12: no debug kernel tree (make check-debug builds it)"
	checkpatch=
fi
if root=$(selftests/vm/unstable-root.sh --cached) &&
	rel=$(selftests/vm/unstable-root.sh release); then
	wbuild "$rel" in-root KVER="$rel"
else
	not_ok "unstable: no root (make check-unstable makes it)"
fi

if [ -n "$checkpatch" ]; then
	files=(module/*.[ch] include/uapi/linux/grecap.h tools/iproute2/link_grecap.c
		selftests/kmod/*.c)
	if "$checkpatch" --strict --no-tree --terse --show-types -f "${files[@]}" \
		>"$out/checkpatch.log" 2>&1; then
		ok "checkpatch --strict: ${#files[@]} files clean"
	else
		grep -v '^total:' "$out/checkpatch.log" | sed 's/^/# /'
		not_ok "checkpatch --strict: $(grep -c -E ': (ERROR|WARNING|CHECK):' "$out/checkpatch.log") report(s)"
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
