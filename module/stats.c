// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters of grecap devices and ports, and where each is shown.
 *
 * Documentation/networking/statistics.rst: a counter that has a member of
 * struct rtnl_link_stats64 is reported through ndo_get_stats64 alone
 * (device.c): bad GRE and UDP checksums in rx_crc_errors, frames shorter
 * than their headers in rx_length_errors, both with undecodable headers in
 * rx_errors, frames taken but not delivered in rx_dropped, frames sent to
 * the device in tx_dropped.  ethtool -S, and /sys/class/net/<dev>/
 * grecap_stats/ beside it, show what has no such member: what each frame
 * was, the mirror path's health, the reasons that make up rx_errors and
 * rx_dropped, and the link's counters.  What the mirror path lost before
 * this host (rx_seq_lost) is not a loss of the device's, so it is in
 * neither rx_dropped nor rx_missed_errors.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <linux/overflow.h>

#include "grecap.h"

#define GRECAP_RX(n, name)	{ name, n, false }
#define GRECAP_H(n, name)	{ name, GRECAP_CNT_HEALTH + (n), false }
#define GRECAP_D(n, name)	{ name, GRECAP_CNT_DROP + (n), false }
#define GRECAP_L(n, name)	{ name, n, true }

/* Of GRECAP_STATS_SHOWN entries, or the declaration in grecap.h conflicts. */
const struct grecap_stat_desc grecap_stats_shown[] = {
	GRECAP_RX(GRECAP_RX_ETH,		"rx_eth"),
	GRECAP_RX(GRECAP_RX_IPV4,		"rx_ipv4"),
	GRECAP_RX(GRECAP_RX_IPV6,		"rx_ipv6"),
	GRECAP_RX(GRECAP_RX_OTHER,		"rx_other"),
	GRECAP_RX(GRECAP_RX_ERSPAN1,		"rx_erspan1"),
	GRECAP_RX(GRECAP_RX_ERSPAN2,		"rx_erspan2"),
	GRECAP_RX(GRECAP_RX_ERSPAN3,		"rx_erspan3"),
	GRECAP_RX(GRECAP_RX_VXLAN,		"rx_vxlan"),
	GRECAP_RX(GRECAP_RX_GENEVE,		"rx_geneve"),
	GRECAP_RX(GRECAP_RX_TZSP,		"rx_tzsp"),
	GRECAP_H(GRECAP_H_GRO_SPLIT,		"rx_gro_split"),
	GRECAP_H(GRECAP_H_SEQ_LOST,		"rx_seq_lost"),
	GRECAP_H(GRECAP_H_SEQ_REORDERED,	"rx_seq_reordered"),
	GRECAP_H(GRECAP_H_SEQ_DUP,		"rx_seq_dup"),
	GRECAP_H(GRECAP_H_SEQ_RESTART,		"rx_seq_restart"),
	GRECAP_H(GRECAP_H_SEQ_UNTRACKED,	"rx_seq_untracked"),
	GRECAP_H(GRECAP_H_ERSPAN_TRUNC,		"rx_erspan_truncated"),
	GRECAP_H(GRECAP_H_ERSPAN_BAD,		"rx_erspan_bad"),
	GRECAP_H(GRECAP_H_SOURCE_TRUNC,		"rx_source_truncated"),
	GRECAP_D(GRECAP_DROP_ERSPAN,		"drop_erspan_unknown"),
	GRECAP_D(GRECAP_DROP_UDP_HDR,		"drop_udp_unknown"),
	GRECAP_D(GRECAP_DROP_OAM,		"drop_geneve_oam"),
	GRECAP_D(GRECAP_DROP_NOT_ETH,		"drop_tzsp_not_eth"),
	GRECAP_D(GRECAP_DROP_DOWN,		"drop_dev_down"),
	GRECAP_D(GRECAP_DROP_NOMEM,		"drop_nomem"),
	GRECAP_L(GRECAP_LINK_NOT_LOCAL,		"link_pass_not_local"),
	GRECAP_L(GRECAP_LINK_UNMATCHED,		"link_pass_unmatched"),
	GRECAP_L(GRECAP_LINK_UNSUPPORTED,	"link_pass_unsupported"),
	GRECAP_L(GRECAP_LINK_FRAG,		"link_frag_queued"),
	GRECAP_L(GRECAP_LINK_REASM,		"link_frag_reassembled"),
	GRECAP_L(GRECAP_LINK_FRAG_DROP,		"link_frag_dropped"),
};

struct grecap_pcpu_counters __percpu *grecap_counters_alloc(unsigned int n)
{
	struct grecap_pcpu_counters __percpu *pc;
	struct grecap_pcpu_counters *c;
	int cpu;

	pc = __alloc_percpu_gfp(struct_size(c, val, n),
				__alignof__(struct grecap_pcpu_counters),
				GFP_KERNEL);
	if (!pc)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(pc, cpu)->syncp);
	return pc;
}

void grecap_counters_sum(const struct grecap_pcpu_counters __percpu *pc,
			 unsigned int n, u64 *out)
{
	unsigned int i, start;
	int cpu;

	memset(out, 0, n * sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct grecap_pcpu_counters *c = per_cpu_ptr(pc, cpu);

		for (i = 0; i < n; i++) {
			u64 v;

			do {
				start = u64_stats_fetch_begin(&c->syncp);
				v = u64_stats_read(&c->val[i]);
			} while (u64_stats_fetch_retry(&c->syncp, start));
			out[i] += v;
		}
	}
}

/*
 * A device's counters as read, GRECAP_CNT_NUM of them in @out:
 * rx_seq_lost is the numbers skipped less those that arrived late.
 * Counters are read one by one, so a late number may be seen before the
 * skip it fills: never below zero.
 */
void grecap_dev_counters(const struct grecap_dev *gd, u64 *out)
{
	u64 *lost = &out[GRECAP_CNT_HEALTH + GRECAP_H_SEQ_LOST];

	grecap_counters_sum(gd->stats, GRECAP_CNT_NUM, out);
	*lost -= min(*lost, out[GRECAP_CNT_HEALTH + GRECAP_H_SEQ_LATE]);
}

/*
 * The shown counters, in grecap_stats_shown order, into @out; the link's
 * read 0 when @port is NULL (a device leaving its link).
 */
void grecap_stats_shown_read(const struct grecap_dev *gd,
			     const struct grecap_port *port, u64 *out)
{
	u64 dev[GRECAP_CNT_NUM], link[GRECAP_LINK_NUM] = {};
	unsigned int i;

	grecap_dev_counters(gd, dev);
	if (port)
		grecap_counters_sum(port->stats, GRECAP_LINK_NUM, link);
	for (i = 0; i < GRECAP_STATS_SHOWN; i++) {
		const struct grecap_stat_desc *d = &grecap_stats_shown[i];

		out[i] = d->link ? link[d->idx] : dev[d->idx];
	}
}
