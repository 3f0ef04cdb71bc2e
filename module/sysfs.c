// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs, read-only: a device's settings in /sys/class/net/<dev>/grecap/
 * (link, local, remote, key, session, vlan, tstamp) and its per-reason
 * counters in /sys/class/net/<dev>/grecap_stats/.  Configuration is
 * rtnetlink's alone ("ip link ... type grecap").
 *
 * The files are attribute groups of the device type, so the driver core
 * creates them with the device, before its uevent, owned by the root of
 * the device's network namespace, and removes them with it.  They outlive
 * ndo_uninit a little: a read then finds no filter or port, and fails
 * with ENODEV.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/sysfs.h>
#include <net/ipv6.h>

#include "grecap.h"

static struct grecap_dev *grecap_dev_of(struct device *d)
{
	return grecap_dev_priv(to_net_dev(d));
}

static ssize_t link_show(struct device *d, struct device_attribute *attr,
			 char *buf)
{
	/* A rename may be under way: never read past the name's buffer. */
	return sysfs_emit(buf, "%.*s\n", IFNAMSIZ, grecap_dev_of(d)->lower->name);
}
static DEVICE_ATTR_RO(link);

static ssize_t grecap_emit_addr(char *buf, const struct in6_addr *a)
{
	if (ipv6_addr_v4mapped(a))
		return sysfs_emit(buf, "%pI4\n", &a->s6_addr32[3]);
	return sysfs_emit(buf, "%pI6c\n", a);
}

static ssize_t grecap_show_field(struct device *d, char *buf, u32 field)
{
	struct grecap_dev *gd = grecap_dev_of(d);
	const struct grecap_filter *f;
	struct grecap_match m;
	bool found = false;

	rcu_read_lock();
	f = rcu_dereference(gd->filter);
	if (f) {
		m = f->match;
		found = true;
	}
	rcu_read_unlock();

	if (!found)
		return -ENODEV;
	if (!(m.fields & field))
		return sysfs_emit(buf, "any\n");
	switch (field) {
	case GRECAP_MATCH_LOCAL:
		return grecap_emit_addr(buf, &m.local);
	case GRECAP_MATCH_REMOTE:
		return grecap_emit_addr(buf, &m.remote);
	case GRECAP_MATCH_KEY:
		return sysfs_emit(buf, "%u\n", be32_to_cpu(m.key));
	default:
		return sysfs_emit(buf, "%u\n", m.session);
	}
}

static ssize_t grecap_show_flag(struct device *d, char *buf, u32 flag)
{
	return sysfs_emit(buf, "%d\n", !!(READ_ONCE(grecap_dev_of(d)->flags) & flag));
}

/* A read-only file whose show takes one constant: a match field or a flag. */
#define GRECAP_ATTR(name, arg, show_fn)					\
static ssize_t name##_show(struct device *d,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	return show_fn(d, buf, arg);					\
}									\
static DEVICE_ATTR_RO(name)

GRECAP_ATTR(local, GRECAP_MATCH_LOCAL, grecap_show_field);
GRECAP_ATTR(remote, GRECAP_MATCH_REMOTE, grecap_show_field);
GRECAP_ATTR(key, GRECAP_MATCH_KEY, grecap_show_field);
GRECAP_ATTR(session, GRECAP_MATCH_SESSION, grecap_show_field);
GRECAP_ATTR(vlan, GRECAP_F_VLAN, grecap_show_flag);
GRECAP_ATTR(tstamp, GRECAP_F_TSTAMP, grecap_show_flag);

static struct attribute *grecap_attrs[] = {
	&dev_attr_link.attr,
	&dev_attr_local.attr,
	&dev_attr_remote.attr,
	&dev_attr_key.attr,
	&dev_attr_session.attr,
	&dev_attr_vlan.attr,
	&dev_attr_tstamp.attr,
	NULL,
};

static const struct attribute_group grecap_group = {
	.name = "grecap",
	.attrs = grecap_attrs,
};

/* One file per counter: the index, and whether it is the link's. */
struct grecap_stat_attr {
	struct device_attribute dattr;
	unsigned int idx;
	bool link;
};

static ssize_t grecap_stat_show(struct device *d, struct device_attribute *attr,
				char *buf)
{
	struct grecap_stat_attr *sa =
		container_of(attr, struct grecap_stat_attr, dattr);
	u64 v[GRECAP_STAT_ALL + GRECAP_LINK_NUM];
	struct grecap_dev *gd = grecap_dev_of(d);
	const struct grecap_port *port;
	bool found = true;

	if (!sa->link) {
		grecap_dev_counters(gd, v);
		return sysfs_emit(buf, "%llu\n", v[sa->idx]);
	}
	rcu_read_lock();
	port = rcu_dereference(gd->port);
	if (port)
		grecap_counters_sum(port->stats, GRECAP_LINK_NUM, v);
	else
		found = false;
	rcu_read_unlock();
	if (!found)
		return -ENODEV;
	return sysfs_emit(buf, "%llu\n", v[sa->idx]);
}

static struct grecap_stat_attr grecap_stat_attrs[GRECAP_STAT_NUM +
						 GRECAP_LINK_NUM];
static struct attribute *grecap_stats_attrs[ARRAY_SIZE(grecap_stat_attrs) + 1];

static const struct attribute_group grecap_stats_group = {
	.name = "grecap_stats",
	.attrs = grecap_stats_attrs,
};

static const struct attribute_group *grecap_groups[] = {
	&grecap_group,
	&grecap_stats_group,
	NULL,
};

/* DEVTYPE=grecap in uevents; its groups are the files above. */
const struct device_type grecap_type = {
	.name = "grecap",
	.groups = grecap_groups,
};

/* The counter files are named after the counters, so built once at load. */
static void grecap_stat_attr_init(struct grecap_stat_attr *sa,
				  const char *name, unsigned int idx, bool link)
{
	sysfs_attr_init(&sa->dattr.attr);
	sa->dattr.attr.name = name;
	sa->dattr.attr.mode = 0444;
	sa->dattr.show = grecap_stat_show;
	sa->idx = idx;
	sa->link = link;
}

void grecap_sysfs_init(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < GRECAP_STAT_NUM; i++, n++)
		grecap_stat_attr_init(&grecap_stat_attrs[n],
				      grecap_stat_names[i], i, false);
	for (i = 0; i < GRECAP_LINK_NUM; i++, n++)
		grecap_stat_attr_init(&grecap_stat_attrs[n],
				      grecap_link_stat_names[i], i, true);
	for (i = 0; i < n; i++)
		grecap_stats_attrs[i] = &grecap_stat_attrs[i].dattr.attr;
}
