/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outer headers of a mirror frame stripped in place.
 *
 * iptunnel_pull_header() is two calls deep (its pskb_may_pull()s, then
 * skb_pull_rcsum()) for what a mirror frame has in the linear area
 * already.  grecap_pull_fast() does the same work inline where it can:
 * the headers, and for Ethernet the frame's own header, in the linear
 * area, and no GSO (a GRO-merged packet); elsewhere it changes nothing and
 * says so, and rx.c calls iptunnel_pull_header().  Where it pulls, the
 * packet is left as iptunnel_pull_header(skb, len, proto, false) leaves
 * it: data and checksum state, protocol, hash, VLAN tag, queue, the state
 * skb_scrub_packet() clears, encapsulation.  The selftest module
 * (selftests/kmod/grecap_selftest.c, run by errors.sh) pulls the same
 * packets both ways, in every such state, and compares them.
 */
#ifndef _GRECAP_PULL_H
#define _GRECAP_PULL_H

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/skbuff.h>

/*
 * iptunnel_pull_header(@skb, @len, @proto, false) for a frame whose
 * headers are linear; false (nothing changed) for any other.
 */
static inline bool grecap_pull_fast(struct sk_buff *skb, unsigned int len,
				    __be16 proto)
{
	unsigned int need = len;
	const struct ethhdr *eh;

	if (proto == htons(ETH_P_TEB))
		need += ETH_HLEN;
	if (unlikely(skb_headlen(skb) < need || skb_is_gso(skb)))
		return false;

	__skb_pull(skb, len);
	skb_postpull_rcsum(skb, skb->data - len, len);
	if (proto == htons(ETH_P_TEB)) {
		eh = (const struct ethhdr *)skb->data;
		skb->protocol = likely(eth_proto_is_802_3(eh->h_proto)) ?
				eh->h_proto : htons(ETH_P_802_2);
	} else {
		skb->protocol = proto;
	}
	skb_clear_hash_if_not_l4(skb);
	__vlan_hwaccel_clear_tag(skb);
	skb_set_queue_mapping(skb, 0);
	skb_scrub_packet(skb, false);
	skb->encapsulation = 0;
	return true;
}

#endif /* _GRECAP_PULL_H */
