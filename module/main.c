// SPDX-License-Identifier: GPL-2.0
/*
 * grecap: a receive-only netdevice for remote port mirroring.  GRE and
 * ERSPAN sent to this host on a chosen link is decapsulated in the kernel
 * and its inner frames are delivered to the grecap device, for sniffers,
 * never to the host's stack.
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
 * link=IFACE: "modprobe grecap link=eth1" and capture on grecap0.  A name
 * that does not resolve is told in the kernel log; the module stays loaded
 * for ip link to use.
 */
static void grecap_create_at_load(void)
{
	struct netlink_ext_ack extack = {};
	const struct grecap_match m = {};
	struct net_device *lower, *dev;
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
	err = grecap_create(dev, lower, &m, 0, NULL, &extack);
	if (err) {
		/* A registered device is freed by its unregistering. */
		if (dev->reg_state == NETREG_UNINITIALIZED)
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

static int __init grecap_init(void)
{
	int err;

	/* Bound at load, or NULL after a bare insmod: see grecap.h. */
	if (!grecap_deps_bound()) {
		pr_err("needs the gre and nf_defrag_ipv6 modules: run 'modprobe -a gre nf_defrag_ipv6' before insmod, or load grecap with modprobe\n");
		return -ENOENT;
	}
	grecap_sysfs_init();
	err = grecap_port_init();
	if (err)
		return err;
	err = grecap_netlink_init();
	if (err)
		goto err_port;
	pr_info("version " GRECAP_VERSION " loaded\n");
	if (link && *link)
		grecap_create_at_load();
	return 0;

err_port:
	grecap_port_exit();
	return err;
}

static void __exit grecap_exit(void)
{
	grecap_netlink_exit();
	grecap_port_exit();
	/* Filters are freed by kfree_rcu(); let them go before the module. */
	rcu_barrier();
}

module_init(grecap_init);
module_exit(grecap_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The grecap developers");
MODULE_DESCRIPTION("Decapsulating capture device for GRE port mirroring");
MODULE_VERSION(GRECAP_VERSION);
MODULE_ALIAS_RTNL_LINK("grecap");
