// SPDX-License-Identifier: GPL-2.0
/*
 * The port: grecap's receive hook on a lower device, shared by every grecap
 * device on that link, with the filter table that picks the device a GRE
 * packet goes to.
 *
 * The table holds one entry per device, hashed on its filter with the
 * fields it leaves as "any" zeroed.  A packet is looked up once per mask
 * (set of fields) in use on the link, most specific mask first, so lookup
 * costs at most GRECAP_NMASKS hash probes whatever the number of devices.
 *
 * Precedence, as documented: the device matching the most fields wins;
 * among as many fields, session before remote before key before local
 * (the GRECAP_MATCH_* bit order, see grecap_mask_cmp()).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/rtnetlink.h>

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

static void grecap_mask_order_init(void)
{
	unsigned int i;

	for (i = 0; i < GRECAP_NMASKS; i++)
		grecap_mask_order[i] = i;
	sort(grecap_mask_order, GRECAP_NMASKS, sizeof(u8), grecap_mask_cmp,
	     NULL);
	for (i = 0; i < GRECAP_NMASKS; i++)
		grecap_mask_prio[grecap_mask_order[i]] = i;
	/* grecap_port_lookup()'s shortcut for the catch-all alone. */
	WARN_ON(grecap_mask_prio[0] != GRECAP_PRIO_ANY);
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

/* Build the key a filter of @mask would have for a packet's @key. */
static void grecap_match_masked(struct grecap_match *out,
				const struct grecap_match *key, u32 mask)
{
	memset(out, 0, sizeof(*out));
	if (mask & GRECAP_MATCH_LOCAL)
		out->local = key->local;
	if (mask & GRECAP_MATCH_REMOTE)
		out->remote = key->remote;
	if (mask & GRECAP_MATCH_KEY)
		out->key = key->key;
	if (mask & GRECAP_MATCH_SESSION)
		out->session = key->session;
	out->fields = mask;
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
	struct grecap_match k;

	grecap_match_masked(&k, key, mask);
	return grecap_find(port, &k);
}

struct grecap_dev *__grecap_port_lookup(const struct grecap_port *port,
					const struct grecap_match *key)
{
	unsigned long masks = READ_ONCE(port->masks);
	struct grecap_filter *f;
	unsigned int p;

	for_each_set_bit(p, &masks, GRECAP_NMASKS) {
		u32 mask = grecap_mask_order[p];

		/* A filter on a field the packet lacks (key, session) cannot match. */
		if (mask & ~key->fields)
			continue;
		/* The catch-all, the one filter of most links: no key to hash. */
		if (!mask) {
			f = rcu_dereference(port->any);
			return f ? f->gd : NULL;
		}
		f = grecap_find_masked(port, key, mask);
		if (f)
			return f->gd;
	}
	return NULL;
}

static void grecap_mask_get(struct grecap_port *port, u32 mask)
{
	if (!port->mask_refs[mask]++)
		WRITE_ONCE(port->masks,
			   port->masks | BIT(grecap_mask_prio[mask]));
}

static void grecap_mask_put(struct grecap_port *port, u32 mask)
{
	if (!--port->mask_refs[mask])
		WRITE_ONCE(port->masks,
			   port->masks & ~BIT(grecap_mask_prio[mask]));
}

