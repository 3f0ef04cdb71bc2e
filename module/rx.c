// SPDX-License-Identifier: GPL-2.0
/*
 * Receive path: the rx_handler on the lower device takes GRE addressed to
 * this host, strips the outer headers and hands the inner frame to the
 * matching grecap device (RX_HANDLER_ANOTHER: no queue, no copy).  On the
 * grecap device a second rx_handler consumes the frame after packet taps
 * and tc ingress have seen it, so it never reaches the host's stack.
 *
 * Outer packet as it reaches the hook (skb->data at the IP header):
 *
 *   +-----------------------+-----------------+---------------------------+
 *   | IPv4 (+options) or    | GRE (RFC 2784,  | payload:                  |
 *   | IPv6 (+ext. headers), | 2890): flags,   |  0x6558 Ethernet frame    |
 *   | protocol 47           | proto [,csum]   |  other: an L3 packet that |
 *   |                       | [,key] [,seq]   |  gets a synthesized       |
 *   |                       |                 |  Ethernet header          |
 *   +-----------------------+-----------------+---------------------------+
 *
 * Nothing is modified until a device has matched: until then the headers
 * are read with skb_header_pointer(), so traffic that is not ours goes back
 * to the stack exactly as it came.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/addrconf.h>
#include <net/gre.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "grecap.h"

/* What the hook learned about an outer packet before taking it. */
struct grecap_outer {
	struct grecap_match key;	/* local, remote, key (if any) */
	unsigned int gre_off;		/* GRE header offset from skb->data */
	unsigned int ip_len;		/* outer IP packet length */
	bool truncated;			/* GRE header cut short */
};

/* An IPv4 packet of protocol 47, header valid, not a fragment. */
static bool grecap_outer_ipv4(const struct sk_buff *skb,
			      struct grecap_outer *o)
{
	__be32 buf[15];
	const struct iphdr *iph;
	unsigned int ihl, len;

	iph = skb_header_pointer(skb, 0, sizeof(*iph), buf);
	if (!iph || iph->version != 4 || iph->protocol != IPPROTO_GRE)
		return false;
	ihl = iph->ihl * 4;
	if (ihl < sizeof(*iph))
		return false;
	iph = skb_header_pointer(skb, 0, ihl, buf);
	/* A bad header is the stack's to drop and count, not ours. */
	if (!iph || ip_fast_csum(iph, iph->ihl))
		return false;
	len = ntohs(iph->tot_len);
	if (len < ihl || len > skb->len || ip_is_fragment(iph))
		return false;

	ipv6_addr_set_v4mapped(iph->daddr, &o->key.local);
	ipv6_addr_set_v4mapped(iph->saddr, &o->key.remote);
	o->gre_off = ihl;
	o->ip_len = len;
	return true;
}

/* An IPv6 packet whose header chain ends in GRE, not a fragment. */
static bool grecap_outer_ipv6(const struct sk_buff *skb,
			      struct grecap_outer *o)
{
	const struct ipv6hdr *ip6h;
	struct ipv6hdr _ip6h;
	__be16 frag_off = 0;
	unsigned int len;
	u8 nexthdr;
	int off;

	if (!IS_ENABLED(CONFIG_IPV6))
		return false;
	ip6h = skb_header_pointer(skb, 0, sizeof(*ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return false;
	len = ntohs(ip6h->payload_len) + sizeof(*ip6h);
	/* Jumbograms (payload_len 0) are not mirrored over GRE. */
	if (!ip6h->payload_len || len > skb->len)
		return false;
	o->key.local = ip6h->daddr;
	o->key.remote = ip6h->saddr;

	/* frag_off is set by any fragment header, first fragments included. */
	nexthdr = ip6h->nexthdr;
	off = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr, &frag_off);
	if (off < 0 || nexthdr != IPPROTO_GRE || frag_off || off >= len)
		return false;
	o->gre_off = off;
	o->ip_len = len;
	return true;
}

static bool grecap_outer_is_local(const struct net_device *lower,
				  const struct grecap_outer *o,
				  __be16 proto)
{
	struct net *net = dev_net(lower);

	if (proto == htons(ETH_P_IP))
		return inet_addr_type_dev_table(net, lower,
						o->key.local.s6_addr32[3]) ==
		       RTN_LOCAL;
#if IS_ENABLED(CONFIG_IPV6)
	return ipv6_chk_addr(net, &o->key.local, lower, 0);
#else
	return false;
#endif
}

/*
 * Read the GRE flags and key without touching the packet.  Returns false
 * for GRE the hook does not take (version 1 or the routing bit).
 */
static bool grecap_outer_gre(const struct sk_buff *skb, struct grecap_outer *o)
{
	const struct gre_base_hdr *greh;
	struct gre_base_hdr _greh;
	__be32 _key, *key;

	greh = skb_header_pointer(skb, o->gre_off, sizeof(*greh), &_greh);
	if (!greh) {
		o->truncated = true;
		return true;
	}
	if (greh->flags & (GRE_VERSION | GRE_ROUTING))
		return false;
	if (!(greh->flags & GRE_KEY))
		return true;

	key = skb_header_pointer(skb, o->gre_off + sizeof(*greh) +
				 (greh->flags & GRE_CSUM ? 4 : 0),
				 sizeof(_key), &_key);
	if (!key) {
		o->truncated = true;
		return true;
	}
	o->key.key = *key;
	o->key.fields |= GRECAP_MATCH_KEY;
	return true;
}

/*
 * Strip the outer IP and GRE headers.  Returns the counter of the payload
 * kind delivered, or a drop counter.
 */
static enum grecap_stat grecap_decap(struct sk_buff *skb,
				     const struct grecap_outer *o,
				     struct net_device *dev)
{
	struct tnl_ptk_info tpi;
	bool csum_err = false;
	struct ethhdr *eth;
	int hdr_len;

