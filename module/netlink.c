// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink: "ip link add NAME link DEV type grecap", its attributes
 * (include/uapi/linux/grecap.h), changes and dumps.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <net/gre.h>
#include <net/ipv6.h>
#include <net/rtnetlink.h>

#include "grecap.h"

static const struct nla_policy grecap_policy[IFLA_GRECAP_MAX + 1] = {
	/* A new interface: every attribute is validated strictly. */
	[IFLA_GRECAP_UNSPEC]	= { .strict_start_type = IFLA_GRECAP_LOCAL },
	[IFLA_GRECAP_LOCAL]	= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[IFLA_GRECAP_REMOTE]	= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[IFLA_GRECAP_LOCAL6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IFLA_GRECAP_REMOTE6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IFLA_GRECAP_IFLAGS]	= NLA_POLICY_MASK(NLA_BE16, be16_to_cpu(GRE_KEY)),
	[IFLA_GRECAP_IKEY]	= { .type = NLA_BE32 },
	[IFLA_GRECAP_SESSION]	= { .type = NLA_U16 },
	[IFLA_GRECAP_VLAN]	= NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_GRECAP_TSTAMP]	= NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_GRECAP_ENCAP]	= NLA_POLICY_MAX(NLA_U8, GRECAP_ENCAP_MAX),
	[IFLA_GRECAP_PORT]	= { .type = NLA_BE16 },
	[IFLA_GRECAP_VNI]	= { .type = NLA_U32 },
	[IFLA_GRECAP_INNER_VXLAN] = NLA_POLICY_MAX(NLA_U8, 1),
};

static int grecap_validate(struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	struct nlattr *addr = tb[IFLA_ADDRESS];

	if (!addr)
		return 0;
	if (nla_len(addr) != ETH_ALEN) {
		NL_SET_ERR_MSG_ATTR(extack, addr, "address: must be 6 bytes");
		return -EINVAL;
	}
	if (!is_valid_ether_addr(nla_data(addr))) {
		NL_SET_ERR_MSG_ATTR(extack, addr,
				    "address: must be a unicast Ethernet address");
		return -EADDRNOTAVAIL;
	}
	return 0;
}

static bool grecap_addr_unicast(const struct in6_addr *a)
{
	if (ipv6_addr_v4mapped(a)) {
		__be32 v4 = a->s6_addr32[3];

		return !ipv4_is_zeronet(v4) && !ipv4_is_multicast(v4) &&
		       !ipv4_is_lbcast(v4);
	}
	return !ipv6_addr_is_multicast(a);
}

/*
 * One address field of the filter, from its IPv4 or its IPv6 attribute.
 * The unspecified address (0.0.0.0 or ::) puts the field back to any.
 */
static int grecap_nl_addr(struct grecap_match *m, u32 field,
			  struct nlattr *v4, struct nlattr *v6,
			  struct netlink_ext_ack *extack)
{
	struct in6_addr *addr = field == GRECAP_MATCH_LOCAL ? &m->local :
							      &m->remote;
	struct in6_addr a;

	if (v4 && v6) {
		NL_SET_ERR_MSG_ATTR(extack, v6,
				    "local and remote: give an IPv4 or an IPv6 address, not both");
		return -EINVAL;
	}
	if (v4) {
		if (nla_get_in_addr(v4))
			ipv6_addr_set_v4mapped(nla_get_in_addr(v4), &a);
		else
			a = in6addr_any;
	} else if (v6) {
		a = nla_get_in6_addr(v6);
		if (ipv6_addr_v4mapped(&a)) {
			NL_SET_ERR_MSG_ATTR(extack, v6,
					    "local and remote: give IPv4 addresses as IPv4, not IPv4-mapped IPv6");
			return -EINVAL;
		}
	} else {
		return 0;
	}

	if (ipv6_addr_any(&a)) {
		*addr = in6addr_any;
		m->fields &= ~field;
		return 0;
	}
	if (!grecap_addr_unicast(&a)) {
		NL_SET_ERR_MSG_ATTR(extack, v4 ?: v6,
				    "local and remote must be unicast addresses");
		return -EINVAL;
	}
	*addr = a;
	m->fields |= field;
	return 0;
}

/* The GRE key, as ip_gre takes it: IFLA_GRECAP_IFLAGS says whether. */
static int grecap_nl_key(struct grecap_match *m, struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	struct nlattr *iflags = data[IFLA_GRECAP_IFLAGS];
	struct nlattr *ikey = data[IFLA_GRECAP_IKEY];
	bool keyed;

	if (iflags)
		keyed = nla_get_be16(iflags) & GRE_KEY;
	else
		keyed = ikey || (m->fields & GRECAP_MATCH_KEY);
	if (ikey && !keyed) {
		NL_SET_ERR_MSG_ATTR(extack, ikey,
				    "key: a key given while IFLA_GRECAP_IFLAGS clears GRE_KEY");
		return -EINVAL;
	}
	if (!keyed) {
		m->key = 0;
		m->fields &= ~GRECAP_MATCH_KEY;
		return 0;
	}
	if (ikey)
		m->key = nla_get_be32(ikey);
	m->fields |= GRECAP_MATCH_KEY;
	return 0;
}

