// SPDX-License-Identifier: GPL-2.0
/*
 * grecap_selftest.ko: proves that grecap's in-place helpers on the receive
 * path give what the kernel helpers they stand beside give.
 *
 * The GRE parse (module/gre_parse.h) against gre_parse_header(): each GRE
 * flag combination (checksum, routing, key, sequence, a strict-route
 * bit, versions 0 and 1), each protocol (Ethernet, IPv4, IPv6, ERSPAN
 * I/II, ERSPAN III, WCCP, another), with good and bad checksums, every
 * length from just short of the GRE header to past the headers, the GRE
 * header at the start of the data and behind an IP header, and the packet
 * all linear or split into a page fragment.  Where the fast parse
 * answers, gre_parse_header() must give the same answer: both refuse, or
 * the same header length, protocol and sequence number.  Where it does
 * not answer, the case must be one it leaves to the helper (a checksum,
 * WCCP, headers outside the linear area).
 *
 * The pull (module/pull.h) against iptunnel_pull_header(): header
 * lengths, inner protocols (Ethernet with a type or an 802.3 length,
 * IPv4, IPv6), checksum states (none, complete, unnecessary), hashes,
 * VLAN tags, GSO, the state skb_scrub_packet() clears, linear or not.
 * Where the fast pull pulls, the two packets must be alike in every
 * field either touches and in their bytes; where it does not, the packet
 * must be one it leaves to the helper (headers not linear, GSO), and
 * unchanged.
 *
 * The load fails (-EINVAL) on any difference, each printed; on success
 * it prints how many cases each side took and stays loaded until
 * removed.  make check builds it (GRECAP_SELFTEST=m) and errors.sh loads
 * it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/if_ether.h>
#include <linux/module.h>
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <net/gre.h>

#include <net/ip_tunnels.h>

#include "../../module/gre_parse.h"
#include "../../module/pull.h"

#define GRECAP_ST_PREFIX	20	/* an IPv4 header's room before GRE */
#define GRECAP_ST_MAX		(GRECAP_ST_PREFIX + 16 + 12 + 8)

static const __be16 grecap_st_protos[] = {
	htons(ETH_P_TEB), htons(ETH_P_IP), htons(ETH_P_IPV6),
	htons(ETH_P_ERSPAN), htons(ETH_P_ERSPAN2), htons(ETH_P_WCCP),
	htons(0x1234),
};

struct grecap_st_count {
	unsigned int fast, helper;
};

/* @len bytes of @buf as an skb, linear or with all from @split on in a page. */
static struct sk_buff *grecap_st_skb(const u8 *buf, unsigned int len,
				     unsigned int split)
{
	struct sk_buff *skb;
	struct page *page;

	skb = alloc_skb(len, GFP_KERNEL);
	if (!skb)
		return NULL;
	if (split >= len) {
		skb_put_data(skb, buf, len);
		return skb;
	}
	skb_put_data(skb, buf, split);
	page = alloc_page(GFP_KERNEL);
	if (!page) {
		kfree_skb(skb);
		return NULL;
	}
	memcpy(page_address(page), buf + split, len - split);
	skb_fill_page_desc(skb, 0, page, 0, len - split);
	skb->len += len - split;
	skb->data_len += len - split;
	skb->truesize += PAGE_SIZE;
	return skb;
}

/*
 * Is this a case the fast parse may leave to gre_parse_header()?  A
 * checksum, WCCP, or a header (with ERSPAN II/III's base header) not all
 * in the first @linear bytes.
 */
static bool grecap_st_may_defer(const u8 *buf, unsigned int len,
				unsigned int nhs, unsigned int linear)
{
	unsigned int need = nhs + 4;
	__be16 flags, proto;

	if (len < need)
		return false;
	if (linear < need)
		return true;
	memcpy(&flags, buf + nhs, 2);
	memcpy(&proto, buf + nhs + 2, 2);
	if ((flags & GRE_CSUM) || (!flags && proto == htons(ETH_P_WCCP)))
		return true;
	need += (flags & GRE_KEY ? 4 : 0) + (flags & GRE_SEQ ? 4 : 0);
	if ((proto == htons(ETH_P_ERSPAN) && need != nhs + 4) ||
	    proto == htons(ETH_P_ERSPAN2))
		need += sizeof(struct erspan_base_hdr);
	return linear < need && len >= need;
}