bool grecap_port_match_taken(const struct net_device *lower,
			     const struct grecap_match *m)
{
	ASSERT_RTNL();
	if (!grecap_is_port(lower))
		return false;
	return grecap_find(grecap_port_get_rtnl(lower), m);
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

static void grecap_filter_hash(struct grecap_port *port,
			       struct grecap_filter *f)
{
	hlist_add_head_rcu(&f->hnode, grecap_bucket(port, &f->match));
	if (!f->match.fields)
		rcu_assign_pointer(port->any, f);
	grecap_mask_get(port, f->match.fields);
}

static void grecap_filter_unhash(struct grecap_port *port,
				 struct grecap_filter *f)
{
	hlist_del_rcu(&f->hnode);
	if (!f->match.fields)
		RCU_INIT_POINTER(port->any, NULL);
	grecap_mask_put(port, f->match.fields);
}

/* Replace the filter of an attached device (changelink). */
int grecap_port_set_match(struct grecap_dev *gd, const struct grecap_match *m,
			  struct netlink_ext_ack *extack)
{
	struct grecap_filter *old = rtnl_dereference(gd->filter);
	struct grecap_port *port = grecap_dev_port(gd);
	struct grecap_filter *f;

	if (!memcmp(&old->match, m, sizeof(*m)))
		return 0;
	if (grecap_find(port, m)) {
		NL_SET_ERR_MSG(extack,
			       "another grecap device on this link has the same filter");
		return -EEXIST;
	}
	f = grecap_filter_new(gd, m);
	if (!f)
		return -ENOMEM;

	/* Insert before removing so the device is never missing. */
	grecap_filter_hash(port, f);
	rcu_assign_pointer(gd->filter, f);
	grecap_filter_unhash(port, old);
	kfree_rcu(old, rcu);
	return 0;
}

bool grecap_is_port(const struct net_device *dev)
{
	return rcu_access_pointer(dev->rx_handler) == grecap_handle_frame;
}

static struct grecap_port *grecap_port_create(struct net_device *lower)
{
	struct grecap_port *port;
	int err;

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return ERR_PTR(-ENOMEM);
	port->stats = grecap_counters_alloc(GRECAP_LINK_NUM);
	if (!port->stats) {
		err = -ENOMEM;
		goto err_free_port;
	}
	port->local = alloc_percpu(struct grecap_local_cache);
	if (!port->local) {
		err = -ENOMEM;
		goto err_free_stats;
	}
	port->dev = lower;
	port->hash_seed = get_random_u32();
	INIT_LIST_HEAD(&port->devs);

	err = netdev_rx_handler_register(lower, grecap_handle_frame, port);
	if (err)
		goto err_free_local;
	return port;

err_free_local:
	free_percpu(port->local);
err_free_stats:
	free_percpu(port->stats);
err_free_port:
	kfree(port);
	return ERR_PTR(err);
}

static void grecap_port_destroy(struct grecap_port *port)
{
	/* Waits for the receive path to leave the port (synchronize_net). */
	netdev_rx_handler_unregister(port->dev);
	free_percpu(port->local);
	free_percpu(port->stats);
	kfree(port);
}

/*
 * From ndo_init: join the lower device's port (creating it if needed) and
 * put the filter newlink made for the device in the port's table.  From
 * here on the receive path can find the device.
 */
int grecap_port_attach(struct grecap_dev *gd)
{
	struct grecap_port *port;

	if (grecap_is_port(gd->lower)) {
		port = grecap_port_get_rtnl(gd->lower);
	} else {
		port = grecap_port_create(gd->lower);
		if (IS_ERR(port))
			return PTR_ERR(port);
	}
	port->count++;
	rcu_assign_pointer(gd->port, port);
	grecap_filter_hash(port, rtnl_dereference(gd->filter));
	list_add_tail(&gd->list, &port->devs);
	return 0;
}

/*
 * From ndo_uninit, the mirror of attach.  sysfs readers that still find
 * the filter or the port are done before either is freed: kfree_rcu(),
 * and the synchronize_net() of the port's unregistering.
 */
void grecap_port_detach(struct grecap_dev *gd)
{
	struct grecap_filter *f = rtnl_dereference(gd->filter);
	struct grecap_port *port = grecap_dev_port(gd);

	list_del(&gd->list);
	grecap_filter_unhash(port, f);
	RCU_INIT_POINTER(gd->filter, NULL);
	kfree_rcu(f, rcu);
	RCU_INIT_POINTER(gd->port, NULL);
	if (!--port->count)
		grecap_port_destroy(port);
}

static int grecap_device_event(struct notifier_block *unused,
			       unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct grecap_dev *gd;
	struct grecap_port *port;
	LIST_HEAD(list_kill);

	/*
	 * A grecap device registers anew in each namespace it moves to, and
	 * IPv6 (whose notifier ran first) starts there with that namespace's
	 * defaults: keep it quiet every time.
	 */
	if (event == NETDEV_REGISTER && dev->rtnl_link_ops == &grecap_link_ops)
		grecap_dev_quiet(dev);
	if (!grecap_is_port(dev))
		return NOTIFY_DONE;
	port = grecap_port_get_rtnl(dev);

	switch (event) {
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		list_for_each_entry(gd, &port->devs, list)
			netif_stacked_transfer_operstate(dev, gd->dev);
		break;
	case NETDEV_UNREGISTER:
		/* A move to another namespace keeps the devices attached. */
		if (dev->reg_state != NETREG_UNREGISTERING)
			break;
		/* ndo_uninit takes them off the list, after this loop. */
		list_for_each_entry(gd, &port->devs, list)
			grecap_link_ops.dellink(gd->dev, &list_kill);
		unregister_netdevice_many(&list_kill);
		break;
	case NETDEV_PRE_TYPE_CHANGE:
		/* The hook parses Ethernet; the link must stay Ethernet. */
		return NOTIFY_BAD;
	}
	return NOTIFY_DONE;
}

static struct notifier_block grecap_notifier_block = {
	.notifier_call = grecap_device_event,
};

int grecap_port_init(void)
{
	grecap_mask_order_init();
	return register_netdevice_notifier(&grecap_notifier_block);
}

void grecap_port_exit(void)
{
	unregister_netdevice_notifier(&grecap_notifier_block);
}
