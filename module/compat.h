/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between kernel releases, in one place.  Force-included into
 * every grecap source file by Kbuild, ahead of everything else, so it holds
 * macros only; the other files carry no version tests.  Each entry keys on
 * a GRECAP_HAVE_* that Kbuild sets by testing the kernel's headers for the
 * feature itself, never on the version number.
 */
#ifndef _GRECAP_COMPAT_H
#define _GRECAP_COMPAT_H

/* 6.12 turned the LLTX feature bit into a netdev field. */
#ifdef GRECAP_HAVE_NETIF_F_LLTX
#define grecap_set_lltx(dev)	((dev)->features |= NETIF_F_LLTX)
#else
#define grecap_set_lltx(dev)	((dev)->lltx = true)
#endif

/*
 * 6.15 passes rtnl_link_ops->newlink its namespaces and attributes in a
 * struct; grecap's newlink takes them one by one and netlink.c adapts.
 */
#ifdef GRECAP_HAVE_NEWLINK_PARAMS
#define GRECAP_NEWLINK_ADAPTER(fn)					\
static int fn##_params(struct net_device *dev,				\
		       struct rtnl_newlink_params *params,		\
		       struct netlink_ext_ack *extack)			\
{									\
	return fn(rtnl_newlink_link_net(params), dev, params->tb,	\
		  params->data, extack);				\
}

#define GRECAP_NEWLINK(fn)	fn##_params
#else
#define GRECAP_NEWLINK_ADAPTER(fn)
#define GRECAP_NEWLINK(fn)	fn
#endif

/*
 * 6.5 moved the GSO helpers out of netdevice.h into <net/gso.h>, which rx.c
 * includes when GRECAP_HAVE_NET_GSO_H says it exists (an #include here
 * would come ahead of each file's pr_fmt).  Likewise struct netdev_rx_queue
 * (6.5, <net/netdev_rx_queue.h>, GRECAP_HAVE_NETDEV_RX_QUEUE_H) and
 * rps_needed (6.10, <net/rps.h>, GRECAP_HAVE_NET_RPS_H).
 */

#endif /* _GRECAP_COMPAT_H */
