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
 *   | protocol 47           | proto [,csum]   |  0x88BE, 0x22EB ERSPAN    |
 *   |                       | [,key] [,seq]   |   (erspan.c)              |
 *   |                       |                 |  other: an L3 packet that |
 *   |                       |                 |  gets a synthesized       |
 *   |                       |                 |  Ethernet header          |
 *   +-----------------------+-----------------+---------------------------+
 *
 * Nothing is modified until a device has matched: until then the headers
 * are read with skb_header_pointer(), so traffic that is not ours goes back
 * to the stack exactly as it came.  Outer fragments are the exception: all
 * fragments of GRE to this host are reassembled first (defrag.c), and a
 * whole packet no device wants is then passed on.
 *
 * A packet GRO merged on the link is cut back into the segments it was
 * made of, so what grecap0 shows does not depend on the link's offloads.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/addrconf.h>
#include <net/erspan.h>
#include <net/gre.h>
#ifdef GRECAP_HAVE_NET_GSO_H
#include <net/gso.h>
#endif
#ifdef GRECAP_HAVE_NETDEV_RX_QUEUE_H
#include <net/netdev_rx_queue.h>
#endif
#ifdef GRECAP_HAVE_NET_RPS_H
#include <net/rps.h>
#endif
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "grecap.h"

/* What the hook learned about an outer packet before taking it. */
struct grecap_outer {
	struct grecap_match key;	/* local, remote, key, session */
	unsigned int gre_off;		/* GRE header offset from skb->data */
	unsigned int ip_len;		/* outer IP packet length */
	__be16 gre_flags;
	bool truncated;			/* GRE or ERSPAN header cut short */
};

enum grecap_outer_kind {
	GRECAP_OUTER_NONE,		/* not GRE: the stack's */
	GRECAP_OUTER_GRE,		/* a whole GRE packet */
	GRECAP_OUTER_FRAG,		/* a fragment of one */
};

/* An IPv4 packet of protocol 47 with a valid header. */
static enum grecap_outer_kind grecap_outer_ipv4(const struct sk_buff *skb,
						struct grecap_outer *o)
{
	/*
	 * Written only for a header outside the linear area: not zeroed per
	 * packet (CONFIG_INIT_STACK_ALL_ZERO), and read only through iph.
	 */
	__be32 buf[15] __uninitialized;
	const struct iphdr *iph;
	unsigned int ihl, len;

	iph = skb_header_pointer(skb, 0, sizeof(*iph), buf);
	if (!iph || iph->version != 4 || iph->protocol != IPPROTO_GRE)
		return GRECAP_OUTER_NONE;
	ihl = iph->ihl * 4;
	if (ihl < sizeof(*iph))
		return GRECAP_OUTER_NONE;
	if (ihl > sizeof(*iph)) {
		iph = skb_header_pointer(skb, 0, ihl, buf);
		if (!iph)
			return GRECAP_OUTER_NONE;
	}
	/* A bad header is the stack's to drop and count, not ours. */
	if (ip_fast_csum(iph, iph->ihl))
		return GRECAP_OUTER_NONE;
	len = ntohs(iph->tot_len);
	if (len < ihl || len > skb->len)
		return GRECAP_OUTER_NONE;

	ipv6_addr_set_v4mapped(iph->daddr, &o->key.local);
	ipv6_addr_set_v4mapped(iph->saddr, &o->key.remote);
	o->gre_off = ihl;
	o->ip_len = len;
	return ip_is_fragment(iph) ? GRECAP_OUTER_FRAG : GRECAP_OUTER_GRE;
}

/* An IPv6 packet whose header chain ends in GRE. */
static enum grecap_outer_kind grecap_outer_ipv6(const struct sk_buff *skb,
						struct grecap_outer *o)
{
	const struct ipv6hdr *ip6h;
	struct ipv6hdr _ip6h;
	__be16 frag_off = 0;
	unsigned int len;
	u8 nexthdr;
	int off;

