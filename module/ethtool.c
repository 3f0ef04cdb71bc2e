// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool: driver information and the counters that have no place in the
 * standard statistics (ethtool -S, stats.c), the device's own followed by
 * those of its link.
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
	return GRECAP_STATS_SHOWN;
}

static void grecap_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < GRECAP_STATS_SHOWN; i++, data += ETH_GSTRING_LEN)
		memcpy(data, grecap_stats_shown[i].name, ETH_GSTRING_LEN);
}

static void grecap_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);

	/* Under RTNL; a device being unregistered may have left its port. */
	grecap_stats_shown_read(gd, rtnl_dereference(gd->port), data);
}

const struct ethtool_ops grecap_ethtool_ops = {
	.get_drvinfo		= grecap_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_ts_info		= ethtool_op_get_ts_info,
	.get_sset_count		= grecap_get_sset_count,
	.get_strings		= grecap_get_strings,
	.get_ethtool_stats	= grecap_get_ethtool_stats,
};
