#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the directory of the iproute2 source that matches the installed
# iproute2 package, fetching Debian's source package the first time.
#
# link_grecap.so is built against ip's own headers (struct link_util and
# the helpers ip exports), so it must come from the same version as the
# system's ip.  The source is cached in $GRECAP_CACHE (/var/cache/grecap)
# and fetched with apt-get source through a private deb-src list, built
# from the machine's own Debian sources: the system's apt configuration is
# not changed.  Needs dpkg-dev (dpkg-source) and network access to the
# Debian archive once.

set -eu
cache=${GRECAP_CACHE:-/var/cache/grecap}
ver=$(dpkg-query -W -f='${Version}' iproute2 2>/dev/null) || {
	echo "fetch-source: iproute2 is not installed (apt-get install iproute2)" >&2
	exit 1
}
upstream=${ver#*:}
upstream=${upstream%-*}
dir=$cache/iproute2-$ver
if [ -f "$dir/iproute2-$upstream/ip/ip_common.h" ]; then
	echo "$dir/iproute2-$upstream"
	exit 0
fi
command -v dpkg-source >/dev/null || {
	echo "fetch-source: dpkg-source is missing (apt-get install dpkg-dev)" >&2
	exit 1
}

# deb-src entries for every Debian archive the machine takes debs from.
apt=$(mktemp -d)
trap 'rm -rf "$apt"' EXIT
mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache/archives/partial"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -r "$f" ] || continue
	sed -n 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\(.*debian[^[:space:]]*[[:space:]].*\)/deb-src \1\2/p' "$f"
done >"$apt/parts/grecap-src.list"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -r "$f" ] || continue
	# deb822 stanzas: keep those of a Debian archive, as deb-src.
	awk 'BEGIN { RS = ""; ORS = "\n\n" }
	     /URIs:[^\n]*debian/ { sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f"
done >"$apt/parts/grecap-src.sources"
opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt/parts"
	-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
	-o Acquire::Check-Valid-Until=false -q)
apt-get "${opts[@]}" update >"$apt/update.log" 2>&1 || {
	cat "$apt/update.log" >&2
	echo "fetch-source: apt-get update of the deb-src lists failed" >&2
	exit 1
}
mkdir -p "$dir.tmp"
if ! (cd "$dir.tmp" && apt-get "${opts[@]}" source "iproute2=$ver") >"$apt/source.log" 2>&1; then
	cat "$apt/source.log" >&2
	echo "fetch-source: no source for iproute2 $ver in the archives above" >&2
	rm -rf "$dir.tmp"
	exit 1
fi
rm -rf "$dir"
mv "$dir.tmp" "$dir"
# Keep the unpacked tree only.
rm -f "$dir"/*.tar.* "$dir"/*.dsc
echo "$dir/iproute2-$upstream"
