// SPDX-License-Identifier: GPL-2.0
/*
 * The grecap netdevice: an Ethernet device that only receives.  Frames sent
 * to it are dropped and counted; its statistics come from per-CPU counters.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/percpu.h>
#include <net/addrconf.h>

#include "grecap.h"

/*
 * A device's state, created here in one place (and torn down in reverse in
 * grecap_dev_uninit): counters, the sequence table, the sink on the device
 * itself, then its place on the link's port with the filter newlink made.
 * The sysfs files
 * are the device type's attribute groups, which register_netdevice()
 * creates next.
 */
static int grecap_dev_init(struct net_device *dev)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);
	int err;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	gd->stats = grecap_counters_alloc(GRECAP_CNT_NUM);
	if (!gd->stats) {
		err = -ENOMEM;
		goto err_free_tstats;
	}
	gd->seq = grecap_seq_alloc();
	if (!gd->seq) {
		err = -ENOMEM;
		goto err_free_stats;
	}
	/* Consumes what reaches the device after taps and tc ingress. */
	err = netdev_rx_handler_register(dev, grecap_sink_frame, NULL);
	if (err)
		goto err_free_seq;
	err = grecap_port_attach(gd);
	if (err)
		goto err_unregister_sink;
	/* No carrier until the link's is transferred (newlink, the port's
	 * events), whose carrier-on then makes the state UP, as for VLANs,
	 * rather than the UNKNOWN of a device that never reports one.
	 */
	netif_carrier_off(dev);
	return 0;

err_unregister_sink:
	netdev_rx_handler_unregister(dev);
err_free_seq:
	grecap_seq_free(gd->seq);
	gd->seq = NULL;
err_free_stats:
	free_percpu(gd->stats);
	gd->stats = NULL;
err_free_tstats:
	free_percpu(dev->tstats);
	dev->tstats = NULL;
	return err;
}

/* The mirror of grecap_dev_init(); the sysfs files outlive it a little. */
static void grecap_dev_uninit(struct net_device *dev)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);

	grecap_port_detach(gd);
	netdev_rx_handler_unregister(dev);
}

/* Counters may still be read (sysfs statistics) until the device is freed. */
static void grecap_dev_free(struct net_device *dev)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);

	grecap_seq_free(gd->seq);
	free_percpu(gd->stats);
	free_percpu(dev->tstats);
}

/* grecap0 never sends: what is sent to it counts in tx_dropped. */
static netdev_tx_t grecap_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

/*
 * The standard counters, each in the member of rtnl_link_stats64 that has
 * its meaning (stats.c).  The core adds its own drops (tx_dropped above).
 */
static void grecap_get_stats64(struct net_device *dev,
			       struct rtnl_link_stats64 *s)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);
	const u64 *drop;
	u64 c[GRECAP_CNT_NUM];

	dev_get_tstats64(dev, s);
	grecap_dev_counters(gd, c);
	drop = &c[GRECAP_CNT_DROP];
	s->rx_crc_errors = drop[GRECAP_DROP_CSUM];
	s->rx_length_errors = drop[GRECAP_DROP_TRUNC];
	s->rx_errors = s->rx_crc_errors + s->rx_length_errors +
		       drop[GRECAP_DROP_ERSPAN] + drop[GRECAP_DROP_UDP_HDR];
	s->rx_dropped += drop[GRECAP_DROP_DOWN] + drop[GRECAP_DROP_NOMEM] +
			 drop[GRECAP_DROP_OAM] + drop[GRECAP_DROP_NOT_ETH];
}

static int grecap_get_iflink(const struct net_device *dev)
{
	return grecap_dev_priv(dev)->lower->ifindex;
}

/*
 * grecap0 shows frames as they were on the wire, so it never aggregates
 * them; register_netdevice() offers GRO to every device, fix it off here.
 */
#define GRECAP_NO_FEATURES	(NETIF_F_GRO | NETIF_F_GRO_FRAGLIST | \
				 NETIF_F_GRO_UDP_FWD | NETIF_F_LRO)

static netdev_features_t grecap_fix_features(struct net_device *dev,
					     netdev_features_t features)
{
	return features & ~GRECAP_NO_FEATURES;
}

/* After registration: ethtool -k then shows GRO as "off [fixed]". */
void grecap_dev_fix_offloads(struct net_device *dev)
{
	dev->hw_features &= ~GRECAP_NO_FEATURES;
	dev->wanted_features &= ~GRECAP_NO_FEATURES;
}

static const struct net_device_ops grecap_netdev_ops = {
	.ndo_init		= grecap_dev_init,
	.ndo_uninit		= grecap_dev_uninit,
	.ndo_start_xmit		= grecap_xmit,
	.ndo_get_stats64	= grecap_get_stats64,
	.ndo_get_iflink		= grecap_get_iflink,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_fix_features	= grecap_fix_features,
};

/*
 * A capture device must show only what was mirrored, but packet taps also
 * see what the host sends on a device, before grecap drops it.  IPv6
 * autoconfiguration would send router solicitations and MLD reports on
 * every grecap device, so it starts with IPv6 disabled (and IFF_NOARP for
 * IPv4), here and in each namespace it moves to (from the netdevice
 * notifier); net.ipv6.conf.<dev>.disable_ipv6 shows it and can undo it.
 */
void grecap_dev_quiet(struct net_device *dev)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct inet6_dev *idev = __in6_dev_get(dev);

	if (idev)
		WRITE_ONCE(idev->cnf.disable_ipv6, 1);
#endif
}

/* Unregister @dev (in @head, or at once), from its link too: dellink's body. */
void grecap_dev_del(struct net_device *dev, struct list_head *head)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);

	/* ndo_uninit takes the device off its port. */
	unregister_netdevice_queue(dev, head);
	netdev_upper_dev_unlink(gd->lower, dev);
}

void grecap_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &grecap_netdev_ops;
	dev->ethtool_ops = &grecap_ethtool_ops;
	SET_NETDEV_DEVTYPE(dev, &grecap_type);
	dev->needs_free_netdev = true;
	dev->priv_destructor = grecap_dev_free;

	/* Receive only: no ARP, no queue, and nothing to stack on top. */
	dev->flags |= IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE | IFF_DONT_BRIDGE;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->features |= NETIF_F_VLAN_CHALLENGED;
	dev->hw_features |= NETIF_F_VLAN_CHALLENGED;
	grecap_set_lltx(dev);

	/*
	 * The MTU only tells capture tools how large a frame may be; the
	 * receive path never checks it.  The maximum truncates nothing.
	 */
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
	dev->mtu = ETH_MAX_MTU;

	eth_hw_addr_random(dev);
}
