// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU statistics counters: updated lock-free on the packet path,
 * summed exactly when read.
 */
#include <net/netlink.h>
#include <uapi/linux/nlb.h>

#include "stats.h"

/**
 * nlb_stats_alloc() - allocate zeroed per-CPU counters
 *
 * Return: the counters, or NULL when out of memory.
 */
struct nlb_stats __percpu *nlb_stats_alloc(void)
{
	struct nlb_stats __percpu *stats;
	int cpu;

	stats = alloc_percpu(struct nlb_stats);
	if (!stats)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

/**
 * nlb_stats_read() - sum per-CPU counters
 * @stats: the counters
 * @sum: where the totals go
 */
void nlb_stats_read(const struct nlb_stats __percpu *stats,
		    struct nlb_stats_sum *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct nlb_stats *s = per_cpu_ptr(stats, cpu);
		u64 conns, drop_no_backend;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			conns = u64_stats_read(&s->conns);
			drop_no_backend = u64_stats_read(&s->drop_no_backend);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->conns += conns;
		sum->drop_no_backend += drop_no_backend;
	}
}

/**
 * nlb_stats_put() - put counters into a netlink message as a stats nest
 * @skb: the message
 * @attrtype: attribute type of the nest
 * @stats: the counters
 *
 * Return: 0, or -EMSGSIZE when the message is full.
 */
int nlb_stats_put(struct sk_buff *skb, int attrtype,
		  const struct nlb_stats __percpu *stats)
{
	struct nlb_stats_sum sum;
	struct nlattr *nest;

	nlb_stats_read(stats, &sum);
	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, NLB_A_STATS_CONNS, sum.conns,
			      NLB_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, NLB_A_STATS_DROP_NO_BACKEND,
			      sum.drop_no_backend, NLB_A_STATS_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}
