/* SPDX-License-Identifier: GPL-2.0 */
/*
 * grecap private header: the per-link port, the devices hanging off it,
 * their match filters and counters.
 *
 * Locking: configuration (ports, filters, device lists) changes under RTNL;
 * the receive path reads it under RCU (rx_handler context) and takes no
 * lock.  Counters are per CPU.
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
#include <net/gre.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <uapi/linux/grecap.h>

/*
 * The symbols grecap takes from other modules are weak references.
 * modprobe loads gre and nf_defrag_ipv6 first (modinfo's depends) and they
 * bind as usual; an insmod of grecap.ko without them loads with these NULL
 * instead of failing with "Unknown symbol", and grecap_init() then refuses
 * with what to run.  A file calling one must include this header, or its
 * reference is strong.
 */
extern typeof(gre_parse_header) gre_parse_header __weak;
#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
extern typeof(nf_ct_frag6_gather) nf_ct_frag6_gather __weak;
#define grecap_deps_bound()	(gre_parse_header && nf_ct_frag6_gather)
#else
#define grecap_deps_bound()	(!!gre_parse_header)
#endif

#define GRECAP_VERSION		"0.2.0"

/*
 * The fields of a filter.  Their bit order is the lookup's tie-break
 * (port.c): among filters with as many fields, the higher bit wins.
 */
#define GRECAP_MATCH_LOCAL	BIT(0)
#define GRECAP_MATCH_KEY	BIT(1)
#define GRECAP_MATCH_REMOTE	BIT(2)
#define GRECAP_MATCH_SESSION	BIT(3)
#define GRECAP_MATCH_ALL	(GRECAP_MATCH_LOCAL | GRECAP_MATCH_KEY | \
				 GRECAP_MATCH_REMOTE | GRECAP_MATCH_SESSION)

/* Options, IFLA_GRECAP_VLAN and IFLA_GRECAP_TSTAMP, in grecap_dev.flags. */
#define GRECAP_F_VLAN		BIT(0)
#define GRECAP_F_TSTAMP		BIT(1)

/* Every combination of match fields is one lookup mask. */
#define GRECAP_NMASKS		(GRECAP_MATCH_ALL + 1)
#define GRECAP_HASH_BITS	8

/*
 * What a device matches, and the lookup key built from a packet.  IPv4
 * addresses are stored v4-mapped so that one compare serves both families.
 * Fields not in @fields are zero, so a whole-struct compare is exact.
 */
