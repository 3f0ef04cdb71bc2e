// SPDX-License-Identifier: GPL-2.0
/*
 * Receive path: the rx_handler on the lower device takes the mirror
 * traffic addressed to this host that a grecap device asks for, strips the
 * outer headers and hands the inner frame to that device
 * (RX_HANDLER_ANOTHER: no queue, no copy).  On the grecap device a second
 * rx_handler consumes the frame after packet taps and tc ingress have seen
 * it, so it never reaches the host's stack.
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
 *   | ... or protocol 17    | UDP to a port a | VXLAN, GENEVE, TZSP       |
 *   |                       | device takes    |  (udp.c)                  |
 *   +-----------------------+-----------------+---------------------------+
 *
 * Nothing is modified until a device has matched: until then the headers
 * are read with skb_header_pointer(), so traffic that is not ours goes back
 * to the stack exactly as it came.  UDP to a port no grecap device on the
 * link takes is not looked at.  Outer fragments are the exception: all
 * fragments of GRE to this host (and of UDP, when a device on the link
 * takes UDP) are reassembled first (defrag.c), and a whole packet no
 * device wants is then passed on.
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
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/erspan.h>
#include <net/gre.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "grecap.h"
#include "gre_parse.h"
#include "pull.h"
#include "udp.h"

/* What the hook learned about an outer packet before taking it. */
struct grecap_outer {
	struct grecap_match key;	/* what a filter matches */
	unsigned int l4_off;		/* GRE or UDP header offset */
	unsigned int ip_len;		/* outer IP packet length */
	__be16 gre_flags;
	unsigned int udp_len;		/* UDP length, as its header says */
	__sum16 udp_check;
	u8 l4proto;			/* IPPROTO_GRE or IPPROTO_UDP */
	bool truncated;			/* its header cut short */
};

enum grecap_outer_kind {
	GRECAP_OUTER_NONE,		/* not ours to look at: the stack's */
	GRECAP_OUTER_WHOLE,		/* a whole GRE or UDP packet */
	GRECAP_OUTER_FRAG,		/* a fragment of one */
};

/* GRE, and UDP when a device of the link takes it. */
static bool grecap_l4_wanted(u8 l4proto, bool udp)
{
	return l4proto == IPPROTO_GRE || (udp && l4proto == IPPROTO_UDP);
}

/* An IPv4 packet of a wanted protocol with a valid header. */
static __always_inline enum grecap_outer_kind
grecap_outer_ipv4(const struct sk_buff *skb, struct grecap_outer *o, bool udp)
{
	/*
	 * Written only for a header outside the linear area: not zeroed per
	 * packet (CONFIG_INIT_STACK_ALL_ZERO), and read only through iph.
	 */
	__be32 buf[15] __uninitialized;
	const struct iphdr *iph;
	unsigned int ihl, len;

	iph = skb_header_pointer(skb, 0, sizeof(*iph), buf);
	if (!iph || iph->version != 4 || !grecap_l4_wanted(iph->protocol, udp))
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
	o->l4_off = ihl;
	o->ip_len = len;
	o->l4proto = iph->protocol;
	return ip_is_fragment(iph) ? GRECAP_OUTER_FRAG : GRECAP_OUTER_WHOLE;
}

/* An IPv6 packet whose header chain ends in a wanted protocol. */
static enum grecap_outer_kind grecap_outer_ipv6(const struct sk_buff *skb,
						struct grecap_outer *o,
						bool udp)
{
	struct ipv6hdr _ip6h __uninitialized;
	const struct ipv6hdr *ip6h;
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
	/* Jumbograms (payload_len 0 and a hop-by-hop option) are not ours. */
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
	if (!grecap_l4_wanted(nexthdr, udp))
		return GRECAP_OUTER_NONE;
	o->l4proto = nexthdr;
	if (frag_off)
		return GRECAP_OUTER_FRAG;
	o->l4_off = off;
	return GRECAP_OUTER_WHOLE;
}

/*
 * The outer IP header.  Inline: once per packet, at the top of
 * grecap_handle_frame(); a reassembled packet is parsed again out of line
 * (grecap_reparse()).
 */
