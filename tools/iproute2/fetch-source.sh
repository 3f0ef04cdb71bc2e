#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the directory of the iproute2 source that matches the installed
# iproute2 package, fetching Debian's source package the first time.
#
# link_grecap.so is built against ip's own headers (struct link_util and
# the helpers ip exports), so it must come from the same version as the
# system's ip.  The source is cached in $GRECAP_CACHE (/var/cache/grecap)
# and fetched with apt-get source (../apt-source.sh: the system's apt
# configuration is not changed).  Needs dpkg-dev (dpkg-source) and network
# access to the Debian archive once.

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

rm -rf "$dir.tmp"
"$(dirname "$0")/../apt-source.sh" "$dir.tmp" "iproute2=$ver" || {
	rm -rf "$dir.tmp"
	exit 1
}
rm -rf "$dir"
mv "$dir.tmp" "$dir"
# Keep the unpacked tree only.
rm -f "$dir"/*.tar.* "$dir"/*.dsc
echo "$dir/iproute2-$upstream"
