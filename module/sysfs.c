// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs: /sys/class/net/<dev>/grecap/{link,local,remote,key,session}, the
 * options grecap/{vlan,tstamp}, and the per-reason counters under
 * /sys/class/net/<dev>/grecap/stats/.
 *
 * The filter files take what stock tools can write: an address, a key
 * (decimal, 0x-hex or dotted quad), a session ID (0-1023), or "any" to
 * clear the field.  The option files take 0 or 1 (or on/off, y/n).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inet.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <net/erspan.h>
#include <net/ipv6.h>

#include "grecap.h"

/* grecap/ hangs off the device's kobject, stats/ off grecap/. */
static struct grecap_dev *grecap_dir_to_gd(struct kobject *dir)
{
	return grecap_dev_priv(to_net_dev(kobj_to_dev(dir->parent)));
}

static ssize_t link_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", grecap_dir_to_gd(kobj)->lower->name);
}

static ssize_t grecap_show_field(struct kobject *kobj, char *buf, u32 field)
{
	struct grecap_dev *gd = grecap_dir_to_gd(kobj);
	const struct grecap_filter *f;
	const struct in6_addr *a;
	struct grecap_match m;

	rcu_read_lock();
	f = rcu_dereference(gd->filter);
	m = f->match;
	rcu_read_unlock();

	if (!(m.fields & field))
		return sysfs_emit(buf, "any\n");
	if (field == GRECAP_MATCH_KEY)
		return sysfs_emit(buf, "%u\n", be32_to_cpu(m.key));
	if (field == GRECAP_MATCH_SESSION)
		return sysfs_emit(buf, "%u\n", m.session);
	a = field == GRECAP_MATCH_LOCAL ? &m.local : &m.remote;
	if (ipv6_addr_v4mapped(a))
		return sysfs_emit(buf, "%pI4\n", &a->s6_addr32[3]);
	return sysfs_emit(buf, "%pI6c\n", a);
}

static int grecap_parse_addr(const char *s, struct in6_addr *addr)
{
	__be32 v4;

	if (in4_pton(s, -1, (u8 *)&v4, -1, NULL)) {
		ipv6_addr_set_v4mapped(v4, addr);
		return 0;
	}
	if (in6_pton(s, -1, addr->s6_addr, -1, NULL))
		return 0;
	return -EINVAL;
}

static int grecap_parse_key(const char *s, __be32 *key)
{
	u32 v;

	if (strchr(s, '.'))
		return in4_pton(s, -1, (u8 *)key, -1, NULL) ? 0 : -EINVAL;
	if (kstrtou32(s, 0, &v))
		return -EINVAL;
	*key = cpu_to_be32(v);
	return 0;
}

static int grecap_parse_session(const char *s, u32 *session)
{
	u32 v;

	if (kstrtou32(s, 0, &v) || v > ID_MASK)
		return -EINVAL;
	*session = v;
	return 0;
}

/* Parse @buf into @field of @m; "any" clears the field. */
static int grecap_parse_field(const char *buf, u32 field,
			      struct grecap_match *m)
{
	char s[INET6_ADDRSTRLEN + 1];
	int err;

	if (strscpy(s, buf, sizeof(s)) < 0)
		return -EINVAL;
	strim(s);
	if (!strcmp(s, "any")) {
		grecap_match_clear(m, field);
		return 0;
	}
	if (field == GRECAP_MATCH_KEY)
		err = grecap_parse_key(s, &m->key);
	else if (field == GRECAP_MATCH_SESSION)
		err = grecap_parse_session(s, &m->session);
	else
		err = grecap_parse_addr(s, field == GRECAP_MATCH_LOCAL ?
					&m->local : &m->remote);
	if (!err)
		m->fields |= field;
	return err;
}

/*
 * Take RTNL for a store to @gd; 0 with it held, or an error without.  Never
 * sleep on RTNL here: unregistering waits for this file.
 */
static int grecap_store_lock(struct grecap_dev *gd)
{
	if (!grecap_netns_capable(gd))
		return -EPERM;
	if (!rtnl_trylock())
		return restart_syscall();
	if (gd->dev->reg_state != NETREG_REGISTERED) {
		rtnl_unlock();
		return -ENODEV;
	}
	return 0;
}

static ssize_t grecap_store_field(struct kobject *kobj, const char *buf,
				  size_t count, u32 field)
{
	struct grecap_dev *gd = grecap_dir_to_gd(kobj);
	struct netlink_ext_ack extack = {};
	struct grecap_match m;
	int err;

	err = grecap_store_lock(gd);
	if (err)
		return err;
	m = rtnl_dereference(gd->filter)->match;
	err = grecap_parse_field(buf, field, &m);
	if (err)
		goto out;
	err = grecap_match_check(&m, &extack);
	if (!err)
		err = grecap_port_set_match(gd, &m, &extack);
	if (!err)
		netdev_state_change(gd->dev);
out:
	rtnl_unlock();
	/* The only place a sysfs writer can read why: the kernel log. */
	if (extack._msg)
		net_info_ratelimited("%s: %s\n", gd->dev->name, extack._msg);
	return err ? err : count;
}

