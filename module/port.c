// SPDX-License-Identifier: GPL-2.0
/*
 * The port: grecap's receive hook on a lower device, shared by every grecap
 * device on that link, with the filter tables (table.c) that pick the
 * device a packet goes to.  A device joins its link's port in ndo_init and
 * leaves it in ndo_uninit; the first creates the port, the last destroys
 * it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <net/rtnetlink.h>

#include "grecap.h"

bool grecap_is_port(const struct net_device *dev)
{
	return rcu_access_pointer(dev->rx_handler) == grecap_handle_frame;
}

/*
 * Can a device with filter @m join @lower?  Before a device is made, so
 * that ip link gets the reason; ndo_init checks again, for a port made
 * since.
 */
int grecap_port_check(const struct net_device *lower,
		      const struct grecap_match *m,
		      struct netlink_ext_ack *extack)
{
	int err;

	ASSERT_RTNL();
	if (!grecap_is_port(lower))
		return 0;
	err = grecap_table_check(grecap_port_get_rtnl(lower), m, NULL, extack);
	return err < 0 ? err : 0;
}

/* Replace the filter of an attached device (changelink). */
int grecap_port_set_match(struct grecap_dev *gd, const struct grecap_match *m,
			  struct netlink_ext_ack *extack)
{
	struct grecap_filter *old = rtnl_dereference(gd->filter);
	struct grecap_port *port = grecap_dev_port(gd);
	struct grecap_filter *f;
	int order;

	if (!memcmp(&old->match, m, sizeof(*m)))
		return 0;
	order = grecap_table_check(port, m, &old->match, extack);
	if (order < 0)
		return order;
	f = grecap_filter_new(gd, m);
	if (!f)
		return -ENOMEM;

	/*
	 * Insert before removing so the device is never missing; but when
	 * the old filter alone holds the UDP table the new one needs, it
	 * goes first, and the port is not taken for a moment.
	 */
	if (order)
		grecap_filter_unhash(port, old);
	grecap_filter_hash(port, f);
	rcu_assign_pointer(gd->filter, f);
	if (!order)
		grecap_filter_unhash(port, old);
	kfree_rcu(old, rcu);
	return 0;
}

static struct grecap_port *grecap_port_create(struct net_device *lower)
{
	struct grecap_port *port;
	int err;

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return ERR_PTR(-ENOMEM);
	port->stats = grecap_counters_alloc(GRECAP_LINK_NUM);
	if (!port->stats) {
		err = -ENOMEM;
		goto err_free_port;
	}
	port->local = alloc_percpu(struct grecap_local_cache);
	if (!port->local) {
		err = -ENOMEM;
		goto err_free_stats;
	}
	port->dev = lower;
	port->hash_seed = get_random_u32();
	INIT_LIST_HEAD(&port->devs);

	err = netdev_rx_handler_register(lower, grecap_handle_frame, port);
	if (err)
		goto err_free_local;
	return port;

err_free_local:
	free_percpu(port->local);
err_free_stats:
	free_percpu(port->stats);
err_free_port:
	kfree(port);
	return ERR_PTR(err);
}

static void grecap_port_destroy(struct grecap_port *port)
{
	/* Waits for the receive path to leave the port (synchronize_net). */
	netdev_rx_handler_unregister(port->dev);
	free_percpu(port->local);
	free_percpu(port->stats);
	kfree(port);
}

/*
 * From ndo_init: join the lower device's port (creating it if needed) and
 * put the filter newlink made for the device in the port's tables.  From
 * here on the receive path can find the device.
 */
int grecap_port_attach(struct grecap_dev *gd)
{
	struct grecap_filter *f = rtnl_dereference(gd->filter);
	struct grecap_port *port;
	int err;

	if (grecap_is_port(gd->lower)) {
		port = grecap_port_get_rtnl(gd->lower);
		err = grecap_table_check(port, &f->match, NULL, NULL);
		if (err)
			return err < 0 ? err : -EBUSY;
	} else {
		port = grecap_port_create(gd->lower);
		if (IS_ERR(port))
			return PTR_ERR(port);
	}
	port->count++;
	rcu_assign_pointer(gd->port, port);
	grecap_filter_hash(port, f);
	list_add_tail(&gd->list, &port->devs);
	return 0;
}

/*
 * From ndo_uninit, the mirror of attach.  sysfs readers that still find
 * the filter or the port are done before either is freed: kfree_rcu(),
 * and the synchronize_net() of the port's unregistering.
 */
void grecap_port_detach(struct grecap_dev *gd)
{
	struct grecap_filter *f = rtnl_dereference(gd->filter);
	struct grecap_port *port = grecap_dev_port(gd);

	list_del(&gd->list);
	grecap_filter_unhash(port, f);
	RCU_INIT_POINTER(gd->filter, NULL);
	kfree_rcu(f, rcu);
	RCU_INIT_POINTER(gd->port, NULL);
	if (!--port->count)
		grecap_port_destroy(port);
}