static __always_inline enum grecap_outer_kind
grecap_outer(const struct sk_buff *skb, struct grecap_outer *o, bool udp)
{
	/* What a packet may leave unset; the parsers write the rest. */
	o->key.key = 0;
	o->key.session = 0;
	o->key.vni = 0;
	o->key.port = 0;
	o->key.encap = GRECAP_ENCAP_GRE;
	o->key.fields = 0;
	o->gre_flags = 0;
	o->truncated = false;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return grecap_outer_ipv4(skb, o, udp);
	case htons(ETH_P_IPV6):
		return grecap_outer_ipv6(skb, o, udp);
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
	/* Read only through the pointers: not zeroed per packet. */
	struct erspan_base_hdr _ershdr __uninitialized;
	struct gre_base_hdr _greh __uninitialized;
	const struct gre_base_hdr *greh;
	const __be32 *key;
	unsigned int off;
	__be32 _key;

	greh = grecap_peek(skb, o, o->l4_off, sizeof(*greh), &_greh);
	if (!greh) {
		o->truncated = true;
		return true;
	}
	if (greh->flags & (GRE_VERSION | GRE_ROUTING))
		return false;
	o->gre_flags = greh->flags;

	off = o->l4_off + sizeof(*greh) + (greh->flags & GRE_CSUM ? 4 : 0);
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
 * The table of the UDP destination port of @o on @port, with the UDP
 * header's fields noted in @o; NULL for a port no device takes, or a UDP
 * header cut short, which are the stack's.
 */
static __always_inline const struct grecap_table *
grecap_outer_udp(const struct sk_buff *skb, struct grecap_outer *o,
		 const struct grecap_port *port)
{
	struct udphdr _uh __uninitialized;
	const struct grecap_table *tbl;
	const struct udphdr *uh;

	uh = grecap_peek(skb, o, o->l4_off, sizeof(*uh), &_uh);
	if (!uh)
		return NULL;
	tbl = grecap_udp_table(port, uh->dest);
	if (!tbl)
		return NULL;
	/* The table's encapsulation as of its port: grecap_table_take(). */
	smp_rmb();
	o->key.port = uh->dest;
	o->key.encap = READ_ONCE(tbl->encap);
	o->udp_len = ntohs(uh->len);
	o->udp_check = uh->check;
	return tbl;
}

/*
 * The one place headers are stripped: @p->len bytes before what @p says
 * follows.  An Ethernet frame is delivered as it is; an L3 packet becomes
 * an Ethernet frame to grecap0's own address from 00:00:00:00:00:00,
 * written over the stripped headers (only a cloned skb, a tap on the link,
 * costs a copy of the header).  The pull is pull.h's, in place, where it
 * can be, iptunnel_pull_header()'s elsewhere.  Then what the device kept
 * of the header:
 * the VLAN tag, out of band as a NIC's VLAN stripping leaves it, and the
 * capture time.
 */
static enum grecap_drop grecap_pull(struct sk_buff *skb,
				    const struct grecap_payload *p,
				    struct net_device *dev)
{
	struct ethhdr *eth;

	if (p->proto == htons(ETH_P_TEB)) {
		if (skb->len < p->len + ETH_HLEN)
			return GRECAP_DROP_TRUNC;
		if (!grecap_pull_fast(skb, p->len, p->proto) &&
		    iptunnel_pull_header(skb, p->len, p->proto, false))
			return GRECAP_DROP_NOMEM;
		skb->protocol = eth_type_trans(skb, dev);
		skb_postpull_rcsum(skb, eth_hdr(skb), ETH_HLEN);
	} else {
		if ((!grecap_pull_fast(skb, p->len, p->proto) &&
		     iptunnel_pull_header(skb, p->len, p->proto, false)) ||
		    skb_cow_head(skb, ETH_HLEN))
			return GRECAP_DROP_NOMEM;
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
	return GRECAP_DROP_NONE;
}

/* What GRE itself carries: an Ethernet frame or an L3 packet. */
static enum grecap_rx grecap_gre_kind(__be16 proto)
{
	switch (proto) {
	case htons(ETH_P_TEB):
		return GRECAP_RX_ETH;
	case htons(ETH_P_IP):
		return GRECAP_RX_IPV4;
	case htons(ETH_P_IPV6):
		return GRECAP_RX_IPV6;
	default:
		return GRECAP_RX_OTHER;
	}
}

/*
 * The GRE header and what its payload's decoder says to strip, into @p.
 * Returns why the frame cannot be delivered, or GRECAP_DROP_NONE.
 */
static enum grecap_drop grecap_decode_gre(struct sk_buff *skb,
					  const struct grecap_outer *o,
					  struct grecap_dev *gd,
					  struct grecap_payload *p)
{
	unsigned int nhs = o->l4_off;
	struct tnl_ptk_info tpi;
	bool csum_err = false;
	int hdr_len;

	hdr_len = grecap_gre_parse_fast(skb, nhs, &tpi.proto, &tpi.seq);
	if (likely(hdr_len > 0))
		goto parsed;
	if (hdr_len < 0)
		return GRECAP_DROP_TRUNC;

	/*
	 * The outer IP and GRE headers are stripped with one pull, in
	 * grecap_pull(); but gre_parse_header() checks a GRE checksum over
	 * everything from skb->data, so a checksummed packet is pulled to
	 * its GRE header first.
	 */
	if (o->gre_flags & GRE_CSUM) {
		if (!pskb_may_pull(skb, nhs))
			return GRECAP_DROP_NOMEM;
		skb_pull_rcsum(skb, nhs);
		nhs = 0;
	}
	skb_set_transport_header(skb, nhs);

	/* proto is what WCCP, the one GRE that omits it, carries: IPv4. */
	hdr_len = gre_parse_header(skb, &tpi, &csum_err, htons(ETH_P_IP), nhs);
	if (hdr_len < 0)
		return csum_err ? GRECAP_DROP_CSUM : GRECAP_DROP_TRUNC;

parsed:
	if (o->gre_flags & GRE_SEQ)
		grecap_seq_account(gd, &o->key, ntohl(tpi.seq));

	p->len = nhs + hdr_len;
	p->proto = tpi.proto;
	if (grecap_is_erspan(tpi.proto))
		return grecap_erspan_decode(skb, tpi.proto, o->gre_flags,
					    READ_ONCE(gd->flags), p);
	p->kind = grecap_gre_kind(tpi.proto);
	return GRECAP_DROP_NONE;
}

/*
 * A UDP checksum that is there (not 0: none, as RFC 768 allows for IPv4,
 * and RFC 6935 for tunnels over IPv6) must be right.  skb->data is at the
 * UDP header, and the packet ends with the datagram.
 */
static bool grecap_udp_csum_bad(struct sk_buff *skb, __be16 proto)
{
	if (proto == htons(ETH_P_IP)) {
		if (skb_checksum_init(skb, IPPROTO_UDP, inet_compute_pseudo))
			return true;
	} else if (skb_checksum_init(skb, IPPROTO_UDP, ip6_compute_pseudo)) {
		return true;
	}
	return skb_checksum_complete(skb);
}

/*
 * The UDP header and its checksum; then the verdict of the VXLAN, GENEVE
 * or TZSP header, which grecap_udp_peek() read into @p with its offsets
 * from the outer IP header.
 */
static enum grecap_drop grecap_decode_udp(struct sk_buff *skb,
					  const struct grecap_outer *o,
					  __be16 proto, struct grecap_dev *gd,
					  struct grecap_payload *p)
{
	unsigned int end = o->l4_off + o->udp_len;

	/* Bytes after the datagram are not part of it. */
	if (end < skb->len && pskb_trim_rcsum(skb, end))
		return GRECAP_DROP_NOMEM;
	if (o->udp_check) {
		if (!pskb_may_pull(skb, o->l4_off))
			return GRECAP_DROP_NOMEM;
		skb_pull_rcsum(skb, o->l4_off);
		skb_reset_transport_header(skb);
		if (grecap_udp_csum_bad(skb, proto))
			return GRECAP_DROP_CSUM;
		p->len -= o->l4_off;
	}
	/* An Ethernet frame, as a mirror stream sends, or a closer look. */
	if (likely(p->proto == htons(ETH_P_TEB) && !p->drop))
		return GRECAP_DROP_NONE;
	if (p->drop)
		return p->drop;
	if (p->kind == GRECAP_RX_GENEVE &&
	    (READ_ONCE(gd->flags) & GRECAP_F_INNER_VXLAN))
		grecap_udp_inner_vxlan(skb, p);
	return GRECAP_DROP_NONE;
}

/*
 * Did the source cut the frame?  An AWS mirror session with a packet
 * length sends the first bytes of each frame only; what can tell is an
 * inner IPv4 or IPv6 header (behind at most one VLAN tag) whose length
 * runs past the end of the frame.  skb->data is at the frame's network
 * header, as grecap_pull() leaves it.
 */
static noinline bool grecap_source_truncated_any(const struct sk_buff *skb)
{
	__be16 proto = skb->protocol;
	unsigned int off = 0, len;
	union {
		__be16 type;
		struct iphdr v4;
		struct ipv6hdr v6;
	} buf;

	if (eth_type_vlan(proto)) {
		const __be16 *type;

		type = skb_header_pointer(skb, 2, sizeof(*type), &buf);
		if (!type)
			return false;
		proto = *type;
		off = VLAN_HLEN;
	}
	if (proto == htons(ETH_P_IP)) {
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, off, sizeof(*iph), &buf);
		if (!iph || iph->version != 4)
			return false;
		len = ntohs(iph->tot_len);
	} else if (proto == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h;

		ip6h = skb_header_pointer(skb, off, sizeof(*ip6h), &buf);
		/* payload_len 0: a jumbogram, whose length is elsewhere. */
		if (!ip6h || ip6h->version != 6 || !ip6h->payload_len)
			return false;
		len = sizeof(*ip6h) + ntohs(ip6h->payload_len);
	} else {
		return false;
	}
	return off + len > skb->len;
}

/* Most mirrored frames are IPv4, its header in the linear area: read it so. */
static bool grecap_source_truncated(const struct sk_buff *skb)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;

	if (likely(skb->protocol == htons(ETH_P_IP) &&
		   skb_headlen(skb) >= sizeof(*iph)))
		return iph->version == 4 && ntohs(iph->tot_len) > skb->len;
	return grecap_source_truncated_any(skb);
}

