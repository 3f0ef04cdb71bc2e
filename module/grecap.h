/* SPDX-License-Identifier: GPL-2.0 */
/*
 * grecap private header: the per-link port, the devices hanging off it,
 * their match filters and counters.
 *
 * Locking: configuration (ports, filters, device lists) changes under RTNL;
 * the receive path reads it under RCU (rx_handler context) and takes no
 * lock.  Counters are per CPU.
 *
 * The files, each using only those listed before it:
 *   stats.c    counters and their names
 *   seq.c      sequence accounting (mirror path loss)
 *   erspan.c   ERSPAN headers: session, what to strip
 *   gre_parse.h  GRE parsed in place where gre_parse_header() need not
 *   udp.c      VXLAN, GENEVE and TZSP headers: what to strip (udp.h:
 *              the two parsed inline in the receive handler)
 *   defrag.c   outer fragments, to the kernel's reassembly
 *   table.c    the filter tables of a link, and the lookup
 *   rx.c       the receive handler: decode, strip, deliver
 *   port.c     the receive hook on a link, and a device's place on it
 *   ethtool.c, sysfs.c   counters and settings shown
 *   device.c   the netdevice
 *   netlink.c  rtnetlink: ip link add/set/del/show
 *   main.c     module load, the netdevice notifier, link=
 * compat.h, included last, holds what differs between kernel releases.
 */
#ifndef _GRECAP_H
#define _GRECAP_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/ethtool.h>
#include <linux/in6.h>
#include <linux/rtnetlink.h>
#include <linux/u64_stats_sync.h>
#include <linux/bits.h>
#include <uapi/linux/grecap.h>

/*
 * The fields of a filter.  Their bit order is the lookup's tie-break
 * (table.c): among filters with as many fields, the higher bit wins.
 */
#define GRECAP_MATCH_LOCAL	BIT(0)
#define GRECAP_MATCH_KEY	BIT(1)
#define GRECAP_MATCH_REMOTE	BIT(2)
#define GRECAP_MATCH_SESSION	BIT(3)
#define GRECAP_MATCH_VNI	BIT(4)
#define GRECAP_MATCH_ALL	(GRECAP_MATCH_LOCAL | GRECAP_MATCH_KEY | \
				 GRECAP_MATCH_REMOTE | GRECAP_MATCH_SESSION | \
				 GRECAP_MATCH_VNI)

/* Options, in grecap_dev.flags. */
#define GRECAP_F_VLAN		BIT(0)	/* IFLA_GRECAP_VLAN */
#define GRECAP_F_TSTAMP		BIT(1)	/* IFLA_GRECAP_TSTAMP */
#define GRECAP_F_INNER_VXLAN	BIT(2)	/* IFLA_GRECAP_INNER_VXLAN */

/* Every combination of match fields is one lookup mask. */
#define GRECAP_NMASKS		(GRECAP_MATCH_ALL + 1)
#define GRECAP_HASH_BITS	8

/* The default destination port of each UDP encapsulation. */
#define GRECAP_VXLAN_PORT	4789
#define GRECAP_GENEVE_PORT	6081
#define GRECAP_TZSP_PORT	37008

/*
 * What a device matches, and the lookup key built from a packet.  IPv4
 * addresses are stored v4-mapped so that one compare serves both families.
 * Fields not in @fields are zero, so a whole-struct compare is exact; the
 * encapsulation and its port are part of every filter.
 */
struct grecap_match {
	struct in6_addr local;
	struct in6_addr remote;
	__be32 key;
	u32 session;		/* ERSPAN session ID */
	u32 vni;		/* VXLAN or GENEVE VNI */
	__be16 port;		/* UDP destination port; 0 for GRE */
	u8 encap;		/* enum grecap_encap */
	u8 fields;		/* GRECAP_MATCH_* that are set */
};

/* A device's filter, hashed in its port; replaced, never edited, under RCU. */
struct grecap_filter {
	struct hlist_node hnode;
	struct grecap_match match;
	struct grecap_dev *gd;
	struct rcu_head rcu;
};

/* Per-CPU counters: a u64_stats_t array behind one syncp. */
struct grecap_pcpu_counters {
	struct u64_stats_sync syncp;
	u64_stats_t val[];
};

/*
 * A device's counters come in three families, each with its own helper:
 * what each delivered frame was (grecap_count_rx), what grecap saw of the
 * mirror path and its source (grecap_count_health), and why a frame it
 * took was dropped (grecap_count_drop).  The link's are apart
 * (grecap_count_link).  Where each is shown, and why: stats.c.
 */
