#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Only CAP_NET_ADMIN in the namespace of a grecap device's link configures
# what it captures: a device handed to a container (a network namespace
# owned by a user namespace) can be used there, but its filter and options
# cannot be changed from there, by netlink or sysfs.  The container's root
# can still capture on links of its own.

source "$(dirname "$0")/lib.sh"
NL="$PY $LIB_DIR/grecap_nl.py"

command -v unshare >/dev/null && command -v nsenter >/dev/null ||
	skip "no unshare/nsenter"
setup_topo
modprobe -q dummy
grecap_add grecap0 key=5

# The container: user, network and mount namespaces, its own sysfs.
unshare -U -r -n -m sh -c 'mount -t sysfs sysfs /sys && exec sleep 600' &
CPID=$!
BG_PIDS+=($CPID)
# The container is ready once its sysfs is mounted: then it runs sleep.
ct_ready() { [ "$(readlink "/proc/$CPID/exe")" = "$(readlink -f "$(command -v sleep)")" ]; }
busywait 5000 ct_ready || exit $ksft_fail
in_ct() { nsenter -t "$CPID" -U -n -m --preserve-credentials "$@"; }
as_host_root() { nsenter -t "$CPID" -n -m "$@"; }

check "device handed to the container" ip -n "$COL" link set grecap0 netns "$CPID"
check "the container's root sets it up" in_ct ip link set grecap0 up
check "and reads its filter" test "$(in_ct cat /sys/class/net/grecap0/grecap/key)" = 5
check_fail_msg "netlink filter change refused" "CAP_NET_ADMIN in the namespace of its link" \
	in_ct $NL set grecap0 key 6
check_fail_msg "netlink option change refused" "CAP_NET_ADMIN" \
	in_ct $NL set grecap0 flags 1
check_fail_msg "sysfs filter change refused" "Operation not permitted" \
	in_ct bash -c 'echo 6 > /sys/class/net/grecap0/grecap/key'
check_fail_msg "sysfs option change refused" "Operation not permitted" \
	in_ct bash -c 'echo 1 > /sys/class/net/grecap0/grecap/vlan'
check_eq "filter unchanged" 5 "$(in_ct cat /sys/class/net/grecap0/grecap/key)"
check_eq "options unchanged" 0 "$(in_ct cat /sys/class/net/grecap0/grecap/vlan)"

# The host's root, CAP_NET_ADMIN in the link's namespace, still can.
check "host root changes it over netlink" as_host_root $NL set grecap0 key 6
check "host root changes it through sysfs" \
	as_host_root bash -c 'echo 7 > /sys/class/net/grecap0/grecap/key'
check_eq "changed" 7 "$(in_ct cat /sys/class/net/grecap0/grecap/key)"

# The container's own links are the container's to capture on.
check "container creates a link of its own" in_ct ip link add d0 type dummy
check "and a grecap device on it" in_ct $NL add gc d0 key 1
check "and changes its filter" in_ct $NL set gc key 2
check "through sysfs too" in_ct bash -c 'echo 3 > /sys/class/net/gc/grecap/key'

finish
