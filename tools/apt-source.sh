#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   apt-source.sh DIR PACKAGE=VERSION [apt-get source options]
#
# Fetch a Debian source package into DIR (apt-get source) through a private
# deb-src list built from the machine's own Debian sources: the system's
# apt configuration is not changed.  Used for the sources grecap's tools
# build against (iproute2's headers for the ip plugin, QEMU's plugin header
# for make bench-insns).  Needs network access to the Debian archive.

set -eu
if [ $# -lt 2 ]; then
	echo "usage: $0 DIR PACKAGE=VERSION [apt-get source options]" >&2
	exit 2
fi
dest=$1 pkg=$2
shift 2

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
	echo "apt-source: apt-get update of the deb-src lists failed" >&2
	exit 1
}
mkdir -p "$dest"
if ! (cd "$dest" && apt-get "${opts[@]}" source "$@" "$pkg") >"$apt/source.log" 2>&1; then
	cat "$apt/source.log" >&2
	echo "apt-source: no source for $pkg in the archives above" >&2
	exit 1
fi
