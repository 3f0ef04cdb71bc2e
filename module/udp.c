// SPDX-License-Identifier: GPL-2.0
/*
 * VXLAN, GENEVE and TZSP, the UDP encapsulations of cloud and router
 * mirrors: the VNI a filter matches on, how much header to strip and what
 * follows.  This file only reads; rx.c strips and delivers.
 *
 * What follows the UDP header:
 *
 *   VXLAN (RFC 7348)   | R R R R I R R R |     Reserved (24)             |
 *                      |          VNI (24)               | Reserved (8) |
 *                      | Ethernet frame ...
 *
 *   GENEVE (RFC 8926)  |Ver|Opt Len|O|C|Rsvd |   Protocol Type (16)      |
 *                      |          VNI (24)               | Reserved (8) |
 *                      | options: Opt Len x 4 bytes, skipped whatever they
 *                      |   are, critical (C) or not
 *                      | Ethernet frame (0x6558), IPv4 or IPv6 packet
 *
 *   TZSP               | Version = 1 | Type (8) |  Encapsulation (16)    |
 *                      | tagged fields: a tag byte, then (but for PADDING,
 *                      |   0, and END, 1) a length byte and as much data;
 *                      |   END closes them
 *                      | the frame, of that encapsulation (1: Ethernet)
 *
 * Reserved bits are ignored on receipt, as RFC 7348 and 8926 say: only
 * VXLAN's I flag (a valid VNI) and GENEVE's version 0 are required.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/geneve.h>
#include <net/ip.h>
#include <net/vxlan.h>

#include "grecap.h"

/* TZSP's header, which the kernel has no header for. */
struct grecap_tzsphdr {
	u8 version;
	u8 type;
	__be16 encap;
};

#define GRECAP_TZSP_VERSION	1
#define GRECAP_TZSP_RX_PACKET	0	/* types that carry a frame */
#define GRECAP_TZSP_TX_PACKET	1
#define GRECAP_TZSP_ETHERNET	1	/* encapsulation */
#define GRECAP_TZSP_PADDING	0	/* tags */
#define GRECAP_TZSP_END		1
/*
 * The tagged fields grecap walks at most: real sources send a few short
 * ones (signal, rate, time), and a header of hundreds of padding bytes
 * would cost a loop turn each.
 */
#define GRECAP_TZSP_TAGS_MAX	128

/* AWS Gateway Load Balancer's GENEVE carries VXLAN to this port. */
#define GRECAP_INNER_VXLAN_PORT	4789

static u32 grecap_vni(const u8 vni[3])
{
	return vni[0] << 16 | vni[1] << 8 | vni[2];
}

/*
 * Before a device is chosen: the VNI of the VXLAN or GENEVE header at
 * @off, the outer packet ending at @end.  A header without a valid VNI
 * (no I flag; a GENEVE version grecap does not know) has none a filter
 * can match.  Returns false when the header is cut short.
 */
bool grecap_udp_peek(const struct sk_buff *skb, unsigned int off,
		     unsigned int end, struct grecap_match *key)
{
	const struct genevehdr *gnvh;
	const struct vxlanhdr *vxh;
	union {
		struct vxlanhdr vx;
		struct genevehdr gn;
	} buf;

	switch (key->encap) {
	case GRECAP_ENCAP_VXLAN:
		if (off + sizeof(*vxh) > end)
			return false;
		vxh = skb_header_pointer(skb, off, sizeof(*vxh), &buf);
		if (!vxh)
			return false;
		if (!(vxh->vx_flags & VXLAN_HF_VNI))
			return true;
		key->vni = be32_to_cpu(vxh->vx_vni) >> 8;
		break;
	case GRECAP_ENCAP_GENEVE:
		if (off + sizeof(*gnvh) > end)
			return false;
		gnvh = skb_header_pointer(skb, off, sizeof(*gnvh), &buf);
		if (!gnvh)
			return false;
		if (gnvh->ver)
			return true;
		key->vni = grecap_vni(gnvh->vni);
		break;
	default:
		return true;
	}
	key->fields |= GRECAP_MATCH_VNI;
	return true;
}