	if (!IS_ENABLED(CONFIG_IPV6))
		return GRECAP_OUTER_NONE;
	ip6h = skb_header_pointer(skb, 0, sizeof(*ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return GRECAP_OUTER_NONE;
	len = ntohs(ip6h->payload_len) + sizeof(*ip6h);
	/* Jumbograms (payload_len 0 and a hop-by-hop option) are not GRE. */
	if ((!ip6h->payload_len && ip6h->nexthdr == NEXTHDR_HOP) ||
	    len > skb->len)
		return GRECAP_OUTER_NONE;
	o->key.local = ip6h->daddr;
	o->key.remote = ip6h->saddr;
	o->ip_len = len;

	/*
	 * frag_off is set by any fragment header, first fragments included;
	 * a later fragment's chain stops at that header: its next header
	 * says what the packet carries.
	 */
	nexthdr = ip6h->nexthdr;
	off = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr, &frag_off);
	if (off < 0 || off > len)
		return GRECAP_OUTER_NONE;
	if (nexthdr == NEXTHDR_FRAGMENT) {
		const struct frag_hdr *fh;
		struct frag_hdr _fh;

		fh = skb_header_pointer(skb, off, sizeof(*fh), &_fh);
		if (!fh)
			return GRECAP_OUTER_NONE;
		nexthdr = fh->nexthdr;
	}
	if (nexthdr != IPPROTO_GRE)
		return GRECAP_OUTER_NONE;
	if (frag_off)
		return GRECAP_OUTER_FRAG;
	o->gre_off = off;
	return GRECAP_OUTER_GRE;
}

static enum grecap_outer_kind grecap_outer(const struct sk_buff *skb,
					   struct grecap_outer *o)
{
	/* What a packet may leave unset; the parsers write the rest. */
	o->key.key = 0;
	o->key.session = 0;
	o->key.fields = 0;
	o->gre_flags = 0;
	o->truncated = false;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return grecap_outer_ipv4(skb, o);
	case htons(ETH_P_IPV6):
		return grecap_outer_ipv6(skb, o);
	default:
		return GRECAP_OUTER_NONE;
	}
}

/*
 * Is the outer destination an address of this host (for IPv4, of the
 * link's routing table: its VRF's, if it has one)?  An IPv4 answer costs a
 * FIB lookup, so each CPU keeps its last local address until the routing
 * generation moves; a mirror stream has one destination.
 */
static bool grecap_outer_is_local(const struct grecap_port *port,
				  const struct grecap_outer *o, __be16 proto)
{
	const struct net_device *lower = port->dev;
	struct grecap_local_cache *c;
	struct net *net = dev_net(lower);
	__be32 addr;
	int genid;

	if (proto != htons(ETH_P_IP)) {
#if IS_ENABLED(CONFIG_IPV6)
		return ipv6_chk_addr(net, &o->key.local, lower, 0);
#else
		return false;
#endif
	}
	addr = o->key.local.s6_addr32[3];
	genid = rt_genid_ipv4(net);
	c = this_cpu_ptr(port->local);
	if (c->addr == addr && c->genid == genid && c->net == net)
		return true;
	if (inet_addr_type_dev_table(net, lower, addr) != RTN_LOCAL)
		return false;
	c->net = net;
	c->addr = addr;
	c->genid = genid;
	return true;
}

/*
 * @len bytes at @off of the outer packet, or NULL past its end: Ethernet
 * padding after a short packet is not a header.
 */
static const void *grecap_peek(const struct sk_buff *skb,
			       const struct grecap_outer *o,
			       unsigned int off, unsigned int len, void *buf)
{
	if (off + len > o->ip_len)
		return NULL;
	return skb_header_pointer(skb, off, len, buf);
}

/*
 * Read the GRE flags, key and ERSPAN session without touching the packet.
 * Returns false for GRE the hook does not take (version 1 or the routing
 * bit).
 */
