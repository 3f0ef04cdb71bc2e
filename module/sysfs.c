// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs, read-only: a device's settings in /sys/class/net/<dev>/grecap/
 * (link, encap, port, local, remote, key, session, vni, vlan, tstamp,
 * inner_vxlan) and the counters ethtool -S shows in
 * /sys/class/net/<dev>/grecap_stats/, one file each.  Configuration is
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

static const char * const grecap_encap_names[] = {
	[GRECAP_ENCAP_GRE]	= "gre",
	[GRECAP_ENCAP_VXLAN]	= "vxlan",
	[GRECAP_ENCAP_GENEVE]	= "geneve",
	[GRECAP_ENCAP_TZSP]	= "tzsp",
};

/* What shows a setting of the filter: a match field, or these two. */
#define GRECAP_SHOW_ENCAP	BIT(16)
#define GRECAP_SHOW_PORT	BIT(17)

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
	if (field == GRECAP_SHOW_ENCAP)
		return sysfs_emit(buf, "%s\n", grecap_encap_names[m.encap]);
	if (field == GRECAP_SHOW_PORT)
		return sysfs_emit(buf, "%u\n", ntohs(m.port));
	if (!(m.fields & field))
		return sysfs_emit(buf, "any\n");
	switch (field) {
	case GRECAP_MATCH_LOCAL:
		return grecap_emit_addr(buf, &m.local);
	case GRECAP_MATCH_REMOTE:
		return grecap_emit_addr(buf, &m.remote);
	case GRECAP_MATCH_KEY:
		return sysfs_emit(buf, "%u\n", be32_to_cpu(m.key));
	case GRECAP_MATCH_VNI:
		return sysfs_emit(buf, "%u\n", m.vni);
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

GRECAP_ATTR(encap, GRECAP_SHOW_ENCAP, grecap_show_field);
GRECAP_ATTR(port, GRECAP_SHOW_PORT, grecap_show_field);
GRECAP_ATTR(local, GRECAP_MATCH_LOCAL, grecap_show_field);
GRECAP_ATTR(remote, GRECAP_MATCH_REMOTE, grecap_show_field);
GRECAP_ATTR(key, GRECAP_MATCH_KEY, grecap_show_field);
GRECAP_ATTR(session, GRECAP_MATCH_SESSION, grecap_show_field);
GRECAP_ATTR(vni, GRECAP_MATCH_VNI, grecap_show_field);
GRECAP_ATTR(vlan, GRECAP_F_VLAN, grecap_show_flag);
GRECAP_ATTR(tstamp, GRECAP_F_TSTAMP, grecap_show_flag);
GRECAP_ATTR(inner_vxlan, GRECAP_F_INNER_VXLAN, grecap_show_flag);

static struct attribute *grecap_attrs[] = {
	&dev_attr_link.attr,
	&dev_attr_encap.attr,
	&dev_attr_port.attr,
	&dev_attr_local.attr,
	&dev_attr_remote.attr,
	&dev_attr_key.attr,
	&dev_attr_session.attr,
	&dev_attr_vni.attr,
	&dev_attr_vlan.attr,
	&dev_attr_tstamp.attr,
	&dev_attr_inner_vxlan.attr,
	NULL,
};

static const struct attribute_group grecap_group = {
	.name = "grecap",
	.attrs = grecap_attrs,
};

/* One file per counter ethtool -S shows: its place in grecap_stats_shown. */
struct grecap_stat_attr {
	struct device_attribute dattr;
	unsigned int i;
};

static ssize_t grecap_stat_show(struct device *d, struct device_attribute *attr,
				char *buf)
{
	struct grecap_stat_attr *sa =
		container_of(attr, struct grecap_stat_attr, dattr);
	const struct grecap_stat_desc *desc = &grecap_stats_shown[sa->i];
	struct grecap_dev *gd = grecap_dev_of(d);
	const struct grecap_port *port;
	u64 v[GRECAP_CNT_NUM];

	if (!desc->link) {
		grecap_dev_counters(gd, v);
		return sysfs_emit(buf, "%llu\n", v[desc->idx]);
	}
	rcu_read_lock();
	port = rcu_dereference(gd->port);
	if (port)
		grecap_counters_sum(port->stats, GRECAP_LINK_NUM, v);
	rcu_read_unlock();
	if (!port)
		return -ENODEV;
	return sysfs_emit(buf, "%llu\n", v[desc->idx]);
}

static struct grecap_stat_attr grecap_stat_attrs[GRECAP_STATS_SHOWN];
static struct attribute *grecap_stats_attrs[GRECAP_STATS_SHOWN + 1];

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
void grecap_sysfs_init(void)
{
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(grecap_encap_names) != __GRECAP_ENCAP_MAX);
	for (i = 0; i < GRECAP_STATS_SHOWN; i++) {
		struct grecap_stat_attr *sa = &grecap_stat_attrs[i];

		sysfs_attr_init(&sa->dattr.attr);
		sa->dattr.attr.name = grecap_stats_shown[i].name;
		sa->dattr.attr.mode = 0444;
		sa->dattr.show = grecap_stat_show;
		sa->i = i;
		grecap_stats_attrs[i] = &sa->dattr.attr;
	}
}