struct grecap_match {
	struct in6_addr local;
	struct in6_addr remote;
	__be32 key;
	u32 session;		/* ERSPAN session ID */
	u32 fields;		/* GRECAP_MATCH_* that are set */
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

enum grecap_stat {
	GRECAP_STAT_RX_ETH,		/* payload 0x6558, Ethernet */
	GRECAP_STAT_RX_IPV4,		/* payload 0x0800 */
	GRECAP_STAT_RX_IPV6,		/* payload 0x86DD */
	GRECAP_STAT_RX_OTHER,		/* any other payload protocol */
	GRECAP_STAT_RX_ERSPAN1,		/* ERSPAN Type I */
	GRECAP_STAT_RX_ERSPAN2,		/* ERSPAN Type II */
	GRECAP_STAT_RX_ERSPAN3,		/* ERSPAN Type III */
	GRECAP_STAT_RX_SPLIT,		/* GRO-merged packets cut back */
	GRECAP_STAT_SEQ_LOST,		/* numbers skipped (seq.c) */
	GRECAP_STAT_SEQ_REORDERED,	/* arrived after a later one */
	GRECAP_STAT_SEQ_DUP,		/* a number seen before */
	GRECAP_STAT_SEQ_RESTART,	/* a source numbering anew */
	GRECAP_STAT_SEQ_UNTRACKED,	/* numbered, no room to track it */
	GRECAP_STAT_ERSPAN_TRUNC,	/* T bit: truncated by the source */
	GRECAP_STAT_ERSPAN_BAD,		/* Type III BSO: bad at the source */
	/* Everything from here on is a drop. */
	GRECAP_STAT_DROP_CSUM,		/* bad GRE checksum */
	GRECAP_STAT_DROP_TRUNC,		/* shorter than its headers say */
	GRECAP_STAT_DROP_ERSPAN,	/* unknown ERSPAN version/frame type */
	GRECAP_STAT_DROP_DOWN,		/* matched while the device is down */
	GRECAP_STAT_DROP_NOMEM,		/* no memory to unshare or unclone */
	GRECAP_STAT_TX_DROP,		/* sent to grecap0, which never sends */
	GRECAP_STAT_NUM,
	/*
	 * Not shown: numbers counted in SEQ_LOST that came later after all,
	 * taken off it when read (grecap_dev_counters()).
	 */
	GRECAP_STAT_SEQ_LATE = GRECAP_STAT_NUM,
	GRECAP_STAT_ALL
};

/* Streams whose sequence numbers a device tracks (seq.c). */
#define GRECAP_SEQ_STREAMS	256

/* Counted once per link, on the port, and shown by each of its devices. */
enum grecap_link_stat {
	GRECAP_LINK_NOT_LOCAL,		/* GRE to an address not of this host */
	GRECAP_LINK_UNMATCHED,		/* GRE to this host, no device matched */
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

/* One per lower device, shared by all grecap devices on it. */
struct grecap_port {
	struct net_device *dev;
	struct list_head devs;		/* grecap_dev.list; RTNL */
	unsigned int count;		/* devices past ndo_init; RTNL */
	u16 mask_refs[GRECAP_NMASKS];	/* filters per mask; RTNL */
	unsigned long masks;		/* bit p: grecap_mask_order[p] used */
	u32 hash_seed;
	struct grecap_pcpu_counters __percpu *stats;
	struct grecap_local_cache __percpu *local;
	struct grecap_filter __rcu *any;	/* the catch-all's, also hashed */
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

extern struct rtnl_link_ops grecap_link_ops;
extern const struct ethtool_ops grecap_ethtool_ops;
extern const char grecap_stat_names[GRECAP_STAT_NUM][ETH_GSTRING_LEN];
extern const char grecap_link_stat_names[GRECAP_LINK_NUM][ETH_GSTRING_LEN];

/* device.c */
void grecap_setup(struct net_device *dev);
void grecap_dev_quiet(struct net_device *dev);
void grecap_dev_fix_offloads(struct net_device *dev);

/* netlink.c */
int grecap_netlink_init(void);
void grecap_netlink_exit(void);
int grecap_create(struct net_device *dev, struct net_device *lower,
		  const struct grecap_match *m, u32 flags,
		  const struct nlattr *attr, struct netlink_ext_ack *extack);

/* port.c */
int grecap_port_init(void);
void grecap_port_exit(void);
struct grecap_filter *grecap_filter_new(struct grecap_dev *gd,
					const struct grecap_match *m);
int grecap_port_attach(struct grecap_dev *gd);
void grecap_port_detach(struct grecap_dev *gd);
bool grecap_is_port(const struct net_device *dev);
bool grecap_port_match_taken(const struct net_device *lower,
			     const struct grecap_match *m);
int grecap_port_set_match(struct grecap_dev *gd, const struct grecap_match *m,
			  struct netlink_ext_ack *extack);
struct grecap_dev *__grecap_port_lookup(const struct grecap_port *port,
					const struct grecap_match *key);

/* The catch-all (mask 0, no fields) comes last in the order of masks. */
#define GRECAP_PRIO_ANY		(GRECAP_NMASKS - 1)

/* The device a packet's @key picks on @port, or NULL. */
static inline struct grecap_dev *
grecap_port_lookup(const struct grecap_port *port,
		   const struct grecap_match *key)
{
	struct grecap_filter *f;

	/* The catch-all alone, as on most links: no masks to walk. */
	if (READ_ONCE(port->masks) == BIT(GRECAP_PRIO_ANY)) {
		f = rcu_dereference(port->any);
		return f ? f->gd : NULL;
	}
	return __grecap_port_lookup(port, key);
}

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

/*
 * What a decoder found behind the GRE header: how much to strip and what
 * follows, and what of the header the device asked to keep.  Decoders
 * (rx.c for GRE, erspan.c) fill it; grecap_pull() alone strips.
 */
struct grecap_payload {
	unsigned int len;		/* header bytes from skb->data */
	__be16 proto;			/* ETH_P_TEB (Ethernet) or L3 */
	bool vlan;			/* put back vlan_tci */
	u16 vlan_tci;
	u64 tstamp;			/* capture time in ns, 0: keep */
	bool erspan_trunc;		/* the source's verdicts on the frame */
	bool erspan_bad;
};

/* rx.c */
rx_handler_result_t grecap_handle_frame(struct sk_buff **pskb);
rx_handler_result_t grecap_sink_frame(struct sk_buff **pskb);

/* erspan.c: the two GRE protocols of ERSPAN */
static inline bool grecap_is_erspan(__be16 proto)
{
	return proto == htons(ETH_P_ERSPAN) || proto == htons(ETH_P_ERSPAN2);
}

struct erspan_base_hdr;
bool grecap_erspan_peek(const struct erspan_base_hdr *ershdr,
			__be16 proto, __be16 gre_flags,
			struct grecap_match *key);
enum grecap_stat grecap_erspan_decode(struct sk_buff *skb, __be16 proto,
				      __be16 gre_flags, u32 flags,
				      struct grecap_payload *p);

/* seq.c */
struct grecap_seq_table *grecap_seq_alloc(void);
void grecap_seq_free(struct grecap_seq_table *t);
void grecap_seq_account(struct grecap_dev *gd, const struct grecap_match *key,
			u32 seq);

/* defrag.c */
int grecap_defrag(struct sk_buff **pskb, unsigned int len,
		  struct grecap_port *port);

/* IPv6 reassembly is nf_defrag_ipv6's; without it fragments go to the stack. */
static inline bool grecap_can_defrag(__be16 proto)
{
	return proto == htons(ETH_P_IP) || IS_ENABLED(CONFIG_NF_DEFRAG_IPV6);
}

/* stats.c */
struct grecap_pcpu_counters __percpu *grecap_counters_alloc(unsigned int n);
void grecap_counters_sum(const struct grecap_pcpu_counters __percpu *pc,
			 unsigned int n, u64 *out);

void grecap_dev_counters(const struct grecap_dev *gd, u64 *out);

static inline void grecap_count_add(struct grecap_pcpu_counters __percpu *pc,
				    unsigned int idx, unsigned long n)
{
	struct grecap_pcpu_counters *c = this_cpu_ptr(pc);

	u64_stats_update_begin(&c->syncp);
	u64_stats_add(&c->val[idx], n);
	u64_stats_update_end(&c->syncp);
}

static inline void grecap_count(struct grecap_pcpu_counters __percpu *pc,
				unsigned int idx)
{
	grecap_count_add(pc, idx, 1);
}

/* sysfs.c: the device type, whose attribute groups are the sysfs files */
extern const struct device_type grecap_type;
void grecap_sysfs_init(void);

static inline struct grecap_dev *grecap_dev_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

#endif /* _GRECAP_H */