enum grecap_rx {
	GRECAP_RX_ETH,			/* GRE 0x6558, Ethernet */
	GRECAP_RX_IPV4,			/* GRE 0x0800 */
	GRECAP_RX_IPV6,			/* GRE 0x86DD */
	GRECAP_RX_OTHER,		/* any other GRE payload protocol */
	GRECAP_RX_ERSPAN1,		/* ERSPAN Type I */
	GRECAP_RX_ERSPAN2,		/* ERSPAN Type II */
	GRECAP_RX_ERSPAN3,		/* ERSPAN Type III */
	GRECAP_RX_VXLAN,
	GRECAP_RX_GENEVE,
	GRECAP_RX_TZSP,
	GRECAP_RX_NUM
};

enum grecap_health {
	GRECAP_H_GRO_SPLIT,		/* GRO-merged packets cut back */
	GRECAP_H_SEQ_LOST,		/* numbers skipped (seq.c) */
	GRECAP_H_SEQ_REORDERED,		/* arrived after a later one */
	GRECAP_H_SEQ_DUP,		/* a number seen before */
	GRECAP_H_SEQ_RESTART,		/* a source numbering anew */
	GRECAP_H_SEQ_UNTRACKED,		/* numbered, no room to track it */
	GRECAP_H_ERSPAN_TRUNC,		/* T bit: truncated by the source */
	GRECAP_H_ERSPAN_BAD,		/* Type III BSO: bad at the source */
	GRECAP_H_SOURCE_TRUNC,		/* UDP encapsulations: inner IP cut */
	GRECAP_H_NUM,
	/*
	 * Not shown: numbers counted in SEQ_LOST that came later after all,
	 * taken off it when read (grecap_dev_counters()).
	 */
	GRECAP_H_SEQ_LATE = GRECAP_H_NUM,
	GRECAP_H_ALL
};

/* The receive path's verdict on a frame it took: delivered, or why not. */
enum grecap_drop {
	GRECAP_DROP_NONE,		/* delivered */
	GRECAP_DROP_CSUM,		/* bad GRE or UDP checksum */
	GRECAP_DROP_TRUNC,		/* shorter than its headers say */
	GRECAP_DROP_ERSPAN,		/* unknown ERSPAN version/frame type */
	GRECAP_DROP_UDP_HDR,		/* VXLAN, GENEVE, TZSP header unknown */
	GRECAP_DROP_OAM,		/* a GENEVE OAM frame */
	GRECAP_DROP_NOT_ETH,		/* TZSP of a link type not Ethernet */
	GRECAP_DROP_DOWN,		/* matched while the device is down */
	GRECAP_DROP_NOMEM,		/* no memory to unshare or unclone */
	GRECAP_DROP_NUM
};

/* Where each family lies in a device's counter array. */
#define GRECAP_CNT_HEALTH	GRECAP_RX_NUM
#define GRECAP_CNT_DROP		(GRECAP_CNT_HEALTH + GRECAP_H_ALL)
#define GRECAP_CNT_NUM		(GRECAP_CNT_DROP + GRECAP_DROP_NUM)

/* Streams whose sequence numbers a device tracks (seq.c). */
#define GRECAP_SEQ_STREAMS	256

/* Counted once per link, on the port, and shown by each of its devices. */
enum grecap_link_stat {
	GRECAP_LINK_NOT_LOCAL,		/* to an address not of this host */
	GRECAP_LINK_UNMATCHED,		/* to this host, no device matched */
	GRECAP_LINK_UNSUPPORTED,	/* GRE version 1 or routing present */
	GRECAP_LINK_FRAG,		/* outer fragments taken to reassemble */
	GRECAP_LINK_REASM,		/* outer packets reassembled */
	GRECAP_LINK_FRAG_DROP,		/* fragments reassembly refused */
	GRECAP_LINK_NUM
};

/*
 * The last IPv4 destination a CPU found local on a link, valid while the
 * namespace's routing generation stands: any change of an address or a
 * local route that a lookup has used bumps it (rt_cache_flush()).
 */
struct grecap_local_cache {
	const struct net *net;
	__be32 addr;
	int genid;
};

/*
 * The filters of one encapsulation on one port (for UDP, one destination
 * port) on a link.  Table 0 is GRE's; a UDP table is taken by the first
 * device on its port and freed with the last.
 */
struct grecap_table {
	unsigned long masks;		/* bit p: grecap_mask_order[p] used */
	struct grecap_filter __rcu *any;	/* the catch-all's, also hashed */
	__be16 port;			/* UDP destination port; 0: free */
	u8 encap;			/* enum grecap_encap */
	u16 filters;			/* RTNL */
	u16 mask_refs[GRECAP_NMASKS];	/* filters per mask; RTNL */
};

/* UDP ports one link takes at most, over all encapsulations. */
#define GRECAP_UDP_TABLES	8