static int grecap_nl_session(struct grecap_match *m, struct nlattr *attr,
			     struct netlink_ext_ack *extack)
{
	u16 session;

	if (!attr)
		return 0;
	session = nla_get_u16(attr);
	if (session == GRECAP_SESSION_ANY) {
		m->session = 0;
		m->fields &= ~GRECAP_MATCH_SESSION;
		return 0;
	}
	if (session > GRECAP_SESSION_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "session: not an ERSPAN session ID (0-1023), nor GRECAP_SESSION_ANY");
		return -ERANGE;
	}
	m->session = session;
	m->fields |= GRECAP_MATCH_SESSION;
	return 0;
}

static int grecap_nl_vni(struct grecap_match *m, struct nlattr *attr,
			 struct netlink_ext_ack *extack)
{
	u32 vni;

	if (!attr)
		return 0;
	vni = nla_get_u32(attr);
	if (vni == GRECAP_VNI_ANY) {
		m->vni = 0;
		m->fields &= ~GRECAP_MATCH_VNI;
		return 0;
	}
	if (vni > GRECAP_VNI_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "vni: not a VNI (0-16777215), nor GRECAP_VNI_ANY");
		return -ERANGE;
	}
	m->vni = vni;
	m->fields |= GRECAP_MATCH_VNI;
	return 0;
}

/*
 * The encapsulation and its UDP port.  A new encapsulation without a port
 * takes its default one; port 0 is the default too.
 */
static int grecap_nl_encap(struct grecap_match *m, struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	struct nlattr *encap = data[IFLA_GRECAP_ENCAP];
	struct nlattr *port = data[IFLA_GRECAP_PORT];
	u16 p;

	if (encap && nla_get_u8(encap) != m->encap) {
		m->encap = nla_get_u8(encap);
		m->port = htons(grecap_encap_default_port(m->encap));
	}
	if (!port)
		return 0;
	p = ntohs(nla_get_be16(port));
	if (m->encap == GRECAP_ENCAP_GRE && p) {
		NL_SET_ERR_MSG_ATTR(extack, port,
				    "port: GRE has no UDP port; a UDP port is for vxlan, geneve or tzsp");
		return -EINVAL;
	}
	m->port = htons(p ?: grecap_encap_default_port(m->encap));
	return 0;
}

/* Fields a filter of its encapsulation cannot have. */
static int grecap_nl_fields_fit(const struct grecap_match *m,
				struct nlattr *data[],
				struct netlink_ext_ack *extack)
{
	struct nlattr *encap = data[IFLA_GRECAP_ENCAP];

	if (m->encap == GRECAP_ENCAP_GRE) {
		if (m->fields & GRECAP_MATCH_VNI) {
			NL_SET_ERR_MSG_ATTR(extack, data[IFLA_GRECAP_VNI] ?: encap,
					    "vni: a GRE device has no VNI; a VNI is for vxlan or geneve");
			return -EINVAL;
		}
		return 0;
	}
	if (m->fields & GRECAP_MATCH_KEY) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_GRECAP_IKEY] ?: encap,
				    "key: a GRE key, for GRE devices only; give nokey");
		return -EINVAL;
	}
	if (m->fields & GRECAP_MATCH_SESSION) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_GRECAP_SESSION] ?: encap,
				    "session: an ERSPAN session, for GRE devices only; give session any");
		return -EINVAL;
	}
	if (m->encap == GRECAP_ENCAP_TZSP && (m->fields & GRECAP_MATCH_VNI)) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_GRECAP_VNI] ?: encap,
				    "vni: TZSP has no VNI; give vni any");
		return -EINVAL;
	}
	return 0;
}