static int grecap_st_case(const u8 *buf, unsigned int len, unsigned int nhs,
			  unsigned int split, struct grecap_st_count *n)
{
	struct sk_buff *a, *b;
	struct tnl_ptk_info tpi;
	bool csum_err = false;
	int fast, ret, err = 0;
	__be16 proto = 0;
	__be32 seq = 0;

	a = grecap_st_skb(buf, len, split);
	b = grecap_st_skb(buf, len, split);
	if (!a || !b) {
		err = -ENOMEM;
		goto out;
	}
	memset(&tpi, 0, sizeof(tpi));
	fast = grecap_gre_parse_fast(a, nhs, &proto, &seq);
	ret = gre_parse_header(b, &tpi, &csum_err, htons(ETH_P_IP), nhs);

	if (fast == GRECAP_GRE_HELPER) {
		n->helper++;
		if (grecap_st_may_defer(buf, len, nhs, min(split, len)))
			goto out;
		pr_err("left to the helper: %*ph (%u bytes, GRE at %u, linear to %u)\n",
		       min(len, 24u), buf, len, nhs, split);
		err = -EINVAL;
		goto out;
	}
	n->fast++;
	if (fast < 0 && ret < 0)
		goto out;
	if (fast >= 0 && ret >= 0 && fast == ret && proto == tpi.proto &&
	    seq == tpi.seq)
		goto out;
	pr_err("%*ph (%u bytes, GRE at %u, linear to %u): fast %d proto %04x seq %08x, gre_parse_header %d proto %04x seq %08x\n",
	       min(len, 24u), buf, len, nhs, split, fast, ntohs(proto),
	       ntohl(seq), ret, ntohs(tpi.proto), ntohl(tpi.seq));
	err = -EINVAL;
out:
	kfree_skb(a);
	kfree_skb(b);
	return err;
}

/*
 * A packet of flags @flags and protocol @proto, GRE at @nhs: each length
 * that can matter, all linear, split inside the GRE header and just after
 * it.
 */
static int grecap_st_packet(__be16 flags, __be16 proto, unsigned int nhs,
			    bool good_csum, struct grecap_st_count *n)
{
	unsigned int hlen = 4, len, splits[3], i;
	u8 buf[GRECAP_ST_MAX];
	__sum16 sum;
	int err;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = 0x45 + i * 7;	/* IPv4's version nibble first */
	memcpy(buf + nhs, &flags, 2);
	memcpy(buf + nhs + 2, &proto, 2);
	if (flags & GRE_CSUM) {
		memset(buf + nhs + 4, 0, 4);
		hlen += 4;
	}
	hlen += (flags & GRE_KEY ? 4 : 0) + (flags & GRE_SEQ ? 4 : 0);
	/*
	 * From one byte short of the GRE header (every shorter packet is
	 * refused alike) to past ERSPAN II/III's base header and WCCP's byte.
	 */
	for (len = nhs ? nhs - 1 : 0; len <= nhs + hlen + 9; len++) {
		/* The checksum covers what follows skb->data: all of @len. */
		if (flags & GRE_CSUM && len >= nhs + 8) {
			memset(buf + nhs + 4, 0, 2);
			sum = csum_fold(csum_partial(buf, len, 0));
			if (!good_csum)
				sum = (__force __sum16)((__force u16)sum ^ 0x0101);
			memcpy(buf + nhs + 4, &sum, 2);
		}
		/* All linear; split in the GRE header; after it. */
		splits[0] = len;
		splits[1] = nhs + 2;
		splits[2] = nhs + hlen;
		for (i = 0; i < ARRAY_SIZE(splits); i++) {
			if (i && splits[i] >= len)
				continue;
			err = grecap_st_case(buf, len, nhs, splits[i], n);
			if (err)
				return err;
		}
	}
	return 0;
}

/* What the pulls may change, read back for a compare. */
struct grecap_st_pulled {
	unsigned int head, len, data_len;
	u8 ip_summed, csum_level, l4_hash, sw_hash, pkt_type, ignore_df;
	u8 encapsulation, vlan;
	__wsum csum;
	__be16 protocol;
	u16 vlan_tci, queue_mapping;
	u32 hash, mark;
	int skb_iif;
};