/* A file whose show and store take one constant: a match field or a flag. */
#define GRECAP_ATTR(name, arg, show_fn, store_fn)			\
static const u32 name##_arg = (arg);					\
static ssize_t name##_show(struct kobject *kobj,			\
			   struct kobj_attribute *attr, char *buf)	\
{									\
	return show_fn(kobj, buf, name##_arg);				\
}									\
static ssize_t name##_store(struct kobject *kobj,			\
			    struct kobj_attribute *attr,		\
			    const char *buf, size_t count)		\
{									\
	return store_fn(kobj, buf, count, name##_arg);			\
}									\
static struct kobj_attribute name##_attr = __ATTR_RW(name)

#define GRECAP_FIELD_ATTR(name, field)					\
	GRECAP_ATTR(name, field, grecap_show_field, grecap_store_field)
#define GRECAP_FLAG_ATTR(name, flag)					\
	GRECAP_ATTR(name, flag, grecap_show_flag, grecap_store_flag)

GRECAP_FIELD_ATTR(local, GRECAP_MATCH_LOCAL);
GRECAP_FIELD_ATTR(remote, GRECAP_MATCH_REMOTE);
GRECAP_FIELD_ATTR(key, GRECAP_MATCH_KEY);
GRECAP_FIELD_ATTR(session, GRECAP_MATCH_SESSION);
static struct kobj_attribute link_attr = __ATTR_RO(link);

static ssize_t grecap_show_flag(struct kobject *kobj, char *buf, u32 flag)
{
	return sysfs_emit(buf, "%d\n",
			  !!(READ_ONCE(grecap_dir_to_gd(kobj)->flags) & flag));
}

static ssize_t grecap_store_flag(struct kobject *kobj, const char *buf,
				 size_t count, u32 flag)
{
	struct grecap_dev *gd = grecap_dir_to_gd(kobj);
	bool on;
	int err;

	if (kstrtobool(buf, &on))
		return -EINVAL;
	err = grecap_store_lock(gd);
	if (err)
		return err;
	WRITE_ONCE(gd->flags, on ? gd->flags | flag : gd->flags & ~flag);
	netdev_state_change(gd->dev);
	rtnl_unlock();
	return count;
}

GRECAP_FLAG_ATTR(vlan, GRECAP_F_VLAN);
GRECAP_FLAG_ATTR(tstamp, GRECAP_F_TSTAMP);

static struct attribute *grecap_attrs[] = {
	&link_attr.attr,
	&local_attr.attr,
	&remote_attr.attr,
	&key_attr.attr,
	&session_attr.attr,
	&vlan_attr.attr,
	&tstamp_attr.attr,
	NULL,
};

static const struct attribute_group grecap_group = {
	.attrs = grecap_attrs,
};

/* One file per counter: the index, and whether it is the link's. */
struct grecap_stat_attr {
	struct kobj_attribute kattr;
	unsigned int idx;
	bool link;
};

static ssize_t grecap_stat_show(struct kobject *kobj,
				struct kobj_attribute *kattr, char *buf)
{
	struct grecap_stat_attr *sa =
		container_of(kattr, struct grecap_stat_attr, kattr);
	struct grecap_dev *gd = grecap_dir_to_gd(kobj->parent);
	u64 v[GRECAP_STAT_NUM + GRECAP_LINK_NUM];

	if (sa->link)
		grecap_counters_sum(gd->port->stats, GRECAP_LINK_NUM, v);
	else
		grecap_counters_sum(gd->stats, GRECAP_STAT_NUM, v);
	return sysfs_emit(buf, "%llu\n", v[sa->idx]);
}

static struct grecap_stat_attr grecap_stat_attrs[GRECAP_STAT_NUM +
						 GRECAP_LINK_NUM];
static struct attribute *grecap_stats_attrs[ARRAY_SIZE(grecap_stat_attrs) + 1];

static const struct attribute_group grecap_stats_group = {
	.attrs = grecap_stats_attrs,
};

/* The counter files are named after the counters, so built once at load. */
static void grecap_stat_attr_init(struct grecap_stat_attr *sa,
				  const char *name, unsigned int idx, bool link)
{
	sysfs_attr_init(&sa->kattr.attr);
	sa->kattr.attr.name = name;
	sa->kattr.attr.mode = 0444;
	sa->kattr.show = grecap_stat_show;
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
		grecap_stats_attrs[i] = &grecap_stat_attrs[i].kattr.attr;
}

int grecap_sysfs_add(struct grecap_dev *gd)
{
	int err;

	gd->sysfs_dir = kobject_create_and_add("grecap", &gd->dev->dev.kobj);
	if (!gd->sysfs_dir)
		return -ENOMEM;
	err = sysfs_create_group(gd->sysfs_dir, &grecap_group);
	if (err)
		goto err_put_dir;
	gd->sysfs_stats = kobject_create_and_add("stats", gd->sysfs_dir);
	if (!gd->sysfs_stats) {
		err = -ENOMEM;
		goto err_put_dir;
	}
	err = sysfs_create_group(gd->sysfs_stats, &grecap_stats_group);
	if (err)
		goto err_put_stats;
	return 0;

err_put_stats:
	kobject_put(gd->sysfs_stats);
	gd->sysfs_stats = NULL;
err_put_dir:
	kobject_put(gd->sysfs_dir);
	gd->sysfs_dir = NULL;
	return err;
}

/* Returns once no show or store runs any more (kernfs drains them). */
void grecap_sysfs_del(struct grecap_dev *gd)
{
	kobject_put(gd->sysfs_stats);
	gd->sysfs_stats = NULL;
	kobject_put(gd->sysfs_dir);
	gd->sysfs_dir = NULL;
}
