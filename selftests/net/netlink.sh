#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netlink interface: IFLA_GRECAP_LOCAL/REMOTE/KEY/SESSION/ANY/FLAGS at creation and
# change, read back in the link dump and in sysfs, every refusal with its
# extack message, and a device configured this way capturing its stream.

source "$(dirname "$0")/lib.sh"

NL="$PY $LIB_DIR/grecap_nl.py"
nl() { ip netns exec "$COL" $NL "$@"; }
setup_topo
CMAC=$(mac "$COL" col0)

# Created with its filter in one message: no intermediate state, so a
# catch-all device on the link is no obstacle.
grecap_add g_any
check "create with remote and key" nl add g_rk col0 remote $SND4 key 42
check_eq "dump shows them" "local=any remote=$SND4 key=42 session=any flags=0" "$(nl show g_rk)"
check_eq "sysfs agrees" "$SND4 42" "$(ip netns exec "$COL" cat \
	/sys/class/net/g_rk/grecap/remote /sys/class/net/g_rk/grecap/key | xargs)"
check "create with IPv6 local and remote" nl add g_v6 col0 local $COL6 remote $SND6
check_eq "IPv6 dump" "local=$COL6 remote=$SND6 key=any session=any flags=0" "$(nl show g_v6)"
check_eq "no filter: nothing in the dump" "local=any remote=any key=any session=any flags=0" "$(nl show g_any)"

check "change the key" nl set g_rk key 43
check_eq "changed" "local=any remote=$SND4 key=43 session=any flags=0" "$(nl show g_rk)"
check "reset remote to any (IFLA_GRECAP_ANY)" nl set g_v6 remote any
check_eq "reset" "local=$COL6 remote=any key=any session=any flags=0" "$(nl show g_v6)"
check_eq "sysfs shows the reset" any "$(ip netns exec "$COL" cat /sys/class/net/g_v6/grecap/remote)"

# Refusals, each with its reason.
check_fail_msg "same filter as another device" "same filter" \
	nl add g_dup col0 remote $SND4 key 43
check_fail_msg "change into another device's filter" "same filter" \
	nl set g_v6 remote any local any
check_fail_msg "address of 5 bytes" "4 (IPv4) or 16 (IPv6) bytes" \
	nl raw g_bad col0 1 0102030405
check_fail_msg "ANY bits outside the fields" "." nl raw g_bad col0 4 10000000
check_fail_msg "set and reset one field" "both set and reset" \
	nl set g_rk key 5 key any
check_fail_msg "families differ" "same address family" \
	nl add g_bad col0 local $COL4 remote $SND6
check_fail_msg "multicast local" "unicast address of this host" \
	nl add g_bad col0 local 224.0.0.5
check_fail_msg "unspecified remote" "unicast address" \
	nl add g_bad col0 remote 0.0.0.0
check_fail_msg "session above 1023" "out of range" \
	nl add g_bad col0 session 1024
check_fail_msg "unknown option flag" "." nl add g_bad col0 flags 4
check "refused creations leave no device" \
	test -z "$(ip -n "$COL" link show g_bad 2>/dev/null)"

# ERSPAN session and the options, in one message, then changed.
check "create with session and both options" nl add g_s col0 session 77 flags 3
check_eq "session and flags in the dump" \
	"local=any remote=any key=any session=77 flags=3" "$(nl show g_s)"
check_eq "sysfs agrees" "77 1 1" "$(ip netns exec "$COL" cat \
	/sys/class/net/g_s/grecap/session /sys/class/net/g_s/grecap/vlan \
	/sys/class/net/g_s/grecap/tstamp | xargs)"
check "options changed alone" nl set g_s flags 1
check_eq "filter kept, tstamp off" \
	"local=any remote=any key=any session=77 flags=1" "$(nl show g_s)"
check "session reset to any" nl set g_s session any key 9
check_eq "session any" "local=any remote=any key=9 session=any flags=1" "$(nl show g_s)"

# The stream goes where the netlink filter says.
ip -n "$COL" link set g_rk up
ip netns exec "$SND" $PKT gre snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 \
	--key 43 --count 5
busywait 2000 sh -c "[ \$(ip netns exec $COL cat /sys/class/net/g_rk/statistics/rx_packets) = 5 ]"
check_eq "remote+key stream delivered to g_rk" 5 "$(gstat "$COL" g_rk rx_packets)"
check_eq "not to the catch-all" 0 "$(gstat "$COL" g_any rx_packets)"

finish