static bool grecap_outer_gre(const struct sk_buff *skb, struct grecap_outer *o)
{
	struct erspan_base_hdr _ershdr;
	const struct gre_base_hdr *greh;
	struct gre_base_hdr _greh;
	const __be32 *key;
	unsigned int off;
	__be32 _key;

	greh = grecap_peek(skb, o, o->gre_off, sizeof(*greh), &_greh);
	if (!greh) {
		o->truncated = true;
		return true;
	}
	if (greh->flags & (GRE_VERSION | GRE_ROUTING))
		return false;
	o->gre_flags = greh->flags;

	off = o->gre_off + sizeof(*greh) + (greh->flags & GRE_CSUM ? 4 : 0);
	if (greh->flags & GRE_KEY) {
		key = grecap_peek(skb, o, off, sizeof(_key), &_key);
		if (!key) {
			o->truncated = true;
			return true;
		}
		o->key.key = *key;
		o->key.fields |= GRECAP_MATCH_KEY;
		off += 4;
	}
	if (greh->flags & GRE_SEQ)
		off += 4;
	if (grecap_is_erspan(greh->protocol) &&
	    !grecap_erspan_peek(grecap_peek(skb, o, off, sizeof(_ershdr),
					    &_ershdr),
				greh->protocol, greh->flags, &o->key))
		o->truncated = true;
	return true;
}

/*
 * The one place headers are stripped: @p->len bytes before what @p says
 * follows.  An Ethernet frame is delivered as it is; an L3 packet becomes
 * an Ethernet frame to grecap0's own address from 00:00:00:00:00:00,
 * written over the stripped headers (only a cloned skb, a tap on the link,
 * costs a copy of the header).  Then what the device kept of the header:
 * the VLAN tag, out of band as a NIC's VLAN stripping leaves it, and the
 * capture time.  Returns @stat, or a drop counter.
 */
static enum grecap_stat grecap_pull(struct sk_buff *skb,
				    const struct grecap_payload *p,
				    enum grecap_stat stat,
				    struct net_device *dev)
{
	struct ethhdr *eth;

	if (p->proto == htons(ETH_P_TEB)) {
		if (skb->len < p->len + ETH_HLEN)
			return GRECAP_STAT_DROP_TRUNC;
		if (iptunnel_pull_header(skb, p->len, p->proto, false))
			return GRECAP_STAT_DROP_NOMEM;
		skb->protocol = eth_type_trans(skb, dev);
		skb_postpull_rcsum(skb, eth_hdr(skb), ETH_HLEN);
	} else {
		if (iptunnel_pull_header(skb, p->len, p->proto, false) ||
		    skb_cow_head(skb, ETH_HLEN))
			return GRECAP_STAT_DROP_NOMEM;
		eth = skb_push(skb, ETH_HLEN);
		ether_addr_copy(eth->h_dest, dev->dev_addr);
		eth_zero_addr(eth->h_source);
		eth->h_proto = p->proto;
		skb->protocol = eth_type_trans(skb, dev);
	}

	if (p->vlan)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), p->vlan_tci);
	/* A received frame's stamp: wall clock, not a delivery time. */
	if (p->tstamp)
		skb_set_delivery_time(skb, ns_to_ktime(p->tstamp), 0);
	return stat;
}

/* What GRE itself carries: an Ethernet frame or an L3 packet. */
static enum grecap_stat grecap_gre_decode(struct grecap_payload *p)
{
	switch (p->proto) {
	case htons(ETH_P_TEB):
		return GRECAP_STAT_RX_ETH;
	case htons(ETH_P_IP):
		return GRECAP_STAT_RX_IPV4;
	case htons(ETH_P_IPV6):
		return GRECAP_STAT_RX_IPV6;
	default:
		return GRECAP_STAT_RX_OTHER;
	}
}

/*
 * Strip the outer IP and GRE headers and what the payload's decoder says.
 * Returns the counter of the payload kind delivered, or a drop counter.
 */
static enum grecap_stat grecap_decap(struct sk_buff *skb,
				     const struct grecap_outer *o,
				     struct grecap_dev *gd)
{
	unsigned int nhs = o->gre_off;
	struct grecap_payload p = {};
	struct tnl_ptk_info tpi;
	enum grecap_stat stat;
	bool csum_err = false;
	int hdr_len;