/*
 * AWS Gateway Load Balancer: a VXLAN mirror packet carried in GENEVE as
 * an IP packet (IPv4, or IPv6 without extension headers, UDP to 4789,
 * VXLAN with its I flag).  When @p's payload is one, strip it too: the
 * analyst sees the mirrored frame.  Anything else stays as it is.
 */
static void grecap_geneve_vxlan(const struct sk_buff *skb,
				struct grecap_payload *p)
{
	unsigned int off = p->len, iplen;
	const struct vxlanhdr *vxh;
	const struct udphdr *uh;
	union {
		struct iphdr v4;
		struct ipv6hdr v6;
		struct udphdr udp;
		struct vxlanhdr vx;
	} buf;

	if (p->proto == htons(ETH_P_IP)) {
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, off, sizeof(*iph), &buf);
		if (!iph || iph->version != 4 || iph->ihl < 5 ||
		    iph->protocol != IPPROTO_UDP || ip_is_fragment(iph))
			return;
		iplen = iph->ihl * 4;
		if (ntohs(iph->tot_len) < iplen + sizeof(*uh) + sizeof(*vxh))
			return;
	} else {
		const struct ipv6hdr *ip6h;

		ip6h = skb_header_pointer(skb, off, sizeof(*ip6h), &buf);
		if (!ip6h || ip6h->version != 6 || ip6h->nexthdr != IPPROTO_UDP ||
		    ntohs(ip6h->payload_len) < sizeof(*uh) + sizeof(*vxh))
			return;
		iplen = sizeof(*ip6h);
	}
	uh = skb_header_pointer(skb, off + iplen, sizeof(*uh), &buf);
	if (!uh || uh->dest != htons(GRECAP_INNER_VXLAN_PORT))
		return;
	vxh = skb_header_pointer(skb, off + iplen + sizeof(*uh), sizeof(*vxh),
				 &buf);
	if (!vxh || !(vxh->vx_flags & VXLAN_HF_VNI))
		return;
	p->len += iplen + sizeof(*uh) + sizeof(*vxh);
	p->proto = htons(ETH_P_TEB);
}

static enum grecap_drop grecap_vxlan_decode(const struct sk_buff *skb,
					    struct grecap_payload *p)
{
	const struct vxlanhdr *vxh;
	struct vxlanhdr buf;

	vxh = skb_header_pointer(skb, p->len, sizeof(*vxh), &buf);
	if (!vxh)
		return GRECAP_DROP_TRUNC;
	if (!(vxh->vx_flags & VXLAN_HF_VNI))
		return GRECAP_DROP_UDP_HDR;
	p->len += sizeof(*vxh);
	p->proto = htons(ETH_P_TEB);
	p->kind = GRECAP_RX_VXLAN;
	return GRECAP_DROP_NONE;
}

static enum grecap_drop grecap_geneve_decode(const struct sk_buff *skb,
					     u32 flags,
					     struct grecap_payload *p)
{
	const struct genevehdr *gnvh;
	struct genevehdr buf;
	unsigned int hlen;

	gnvh = skb_header_pointer(skb, p->len, sizeof(*gnvh), &buf);
	if (!gnvh)
		return GRECAP_DROP_TRUNC;
	if (gnvh->ver)
		return GRECAP_DROP_UDP_HDR;
	if (gnvh->oam)
		return GRECAP_DROP_OAM;
	switch (gnvh->proto_type) {
	case htons(ETH_P_TEB):
	case htons(ETH_P_IP):
	case htons(ETH_P_IPV6):
		break;
	default:
		return GRECAP_DROP_UDP_HDR;
	}
	hlen = sizeof(*gnvh) + gnvh->opt_len * 4;
	if (p->len + hlen > skb->len)
		return GRECAP_DROP_TRUNC;
	p->proto = gnvh->proto_type;
	p->len += hlen;
	p->kind = GRECAP_RX_GENEVE;
	if ((flags & GRECAP_F_INNER_VXLAN) && p->proto != htons(ETH_P_TEB))
		grecap_geneve_vxlan(skb, p);
	return GRECAP_DROP_NONE;
}

