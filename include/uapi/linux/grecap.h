/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * grecap: a receive-only netdevice that delivers the inner frames of GRE
 * (and ERSPAN) traffic mirrored to this host.
 *
 * Netlink attributes of IFLA_INFO_DATA for link kind "grecap".  Every match
 * attribute is optional: unset means "any".  A packet goes to the most
 * specific device on its link (see Documentation/grecap.rst).
 */
#ifndef _UAPI_LINUX_GRECAP_H
#define _UAPI_LINUX_GRECAP_H

#include <linux/const.h>
#include <linux/types.h>

enum {
	IFLA_GRECAP_UNSPEC,
	IFLA_GRECAP_LOCAL,	/* binary: outer destination, 4 or 16 bytes */
	IFLA_GRECAP_REMOTE,	/* binary: outer source, 4 or 16 bytes */
	IFLA_GRECAP_KEY,	/* u32: GRE key, host byte order */
	IFLA_GRECAP_ANY,	/* u32: GRECAP_MATCH_* fields reset to "any" */
	IFLA_GRECAP_SESSION,	/* u16: ERSPAN session ID, 0-1023 */
	IFLA_GRECAP_FLAGS,	/* u32: GRECAP_F_* options, all replaced */
	__IFLA_GRECAP_MAX
};

#define IFLA_GRECAP_MAX		(__IFLA_GRECAP_MAX - 1)

/*
 * Match fields, for IFLA_GRECAP_ANY.  Their order is also the tie-break of
 * the most-specific match: among devices matching the same number of fields,
 * the higher bit wins (session before remote before key before local).
 */
#define GRECAP_MATCH_LOCAL	_BITUL(0)
#define GRECAP_MATCH_KEY	_BITUL(1)
#define GRECAP_MATCH_REMOTE	_BITUL(2)
#define GRECAP_MATCH_SESSION	_BITUL(3)
#define GRECAP_MATCH_ALL	(GRECAP_MATCH_LOCAL | GRECAP_MATCH_KEY | \
				 GRECAP_MATCH_REMOTE | GRECAP_MATCH_SESSION)

/*
 * Options, for IFLA_GRECAP_FLAGS; all off by default.
 *
 * GRECAP_F_VLAN:   put back, as an 802.1Q tag, the VLAN an ERSPAN header
 *                  says the mirror source stripped from the frame.
 * GRECAP_F_TSTAMP: stamp ERSPAN Type III frames with the time in their
 *                  header instead of their arrival time.
 */
#define GRECAP_F_VLAN		_BITUL(0)
#define GRECAP_F_TSTAMP		_BITUL(1)
#define GRECAP_F_ALL		(GRECAP_F_VLAN | GRECAP_F_TSTAMP)

#endif /* _UAPI_LINUX_GRECAP_H */
