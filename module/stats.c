// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters of grecap devices and ports, and their names as shown by
 * ethtool -S and under /sys/class/net/<dev>/grecap_stats/.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <linux/overflow.h>

#include "grecap.h"

const char grecap_stat_names[GRECAP_STAT_NUM][ETH_GSTRING_LEN] = {
	[GRECAP_STAT_RX_ETH]		= "rx_eth",
	[GRECAP_STAT_RX_IPV4]		= "rx_ipv4",
	[GRECAP_STAT_RX_IPV6]		= "rx_ipv6",
	[GRECAP_STAT_RX_OTHER]		= "rx_other",
	[GRECAP_STAT_RX_ERSPAN1]	= "rx_erspan1",
	[GRECAP_STAT_RX_ERSPAN2]	= "rx_erspan2",
	[GRECAP_STAT_RX_ERSPAN3]	= "rx_erspan3",
	[GRECAP_STAT_RX_SPLIT]		= "rx_gro_split",
	[GRECAP_STAT_SEQ_LOST]		= "rx_seq_lost",
	[GRECAP_STAT_SEQ_REORDERED]	= "rx_seq_reordered",
	[GRECAP_STAT_SEQ_DUP]		= "rx_seq_dup",
	[GRECAP_STAT_SEQ_RESTART]	= "rx_seq_restart",
	[GRECAP_STAT_SEQ_UNTRACKED]	= "rx_seq_untracked",
	[GRECAP_STAT_ERSPAN_TRUNC]	= "rx_erspan_truncated",
	[GRECAP_STAT_ERSPAN_BAD]	= "rx_erspan_bad",
	[GRECAP_STAT_DROP_CSUM]		= "drop_bad_csum",
	[GRECAP_STAT_DROP_TRUNC]	= "drop_truncated",
	[GRECAP_STAT_DROP_ERSPAN]	= "drop_erspan_unknown",
	[GRECAP_STAT_DROP_DOWN]		= "drop_dev_down",
	[GRECAP_STAT_DROP_NOMEM]	= "drop_nomem",
	[GRECAP_STAT_TX_DROP]		= "tx_dropped",
};

const char grecap_link_stat_names[GRECAP_LINK_NUM][ETH_GSTRING_LEN] = {
	[GRECAP_LINK_NOT_LOCAL]		= "link_pass_not_local",
	[GRECAP_LINK_UNMATCHED]		= "link_pass_unmatched",
	[GRECAP_LINK_UNSUPPORTED]	= "link_pass_unsupported",
	[GRECAP_LINK_FRAG]		= "link_frag_queued",
	[GRECAP_LINK_REASM]		= "link_frag_reassembled",
	[GRECAP_LINK_FRAG_DROP]		= "link_frag_dropped",
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
 * A device's counters as shown, GRECAP_STAT_NUM of them in @out, which
 * has room for GRECAP_STAT_ALL: rx_seq_lost is the numbers skipped less
 * those that arrived late.  Counters are read one by one, so a late
 * number may be seen before the skip it fills: never below zero.
 */
void grecap_dev_counters(const struct grecap_dev *gd, u64 *out)
{
	grecap_counters_sum(gd->stats, GRECAP_STAT_ALL, out);
	out[GRECAP_STAT_SEQ_LOST] -= min(out[GRECAP_STAT_SEQ_LOST],
					 out[GRECAP_STAT_SEQ_LATE]);
}