/* One per lower device, shared by all grecap devices on it. */
struct grecap_port {
	struct net_device *dev;
	struct list_head devs;		/* grecap_dev.list; RTNL */
	unsigned int count;		/* devices past ndo_init; RTNL */
	unsigned long udp_tables;	/* bit t: tables[t] taken (t >= 1) */
	u32 hash_seed;
	struct grecap_pcpu_counters __percpu *stats;
	struct grecap_local_cache __percpu *local;
	struct grecap_table tables[1 + GRECAP_UDP_TABLES];
	struct hlist_head hash[1 << GRECAP_HASH_BITS];
};

/*
 * A grecap device.  Its filter and its place on the port are set up in
 * ndo_init and taken down in ndo_uninit; sysfs (readers without RTNL) may
 * find @port and @filter NULL after that, until the files are removed.
 */
struct grecap_dev {
	struct net_device *dev;
	struct net_device *lower;
	struct grecap_port __rcu *port;
	struct grecap_filter __rcu *filter;
	u32 flags;			/* GRECAP_F_*; RTNL, read locklessly */
	struct list_head list;		/* on port->devs; RTNL */
	struct grecap_pcpu_counters __percpu *stats;
	struct grecap_seq_table *seq;
};

static inline struct grecap_dev *grecap_dev_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

/* stats.c */
struct grecap_stat_desc {
	char name[ETH_GSTRING_LEN];
	u16 idx;			/* in the device's or the link's counters */
	bool link;
};

/* Shown in ethtool -S: all but the drops that have a standard field. */
#define GRECAP_DROPS_SHOWN	6
#define GRECAP_STATS_SHOWN	(GRECAP_RX_NUM + GRECAP_H_NUM + \
				 GRECAP_DROPS_SHOWN + GRECAP_LINK_NUM)

extern const struct grecap_stat_desc grecap_stats_shown[GRECAP_STATS_SHOWN];

struct grecap_pcpu_counters __percpu *grecap_counters_alloc(unsigned int n);
void grecap_counters_sum(const struct grecap_pcpu_counters __percpu *pc,
			 unsigned int n, u64 *out);
void grecap_dev_counters(const struct grecap_dev *gd, u64 *out);
void grecap_stats_shown_read(const struct grecap_dev *gd,
			     const struct grecap_port *port, u64 *out);

static inline void grecap_count_add(struct grecap_pcpu_counters __percpu *pc,
				    unsigned int idx, unsigned long n)
{
	struct grecap_pcpu_counters *c = this_cpu_ptr(pc);

	u64_stats_update_begin(&c->syncp);
	u64_stats_add(&c->val[idx], n);
	u64_stats_update_end(&c->syncp);
}

static inline void grecap_count_rx(struct grecap_dev *gd, enum grecap_rx kind)
{
	grecap_count_add(gd->stats, kind, 1);
}

static inline void grecap_count_health(struct grecap_dev *gd,
				       enum grecap_health what,
				       unsigned long n)
{
	grecap_count_add(gd->stats, GRECAP_CNT_HEALTH + what, n);
}

static inline void grecap_count_drop(struct grecap_dev *gd,
				     enum grecap_drop why)
{
	grecap_count_add(gd->stats, GRECAP_CNT_DROP + why, 1);
}

static inline void grecap_count_link(struct grecap_port *port,
				     enum grecap_link_stat what)
{
	grecap_count_add(port->stats, what, 1);
}

/* seq.c */
struct grecap_seq_table *grecap_seq_alloc(void);
void grecap_seq_free(struct grecap_seq_table *t);
void grecap_seq_account(struct grecap_dev *gd, const struct grecap_match *key,
			u32 seq);

/*
 * What a decoder found behind the outer headers: how much to strip and
 * what follows, and what of the header the device asked to keep.
 * Decoders (rx.c for GRE, erspan.c, udp.c) fill it; grecap_pull() alone
 * strips.
 */
struct grecap_payload {
	unsigned int len;		/* header bytes from skb->data */
	__be16 proto;			/* ETH_P_TEB (Ethernet) or L3 */
	enum grecap_rx kind;		/* what it is, if delivered */
	bool vlan;			/* put back vlan_tci */
	u16 vlan_tci;
	u64 tstamp;			/* capture time in ns, 0: keep */
	bool erspan_trunc;		/* the source's verdicts on the frame */
	bool erspan_bad;
	/* udp.h's verdict, which rx.c applies after the UDP checksum */
	enum grecap_drop drop;
};

/* erspan.c: the two GRE protocols of ERSPAN */
static inline bool grecap_is_erspan(__be16 proto)
{
	return proto == htons(ETH_P_ERSPAN) || proto == htons(ETH_P_ERSPAN2);
}

struct erspan_base_hdr;
bool grecap_erspan_peek(const struct erspan_base_hdr *ershdr,
			__be16 proto, __be16 gre_flags,
			struct grecap_match *key);