static void grecap_st_read(const struct sk_buff *skb,
			   struct grecap_st_pulled *r)
{
	memset(r, 0, sizeof(*r));
	r->head = skb->data - skb->head;
	r->len = skb->len;
	r->data_len = skb->data_len;
	r->ip_summed = skb->ip_summed;
	r->csum_level = skb->csum_level;
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		r->csum = skb->csum;
	r->protocol = skb->protocol;
	r->hash = skb->hash;
	r->l4_hash = skb->l4_hash;
	r->sw_hash = skb->sw_hash;
	r->vlan = skb_vlan_tag_present(skb);
	r->vlan_tci = skb_vlan_tag_get(skb);
	r->queue_mapping = skb_get_queue_mapping(skb);
	r->pkt_type = skb->pkt_type;
	r->skb_iif = skb->skb_iif;
	r->ignore_df = skb->ignore_df;
	r->encapsulation = skb->encapsulation;
	r->mark = skb->mark;
}

/* A packet's state before a pull: variant @v of the ones listed above. */
static void grecap_st_state(struct sk_buff *skb, unsigned int v)
{
	switch (v % 3) {
	case 1:
		skb->ip_summed = CHECKSUM_COMPLETE;
		skb->csum = skb_checksum(skb, 0, skb->len, 0);
		break;
	case 2:
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		skb->csum_level = 1;
		break;
	}
	switch (v / 3 % 3) {
	case 1:
		__skb_set_hash(skb, 0x1234, false, true);
		break;
	case 2:
		__skb_set_hash(skb, 0x5678, true, false);
		break;
	}
	if (v / 9 % 2)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), 100);
	if (v / 18 % 2) {
		skb_shinfo(skb)->gso_size = 100;
		skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	}
	skb_set_queue_mapping(skb, 3);
	skb->pkt_type = PACKET_OTHERHOST;
	skb->skb_iif = 5;
	skb->ignore_df = 1;
	skb->encapsulation = 1;
	skb->mark = 7;
}

#define GRECAP_ST_PULL_VARIANTS	36
#define GRECAP_ST_PULL_MAX	(44 + ETH_HLEN + 10)

static int grecap_st_pull_case(const u8 *buf, unsigned int len,
			       unsigned int hlen, __be16 proto,
			       unsigned int split, unsigned int v,
			       struct grecap_st_count *n)
{
	struct grecap_st_pulled ra, rb;
	struct sk_buff *a, *b;
	unsigned int need;
	int err = 0, ret;

	a = grecap_st_skb(buf, len, split);
	b = grecap_st_skb(buf, len, split);
	if (!a || !b) {
		err = -ENOMEM;
		goto out;
	}
	grecap_st_state(a, v);
	grecap_st_state(b, v);
	grecap_st_read(b, &rb);
	if (!grecap_pull_fast(a, hlen, proto)) {
		n->helper++;
		grecap_st_read(a, &ra);
		need = hlen + (proto == htons(ETH_P_TEB) ? ETH_HLEN : 0);
		if ((split < need || skb_is_gso(a)) && !memcmp(&ra, &rb, sizeof(ra)))
			goto out;
		pr_err("pull left to the helper, or changed: %u of %u bytes, protocol %04x, linear to %u, state %u\n",
		       hlen, len, ntohs(proto), split, v);
		err = -EINVAL;
		goto out;
	}
	n->fast++;
	ret = iptunnel_pull_header(b, hlen, proto, false);
	grecap_st_read(a, &ra);
	grecap_st_read(b, &rb);
	if (!ret && !memcmp(&ra, &rb, sizeof(ra)))
		goto cmp_bytes;
	pr_err("pull: %u of %u bytes, protocol %04x, linear to %u, state %u: helper %d; data at %u/%u, len %u/%u, csum %x/%x (%u/%u), protocol %04x/%04x, hash %x/%x, vlan %u/%u, queue %u/%u\n",
	       hlen, len, ntohs(proto), split, v, ret, ra.head, rb.head,
	       ra.len, rb.len, (__force u32)ra.csum, (__force u32)rb.csum,
	       ra.ip_summed, rb.ip_summed, ntohs(ra.protocol),
	       ntohs(rb.protocol), ra.hash, rb.hash, ra.vlan, rb.vlan,
	       ra.queue_mapping, rb.queue_mapping);
	err = -EINVAL;
	goto out;
cmp_bytes:
	{
		u8 da[GRECAP_ST_PULL_MAX], db[GRECAP_ST_PULL_MAX];

		if (skb_copy_bits(a, 0, da, a->len) ||
		    skb_copy_bits(b, 0, db, b->len) ||
		    memcmp(da, db, a->len)) {
			pr_err("pull: %u of %u bytes, protocol %04x: the bytes differ\n",
			       hlen, len, ntohs(proto));
			err = -EINVAL;
		}
	}
out:
	kfree_skb(a);
	kfree_skb(b);
	return err;
}