	if (o->truncated)
		return GRECAP_STAT_DROP_TRUNC;
	if (pskb_trim_rcsum(skb, o->ip_len) ||
	    !pskb_may_pull(skb, o->gre_off))
		return GRECAP_STAT_DROP_NOMEM;
	skb_pull_rcsum(skb, o->gre_off);
	skb_reset_transport_header(skb);

	/* proto is what WCCP, the one GRE that omits it, carries: IPv4. */
	hdr_len = gre_parse_header(skb, &tpi, &csum_err, htons(ETH_P_IP), 0);
	if (hdr_len < 0)
		return csum_err ? GRECAP_STAT_DROP_CSUM : GRECAP_STAT_DROP_TRUNC;

	if (tpi.proto == htons(ETH_P_TEB)) {
		if (skb->len < hdr_len + ETH_HLEN)
			return GRECAP_STAT_DROP_TRUNC;
		if (iptunnel_pull_header(skb, hdr_len, tpi.proto, false))
			return GRECAP_STAT_DROP_NOMEM;
		skb->protocol = eth_type_trans(skb, dev);
		skb_postpull_rcsum(skb, eth_hdr(skb), ETH_HLEN);
		return GRECAP_STAT_RX_ETH;
	}

	if (iptunnel_pull_header(skb, hdr_len, tpi.proto, false))
		return GRECAP_STAT_DROP_NOMEM;
	/*
	 * An L3 payload becomes an Ethernet frame to grecap0's own address
	 * from 00:00:00:00:00:00, written over the stripped headers; only a
	 * cloned skb (a tap on the link) costs a copy of the header.
	 */
	if (skb_cow_head(skb, ETH_HLEN))
		return GRECAP_STAT_DROP_NOMEM;
	eth = skb_push(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, dev->dev_addr);
	eth_zero_addr(eth->h_source);
	eth->h_proto = tpi.proto;
	skb->protocol = eth_type_trans(skb, dev);

	switch (tpi.proto) {
	case htons(ETH_P_IP):
		return GRECAP_STAT_RX_IPV4;
	case htons(ETH_P_IPV6):
		return GRECAP_STAT_RX_IPV6;
	default:
		return GRECAP_STAT_RX_OTHER;
	}
}

static rx_handler_result_t grecap_take(struct sk_buff **pskb,
				       struct grecap_dev *gd,
				       const struct grecap_outer *o)
{
	struct net_device *dev = gd->dev;
	enum grecap_stat stat;
	struct sk_buff *skb;
	unsigned int len;

	/* Taken even while down: no ICMP goes back for our GRE. */
	if (unlikely(!netif_running(dev))) {
		stat = GRECAP_STAT_DROP_DOWN;
		goto drop;
	}

	skb = skb_share_check(*pskb, GFP_ATOMIC);
	if (unlikely(!skb)) {
		grecap_count(gd->stats, GRECAP_STAT_DROP_NOMEM);
		return RX_HANDLER_CONSUMED;
	}
	*pskb = skb;

	stat = grecap_decap(skb, o, dev);
	if (unlikely(stat >= GRECAP_STAT_DROP_CSUM))
		goto drop;

	skb_reset_network_header(skb);
	skb_reset_mac_len(skb);
	/* iptunnel_pull_header() scrubbed the rest, but kept the timestamp. */
	if (!net_eq(dev_net(gd->lower), dev_net(dev)))
		skb->mark = 0;
	len = skb->len + ETH_HLEN;
	dev_sw_netstats_rx_add(dev, len);
	grecap_count(gd->stats, stat);
	return RX_HANDLER_ANOTHER;

drop:
	grecap_count(gd->stats, stat);
	kfree_skb(*pskb);
	return RX_HANDLER_CONSUMED;
}

rx_handler_result_t grecap_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct grecap_outer o = {};
	struct grecap_port *port;
	struct grecap_dev *gd;
	bool outer;

	/* GRE for this host arrives untagged and to our MAC; leave the rest. */
	if (skb->pkt_type != PACKET_HOST || skb_vlan_tag_present(skb))
		return RX_HANDLER_PASS;
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		outer = grecap_outer_ipv4(skb, &o);
		break;
	case htons(ETH_P_IPV6):
		outer = grecap_outer_ipv6(skb, &o);
		break;
	default:
		return RX_HANDLER_PASS;
	}
	if (!outer)
		return RX_HANDLER_PASS;

	o.key.fields = GRECAP_MATCH_LOCAL | GRECAP_MATCH_REMOTE;
	port = grecap_port_get_rcu(skb->dev);
	if (!grecap_outer_gre(skb, &o)) {
		grecap_count(port->stats, GRECAP_LINK_UNSUPPORTED);
		return RX_HANDLER_PASS;
	}
	if (!grecap_outer_is_local(skb->dev, &o, skb->protocol)) {
		grecap_count(port->stats, GRECAP_LINK_NOT_LOCAL);
		return RX_HANDLER_PASS;
	}
	gd = grecap_port_lookup(port, &o.key);
	if (!gd) {
		/* Native tunnels on this host keep working. */
		grecap_count(port->stats, GRECAP_LINK_UNMATCHED);
		return RX_HANDLER_PASS;
	}
	return grecap_take(pskb, gd, &o);
}

rx_handler_result_t grecap_sink_frame(struct sk_buff **pskb)
{
	/* Taps and tc ingress on grecap0 have seen it; the stack must not. */
	consume_skb(*pskb);
	return RX_HANDLER_CONSUMED;
}