static enum grecap_drop grecap_tzsp_decode(const struct sk_buff *skb,
					   struct grecap_payload *p)
{
	unsigned int off = p->len + sizeof(struct grecap_tzsphdr), end;
	const struct grecap_tzsphdr *th;
	struct grecap_tzsphdr buf;
	u8 _tag[2];
	const u8 *tag;

	th = skb_header_pointer(skb, p->len, sizeof(*th), &buf);
	if (!th)
		return GRECAP_DROP_TRUNC;
	if (th->version != GRECAP_TZSP_VERSION ||
	    (th->type != GRECAP_TZSP_RX_PACKET &&
	     th->type != GRECAP_TZSP_TX_PACKET))
		return GRECAP_DROP_UDP_HDR;
	/* grecap0 is an Ethernet device: 802.11 and the rest are not for it. */
	if (th->encap != htons(GRECAP_TZSP_ETHERNET))
		return GRECAP_DROP_NOT_ETH;

	end = off + GRECAP_TZSP_TAGS_MAX;
	for (;;) {
		tag = skb_header_pointer(skb, off, 1, _tag);
		if (!tag)
			return GRECAP_DROP_TRUNC;
		if (tag[0] == GRECAP_TZSP_END) {
			off++;
			break;
		}
		if (tag[0] == GRECAP_TZSP_PADDING) {
			off++;
		} else {
			tag = skb_header_pointer(skb, off, 2, _tag);
			if (!tag)
				return GRECAP_DROP_TRUNC;
			off += 2 + tag[1];
		}
		if (off >= end)
			return GRECAP_DROP_UDP_HDR;
	}
	p->len = off;
	p->proto = htons(ETH_P_TEB);
	p->kind = GRECAP_RX_TZSP;
	return GRECAP_DROP_NONE;
}

/*
 * The first @p->len bytes from skb->data end with the UDP header, whose
 * checksum rx.c checked.  Say in @p what to strip (through the @encap
 * header) and what follows; @flags are the device's options.  The packet
 * is not changed.  Returns why the frame cannot be delivered, or
 * GRECAP_DROP_NONE.
 */
enum grecap_drop grecap_udp_decode(struct sk_buff *skb, u8 encap, u32 flags,
				   struct grecap_payload *p)
{
	switch (encap) {
	case GRECAP_ENCAP_VXLAN:
		return grecap_vxlan_decode(skb, p);
	case GRECAP_ENCAP_GENEVE:
		return grecap_geneve_decode(skb, flags, p);
	default:
		return grecap_tzsp_decode(skb, p);
	}
}

/*
 * Did the source cut the frame @p describes?  An AWS mirror session with
 * a packet length sends the first bytes of each frame only; what can tell
 * is an inner IPv4 or IPv6 header (behind an Ethernet header and at most
 * one VLAN tag) whose length runs past the end of the packet.
 */
bool grecap_source_truncated(const struct sk_buff *skb,
			     const struct grecap_payload *p)
{
	unsigned int off = p->len, len;
	__be16 proto = p->proto;
	union {
		__be16 type;
		struct iphdr v4;
		struct ipv6hdr v6;
	} buf;

	if (proto == htons(ETH_P_TEB)) {
		const __be16 *type;

		off += ETH_HLEN;
		type = skb_header_pointer(skb, off - 2, sizeof(*type), &buf);
		if (type && eth_type_vlan(*type)) {
			off += VLAN_HLEN;
			type = skb_header_pointer(skb, off - 2, sizeof(*type),
						  &buf);
		}
		if (!type)
			return false;
		proto = *type;
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
