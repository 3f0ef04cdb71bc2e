/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * grecap: a receive-only netdevice that delivers the inner frames of
 * mirrored traffic sent to this host: GRE (and ERSPAN), VXLAN, GENEVE and
 * TZSP.
 *
 * Netlink attributes of IFLA_INFO_DATA for link kind "grecap", after the
 * IFLA_GRE_* and IFLA_VXLAN_* conventions.  A device takes one
 * encapsulation (GRE unless IFLA_GRECAP_ENCAP says otherwise; a UDP one on
 * its destination port) and has a filter of up to five fields, each "any"
 * until set: local (outer destination), remote (outer source), the GRE
 * key, the ERSPAN session and the VXLAN or GENEVE VNI.  On RTM_NEWLINK for
 * an existing device, an attribute left out leaves its field as it was.
 *
 * Putting a field back to "any":
 *   local, remote   the unspecified address, 0.0.0.0 or ::, in either
 *                   family's attribute ("remote any" in ip-link terms);
 *   key             IFLA_GRECAP_IFLAGS without GRE_KEY, as for ip_gre;
 *   session         GRECAP_SESSION_ANY;
 *   vni             GRECAP_VNI_ANY.
 *
 * Which device a packet goes to when several on one link match it is a
 * property of the lookup, described in Documentation/networking/grecap.rst.
 */
#ifndef _UAPI_LINUX_GRECAP_H
#define _UAPI_LINUX_GRECAP_H

#include <linux/types.h>

enum {
	IFLA_GRECAP_UNSPEC,
	IFLA_GRECAP_LOCAL,	/* __be32: outer IPv4 destination */
	IFLA_GRECAP_REMOTE,	/* __be32: outer IPv4 source */
	IFLA_GRECAP_LOCAL6,	/* struct in6_addr: outer IPv6 destination */
	IFLA_GRECAP_REMOTE6,	/* struct in6_addr: outer IPv6 source */
	IFLA_GRECAP_IFLAGS,	/* __be16: GRE_KEY: match IFLA_GRECAP_IKEY */
	IFLA_GRECAP_IKEY,	/* __be32: GRE key */
	IFLA_GRECAP_SESSION,	/* u16: ERSPAN session ID, or _ANY */
	IFLA_GRECAP_VLAN,	/* u8: 1: restore the ERSPAN VLAN tag */
	IFLA_GRECAP_TSTAMP,	/* u8: 1: ERSPAN Type III header timestamps */
	IFLA_GRECAP_ENCAP,	/* u8: enum grecap_encap */
	IFLA_GRECAP_PORT,	/* __be16: UDP destination port, 0: default */
	IFLA_GRECAP_VNI,	/* u32: VXLAN or GENEVE VNI, or _ANY */
	IFLA_GRECAP_INNER_VXLAN, /* u8: 1: strip VXLAN inside GENEVE too */
	__IFLA_GRECAP_MAX
};

#define IFLA_GRECAP_MAX		(__IFLA_GRECAP_MAX - 1)

/*
 * IFLA_GRECAP_IKEY given without IFLA_GRECAP_IFLAGS sets GRE_KEY too, so
 * a key alone is a key filter.  IFLA_GRECAP_IFLAGS with GRE_KEY and no
 * key, on a device that had none, matches key 0 (as ip_gre's ikey does).
 */

/* ERSPAN session IDs are 10 bits: 0 to GRECAP_SESSION_MAX. */
#define GRECAP_SESSION_MAX	1023
#define GRECAP_SESSION_ANY	0xffff

/*
 * What a device takes (IFLA_GRECAP_ENCAP): GRE, IP protocol 47 (ERSPAN
 * included), or one of the UDP encapsulations on IFLA_GRECAP_PORT, whose
 * default is the encapsulation's IANA port.  Changing the encapsulation
 * without a port moves the device to the new one's default port.
 */
enum grecap_encap {
	GRECAP_ENCAP_GRE,
	GRECAP_ENCAP_VXLAN,	/* RFC 7348, default port 4789 */
	GRECAP_ENCAP_GENEVE,	/* RFC 8926, default port 6081 */
	GRECAP_ENCAP_TZSP,	/* TaZmen Sniffer Protocol, default 37008 */
	__GRECAP_ENCAP_MAX
};

#define GRECAP_ENCAP_MAX	(__GRECAP_ENCAP_MAX - 1)

/* VNIs are 24 bits: 0 to GRECAP_VNI_MAX. */
#define GRECAP_VNI_MAX		0xffffff
#define GRECAP_VNI_ANY		0xffffffff

#endif /* _UAPI_LINUX_GRECAP_H */