	if (o->truncated)
		return GRECAP_STAT_DROP_TRUNC;
	if (pskb_trim_rcsum(skb, o->ip_len))
		return GRECAP_STAT_DROP_NOMEM;
	/*
	 * The outer IP and GRE headers are stripped with one pull, below;
	 * but gre_parse_header() checks a GRE checksum over everything from
	 * skb->data, so a checksummed packet is pulled to its GRE header
	 * first.
	 */
	if (o->gre_flags & GRE_CSUM) {
		if (!pskb_may_pull(skb, nhs))
			return GRECAP_STAT_DROP_NOMEM;
		skb_pull_rcsum(skb, nhs);
		nhs = 0;
	}
	skb_set_transport_header(skb, nhs);

	/* proto is what WCCP, the one GRE that omits it, carries: IPv4. */
	hdr_len = gre_parse_header(skb, &tpi, &csum_err, htons(ETH_P_IP), nhs);
	if (hdr_len < 0)
		return csum_err ? GRECAP_STAT_DROP_CSUM : GRECAP_STAT_DROP_TRUNC;

	if (o->gre_flags & GRE_SEQ)
		grecap_seq_account(gd, &o->key, ntohl(tpi.seq));

	p.len = nhs + hdr_len;
	p.proto = tpi.proto;
	if (grecap_is_erspan(tpi.proto))
		stat = grecap_erspan_decode(skb, tpi.proto, o->gre_flags,
					    READ_ONCE(gd->flags), &p);
	else
		stat = grecap_gre_decode(&p);
	if (stat >= GRECAP_STAT_DROP_CSUM)
		return stat;
	stat = grecap_pull(skb, &p, stat, gd->dev);
	if (stat >= GRECAP_STAT_DROP_CSUM)
		return stat;
	/* Delivered all the same: the source sent it so. */
	if (unlikely(p.erspan_trunc))
		grecap_count(gd->stats, GRECAP_STAT_ERSPAN_TRUNC);
	if (unlikely(p.erspan_bad))
		grecap_count(gd->stats, GRECAP_STAT_ERSPAN_BAD);
	return stat;
}

/* The kernel's name for a drop, for the drop monitor and its tracepoint. */
static enum skb_drop_reason grecap_drop_reason(enum grecap_stat stat)
{
	switch (stat) {
	case GRECAP_STAT_DROP_CSUM:
		return SKB_DROP_REASON_SKB_CSUM;
	case GRECAP_STAT_DROP_TRUNC:
		return SKB_DROP_REASON_PKT_TOO_SMALL;
	case GRECAP_STAT_DROP_ERSPAN:
		return SKB_DROP_REASON_UNHANDLED_PROTO;
	case GRECAP_STAT_DROP_DOWN:
		return SKB_DROP_REASON_DEV_READY;
	case GRECAP_STAT_DROP_NOMEM:
		return SKB_DROP_REASON_NOMEM;
	default:
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
}

static void grecap_rx_count(struct grecap_dev *gd, const struct sk_buff *skb,
			    enum grecap_stat stat)
{
	dev_sw_netstats_rx_add(gd->dev, skb->len + ETH_HLEN);
	grecap_count(gd->stats, stat);
}

/*
 * GRO on the link merged consecutive segments into this packet: cut it
 * back into them (software GSO, checksums computed), and receive each on
 * grecap0 in order.  Consumes @skb.
 */
static rx_handler_result_t grecap_rx_split(struct sk_buff *skb,
					   struct grecap_dev *gd,
					   enum grecap_stat stat)
{
	struct sk_buff *segs, *seg, *next;

	/* GSO starts at the MAC header; eth_type_trans() pulled it. */
	__skb_push(skb, ETH_HLEN);
	segs = __skb_gso_segment(skb, NETIF_F_SG, false);
	if (IS_ERR(segs)) {
		grecap_count(gd->stats, PTR_ERR(segs) == -ENOMEM ?
					GRECAP_STAT_DROP_NOMEM :
					GRECAP_STAT_DROP_TRUNC);
		kfree_skb_reason(skb, SKB_DROP_REASON_SKB_GSO_SEG);
		return RX_HANDLER_CONSUMED;
	}
	if (segs) {
		grecap_count(gd->stats, GRECAP_STAT_RX_SPLIT);
		consume_skb(skb);
	} else {
		segs = skb;
	}

	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		seg->protocol = eth_type_trans(seg, gd->dev);
		skb_reset_network_header(seg);
		skb_reset_mac_len(seg);
		grecap_rx_count(gd, seg, stat);
		netif_receive_skb(seg);
	}
	return RX_HANDLER_CONSUMED;
}

