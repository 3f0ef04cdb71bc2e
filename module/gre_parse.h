/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GRE as mirror sources send it, parsed in place.
 *
 *   |C|R|K|S|s|Recur|  Flags  | Ver |        Protocol Type          |
 *   |     Checksum (C)              |       Reserved1 (C)           |
 *   |                            Key (K)                            |
 *   |                      Sequence Number (S)                      |
 *   [ ERSPAN II/III: the ERSPAN header follows ]
 *
 * gre_parse_header() does more than the GRE of port mirroring needs: that
 * has no checksum, no routing, is not WCCP and sits in the linear area.
 * grecap_gre_parse_fast() parses just that and leaves everything else to
 * gre_parse_header().  Where it answers, it answers as gre_parse_header()
 * would on the same packet: the same header length, protocol and sequence
 * number, or a refusal where gre_parse_header() refuses.  The selftest
 * module (selftests/kmod/grecap_selftest.c, run by errors.sh) feeds both
 * every combination of flags, protocols, lengths and checksums and
 * compares them.
 */
#ifndef _GRECAP_GRE_PARSE_H
#define _GRECAP_GRE_PARSE_H

#include <linux/if_ether.h>
#include <linux/skbuff.h>
#include <net/erspan.h>
#include <net/gre.h>

/* grecap_gre_parse_fast(): only gre_parse_header() can say. */
#define GRECAP_GRE_HELPER	0

/*
 * The GRE header at @nhs from skb->data: its length, with its protocol in
 * *@proto and its sequence number (0 without one) in *@seq; -EINVAL
 * where gre_parse_header() refuses the packet (a GRE version or routing,
 * a header longer than the packet, an ERSPAN II/III header cut short);
 * GRECAP_GRE_HELPER for a checksum, WCCP, or headers outside the linear
 * area.  Nothing is changed.
 */
static inline int grecap_gre_parse_fast(const struct sk_buff *skb,
					unsigned int nhs, __be16 *proto,
					__be32 *seq)
{
	const struct gre_base_hdr *greh;
	unsigned int hlen, need;
	__be16 flags;

	need = nhs + sizeof(*greh);
	if (unlikely(skb_headlen(skb) < need))
		return skb->len < need ? -EINVAL : GRECAP_GRE_HELPER;
	greh = (const struct gre_base_hdr *)(skb->data + nhs);
	flags = greh->flags;
	if (unlikely(flags & (GRE_VERSION | GRE_ROUTING)))
		return -EINVAL;
	if (flags & GRE_CSUM ||
	    (!flags && greh->protocol == htons(ETH_P_WCCP)))
		return GRECAP_GRE_HELPER;

	hlen = sizeof(*greh) + (flags & GRE_KEY ? 4 : 0) +
	       (flags & GRE_SEQ ? 4 : 0);
	need = nhs + hlen;
	/* gre_parse_header() reads the session of ERSPAN II and III. */
	if ((greh->protocol == htons(ETH_P_ERSPAN) && hlen != 4) ||
	    greh->protocol == htons(ETH_P_ERSPAN2))
		need += sizeof(struct erspan_base_hdr);
	if (unlikely(skb_headlen(skb) < need))
		return skb->len < need ? -EINVAL : GRECAP_GRE_HELPER;

	*proto = greh->protocol;
	*seq = flags & GRE_SEQ ? *(const __be32 *)((const u8 *)greh + hlen - 4)
			       : 0;
	return hlen;
}

#endif /* _GRECAP_GRE_PARSE_H */
