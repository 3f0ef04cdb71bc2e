// SPDX-License-Identifier: GPL-2.0
/*
 * The filter tables of a link: which grecap device a packet goes to.
 *
 * A link has a table for GRE and one for each UDP destination port its
 * devices take (VXLAN, GENEVE, TZSP), at most GRECAP_UDP_TABLES: a
 * datagram to any other port is not looked at.  Every filter is hashed in
 * the port's one hash table with the fields it leaves as "any" zeroed, its
 * encapsulation and port included.  A packet is looked up once per mask
 * (set of fields) in use in its table, most specific mask first, so lookup
 * costs at most GRECAP_NMASKS hash probes whatever the number of devices.
 *
 * Precedence, as documented: the device matching the most fields wins;
 * among as many fields, VNI before session before remote before key before
 * local (the GRECAP_MATCH_* bit order, see grecap_mask_cmp()).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "grecap.h"

/* Masks from most to least specific, and each mask's place in that order. */
static u8 grecap_mask_order[GRECAP_NMASKS] __ro_after_init;
static u8 grecap_mask_prio[GRECAP_NMASKS] __ro_after_init;

static int grecap_mask_cmp(const void *a, const void *b)
{
	unsigned int ma = *(const u8 *)a, mb = *(const u8 *)b;

	/* More fields first; on a tie the higher field bit wins. */
	if (hweight32(ma) != hweight32(mb))
		return hweight32(mb) - hweight32(ma);
	return mb - ma;
}

void grecap_table_init(void)
{
	unsigned int i;

	for (i = 0; i < GRECAP_NMASKS; i++)
		grecap_mask_order[i] = i;
	sort(grecap_mask_order, GRECAP_NMASKS, sizeof(u8), grecap_mask_cmp,
	     NULL);
	for (i = 0; i < GRECAP_NMASKS; i++)
		grecap_mask_prio[grecap_mask_order[i]] = i;
	/* grecap_lookup()'s shortcut for the catch-all alone. */
	WARN_ON(grecap_mask_prio[0] != GRECAP_PRIO_ANY);
}

u16 grecap_encap_default_port(u8 encap)
{
	switch (encap) {
	case GRECAP_ENCAP_VXLAN:
		return GRECAP_VXLAN_PORT;
	case GRECAP_ENCAP_GENEVE:
		return GRECAP_GENEVE_PORT;
	case GRECAP_ENCAP_TZSP:
		return GRECAP_TZSP_PORT;
	default:
		return 0;
	}
}

static struct hlist_head *grecap_bucket(const struct grecap_port *port,
					const struct grecap_match *m)
{
	u32 h = jhash2((const u32 *)m, sizeof(*m) / sizeof(u32),
		       port->hash_seed);

	return (struct hlist_head *)&port->hash[hash_32(h, GRECAP_HASH_BITS)];
}

static struct grecap_filter *grecap_find(const struct grecap_port *port,
					 const struct grecap_match *m)
{
	struct grecap_filter *f;

	hlist_for_each_entry_rcu(f, grecap_bucket(port, m), hnode,
				 lockdep_rtnl_is_held())
		if (!memcmp(&f->match, m, sizeof(*m)))
			return f;
	return NULL;
}

/*
 * The filter of @mask a packet's @key matches.  A function of its own so
 * that the catch-all's path does not zero a key it never builds
 * (CONFIG_INIT_STACK_ALL_ZERO zeroes it where it is declared).
 */
static struct grecap_filter *grecap_find_masked(const struct grecap_port *port,
						const struct grecap_match *key,
						u32 mask)
{
	struct grecap_match k = {
		.port = key->port,
		.encap = key->encap,
		.fields = mask,
	};

	if (mask & GRECAP_MATCH_LOCAL)
		k.local = key->local;
	if (mask & GRECAP_MATCH_REMOTE)
		k.remote = key->remote;
	if (mask & GRECAP_MATCH_KEY)
		k.key = key->key;
	if (mask & GRECAP_MATCH_SESSION)
		k.session = key->session;
	if (mask & GRECAP_MATCH_VNI)
		k.vni = key->vni;
	return grecap_find(port, &k);
}

/* grecap_lookup() past its shortcut: the masks @masks of @tbl in use. */
struct grecap_dev *grecap_lookup_masks(const struct grecap_port *port,
				       const struct grecap_table *tbl,
				       const struct grecap_match *key,
				       unsigned long masks)
{
	struct grecap_filter *f;
	unsigned int p;

	for_each_set_bit(p, &masks, GRECAP_NMASKS) {
		u32 mask = grecap_mask_order[p];

		/* A filter on a field the packet lacks cannot match. */
		if (mask & ~key->fields)
			continue;
		if (!mask)
			return grecap_any(tbl, key);
		f = grecap_find_masked(port, key, mask);
		if (f)
			return f->gd;
	}
	return NULL;
}

