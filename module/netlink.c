// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink: "ip link add NAME link DEV type grecap", its attributes
 * (include/uapi/linux/grecap.h), changes and dumps.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <net/erspan.h>
#include <net/ipv6.h>
#include <net/rtnetlink.h>

#include "grecap.h"

static const struct nla_policy grecap_policy[IFLA_GRECAP_MAX + 1] = {
	[IFLA_GRECAP_LOCAL]	= { .type = NLA_BINARY,
				    .len = sizeof(struct in6_addr) },
	[IFLA_GRECAP_REMOTE]	= { .type = NLA_BINARY,
				    .len = sizeof(struct in6_addr) },
	[IFLA_GRECAP_KEY]	= { .type = NLA_U32 },
	[IFLA_GRECAP_ANY]	= NLA_POLICY_MASK(NLA_U32, GRECAP_MATCH_ALL),
	[IFLA_GRECAP_SESSION]	= NLA_POLICY_MAX(NLA_U16, ID_MASK),
	[IFLA_GRECAP_FLAGS]	= NLA_POLICY_MASK(NLA_U32, GRECAP_F_ALL),
};

static int grecap_validate_addr(const struct nlattr *attr,
				struct netlink_ext_ack *extack)
{
	if (!attr || nla_len(attr) == sizeof(struct in_addr) ||
	    nla_len(attr) == sizeof(struct in6_addr))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "address must be 4 (IPv4) or 16 (IPv6) bytes");
	return -EINVAL;
}

static int grecap_validate(struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	int err;

	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN)
			return -EINVAL;
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS])))
			return -EADDRNOTAVAIL;
	}
	if (!data)
		return 0;
	err = grecap_validate_addr(data[IFLA_GRECAP_LOCAL], extack);
	if (!err)
		err = grecap_validate_addr(data[IFLA_GRECAP_REMOTE], extack);
	return err;
}

/* Apply IFLA_GRECAP_ANY, then the fields given, on top of @m. */
static int grecap_match_from_nl(struct grecap_match *m, struct nlattr *data[],
				struct netlink_ext_ack *extack)
{
	struct nlattr *attr;
	u32 any;

	if (!data)
		return 0;
	if (data[IFLA_GRECAP_ANY]) {
		any = nla_get_u32(data[IFLA_GRECAP_ANY]);
		if ((any & GRECAP_MATCH_LOCAL && data[IFLA_GRECAP_LOCAL]) ||
		    (any & GRECAP_MATCH_REMOTE && data[IFLA_GRECAP_REMOTE]) ||
		    (any & GRECAP_MATCH_KEY && data[IFLA_GRECAP_KEY]) ||
		    (any & GRECAP_MATCH_SESSION && data[IFLA_GRECAP_SESSION])) {
			NL_SET_ERR_MSG_ATTR(extack, data[IFLA_GRECAP_ANY],
					    "a field cannot be both set and reset to any");
			return -EINVAL;
		}
		grecap_match_clear(m, any);
	}
	attr = data[IFLA_GRECAP_LOCAL];
	if (attr) {
		grecap_match_set_addr(&m->local, nla_data(attr), nla_len(attr));
		m->fields |= GRECAP_MATCH_LOCAL;
	}
	attr = data[IFLA_GRECAP_REMOTE];
	if (attr) {
		grecap_match_set_addr(&m->remote, nla_data(attr), nla_len(attr));
		m->fields |= GRECAP_MATCH_REMOTE;
	}
	attr = data[IFLA_GRECAP_KEY];
	if (attr) {
		m->key = cpu_to_be32(nla_get_u32(attr));
		m->fields |= GRECAP_MATCH_KEY;
	}
	attr = data[IFLA_GRECAP_SESSION];
	if (attr) {
		m->session = nla_get_u16(attr);
		m->fields |= GRECAP_MATCH_SESSION;
	}
	return grecap_match_check(m, extack);
}

/* Can grecap hook this device?  Says why not, and what to use instead. */
static int grecap_check_lower(const struct net_device *lower,
			      const struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	if (lower->flags & IFF_LOOPBACK) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the loopback device cannot be a grecap link: use the interface the mirrored GRE arrives on");
		return -EINVAL;
	}
	if (lower->rtnl_link_ops == &grecap_link_ops) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a grecap device cannot be the link of another: use the interface the mirrored GRE arrives on");
		return -EINVAL;
	}
	if (lower->type != ARPHRD_ETHER || lower->addr_len != ETH_ALEN) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the link must be an Ethernet device");
		return -EINVAL;
	}
	if (netif_is_bridge_port(lower)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the link is a bridge port, whose frames go to the bridge: attach grecap to the bridge device instead");
		return -EBUSY;
	}
	if (netif_is_lag_port(lower)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the link is a bond or team port: attach grecap to the bond or team device instead");
		return -EBUSY;
	}
	if (lower->priv_flags & IFF_NO_RX_HANDLER) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the link does not accept a receive handler");
		return -EINVAL;
	}
	if (netdev_is_rx_handler_busy((struct net_device *)lower) &&
	    !grecap_is_port(lower)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the link already has a receive handler (macvlan, ipvlan, openvswitch, ...): attach grecap to the device the GRE arrives on before it is split");
		return -EBUSY;
	}
	return 0;
}

