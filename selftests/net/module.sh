#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# grecap.ko loads and unloads; its metadata says what it is; and
# "ip link add ... type grecap" loads it by itself (rtnl-link alias).

source "$(dirname "$0")/lib.sh"

info=$(modinfo "$GRECAP_KO")
check "modinfo: alias rtnl-link-grecap" grep -q "^alias: *rtnl-link-grecap$" <<<"$info"
check "modinfo: license GPL" grep -q "^license: *GPL$" <<<"$info"
check "modinfo: description" grep -q "^description: *." <<<"$info"
check "modinfo: version" grep -q "^version: *[0-9]" <<<"$info"

# insmod resolves nothing: load what modinfo says grecap depends on.
for dep in $(modinfo -F depends "$GRECAP_KO" | tr , ' '); do
	modprobe -q "$dep"
done
check "insmod" insmod "$GRECAP_KO"
check "loaded" test -d /sys/module/grecap
check "rmmod" rmmod grecap
check "unloaded" test ! -d /sys/module/grecap

# Autoload: install where modprobe finds it (the guest's /lib is a
# writable overlay), then create a link without loading anything.
dir=/lib/modules/$(uname -r)/extra
mkdir -p "$dir" && cp "$GRECAP_KO" "$dir/" && depmod -a
ns_add "$COL"
ip -n "$COL" link add col0 type veth peer name peer0
check "ip link add ... type grecap loads the module" \
	ip -n "$COL" link add grecap0 link col0 type grecap
check "module loaded by alias" test -d /sys/module/grecap
check "ip link del" ip -n "$COL" link del grecap0
check "device gone" test -z "$(ip -n "$COL" link show grecap0 2>/dev/null)"
check "rmmod after use" rmmod grecap
rm -f "$dir/grecap.ko" && depmod -a

finish
