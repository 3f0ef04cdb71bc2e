// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool: driver information and the per-reason counters (ethtool -S),
 * the device's own followed by those of its link.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ethtool.h>

#include "grecap.h"

static void grecap_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->version, GRECAP_VERSION, sizeof(info->version));
}

static int grecap_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return GRECAP_STAT_NUM + GRECAP_LINK_NUM;
}

static void grecap_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	if (sset != ETH_SS_STATS)
		return;
	memcpy(data, grecap_stat_names, sizeof(grecap_stat_names));
	memcpy(data + sizeof(grecap_stat_names), grecap_link_stat_names,
	       sizeof(grecap_link_stat_names));
}

static void grecap_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);
	const struct grecap_port *port;
	u64 c[GRECAP_STAT_ALL];

	grecap_dev_counters(gd, c);
	memcpy(data, c, GRECAP_STAT_NUM * sizeof(*data));
	/* Under RTNL; a device being unregistered may have left its port. */
	port = rtnl_dereference(gd->port);
	if (port)
		grecap_counters_sum(port->stats, GRECAP_LINK_NUM,
				    data + GRECAP_STAT_NUM);
	else
		memset(data + GRECAP_STAT_NUM, 0, GRECAP_LINK_NUM * sizeof(*data));
}

const struct ethtool_ops grecap_ethtool_ops = {
	.get_drvinfo		= grecap_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_ts_info		= ethtool_op_get_ts_info,
	.get_sset_count		= grecap_get_sset_count,
	.get_strings		= grecap_get_strings,
	.get_ethtool_stats	= grecap_get_ethtool_stats,
};
