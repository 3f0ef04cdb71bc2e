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
#include "udp.h"

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

/*
 * AWS Gateway Load Balancer: a VXLAN mirror packet carried in GENEVE as
 * an IP packet (IPv4, or IPv6 without extension headers, UDP to 4789,
 * VXLAN with its I flag).  When @p's payload is one, strip it too: the
 * analyst sees the mirrored frame.  Anything else stays as it is.
 */
void grecap_udp_inner_vxlan(const struct sk_buff *skb,
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

/* TZSP, for grecap_udp_peek() (udp.h): out of line, a walk of its tags. */
void grecap_tzsp_parse(const struct sk_buff *skb, unsigned int off,
		       unsigned int end, struct grecap_payload *p)
{
	const struct grecap_tzsphdr *th;
	struct grecap_tzsphdr buf;
	unsigned int tags_end;
	u8 _tag[2];
	const u8 *tag;

	th = grecap_udp_hdr(skb, off, sizeof(*th), end, &buf);
	if (!th) {
		p->drop = GRECAP_DROP_TRUNC;
		return;
	}
	if (th->version != GRECAP_TZSP_VERSION ||
	    (th->type != GRECAP_TZSP_RX_PACKET &&
	     th->type != GRECAP_TZSP_TX_PACKET)) {
		p->drop = GRECAP_DROP_UDP_HDR;
		return;
	}
	/* grecap0 is an Ethernet device: 802.11 and the rest are not for it. */
	if (th->encap != htons(GRECAP_TZSP_ETHERNET)) {
		p->drop = GRECAP_DROP_NOT_ETH;
		return;
	}

	off += sizeof(*th);
	tags_end = off + GRECAP_TZSP_TAGS_MAX;
	for (;;) {
		tag = grecap_udp_hdr(skb, off, 1, end, _tag);
		if (!tag) {
			p->drop = GRECAP_DROP_TRUNC;
			return;
		}
		if (tag[0] == GRECAP_TZSP_END) {
			off++;
			break;
		}
		if (tag[0] == GRECAP_TZSP_PADDING) {
			off++;
		} else {
			tag = grecap_udp_hdr(skb, off, 2, end, _tag);
			if (!tag) {
				p->drop = GRECAP_DROP_TRUNC;
				return;
			}
			off += 2 + tag[1];
		}
		if (off >= tags_end) {
			p->drop = GRECAP_DROP_UDP_HDR;
			return;
		}
	}
	p->len = off;
	p->proto = htons(ETH_P_TEB);
	p->kind = GRECAP_RX_TZSP;
}
