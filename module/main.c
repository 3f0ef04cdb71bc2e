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

static int __init grecap_init(void)
{
	int err;

	grecap_sysfs_init();
	err = grecap_port_init();
	if (err)
		return err;
	err = grecap_netlink_init();
	if (err)
		goto err_port;
	pr_info("version " GRECAP_VERSION " loaded\n");
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
