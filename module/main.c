// SPDX-License-Identifier: GPL-2.0
/*
 * grecap: a receive-only netdevice for remote port mirroring.  GRE,
 * ERSPAN, VXLAN, GENEVE and TZSP sent to this host on a chosen link are
 * decapsulated in the kernel and their inner frames delivered to the
 * grecap device, for sniffers, never to the host's stack.
 *
 * This file: module load and unload, the netdevice notifier, which sees
 * both grecap devices and their links, and the link= parameter.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/rtnetlink.h>

#include "grecap.h"

static char *link;
module_param(link, charp, 0444);
MODULE_PARM_DESC(link,
		 "Create grecap0 (no filter) on this interface of the initial network namespace at load");

/*
 * link=IFACE: "modprobe grecap link=eth1" and capture on grecap0, made by
 * newlink as "ip link add grecap0 link eth1 type grecap" makes it.  A
 * name that does not resolve is told in the kernel log; the module stays
 * loaded for ip link to use.
 */
static void grecap_create_at_load(void)
{
	struct netlink_ext_ack extack = {};
	struct nlattr *tb[IFLA_MAX + 1] = {};
	struct net_device *lower, *dev;
	struct {
		struct nlattr nla;
		u32 ifindex;
	} link_attr;
	int err = -ENODEV;

	rtnl_lock();
	lower = __dev_get_by_name(&init_net, link);
	if (!lower) {
		NL_SET_ERR_MSG(&extack, "no such interface in the initial network namespace");
		goto warn;
	}
	dev = alloc_netdev(sizeof(struct grecap_dev), "grecap%d", NET_NAME_ENUM,
			   grecap_setup);
	if (!dev) {
		err = -ENOMEM;
		goto warn;
	}
	dev->rtnl_link_ops = &grecap_link_ops;
	link_attr.nla.nla_len = nla_attr_size(sizeof(link_attr.ifindex));
	link_attr.nla.nla_type = IFLA_LINK;
	link_attr.ifindex = lower->ifindex;
	tb[IFLA_LINK] = &link_attr.nla;
	err = grecap_newlink(&init_net, dev, tb, NULL, &extack);
	if (err) {
		/*
		 * As rtnl_newlink() does: free_netdev() frees a device whose
		 * registration failed in whatever state it left it
		 * (unregistered, or still unregistering: then later).
		 */
		free_netdev(dev);
		goto warn;
	}
	pr_info("link=%s: created %s\n", link, dev->name);
	rtnl_unlock();
	return;

warn:
	rtnl_unlock();
	pr_warn("link=%s: no device created: %s (%d)\n", link,
		extack._msg ?: "error", err);
}

/* What happens to a link concerns the grecap devices on it. */
static void grecap_port_event(struct net_device *lower, unsigned long event)
{
	struct grecap_port *port = grecap_port_get_rtnl(lower);
	struct grecap_dev *gd;
	LIST_HEAD(list_kill);

	switch (event) {
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		list_for_each_entry(gd, &port->devs, list)
			netif_stacked_transfer_operstate(lower, gd->dev);
		break;
	case NETDEV_UNREGISTER:
		/* A move to another namespace keeps the devices attached. */
		if (lower->reg_state != NETREG_UNREGISTERING)
			break;
		/* ndo_uninit takes them off the list, after this loop. */
		list_for_each_entry(gd, &port->devs, list)
			grecap_dev_del(gd->dev, &list_kill);
		unregister_netdevice_many(&list_kill);
		break;
	}
}

static int grecap_device_event(struct notifier_block *unused,
			       unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	/*
	 * A grecap device registers anew in each namespace it moves to, and
	 * IPv6 (whose notifier ran first) starts there with that namespace's
	 * defaults: keep it quiet every time.
	 */
	if (event == NETDEV_REGISTER && dev->rtnl_link_ops == &grecap_link_ops)
		grecap_dev_quiet(dev);
	if (!grecap_is_port(dev))
		return NOTIFY_DONE;
	/* The hook parses Ethernet; the link must stay Ethernet. */
	if (event == NETDEV_PRE_TYPE_CHANGE)
		return NOTIFY_BAD;
	grecap_port_event(dev, event);
	return NOTIFY_DONE;
}

static struct notifier_block grecap_notifier_block = {
	.notifier_call = grecap_device_event,
};

static int __init grecap_init(void)
{
	int err;

	grecap_table_init();
	grecap_sysfs_init();
	err = register_netdevice_notifier(&grecap_notifier_block);
	if (err)
		return err;
	err = grecap_netlink_init();
	if (err)
		goto err_notifier;
	pr_info("version " GRECAP_VERSION " loaded\n");
	if (link && *link)
		grecap_create_at_load();
	return 0;

err_notifier:
	unregister_netdevice_notifier(&grecap_notifier_block);
	return err;
}

static void __exit grecap_exit(void)
{
	grecap_netlink_exit();
	unregister_netdevice_notifier(&grecap_notifier_block);
	/* Filters are freed by kfree_rcu(); let them go before the module. */
	rcu_barrier();
}

module_init(grecap_init);
module_exit(grecap_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The grecap developers");
MODULE_DESCRIPTION("Decapsulating capture device for GRE, ERSPAN, VXLAN, GENEVE and TZSP port mirroring");
MODULE_VERSION(GRECAP_VERSION);
MODULE_ALIAS_RTNL_LINK("grecap");
