// SPDX-License-Identifier: GPL-2.0
/*
 * ERSPAN, GRE protocols 0x88BE and 0x22EB: the session ID the filter
 * matches on, how much ERSPAN header to strip, and the VLAN tag and
 * timestamp the header carries, for the device that asks for them.  This
 * file only reads; rx.c strips and delivers.
 *
 * What follows the GRE header (bit layouts in include/net/erspan.h):
 *
 *   Type I    0x88BE, no S bit   | mirrored Ethernet frame
 *   Type II   0x88BE, S bit      | base (ver 1) | index (4) | Ethernet frame
 *   Type III  0x22EB             | base (ver 2) | md2 (8)   |
 *                                |   [platform subheader (8), if md2.o]  |
 *                                |   frame: Ethernet, or IP if md2.ft = 2
 *
 *   base: Ver(4) VLAN(12) | COS(3) En or BSO(2) T(1) Session ID(10)
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if_vlan.h>
#include <linux/math64.h>
#include <net/erspan.h>
#include <net/gre.h>

#include "grecap.h"

/*
 * Type III's optional platform-specific subheader, which erspan.h leaves
 * out: a 6-bit platform ID, then platform data.  For platform IDs 3, 5
 * and 6 its second word is the upper half (seconds) of an IEEE 1588
 * timestamp whose lower half (nanoseconds) is md2's timestamp.
 */
struct grecap_erspan_platform {
	__be32 id_info;
	__be32 info;
};

#define GRECAP_ERSPAN_PLATFORM_ID(p)	(ntohl((p)->id_info) >> 26)
#define GRECAP_ERSPAN_FT_ETH		0	/* md2.ft: Ethernet frame */
#define GRECAP_ERSPAN_FT_IP		2	/* md2.ft: IP packet */

/* md2.gra, the unit of md2.timestamp. */
enum {
	GRECAP_ERSPAN_GRA_100US,
	GRECAP_ERSPAN_GRA_100NS,
	GRECAP_ERSPAN_GRA_1588,
};

/* ERSPAN version the GRE header announces: 0 (Type I), 1, 2, or -1. */
static int grecap_erspan_version(__be16 proto, __be16 gre_flags)
{
	if (proto == htons(ETH_P_ERSPAN2))
		return ERSPAN_VERSION2;
	if (proto == htons(ETH_P_ERSPAN))
		return gre_flags & GRE_SEQ ? ERSPAN_VERSION : 0;
	return -1;
}

/*
 * Before a device is chosen: take the session ID from @ershdr, the bytes
 * after the GRE header (NULL if the packet ends before a base header
 * would).  Returns false when an ERSPAN header is cut short.  A version
 * other than the GRE protocol announces has no session ID grecap can
 * trust, so that packet matches no session filter.
 */
bool grecap_erspan_peek(const struct erspan_base_hdr *ershdr,
			__be16 proto, __be16 gre_flags,
			struct grecap_match *key)
{
	int ver = grecap_erspan_version(proto, gre_flags);

	if (ver <= 0)
		return true;
	if (!ershdr)
		return false;
	if (ershdr->ver != ver)
		return true;
	key->session = get_session_id(ershdr);
	key->fields |= GRECAP_MATCH_SESSION;
	return true;
}

/*
 * Whether to put back the tag the mirror source removed.  Type II says so
 * in En; Type III has no En (those bits are BSO), so there a VLAN in the
 * header for a frame without a tag of its own (@inner_proto, the frame's
 * EtherType) means the source stripped it.
 */
static void grecap_erspan_vlan(const struct erspan_base_hdr *ershdr, int ver,
			       __be16 inner_proto, struct grecap_payload *p)
{
	u16 vid = get_vlan(ershdr);

	if (ver == ERSPAN_VERSION) {
		if (ershdr->en != ERSPAN_ENCAP_ISL &&
		    ershdr->en != ERSPAN_ENCAP_8021Q)
			return;
	} else if (!vid || eth_type_vlan(inner_proto)) {
		return;
	}
	p->vlan_tci = vid | ershdr->cos << VLAN_PRIO_SHIFT;
	p->vlan = true;
}

/*
 * The time with the low-order bits @low, in units of @unit ns wrapping at
 * @wrap units, that is closest to @now.
 */
static u64 grecap_erspan_unwrap(u64 now, u32 unit, u64 wrap, u64 low)
{
	u64 ticks = div_u64(now, unit);
	u64 t, rem;

	div64_u64_rem(ticks, wrap, &rem);
	t = ticks - rem + low;
	if (t > ticks + wrap / 2)
		t -= wrap;
	else if (t + wrap / 2 < ticks)
		t += wrap;
	return t * unit;
}

