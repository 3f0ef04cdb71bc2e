/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The headers behind a UDP header, read before a device is chosen: the
 * VNI a filter matches, what to strip and what follows (formats: udp.c).
 * VXLAN and GENEVE, the clouds' mirror streams, are parsed inline in the
 * receive handler (rx.c): a mirror stream pays no call for its header;
 * TZSP, a walk of tagged fields, is out of line in udp.c.
 */
#ifndef _GRECAP_UDP_H
#define _GRECAP_UDP_H

#include <linux/if_ether.h>
#include <linux/skbuff.h>
#include <net/geneve.h>
#include <net/vxlan.h>

#include "grecap.h"

/* @len bytes at @off, or NULL where they run past @end. */
static inline const void *grecap_udp_hdr(const struct sk_buff *skb,
					 unsigned int off, unsigned int len,
					 unsigned int end, void *buf)
{
	if (off + len > end)
		return NULL;
	return skb_header_pointer(skb, off, len, buf);
}

/*
 * Each parser reads its header at @off, the UDP datagram ending at @end
 * (@ip_end for what a filter matches: the IP packet's end), and says in
 * @p what follows and where (from the outer IP header), or in @p->drop
 * why the frame cannot be delivered.  Returns false when the header a
 * filter's VNI is in is cut short by the IP packet.
 */
static inline bool grecap_vxlan_parse(const struct sk_buff *skb,
				      unsigned int off, unsigned int end,
				      unsigned int ip_end,
				      struct grecap_match *key,
				      struct grecap_payload *p)
{
	/* Read only through the pointer: not zeroed per packet. */
	struct vxlanhdr buf __uninitialized;
	const struct vxlanhdr *vxh;
	bool valid;

	vxh = grecap_udp_hdr(skb, off, sizeof(*vxh), ip_end, &buf);
	if (!vxh)
		return false;
	valid = vxh->vx_flags & VXLAN_HF_VNI;
	if (valid) {
		key->vni = be32_to_cpu(vxh->vx_vni) >> 8;
		key->fields |= GRECAP_MATCH_VNI;
	}
	if (off + sizeof(*vxh) > end)
		p->drop = GRECAP_DROP_TRUNC;
	else if (!valid)
		p->drop = GRECAP_DROP_UDP_HDR;
	p->len = off + sizeof(*vxh);
	p->proto = htons(ETH_P_TEB);
	p->kind = GRECAP_RX_VXLAN;
	return true;
}

static inline bool grecap_geneve_parse(const struct sk_buff *skb,
				       unsigned int off, unsigned int end,
				       unsigned int ip_end,
				       struct grecap_match *key,
				       struct grecap_payload *p)
{
	struct genevehdr buf __uninitialized;
	const struct genevehdr *gnvh;
	unsigned int hlen;

	gnvh = grecap_udp_hdr(skb, off, sizeof(*gnvh), ip_end, &buf);
	if (!gnvh)
		return false;
	if (!gnvh->ver) {
		key->vni = gnvh->vni[0] << 16 | gnvh->vni[1] << 8 | gnvh->vni[2];
		key->fields |= GRECAP_MATCH_VNI;
	}
	hlen = sizeof(*gnvh) + gnvh->opt_len * 4;
	if (off + sizeof(*gnvh) > end)
		p->drop = GRECAP_DROP_TRUNC;
	else if (gnvh->ver)
		p->drop = GRECAP_DROP_UDP_HDR;
	else if (gnvh->oam)
		p->drop = GRECAP_DROP_OAM;
	else if (gnvh->proto_type != htons(ETH_P_TEB) &&
		 gnvh->proto_type != htons(ETH_P_IP) &&
		 gnvh->proto_type != htons(ETH_P_IPV6))
		p->drop = GRECAP_DROP_UDP_HDR;
	else if (off + hlen > end)
		p->drop = GRECAP_DROP_TRUNC;
	p->len = off + hlen;
	p->proto = gnvh->proto_type;
	p->kind = GRECAP_RX_GENEVE;
	return true;
}

/*
 * Before a device is chosen, without changing the packet: the @encap
 * header at @off (just past the UDP header) of a datagram ending at @end,
 * in an outer IP packet ending at @ip_end.  The VNI a filter matches goes
 * into @key (a header without a valid one, no I flag or a GENEVE version
 * grecap does not know, has none); what to strip and what follows into
 * @p, or why the frame cannot be delivered into @p->drop, which rx.c
 * applies only once the UDP checksum is found good.  Returns false when
 * the VXLAN or GENEVE header is cut short by the IP packet: a length
 * error before anything else.
 */
static inline bool grecap_udp_peek(const struct sk_buff *skb, u8 encap,
				   unsigned int off, unsigned int end,
				   unsigned int ip_end,
				   struct grecap_match *key,
				   struct grecap_payload *p)
{
	switch (encap) {
	case GRECAP_ENCAP_VXLAN:
		return grecap_vxlan_parse(skb, off, end, ip_end, key, p);
	case GRECAP_ENCAP_GENEVE:
		return grecap_geneve_parse(skb, off, end, ip_end, key, p);
	default:
		grecap_tzsp_parse(skb, off, end, p);
		return true;
	}
}

#endif /* _GRECAP_UDP_H */