static int grecap_newlink(struct net *src_net, struct net_device *dev,
			  struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);
	struct grecap_match m = {};
	struct net_device *lower;
	int err;

	if (!tb[IFLA_LINK]) {
		NL_SET_ERR_MSG(extack,
			       "grecap needs a link: ip link add NAME link DEV type grecap");
		return -EINVAL;
	}
	lower = __dev_get_by_index(src_net, nla_get_u32(tb[IFLA_LINK]));
	if (!lower) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK], "link device not found");
		return -ENODEV;
	}
	err = grecap_check_lower(lower, tb[IFLA_LINK], extack);
	if (err)
		return err;
	err = grecap_match_from_nl(&m, data, extack);
	if (err)
		return err;
	if (grecap_port_match_taken(lower, &m)) {
		NL_SET_ERR_MSG(extack,
			       "another grecap device on this link has the same filter");
		return -EEXIST;
	}

	gd->dev = dev;
	gd->lower = lower;
	if (data && data[IFLA_GRECAP_FLAGS])
		gd->flags = nla_get_u32(data[IFLA_GRECAP_FLAGS]);
	INIT_LIST_HEAD(&gd->list);
	err = register_netdevice(dev);
	if (err)
		return err;
	grecap_dev_fix_offloads(dev);

	err = netdev_upper_dev_link(lower, dev, extack);
	if (err)
		goto err_unregister;
	err = grecap_port_set_match(gd, &m, extack);
	if (err)
		goto err_unlink;
	list_add_tail(&gd->list, &gd->port->devs);
	err = grecap_sysfs_add(gd);
	if (err)
		goto err_detach;

	netif_stacked_transfer_operstate(lower, dev);
	return 0;

err_detach:
	list_del(&gd->list);
	grecap_port_clear_match(gd);
err_unlink:
	netdev_upper_dev_unlink(lower, dev);
err_unregister:
	unregister_netdevice(dev);
	return err;
}

GRECAP_NEWLINK_ADAPTER(grecap_newlink)

static int grecap_changelink(struct net_device *dev, struct nlattr *tb[],
			     struct nlattr *data[],
			     struct netlink_ext_ack *extack)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);
	struct grecap_match m = rtnl_dereference(gd->filter)->match;
	int err;

	if (!grecap_netns_capable(gd)) {
		NL_SET_ERR_MSG(extack,
			       "changing a grecap filter needs CAP_NET_ADMIN in the namespace of its link");
		return -EPERM;
	}
	err = grecap_match_from_nl(&m, data, extack);
	if (err)
		return err;
	err = grecap_port_set_match(gd, &m, extack);
	if (err)
		return err;
	if (data && data[IFLA_GRECAP_FLAGS])
		WRITE_ONCE(gd->flags, nla_get_u32(data[IFLA_GRECAP_FLAGS]));
	return 0;
}

static void grecap_dellink(struct net_device *dev, struct list_head *head)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);

	/* Unfindable before unregister's synchronize_net(), freed after. */
	grecap_port_clear_match(gd);
	list_del(&gd->list);
	unregister_netdevice_queue(dev, head);
	netdev_upper_dev_unlink(gd->lower, dev);
}

static size_t grecap_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(struct in6_addr)) +	/* LOCAL */
	       nla_total_size(sizeof(struct in6_addr)) +	/* REMOTE */
	       nla_total_size(sizeof(u32)) +			/* KEY */
	       nla_total_size(sizeof(u16)) +			/* SESSION */
	       nla_total_size(sizeof(u32));			/* FLAGS */
}

static int grecap_put_addr(struct sk_buff *skb, int type,
			   const struct in6_addr *addr)
{
	int len = grecap_match_addr_len(addr);

	return nla_put(skb, type, len,
		       len == sizeof(struct in6_addr) ? (void *)addr :
						       (void *)&addr->s6_addr32[3]);
}

static int grecap_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);
	const struct grecap_filter *f = rcu_dereference_rtnl(gd->filter);
	const struct grecap_match *m;

	if (nla_put_u32(skb, IFLA_GRECAP_FLAGS, READ_ONCE(gd->flags)))
		return -EMSGSIZE;
	if (!f)
		return 0;
	m = &f->match;
	if ((m->fields & GRECAP_MATCH_LOCAL) &&
	    grecap_put_addr(skb, IFLA_GRECAP_LOCAL, &m->local))
		return -EMSGSIZE;
	if ((m->fields & GRECAP_MATCH_REMOTE) &&
	    grecap_put_addr(skb, IFLA_GRECAP_REMOTE, &m->remote))
		return -EMSGSIZE;
	if ((m->fields & GRECAP_MATCH_KEY) &&
	    nla_put_u32(skb, IFLA_GRECAP_KEY, be32_to_cpu(m->key)))
		return -EMSGSIZE;
	if ((m->fields & GRECAP_MATCH_SESSION) &&
	    nla_put_u16(skb, IFLA_GRECAP_SESSION, m->session))
		return -EMSGSIZE;
	return 0;
}

static struct net *grecap_get_link_net(const struct net_device *dev)
{
	return dev_net(grecap_dev_priv(dev)->lower);
}

struct rtnl_link_ops grecap_link_ops __read_mostly = {
	.kind		= "grecap",
	.priv_size	= sizeof(struct grecap_dev),
	.setup		= grecap_setup,
	.maxtype	= IFLA_GRECAP_MAX,
	.policy		= grecap_policy,
	.validate	= grecap_validate,
	.newlink	= GRECAP_NEWLINK(grecap_newlink),
	.changelink	= grecap_changelink,
	.dellink	= grecap_dellink,
	.get_size	= grecap_get_size,
	.fill_info	= grecap_fill_info,
	.get_link_net	= grecap_get_link_net,
};

int grecap_netlink_init(void)
{
	return rtnl_link_register(&grecap_link_ops);
}

void grecap_netlink_exit(void)
{
	rtnl_link_unregister(&grecap_link_ops);
}
