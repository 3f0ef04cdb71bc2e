// SPDX-License-Identifier: GPL-2.0
/*
 * Outer fragments.  A mirrored 1500-byte frame plus its outer IP and GRE
 * (or ERSPAN) headers no longer fits a 1500-byte path, so mirror sources
 * fragment the outer packet.  The hook runs before the stack reassembles:
 * fragments of GRE addressed to this host go to the kernel's own
 * reassembly, ip_defrag() for IPv4 and nf_defrag_ipv6's for IPv6, with
 * their usual memory limits and timeouts (net.ipv4.ipfrag_* and
 * net.netfilter.nf_conntrack_frag6_*), and the whole packet comes back to
 * the hook.  Fragments of anything else are the stack's.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ipv6_frag.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "grecap.h"

/*
 * The packet is for local delivery, as the stack would reassemble it.  For
 * IPv4 that also shares the queue with fragments that reached the stack
 * another way; IPv6's netfilter queues are apart from the stack's.
 */
static int grecap_defrag_ipv4(struct net *net, struct sk_buff *skb)
{
	memset(IPCB(skb), 0, sizeof(struct inet_skb_parm));
	/* Consumes the fragment unless it completed the packet (0). */
	return ip_defrag(net, skb, IP_DEFRAG_LOCAL_DELIVER);
}

static int grecap_defrag_ipv6(struct net *net, struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
	int err;

	memset(IP6CB(skb), 0, sizeof(struct inet6_skb_parm));
	err = nf_ct_frag6_gather(net, skb, IP6_DEFRAG_LOCAL_DELIVER);
	if (err == -EINPROGRESS)
		return err;
	/* 0 without a reassembled packet: a fragment it would not queue. */
	if (!err && IP6CB(skb)->flags & IP6SKB_FRAGMENTED)
		return 0;
	kfree_skb(skb);
	return err ? : -EINVAL;
#else
	kfree_skb(skb);
	return -EPROTONOSUPPORT;
#endif
}

/*
 * Queue the fragment *@pskb, an outer packet of @len bytes.  Returns 0 with
 * *@pskb the reassembled packet, skb->data at its IP header; otherwise the
 * fragment is consumed: -EINPROGRESS while the packet is incomplete, another
 * error when reassembly refused the fragment (a duplicate, an overlap, too
 * large, out of memory).
 */
int grecap_defrag(struct sk_buff **pskb, unsigned int len,
		  struct grecap_port *port)
{
	struct net *net = dev_net(port->dev);
	struct sk_buff *skb;
	int err;

	grecap_count_link(port, GRECAP_LINK_FRAG);
	skb = skb_share_check(*pskb, GFP_ATOMIC);
	if (!skb) {
		err = -ENOMEM;
		goto drop;
	}
	if (pskb_trim_rcsum(skb, len)) {
		kfree_skb(skb);
		err = -ENOMEM;
		goto drop;
	}
	/*
	 * A fragment may wait in its queue until the reassembly timeout: it
	 * must not hold the memory of a local sender's socket (a veth peer
	 * in another namespace) meanwhile, nor after being merged.
	 */
	skb_orphan(skb);

	if (skb->protocol == htons(ETH_P_IP))
		err = grecap_defrag_ipv4(net, skb);
	else
		err = grecap_defrag_ipv6(net, skb);
	if (err == -EINPROGRESS)
		return err;
	if (err)
		goto drop;

	skb_clear_hash(skb);
	*pskb = skb;
	grecap_count_link(port, GRECAP_LINK_REASM);
	return 0;

drop:
	grecap_count_link(port, GRECAP_LINK_FRAG_DROP);
	return err;
}