/* The capture time in a Type III header, in ns, or 0 when it has none. */
static u64 grecap_erspan_tstamp(const struct erspan_md2 *md2,
				const struct grecap_erspan_platform *pl)
{
	/* Only the wrap count is taken from it: any recent time will do. */
	u64 now = ktime_get_real_ns();
	u32 ts = ntohl(md2->timestamp);

	switch (md2->gra) {
	case GRECAP_ERSPAN_GRA_100US:
		return grecap_erspan_unwrap(now, 100 * NSEC_PER_USEC,
					    1ULL << 32, ts);
	case GRECAP_ERSPAN_GRA_100NS:
		return grecap_erspan_unwrap(now, 100, 1ULL << 32, ts);
	case GRECAP_ERSPAN_GRA_1588:
		if (ts >= NSEC_PER_SEC)
			return 0;
		switch (pl ? GRECAP_ERSPAN_PLATFORM_ID(pl) : 0) {
		case 3:
		case 5:
		case 6:
			return (u64)ntohl(pl->info) * NSEC_PER_SEC + ts;
		default:
			return grecap_erspan_unwrap(now, 1, NSEC_PER_SEC, ts);
		}
	default:
		/* User-defined granularity: nothing to convert with. */
		return 0;
	}
}

/*
 * The EtherType of the frame at @off: the VLAN rule above needs to know
 * whether it carries a tag of its own.  0 when the packet ends before it
 * (pulling the frame then fails and counts the truncation).
 */
static __be16 grecap_erspan_inner_proto(const struct sk_buff *skb,
					unsigned int off)
{
	__be16 _proto, *proto;

	proto = skb_header_pointer(skb, off + offsetof(struct ethhdr, h_proto),
				   sizeof(_proto), &_proto);
	return proto ? *proto : 0;
}

/* Type III may carry an IP packet without its Ethernet header. */
static enum grecap_drop grecap_erspan_ip(const struct sk_buff *skb,
					 struct grecap_payload *p)
{
	u8 _ver, *ver;

	ver = skb_header_pointer(skb, p->len, sizeof(_ver), &_ver);
	if (!ver)
		return GRECAP_DROP_TRUNC;
	switch (*ver >> 4) {
	case 4:
		p->proto = htons(ETH_P_IP);
		return GRECAP_DROP_NONE;
	case 6:
		p->proto = htons(ETH_P_IPV6);
		return GRECAP_DROP_NONE;
	default:
		return GRECAP_DROP_ERSPAN;
	}
}

/*
 * The first @p->len bytes from skb->data end with the GRE header, which
 * gre_parse_header() checked.  Say in @p what to strip (through the ERSPAN
 * header) and what follows, and what of the header the device asked for
 * (@flags: its VLAN tag, its time); the packet itself is not changed.
 * Returns why the frame cannot be delivered, or GRECAP_DROP_NONE.
 */
enum grecap_drop grecap_erspan_decode(struct sk_buff *skb, __be16 proto,
				      __be16 gre_flags, u32 flags,
				      struct grecap_payload *p)
{
	const struct grecap_erspan_platform *pl = NULL;
	int ver = grecap_erspan_version(proto, gre_flags);
	const struct erspan_base_hdr *ershdr;
	const struct erspan_md2 *md2;
	enum grecap_drop drop;
	unsigned int off;

	p->proto = htons(ETH_P_TEB);
	if (ver == 0) {
		p->kind = GRECAP_RX_ERSPAN1;
		return GRECAP_DROP_NONE;
	}

	off = p->len;
	p->len += erspan_hdr_len(ver);
	if (!pskb_may_pull(skb, p->len))
		return GRECAP_DROP_TRUNC;
	ershdr = (const struct erspan_base_hdr *)(skb->data + off);
	if (ershdr->ver != ver)
		return GRECAP_DROP_ERSPAN;
	/* The source's verdicts: cut to fit (T); bad, short, oversized (BSO). */
	p->erspan_trunc = ershdr->t;
	p->erspan_bad = ver == ERSPAN_VERSION2 && ershdr->en;

	if (ver == ERSPAN_VERSION) {
		p->kind = GRECAP_RX_ERSPAN2;
	} else {
		p->kind = GRECAP_RX_ERSPAN3;
		md2 = (const struct erspan_md2 *)(ershdr + 1);
		if (md2->o) {
			if (!pskb_may_pull(skb, p->len + sizeof(*pl)))
				return GRECAP_DROP_TRUNC;
			/* The pull may have moved the headers. */
			ershdr = (const struct erspan_base_hdr *)(skb->data + off);
			md2 = (const struct erspan_md2 *)(ershdr + 1);
			pl = (const struct grecap_erspan_platform *)
			     (skb->data + p->len);
			p->len += sizeof(*pl);
		}
		if (md2->ft == GRECAP_ERSPAN_FT_ETH)
			drop = GRECAP_DROP_NONE;
		else if (md2->ft == GRECAP_ERSPAN_FT_IP)
			drop = grecap_erspan_ip(skb, p);
		else
			drop = GRECAP_DROP_ERSPAN;
		if (drop)
			return drop;
		if (flags & GRECAP_F_TSTAMP)
			p->tstamp = grecap_erspan_tstamp(md2, pl);
	}

	if (flags & GRECAP_F_VLAN)
		grecap_erspan_vlan(ershdr, ver,
				   p->proto == htons(ETH_P_TEB) ?
				   grecap_erspan_inner_proto(skb, p->len) :
				   p->proto, p);
	return GRECAP_DROP_NONE;
}