/*
 * A packet of @len bytes of @buf, @hlen to pull before what @proto says:
 * each state, all linear, linear to just past the pulled headers, and not
 * even those.
 */
static int grecap_st_pull_packet(const u8 *buf, unsigned int len,
				 unsigned int hlen, __be16 proto,
				 struct grecap_st_count *n)
{
	const unsigned int splits[] = { len, hlen + 2, hlen - 1 };
	unsigned int v, i;
	int err;

	for (v = 0; v < GRECAP_ST_PULL_VARIANTS; v++) {
		for (i = 0; i < ARRAY_SIZE(splits); i++) {
			if (i && splits[i] >= len)
				continue;
			err = grecap_st_pull_case(buf, len, hlen, proto,
						  splits[i], v, n);
			if (err)
				return err;
		}
	}
	return 0;
}

static int grecap_st_pulls(struct grecap_st_count *n)
{
	static const unsigned int hlens[] = { 4, 8, 24, 36, 44 };
	static const __be16 protos[] = {
		htons(ETH_P_TEB), htons(ETH_P_TEB), htons(ETH_P_IP),
		htons(ETH_P_IPV6),
	};
	u8 buf[GRECAP_ST_PULL_MAX];
	unsigned int h, p, i, len;
	int err;

	for (h = 0; h < ARRAY_SIZE(hlens); h++) {
		for (p = 0; p < ARRAY_SIZE(protos); p++) {
			for (i = 0; i < sizeof(buf); i++)
				buf[i] = 0x45 + i * 7;
			/* The second: an 802.3 length for the frame's type. */
			if (p == 1)
				buf[hlens[h] + 12] = 0x01;
			/* The frame's header (or one byte of L3) and 10 more. */
			len = hlens[h] + (p < 2 ? ETH_HLEN : 1);
			err = grecap_st_pull_packet(buf, len, hlens[h],
						    protos[p], n);
			if (!err)
				err = grecap_st_pull_packet(buf, len + 10,
							    hlens[h], protos[p],
							    n);
			if (err)
				return err;
		}
	}
	return 0;
}

static int __init grecap_selftest_init(void)
{
	static const u16 vers[] = { 0, 1, 0x0800 /* s */ | 0x0100 /* recur */ };
	struct grecap_st_count n = {};
	unsigned int c, v, p, nhs;
	int err;

	for (c = 0; c < 16; c++) {
		__be16 flags = (c & 1 ? GRE_CSUM : 0) | (c & 2 ? GRE_ROUTING : 0) |
			       (c & 4 ? GRE_KEY : 0) | (c & 8 ? GRE_SEQ : 0);

		for (v = 0; v < ARRAY_SIZE(vers); v++) {
			for (p = 0; p < ARRAY_SIZE(grecap_st_protos); p++) {
				for (nhs = 0; nhs <= GRECAP_ST_PREFIX;
				     nhs += GRECAP_ST_PREFIX) {
					__be16 f = flags | htons(vers[v]);
					__be16 pr = grecap_st_protos[p];

					err = grecap_st_packet(f, pr, nhs, true, &n);
					if (!err && (flags & GRE_CSUM))
						err = grecap_st_packet(f, pr, nhs,
								       false, &n);
					if (err) {
						pr_err("FAIL: the fast GRE parse and gre_parse_header() differ\n");
						return err;
					}
				}
			}
		}
	}
	pr_info("PASS: %u cases answered by the fast GRE parse as gre_parse_header() does, %u left to it\n",
		n.fast, n.helper);
	memset(&n, 0, sizeof(n));
	err = grecap_st_pulls(&n);
	if (err) {
		pr_err("FAIL: the fast pull and iptunnel_pull_header() differ\n");
		return err;
	}
	pr_info("PASS: %u packets pulled in place as iptunnel_pull_header() pulls them, %u left to it\n",
		n.fast, n.helper);
	return 0;
}

static void __exit grecap_selftest_exit(void)
{
}

module_init(grecap_selftest_init);
module_exit(grecap_selftest_exit);
MODULE_DESCRIPTION("grecap: the fast GRE parse against gre_parse_header()");
MODULE_LICENSE("GPL");
