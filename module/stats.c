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