/* Apply the filter attributes in @data on top of @m, and check the result. */
static int grecap_nl_match(struct grecap_match *m, struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	const u32 both = GRECAP_MATCH_LOCAL | GRECAP_MATCH_REMOTE;
	int err;

	if (!data)
		return 0;
	err = grecap_nl_addr(m, GRECAP_MATCH_LOCAL, data[IFLA_GRECAP_LOCAL],
			     data[IFLA_GRECAP_LOCAL6], extack);
	if (!err)
		err = grecap_nl_addr(m, GRECAP_MATCH_REMOTE,
				     data[IFLA_GRECAP_REMOTE],
				     data[IFLA_GRECAP_REMOTE6], extack);
	if (!err)
		err = grecap_nl_key(m, data, extack);
	if (!err)
		err = grecap_nl_session(m, data[IFLA_GRECAP_SESSION], extack);
	if (!err)
		err = grecap_nl_vni(m, data[IFLA_GRECAP_VNI], extack);
	if (!err)
		err = grecap_nl_encap(m, data, extack);
	if (!err)
		err = grecap_nl_fields_fit(m, data, extack);
	if (err)
		return err;

	if ((m->fields & both) == both &&
	    ipv6_addr_v4mapped(&m->local) != ipv6_addr_v4mapped(&m->remote)) {
		NL_SET_ERR_MSG(extack,
			       "local and remote must be of the same address family");
		return -EINVAL;
	}
	return 0;
}

static u32 grecap_nl_flag(u32 flags, u32 flag, const struct nlattr *attr)
{
	if (!attr)
		return flags;
	return nla_get_u8(attr) ? flags | flag : flags & ~flag;
}

/*
 * The options in @data on top of *@flags, for a device of @m: the ERSPAN
 * ones for GRE, inner VXLAN for GENEVE.
 */
static int grecap_nl_flags(u32 *flags, const struct grecap_match *m,
			   struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	u32 f = *flags;

	if (data) {
		f = grecap_nl_flag(f, GRECAP_F_VLAN, data[IFLA_GRECAP_VLAN]);
		f = grecap_nl_flag(f, GRECAP_F_TSTAMP, data[IFLA_GRECAP_TSTAMP]);
		f = grecap_nl_flag(f, GRECAP_F_INNER_VXLAN,
				   data[IFLA_GRECAP_INNER_VXLAN]);
	}
	if (m->encap != GRECAP_ENCAP_GRE &&
	    (f & (GRECAP_F_VLAN | GRECAP_F_TSTAMP))) {
		NL_SET_ERR_MSG(extack,
			       "vlan and tstamp are ERSPAN options, for GRE devices only; turn them off");
		return -EINVAL;
	}
	if (m->encap != GRECAP_ENCAP_GENEVE && (f & GRECAP_F_INNER_VXLAN)) {
		NL_SET_ERR_MSG(extack,
			       "innervxlan strips VXLAN carried in GENEVE, for geneve devices only; turn it off");
		return -EINVAL;
	}
	*flags = f;
	return 0;
}

/* Can grecap hook this device?  Says why not, and what to use instead. */
static int grecap_check_lower(const struct net_device *lower,
			      const struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	if (lower->flags & IFF_LOOPBACK) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the loopback device cannot be a grecap link: use the interface the mirrored traffic arrives on");
		return -EINVAL;
	}
	if (lower->rtnl_link_ops == &grecap_link_ops) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a grecap device cannot be the link of another: use the interface the mirrored traffic arrives on");
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
				    "the link already has a receive handler (macvlan, ipvlan, openvswitch, ...): attach grecap to the device the traffic arrives on before it is split");
		return -EBUSY;
	}
	return 0;
}

/*
 * newlink: register @dev, allocated for grecap_link_ops, on the link
 * IFLA_LINK names, with the filter and options of @data.  Also what the
 * link= module parameter creates its device with (main.c).
 */
int grecap_newlink(struct net *src_net, struct net_device *dev,
		   struct nlattr *tb[], struct nlattr *data[],
		   struct netlink_ext_ack *extack)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);
	struct grecap_match m = {};
	struct net_device *lower;
	struct grecap_filter *f;
	u32 flags = 0;
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
	err = grecap_nl_match(&m, data, extack);
	if (!err)
		err = grecap_nl_flags(&flags, &m, data, extack);
	if (!err)
		err = grecap_check_lower(lower, tb[IFLA_LINK], extack);
	if (!err)
		err = grecap_port_check(lower, &m, extack);
	if (err)
		return err;

	gd->dev = dev;
	gd->lower = lower;
	gd->flags = flags;
	INIT_LIST_HEAD(&gd->list);
	/* ndo_init puts it in the port's table; the device then owns it. */
	f = grecap_filter_new(gd, &m);
	if (!f)
		return -ENOMEM;
	RCU_INIT_POINTER(gd->filter, f);

	err = register_netdevice(dev);
	if (err) {
		/* NULL if ndo_uninit already freed it. */
		kfree(rtnl_dereference(gd->filter));
		return err;
	}
	grecap_dev_fix_offloads(dev);

	err = netdev_upper_dev_link(lower, dev, extack);
	if (err)
		goto err_unregister;
	netif_stacked_transfer_operstate(lower, dev);
	return 0;

err_unregister:
	unregister_netdevice(dev);
	return err;
}

