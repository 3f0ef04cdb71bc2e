#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the release of the kernel the test VM boots: $VM_KVER if set, else
# the one Debian's linux-image-amd64 depends on (what a fresh machine gets
# from make deps), else the newest with both an image in /boot and a build
# tree for out-of-tree modules.

usable() {
	[ -r "/boot/vmlinuz-$1" ] && [ -d "/lib/modules/$1/build" ]
}

if [ -n "${VM_KVER:-}" ]; then
	usable "$VM_KVER" || {
		echo "kernel-release: VM_KVER=$VM_KVER has no /boot/vmlinuz-$VM_KVER or /lib/modules/$VM_KVER/build" >&2
		exit 1
	}
	echo "$VM_KVER"
	exit 0
fi

meta=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
	sed -n 's/.*linux-image-\([^ ,]*\).*/\1/p')
if [ -n "$meta" ] && usable "$meta"; then
	echo "$meta"
	exit 0
fi

best=
for build in /lib/modules/*/build; do
	rel=$(basename "$(dirname "$build")")
	usable "$rel" || continue
	best=$(printf '%s\n%s\n' "$best" "$rel" | sed '/^$/d' | sort -V | tail -n 1)
done
if [ -z "$best" ]; then
	echo "kernel-release: no kernel with both /boot/vmlinuz-* and /lib/modules/*/build;" \
		"install linux-image-amd64 and linux-headers-amd64" >&2
	exit 1
fi
echo "$best"
