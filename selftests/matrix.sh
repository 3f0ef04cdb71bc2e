#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-matrix: for each kernel grecap is tested on (Debian 12's 6.1,
# its 6.12 LTS backport, Debian unstable's 7.x), install what is missing
# (kept outside the tree between runs), build grecap with W=1 (no warning
# is a check), boot it and run the whole suite.  One summary line per
# kernel, then "N passed, N failed" over all.
#
#   selftests/matrix.sh [TEST...]
#
# The W=1 build counts as one check per kernel; a kernel that cannot be
# installed or booted counts as one failure.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

passed=0
failed=0
summary=()

# The newest 6.12 LTS image of Debian 12's archive (security updates),
# installed with its headers beside 6.1 when missing, for this run only:
# an image left behind would become the host's default boot entry, and
# every DKMS install would build for it too (DKMS builds for the newest
# kernel as well as the running one).  The packages stay in the cache for
# the next run.
cache=${GRECAP_CACHE:-/var/cache/grecap}
installed() {
	dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" { print $2 }' | sort
}
newest_612() {
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{ print $1 }' | sort -V | tail -n 1
}
release_612() {
	local pkg

	pkg=$(newest_612)
	if [ -z "$pkg" ]; then
		apt-get update -qq >&2 || return 1
		pkg=$(newest_612)
	fi
	[ -n "$pkg" ] || return 1
	rel=${pkg#linux-image-}
	if [ ! -r "/boot/vmlinuz-$rel" ] || [ ! -d "/lib/modules/$rel/build" ]; then
		echo "# matrix: installing $pkg and linux-headers-$rel" >&2
		mkdir -p "$cache/debs/partial"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			-o Dir::Cache::archives="$cache/debs" \
			--no-install-recommends "$pkg" "linux-headers-$rel" >&2 ||
			return 1
	fi
	echo "$rel"
}

# run NAME RELEASE: W=1 build and the suite on one kernel.
run() {
	local name=$1 rel=$2 in=() opt=() log warnings line p f s

	shift 2
	[ "$name" = unstable ] && in=(selftests/vm/unstable-root.sh) opt=(--unstable)
	log=$top/build/matrix-$rel.log
	echo "# ==== $name: $rel"
	# W=1 from scratch: objects built without it would not be rebuilt.
	# (make clean removes build/ too.)
	"${in[@]}" make -s KVER="$rel" clean >/dev/null 2>&1
	mkdir -p build
	if ! "${in[@]}" make -s KVER="$rel" W=1 >"$log" 2>&1; then
		cat "$log"
		echo "not ok: $rel: W=1 build failed"
		failed=$((failed + 1))
		summary+=("$name $rel: W=1 build failed")
		return
	fi
	warnings=$(grep -c 'warning:' "$log")
	if [ "$warnings" = 0 ]; then
		echo "ok: $rel: W=1 build, no warning"
		passed=$((passed + 1))
	else
		grep 'warning:' "$log"
		echo "not ok: $rel: W=1 build, $warnings warning(s)"
		failed=$((failed + 1))
	fi

	VM_KVER=$rel selftests/check.sh "${opt[@]}" "$@" | tee "$top/build/matrix-$rel.ktap"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' \
		"$top/build/matrix-$rel.ktap" | tail -n 1)
	read -r p _ f _ s _ <<<"${line//,/}"
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
	summary+=("$name $rel: W=1 $warnings warning(s); ${line:-the suite did not run}")
}

if rel=$(selftests/vm/kernel-release.sh); then
	run 6.1 "$rel" "$@"
else
	failed=$((failed + 1))
	summary+=("6.1: no kernel (make deps installs linux-image-amd64)")
fi
# remove_added: purge what release_612 installed, also when interrupted.
remove_added() {
	local added

	mapfile -t added < <(comm -13 <(echo "$before") <(installed))
	[ "${#added[@]}" -gt 0 ] || return 0
	echo "# matrix: removing what it installed: ${added[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${added[@]}" >/dev/null ||
		summary+=("6.12: could not remove ${added[*]}")
}
before=$(installed)
trap remove_added EXIT
if rel=$(release_612); then
	run 6.12 "$rel" "$@"
else
	failed=$((failed + 1))
	summary+=("6.12: could not install linux-image-6.12.*+deb12-amd64")
fi
remove_added
if rel=$(selftests/vm/unstable-root.sh release); then
	run unstable "$rel" "$@"
else
	failed=$((failed + 1))
	summary+=("unstable: no root (selftests/vm/unstable-root.sh)")
fi

echo "# ==== summary"
for line in "${summary[@]}"; do
	echo "# $line"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