static int grecap_changelink(struct net_device *dev, struct nlattr *tb[],
			     struct nlattr *data[],
			     struct netlink_ext_ack *extack)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);
	struct grecap_match m = rtnl_dereference(gd->filter)->match;
	u32 flags = gd->flags;
	int err;

	/* Only an admin of the link's namespace changes what is captured. */
	if (!ns_capable(dev_net(gd->lower)->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(extack,
			       "changing a grecap filter needs CAP_NET_ADMIN in the namespace of its link");
		return -EPERM;
	}
	err = grecap_nl_match(&m, data, extack);
	if (!err)
		err = grecap_nl_flags(&flags, &m, data, extack);
	if (!err)
		err = grecap_port_set_match(gd, &m, extack);
	if (err)
		return err;
	WRITE_ONCE(gd->flags, flags);
	return 0;
}

static size_t grecap_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(struct in6_addr)) +	/* LOCAL(6) */
	       nla_total_size(sizeof(struct in6_addr)) +	/* REMOTE(6) */
	       nla_total_size(sizeof(__be16)) +			/* IFLAGS */
	       nla_total_size(sizeof(__be32)) +			/* IKEY */
	       nla_total_size(sizeof(u16)) +			/* SESSION */
	       nla_total_size(sizeof(u8)) +			/* VLAN */
	       nla_total_size(sizeof(u8)) +			/* TSTAMP */
	       nla_total_size(sizeof(u8)) +			/* ENCAP */
	       nla_total_size(sizeof(__be16)) +			/* PORT */
	       nla_total_size(sizeof(u32)) +			/* VNI */
	       nla_total_size(sizeof(u8));			/* INNER_VXLAN */
}

/* An address field in its family's attribute; nothing when it is any. */
static int grecap_put_addr(struct sk_buff *skb, const struct grecap_match *m,
			   u32 field, int type4, int type6)
{
	const struct in6_addr *a = field == GRECAP_MATCH_LOCAL ? &m->local :
								 &m->remote;

	if (!(m->fields & field))
		return 0;
	if (ipv6_addr_v4mapped(a))
		return nla_put_in_addr(skb, type4, a->s6_addr32[3]);
	return nla_put_in6_addr(skb, type6, a);
}

static int grecap_fill_filter(struct sk_buff *skb, const struct grecap_match *m)
{
	if (nla_put_u8(skb, IFLA_GRECAP_ENCAP, m->encap) ||
	    grecap_put_addr(skb, m, GRECAP_MATCH_LOCAL, IFLA_GRECAP_LOCAL,
			    IFLA_GRECAP_LOCAL6) ||
	    grecap_put_addr(skb, m, GRECAP_MATCH_REMOTE, IFLA_GRECAP_REMOTE,
			    IFLA_GRECAP_REMOTE6))
		return -EMSGSIZE;
	if (m->encap != GRECAP_ENCAP_GRE) {
		if (nla_put_be16(skb, IFLA_GRECAP_PORT, m->port) ||
		    ((m->fields & GRECAP_MATCH_VNI) &&
		     nla_put_u32(skb, IFLA_GRECAP_VNI, m->vni)))
			return -EMSGSIZE;
		return 0;
	}
	if (nla_put_be16(skb, IFLA_GRECAP_IFLAGS,
			 m->fields & GRECAP_MATCH_KEY ? GRE_KEY : 0) ||
	    ((m->fields & GRECAP_MATCH_KEY) &&
	     nla_put_be32(skb, IFLA_GRECAP_IKEY, m->key)) ||
	    ((m->fields & GRECAP_MATCH_SESSION) &&
	     nla_put_u16(skb, IFLA_GRECAP_SESSION, m->session)))
		return -EMSGSIZE;
	return 0;
}

static int grecap_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	struct grecap_dev *gd = grecap_dev_priv(dev);
	const struct grecap_filter *f = rcu_dereference_rtnl(gd->filter);
	u32 flags = READ_ONCE(gd->flags);

	if (nla_put_u8(skb, IFLA_GRECAP_VLAN, !!(flags & GRECAP_F_VLAN)) ||
	    nla_put_u8(skb, IFLA_GRECAP_TSTAMP, !!(flags & GRECAP_F_TSTAMP)) ||
	    nla_put_u8(skb, IFLA_GRECAP_INNER_VXLAN,
		       !!(flags & GRECAP_F_INNER_VXLAN)))
		return -EMSGSIZE;
	/*
	 * The filter is there from ndo_init to ndo_uninit; dumps may run
	 * under RCU rather than RTNL on newer kernels.
	 */
	return f ? grecap_fill_filter(skb, &f->match) : 0;
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
	.newlink	= grecap_newlink_op,
	.changelink	= grecap_changelink,
	.dellink	= grecap_dev_del,
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