/* The kernel's name for a drop, for the drop monitor and its tracepoint. */
static enum skb_drop_reason grecap_drop_reason(enum grecap_drop drop)
{
	switch (drop) {
	case GRECAP_DROP_CSUM:
		return SKB_DROP_REASON_SKB_CSUM;
	case GRECAP_DROP_TRUNC:
		return SKB_DROP_REASON_PKT_TOO_SMALL;
	case GRECAP_DROP_ERSPAN:
	case GRECAP_DROP_UDP_HDR:
	case GRECAP_DROP_OAM:
	case GRECAP_DROP_NOT_ETH:
		return SKB_DROP_REASON_UNHANDLED_PROTO;
	case GRECAP_DROP_DOWN:
		return SKB_DROP_REASON_DEV_READY;
	case GRECAP_DROP_NOMEM:
		return SKB_DROP_REASON_NOMEM;
	default:
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
}

static void grecap_rx_count(struct grecap_dev *gd, const struct sk_buff *skb,
			    enum grecap_rx kind)
{
	dev_sw_netstats_rx_add(gd->dev, skb->len + ETH_HLEN);
	grecap_count_rx(gd, kind);
}

/*
 * GRO on the link merged consecutive segments into this packet: cut it
 * back into them (software GSO, checksums computed), and receive each on
 * grecap0 in order.  Consumes @skb.
 */
static rx_handler_result_t grecap_rx_split(struct sk_buff *skb,
					   struct grecap_dev *gd,
					   enum grecap_rx kind)
{
	struct sk_buff *segs, *seg, *next;