enum grecap_drop grecap_erspan_decode(struct sk_buff *skb, __be16 proto,
				      __be16 gre_flags, u32 flags,
				      struct grecap_payload *p);

/* udp.c; VXLAN and GENEVE are udp.h's */
void grecap_tzsp_parse(const struct sk_buff *skb, unsigned int off,
		       unsigned int end, struct grecap_payload *p);
void grecap_udp_inner_vxlan(const struct sk_buff *skb,
			    struct grecap_payload *p);

/* defrag.c */
int grecap_defrag(struct sk_buff **pskb, unsigned int len,
		  struct grecap_port *port);

/* IPv6 reassembly is nf_defrag_ipv6's; without it fragments go to the stack. */
static inline bool grecap_can_defrag(__be16 proto)
{
	return proto == htons(ETH_P_IP) || IS_ENABLED(CONFIG_NF_DEFRAG_IPV6);
}

/* table.c */
void grecap_table_init(void);
u16 grecap_encap_default_port(u8 encap);
struct grecap_filter *grecap_filter_new(struct grecap_dev *gd,
					const struct grecap_match *m);
int grecap_table_check(const struct grecap_port *port,
		       const struct grecap_match *m,
		       const struct grecap_match *old,
		       struct netlink_ext_ack *extack);
void grecap_filter_hash(struct grecap_port *port, struct grecap_filter *f);
void grecap_filter_unhash(struct grecap_port *port, struct grecap_filter *f);
struct grecap_dev *grecap_lookup_masks(const struct grecap_port *port,
				       const struct grecap_table *tbl,
				       const struct grecap_match *key,
				       unsigned long masks);

/* The catch-all (mask 0, no fields) comes last in the order of masks. */
#define GRECAP_PRIO_ANY		(GRECAP_NMASKS - 1)

/*
 * The catch-all of @tbl, if it is @key's: a table taken over by another
 * UDP port while a packet for the old one was looked up holds no filter
 * of the old port's.
 */
static inline struct grecap_dev *grecap_any(const struct grecap_table *tbl,
					    const struct grecap_match *key)
{
	struct grecap_filter *f = rcu_dereference(tbl->any);

	return f && f->match.port == key->port ? f->gd : NULL;
}

/* The table of UDP destination port @dport on @port, or NULL. */
static inline const struct grecap_table *
grecap_udp_table(const struct grecap_port *port, __be16 dport)
{
	unsigned long tables = READ_ONCE(port->udp_tables);
	unsigned int t;

	while (tables) {
		t = __ffs(tables);
		if (READ_ONCE(port->tables[t].port) == dport)
			return &port->tables[t];
		tables &= tables - 1;
	}
	return NULL;
}

/* rx.c */
rx_handler_result_t grecap_handle_frame(struct sk_buff **pskb);
rx_handler_result_t grecap_sink_frame(struct sk_buff **pskb);

/* port.c */
bool grecap_is_port(const struct net_device *dev);
int grecap_port_check(const struct net_device *lower,
		      const struct grecap_match *m,
		      struct netlink_ext_ack *extack);
int grecap_port_attach(struct grecap_dev *gd);
void grecap_port_detach(struct grecap_dev *gd);
int grecap_port_set_match(struct grecap_dev *gd, const struct grecap_match *m,
			  struct netlink_ext_ack *extack);

static inline struct grecap_port *grecap_port_get_rcu(const struct net_device *dev)
{
	return rcu_dereference(dev->rx_handler_data);
}

static inline struct grecap_port *grecap_port_get_rtnl(const struct net_device *dev)
{
	return rtnl_dereference(dev->rx_handler_data);
}

/* The port of a device between ndo_init and ndo_uninit. */
static inline struct grecap_port *grecap_dev_port(const struct grecap_dev *gd)
{
	return rtnl_dereference(gd->port);
}

/* ethtool.c */
extern const struct ethtool_ops grecap_ethtool_ops;

/* sysfs.c: the device type, whose attribute groups are the sysfs files */
extern const struct device_type grecap_type;
void grecap_sysfs_init(void);

/* device.c */
void grecap_setup(struct net_device *dev);
void grecap_dev_quiet(struct net_device *dev);
void grecap_dev_fix_offloads(struct net_device *dev);
void grecap_dev_del(struct net_device *dev, struct list_head *head);

/* netlink.c */
extern struct rtnl_link_ops grecap_link_ops;
int grecap_netlink_init(void);
void grecap_netlink_exit(void);
int grecap_newlink(struct net *src_net, struct net_device *dev,
		   struct nlattr *tb[], struct nlattr *data[],
		   struct netlink_ext_ack *extack);

#include "compat.h"

#endif /* _GRECAP_H */