/*
 * RPS on the grecap device spreads one mirror stream (one outer flow, so
 * one CPU on the link) over the CPUs by inner flow.  Steering is decided
 * in netif_receive_skb(), which another round of the receive handler
 * (RX_HANDLER_ANOTHER, cheaper) skips: take that path only when an RPS map
 * is set.
 */
static bool grecap_rps_wanted(const struct net_device *dev)
{
#ifdef CONFIG_RPS
	return static_branch_unlikely(&rps_needed) &&
	       rcu_access_pointer(dev->_rx[0].rps_map);
#else
	return false;
#endif
}

static rx_handler_result_t grecap_take(struct sk_buff **pskb,
				       struct grecap_dev *gd,
				       const struct grecap_outer *o)
{
	struct net_device *dev = gd->dev;
	enum grecap_stat stat;
	struct sk_buff *skb;

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

	stat = grecap_decap(skb, o, gd);
	if (unlikely(stat >= GRECAP_STAT_DROP_CSUM))
		goto drop;

	skb_reset_network_header(skb);
	skb_reset_mac_len(skb);
	/*
	 * The hash and queue were the outer packet's: RPS on grecap0 hashes
	 * the inner flow, and grecap0 has one receive queue.
	 */
	skb_clear_hash(skb);
	skb_record_rx_queue(skb, 0);
	/* iptunnel_pull_header() scrubbed the rest, but kept the timestamp. */
	if (!net_eq(dev_net(gd->lower), dev_net(dev)))
		skb->mark = 0;
	if (skb_is_gso(skb))
		return grecap_rx_split(skb, gd, stat);
	grecap_rx_count(gd, skb, stat);
	if (grecap_rps_wanted(dev)) {
		netif_receive_skb(skb);
		return RX_HANDLER_CONSUMED;
	}
	return RX_HANDLER_ANOTHER;

drop:
	grecap_count(gd->stats, stat);
	kfree_skb_reason(*pskb, grecap_drop_reason(stat));
	return RX_HANDLER_CONSUMED;
}

rx_handler_result_t grecap_handle_frame(struct sk_buff **pskb)
{
	/*
	 * Not zeroed per packet (CONFIG_INIT_STACK_ALL_ZERO would): the
	 * parse writes every field before it is read.
	 */
	struct grecap_outer o __uninitialized;
	enum grecap_outer_kind kind;
	struct grecap_port *port;
	struct grecap_dev *gd;
	__be16 proto;

	/* GRE for this host arrives untagged and to our MAC; leave the rest. */
	if ((*pskb)->pkt_type != PACKET_HOST || skb_vlan_tag_present(*pskb))
		return RX_HANDLER_PASS;
	proto = (*pskb)->protocol;
	kind = grecap_outer(*pskb, &o);
	if (kind == GRECAP_OUTER_NONE)
		return RX_HANDLER_PASS;

	port = grecap_port_get_rcu((*pskb)->dev);
	if (!grecap_outer_is_local(port, &o, proto)) {
		grecap_count(port->stats, GRECAP_LINK_NOT_LOCAL);
		return RX_HANDLER_PASS;
	}
	if (kind == GRECAP_OUTER_FRAG) {
		if (!grecap_can_defrag(proto))
			return RX_HANDLER_PASS;
		if (grecap_defrag(pskb, o.ip_len, port))
			return RX_HANDLER_CONSUMED;
		/* A whole packet now, parsed afresh. */
		if (grecap_outer(*pskb, &o) != GRECAP_OUTER_GRE)
			return RX_HANDLER_PASS;
	}

	o.key.fields |= GRECAP_MATCH_LOCAL | GRECAP_MATCH_REMOTE;
	if (!grecap_outer_gre(*pskb, &o)) {
		grecap_count(port->stats, GRECAP_LINK_UNSUPPORTED);
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