	/* GSO starts at the MAC header; eth_type_trans() pulled it. */
	__skb_push(skb, ETH_HLEN);
	segs = __skb_gso_segment(skb, NETIF_F_SG, false);
	if (IS_ERR(segs)) {
		grecap_count_drop(gd, PTR_ERR(segs) == -ENOMEM ?
				      GRECAP_DROP_NOMEM : GRECAP_DROP_TRUNC);
		kfree_skb_reason(skb, SKB_DROP_REASON_SKB_GSO_SEG);
		return RX_HANDLER_CONSUMED;
	}
	if (segs) {
		grecap_count_health(gd, GRECAP_H_GRO_SPLIT, 1);
		consume_skb(skb);
	} else {
		segs = skb;
	}

	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		seg->protocol = eth_type_trans(seg, gd->dev);
		skb_reset_network_header(seg);
		skb_reset_mac_len(seg);
		grecap_rx_count(gd, seg, kind);
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

/*
 * GRO on the link merged datagrams of one outer UDP flow (UDP GRO
 * forwarding, or GRO fraglist, both off by default): each may be of
 * another VNI, or for the stack.  Cut the packet back into them and
 * receive each on the link anew.  Consumes *@pskb.
 */
static rx_handler_result_t grecap_udp_resegment(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb, *segs, *seg, *next;
	struct net_device *lower = skb->dev;

	__skb_push(skb, skb->mac_len);
	segs = __skb_gso_segment(skb, NETIF_F_SG, false);
	if (IS_ERR_OR_NULL(segs)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_SKB_GSO_SEG);
		return RX_HANDLER_CONSUMED;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		seg->protocol = eth_type_trans(seg, lower);
		netif_receive_skb(seg);
	}
	return RX_HANDLER_CONSUMED;
}

static bool grecap_udp_gro_merged(const struct sk_buff *skb)
{
	return skb_is_gso(skb) &&
	       (skb_shinfo(skb)->gso_type & (SKB_GSO_UDP_L4 | SKB_GSO_FRAGLIST)) &&
	       !(skb_shinfo(skb)->gso_type & (SKB_GSO_UDP_TUNNEL |
					       SKB_GSO_UDP_TUNNEL_CSUM));
}

/* Inline: its one caller is grecap_handle_frame(), once per packet. */
static __always_inline rx_handler_result_t
grecap_take(struct sk_buff **pskb, struct grecap_dev *gd,
	    const struct grecap_outer *o, struct grecap_payload *p)
{
	struct net_device *dev = gd->dev;
	enum grecap_drop drop;
	struct sk_buff *skb;
	__be16 proto;

	/* Taken even while down: no ICMP goes back for our traffic. */
	if (unlikely(!netif_running(dev))) {
		drop = GRECAP_DROP_DOWN;
		goto drop;
	}

	skb = skb_share_check(*pskb, GFP_ATOMIC);
	if (unlikely(!skb)) {
		grecap_count_drop(gd, GRECAP_DROP_NOMEM);
		return RX_HANDLER_CONSUMED;
	}
	*pskb = skb;
	proto = skb->protocol;

	if (unlikely(o->truncated)) {
		drop = GRECAP_DROP_TRUNC;
		goto drop;
	}
	if (pskb_trim_rcsum(skb, o->ip_len)) {
		drop = GRECAP_DROP_NOMEM;
		goto drop;
	}
	if (o->l4proto == IPPROTO_GRE)
		drop = grecap_decode_gre(skb, o, gd, p);
	else
		drop = grecap_decode_udp(skb, o, proto, gd, p);
	if (unlikely(drop))
		goto drop;
	drop = grecap_pull(skb, p, dev);
	if (unlikely(drop))
		goto drop;
	/* Delivered all the same: the source sent it so. */
	if (o->l4proto == IPPROTO_UDP && unlikely(grecap_source_truncated(skb)))
		grecap_count_health(gd, GRECAP_H_SOURCE_TRUNC, 1);
	if (unlikely(p->erspan_trunc))
		grecap_count_health(gd, GRECAP_H_ERSPAN_TRUNC, 1);
	if (unlikely(p->erspan_bad))
		grecap_count_health(gd, GRECAP_H_ERSPAN_BAD, 1);

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
		return grecap_rx_split(skb, gd, p->kind);
	grecap_rx_count(gd, skb, p->kind);
	if (grecap_rps_wanted(dev)) {
		netif_receive_skb(skb);
		return RX_HANDLER_CONSUMED;
	}
	return RX_HANDLER_ANOTHER;

drop:
	grecap_count_drop(gd, drop);
	kfree_skb_reason(*pskb, grecap_drop_reason(drop));
	return RX_HANDLER_CONSUMED;
}

/*
 * The device a packet's @key picks in @tbl of @port, or NULL.  The
 * catch-all alone, as on most links, is found here with no mask to walk;
 * table.c walks the rest.
 */
static struct grecap_dev *grecap_lookup(const struct grecap_port *port,
					const struct grecap_table *tbl,
					const struct grecap_match *key)
{
	unsigned long masks = READ_ONCE(tbl->masks);

	if (masks == BIT(GRECAP_PRIO_ANY))
		return grecap_any(tbl, key);
	return grecap_lookup_masks(port, tbl, key, masks);
}

/*
 * A packet reassembled from outer fragments, parsed afresh: false when it
 * is not one for a device of @port after all.
 */
static noinline bool grecap_reparse(const struct sk_buff *skb,
				    struct grecap_outer *o,
				    const struct grecap_port *port, bool udp,
				    const struct grecap_table **tbl)
{
	if (grecap_outer(skb, o, udp) != GRECAP_OUTER_WHOLE)
		return false;
	if (o->l4proto == IPPROTO_UDP) {
		*tbl = grecap_outer_udp(skb, o, port);
		return *tbl;
	}
	return true;
}

rx_handler_result_t grecap_handle_frame(struct sk_buff **pskb)
{
	/*
	 * Not zeroed per packet (CONFIG_INIT_STACK_ALL_ZERO would): the
	 * parse writes every field before it is read.
	 */
	struct grecap_outer o __uninitialized;
	const struct grecap_table *tbl = NULL;
	struct grecap_payload p = {};
	enum grecap_outer_kind kind;
	struct grecap_port *port;
	struct grecap_dev *gd;
	unsigned int udp_end;
	bool udp;
	__be16 proto;

	/* Mirror traffic for this host arrives untagged and to our MAC. */
	if ((*pskb)->pkt_type != PACKET_HOST || skb_vlan_tag_present(*pskb))
		return RX_HANDLER_PASS;
	port = grecap_port_get_rcu((*pskb)->dev);
	udp = READ_ONCE(port->udp_tables);
	proto = (*pskb)->protocol;
	kind = grecap_outer(*pskb, &o, udp);
	if (kind == GRECAP_OUTER_NONE)
		return RX_HANDLER_PASS;
	/* UDP to a port no device takes is not mirror traffic. */
	if (kind == GRECAP_OUTER_WHOLE && o.l4proto == IPPROTO_UDP) {
		tbl = grecap_outer_udp(*pskb, &o, port);
		if (!tbl)
			return RX_HANDLER_PASS;
	}

	if (!grecap_outer_is_local(port, &o, proto)) {
		if (o.l4proto == IPPROTO_GRE || tbl)
			grecap_count_link(port, GRECAP_LINK_NOT_LOCAL);
		return RX_HANDLER_PASS;
	}
	if (unlikely(kind == GRECAP_OUTER_FRAG)) {
		if (!grecap_can_defrag(proto))
			return RX_HANDLER_PASS;
		if (grecap_defrag(pskb, o.ip_len, port))
			return RX_HANDLER_CONSUMED;
		if (!grecap_reparse(*pskb, &o, port, udp, &tbl))
			return RX_HANDLER_PASS;
	}

	o.key.fields |= GRECAP_MATCH_LOCAL | GRECAP_MATCH_REMOTE;
	if (o.l4proto == IPPROTO_GRE) {
		if (!grecap_outer_gre(*pskb, &o)) {
			grecap_count_link(port, GRECAP_LINK_UNSUPPORTED);
			return RX_HANDLER_PASS;
		}
		tbl = &port->tables[0];
	} else {
		if (unlikely(grecap_udp_gro_merged(*pskb)))
			return grecap_udp_resegment(pskb);
		udp_end = o.l4_off + o.udp_len;
		if (!grecap_udp_peek(*pskb, o.key.encap,
				     o.l4_off + sizeof(struct udphdr), udp_end,
				     o.ip_len, &o.key, &p) ||
		    o.udp_len < sizeof(struct udphdr) || udp_end > o.ip_len)
			o.truncated = true;
	}
	gd = grecap_lookup(port, tbl, &o.key);
	if (!gd) {
		/* Native tunnels on this host keep working. */
		grecap_count_link(port, GRECAP_LINK_UNMATCHED);
		return RX_HANDLER_PASS;
	}
	return grecap_take(pskb, gd, &o, &p);
}

rx_handler_result_t grecap_sink_frame(struct sk_buff **pskb)
{
	/* Taps and tc ingress on grecap0 have seen it; the stack must not. */
	consume_skb(*pskb);
	return RX_HANDLER_CONSUMED;
}