/* The table a filter of @m goes in, if taken: NULL for a UDP port none has. */
static struct grecap_table *grecap_table_of(struct grecap_port *port,
					    const struct grecap_match *m)
{
	unsigned int t;

	if (m->encap == GRECAP_ENCAP_GRE)
		return &port->tables[0];
	for_each_set_bit(t, &port->udp_tables, 1 + GRECAP_UDP_TABLES)
		if (port->tables[t].port == m->port)
			return &port->tables[t];
	return NULL;
}

/*
 * Can @m join @port, replacing @old (the device's filter, NULL for a new
 * device)?  Says why not: another device's filter, a UDP port another
 * encapsulation takes, no room for another UDP port.  Checked before
 * anything changes, so that hashing cannot fail.  Returns 1 when it can
 * once @old is out: @old alone holds the table @m needs (its port, for
 * another encapsulation) or the last free one.
 */
int grecap_table_check(const struct grecap_port *port,
		       const struct grecap_match *m,
		       const struct grecap_match *old,
		       struct netlink_ext_ack *extack)
{
	struct grecap_port *p = (struct grecap_port *)port;
	const struct grecap_table *tbl, *old_tbl = NULL;
	bool old_alone;

	ASSERT_RTNL();
	if (grecap_find(port, m)) {
		NL_SET_ERR_MSG(extack,
			       "another grecap device on this link has the same filter");
		return -EEXIST;
	}
	if (m->encap == GRECAP_ENCAP_GRE)
		return 0;
	if (old && old->encap != GRECAP_ENCAP_GRE)
		old_tbl = grecap_table_of(p, old);
	old_alone = old_tbl && old_tbl->filters == 1;
	tbl = grecap_table_of(p, m);
	if (tbl) {
		if (tbl->encap == m->encap)
			return 0;
		if (tbl == old_tbl && old_alone)
			return 1;
		NL_SET_ERR_MSG(extack,
			       "another grecap device on this link takes this UDP port for another encapsulation");
		return -EADDRINUSE;
	}
	if (hweight_long(port->udp_tables) < GRECAP_UDP_TABLES)
		return 0;
	if (old_alone)
		return 1;
	NL_SET_ERR_MSG(extack,
		       "grecap devices on this link already take as many UDP ports as a link can have (8)");
	return -ENOSPC;
}

/* A filter for @gd, in no table yet: newlink's, or changelink's new one. */
struct grecap_filter *grecap_filter_new(struct grecap_dev *gd,
					const struct grecap_match *m)
{
	struct grecap_filter *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (f) {
		f->match = *m;
		f->gd = gd;
	}
	return f;
}

/* A free UDP table for @m's port (grecap_table_check() made room). */
static struct grecap_table *grecap_table_take(struct grecap_port *port,
					      const struct grecap_match *m)
{
	unsigned int t;

	for (t = 1; t <= GRECAP_UDP_TABLES; t++)
		if (!(port->udp_tables & BIT(t)))
			break;
	if (WARN_ON_ONCE(t > GRECAP_UDP_TABLES))
		return NULL;
	WRITE_ONCE(port->tables[t].encap, m->encap);
	/* Its encapsulation before its port: readers match on the port. */
	smp_wmb();
	WRITE_ONCE(port->tables[t].port, m->port);
	WRITE_ONCE(port->udp_tables, port->udp_tables | BIT(t));
	return &port->tables[t];
}

void grecap_filter_hash(struct grecap_port *port, struct grecap_filter *f)
{
	struct grecap_table *tbl = grecap_table_of(port, &f->match);
	u32 mask = f->match.fields;

	if (!tbl)
		tbl = grecap_table_take(port, &f->match);
	if (WARN_ON_ONCE(!tbl))
		return;
	hlist_add_head_rcu(&f->hnode, grecap_bucket(port, &f->match));
	if (!mask)
		rcu_assign_pointer(tbl->any, f);
	if (!tbl->mask_refs[mask]++)
		WRITE_ONCE(tbl->masks, tbl->masks | BIT(grecap_mask_prio[mask]));
	tbl->filters++;
}

void grecap_filter_unhash(struct grecap_port *port, struct grecap_filter *f)
{
	struct grecap_table *tbl = grecap_table_of(port, &f->match);
	u32 mask = f->match.fields;

	if (WARN_ON_ONCE(!tbl))
		return;
	hlist_del_rcu(&f->hnode);
	if (!mask)
		RCU_INIT_POINTER(tbl->any, NULL);
	if (!--tbl->mask_refs[mask])
		WRITE_ONCE(tbl->masks, tbl->masks & ~BIT(grecap_mask_prio[mask]));
	if (--tbl->filters || tbl == &port->tables[0])
		return;
	/* The last device on its UDP port: the port is the stack's again. */
	WRITE_ONCE(port->udp_tables,
		   port->udp_tables & ~BIT(tbl - port->tables));
	WRITE_ONCE(tbl->port, 0);
}
