/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between kernel releases, in one place, included at the end
 * of grecap.h.  Each entry keys on a GRECAP_HAVE_* that Kbuild sets by
 * testing the kernel's headers for the feature itself, never on the
 * version number; the other files carry no version tests.
 */
#ifndef _GRECAP_COMPAT_H
#define _GRECAP_COMPAT_H

#include <linux/netdevice.h>
#include <net/rtnetlink.h>
/* 6.5 moved the GSO helpers out of netdevice.h. */
#ifdef GRECAP_HAVE_NET_GSO_H
#include <net/gso.h>
#endif
/* 6.5 gave struct netdev_rx_queue a header of its own. */
#ifdef GRECAP_HAVE_NETDEV_RX_QUEUE_H
#include <net/netdev_rx_queue.h>
#endif
/* 6.10 moved rps_needed out of netdevice.h. */
#ifdef GRECAP_HAVE_NET_RPS_H
#include <net/rps.h>
#endif

/* 6.12 turned the LLTX feature bit into a netdev field. */
static inline void grecap_set_lltx(struct net_device *dev)
{
#ifdef GRECAP_HAVE_NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
}

/*
 * 6.15 passes rtnl_link_ops->newlink its namespaces and attributes in a
 * struct; grecap_newlink() takes them one by one, as before.
 */
#ifdef GRECAP_HAVE_NEWLINK_PARAMS
static inline int grecap_newlink_op(struct net_device *dev,
				    struct rtnl_newlink_params *params,
				    struct netlink_ext_ack *extack)
{
	return grecap_newlink(rtnl_newlink_link_net(params), dev, params->tb,
			      params->data, extack);
}
#else
static inline int grecap_newlink_op(struct net *src_net,
				    struct net_device *dev,
				    struct nlattr *tb[], struct nlattr *data[],
				    struct netlink_ext_ack *extack)
{
	return grecap_newlink(src_net, dev, tb, data, extack);
}
#endif

#endif /* _GRECAP_COMPAT_H */
