// SPDX-License-Identifier: GPL-2.0
/*
 * Filter values shared by the netlink and sysfs interfaces: addresses of
 * either family in one in6_addr, and the checks both interfaces apply.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/ipv6.h>

#include "grecap.h"

void grecap_match_set_addr(struct in6_addr *dst, const void *addr, int len)
{
	if (len == sizeof(struct in_addr))
		ipv6_addr_set_v4mapped(*(const __be32 *)addr, dst);
	else
		memcpy(dst, addr, sizeof(*dst));
}

/* Reset @fields of @m to "any"; unset fields stay zero for exact compares. */
void grecap_match_clear(struct grecap_match *m, u32 fields)
{
	if (fields & GRECAP_MATCH_LOCAL)
		memset(&m->local, 0, sizeof(m->local));
	if (fields & GRECAP_MATCH_REMOTE)
		memset(&m->remote, 0, sizeof(m->remote));
	if (fields & GRECAP_MATCH_KEY)
		m->key = 0;
	if (fields & GRECAP_MATCH_SESSION)
		m->session = 0;
	m->fields &= ~fields;
}

/* 4 for an IPv4 (v4-mapped) address, 16 for IPv6. */
int grecap_match_addr_len(const struct in6_addr *addr)
{
	return ipv6_addr_v4mapped(addr) ? sizeof(struct in_addr) :
					  sizeof(struct in6_addr);
}

static bool grecap_addr_unicast(const struct in6_addr *a)
{
	if (ipv6_addr_v4mapped(a)) {
		__be32 v4 = a->s6_addr32[3];

		return !ipv4_is_zeronet(v4) && !ipv4_is_multicast(v4) &&
		       !ipv4_is_lbcast(v4);
	}
	return !ipv6_addr_any(a) && !ipv6_addr_is_multicast(a);
}

/* Can @m be a filter?  Says why not in @extack. */
int grecap_match_check(const struct grecap_match *m,
		       struct netlink_ext_ack *extack)
{
	if ((m->fields & GRECAP_MATCH_LOCAL) && !grecap_addr_unicast(&m->local)) {
		NL_SET_ERR_MSG(extack,
			       "local must be a unicast address of this host");
		return -EINVAL;
	}
	if ((m->fields & GRECAP_MATCH_REMOTE) &&
	    !grecap_addr_unicast(&m->remote)) {
		NL_SET_ERR_MSG(extack, "remote must be a unicast address");
		return -EINVAL;
	}
	if ((m->fields & (GRECAP_MATCH_LOCAL | GRECAP_MATCH_REMOTE)) ==
	    (GRECAP_MATCH_LOCAL | GRECAP_MATCH_REMOTE) &&
	    ipv6_addr_v4mapped(&m->local) != ipv6_addr_v4mapped(&m->remote)) {
		NL_SET_ERR_MSG(extack,
			       "local and remote must be of the same address family");
		return -EINVAL;
	}
	return 0;
}
