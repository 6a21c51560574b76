// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: per-CPU event counters updated lock-free on the packet path
 * and summed exactly when read, an exact count of the live connections of
 * tracked groups, and what the last walk of the conntrack table found.
 */
#include <net/netlink.h>
#include <uapi/linux/nlb.h>

#include "stats.h"

/* The per-CPU counters, in the order of their netlink attributes. */
enum {
	NLB_SUM_CONNS,
	NLB_SUM_DROP_NO_BACKEND,
	NLB_SUM_DROP_ERROR,
	NLB_SUM_PERSISTED,
	NLB_SUM_FAILOPEN,
	NLB_SUM_DRAINED,
	NLB_SUM_TRANSLATED,
	NLB_SUM_FAILOVER_FAMILY,
	NLB_SUM_DROP_POOL,
	NLB_SUM_PROXIED,
	NLB_SUM_FAIL_RESET,
	NLB_SUM_FAIL_TIMEOUT,
	NLB_SUM_IN_PACKETS,
	NLB_SUM_OUT_PACKETS,
	NLB_SUM_IN_BYTES,
	NLB_SUM_OUT_BYTES,
	NLB_NSUM,
};

/**
 * nlb_counters_init() - allocate zeroed counters
 * @c: the counters
 *
 * Return: 0 or -ENOMEM.
 */
int nlb_counters_init(struct nlb_counters *c)
{
	int cpu;

	memset(c, 0, sizeof(*c));
	c->pcpu = alloc_percpu_gfp(struct nlb_stats, GFP_KERNEL_ACCOUNT);
	if (!c->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(c->pcpu, cpu)->syncp);
	return 0;
}

/**
 * nlb_counters_free() - free counters from nlb_counters_init()
 * @c: the counters
 */
void nlb_counters_free(struct nlb_counters *c)
{
	free_percpu(c->pcpu);
	c->pcpu = NULL;
}

/**
 * nlb_stats_add_ended() - add up the packets and bytes of an ended
 * connection
 * @c: the counters
 * @packets: packets per direction
 * @bytes: bytes per direction
 */
void nlb_stats_add_ended(struct nlb_counters *c, const u64 *packets,
			 const u64 *bytes)
{
	struct nlb_stats *s = get_cpu_ptr(c->pcpu);
	unsigned long flags;
	int dir;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	for (dir = 0; dir < NLB_NDIR; dir++) {
		u64_stats_add(&s->packets[dir], packets[dir]);
		u64_stats_add(&s->bytes[dir], bytes[dir]);
	}
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(c->pcpu);
}

static const int nlb_sum_attr[NLB_NSUM] = {
	[NLB_SUM_DROP_ERROR]	= NLB_A_STATS_DROP_ERROR,
	[NLB_SUM_PERSISTED]	= NLB_A_STATS_PERSISTED,
	[NLB_SUM_FAILOPEN]	= NLB_A_STATS_FAILOPEN,
	[NLB_SUM_DRAINED]	= NLB_A_STATS_DRAINED,
	[NLB_SUM_TRANSLATED]	= NLB_A_STATS_TRANSLATED,
	[NLB_SUM_FAILOVER_FAMILY] = NLB_A_STATS_FAILOVER_FAMILY,
	[NLB_SUM_DROP_POOL]	= NLB_A_STATS_DROP_POOL,
	[NLB_SUM_PROXIED]	= NLB_A_STATS_PROXIED,
	[NLB_SUM_FAIL_RESET]	= NLB_A_STATS_FAIL_RESET,
	[NLB_SUM_FAIL_TIMEOUT]	= NLB_A_STATS_FAIL_TIMEOUT,
};

static int nlb_put_u64(struct sk_buff *skb, int type, u64 value)
{
	return nla_put_u64_64bit(skb, type, value, NLB_A_STATS_PAD);
}

static void nlb_stats_read(const struct nlb_stats __percpu *stats, u64 *sum)
{
	int cpu;

	memset(sum, 0, NLB_NSUM * sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct nlb_stats *s = per_cpu_ptr(stats, cpu);
		u64 v[NLB_NSUM];
		unsigned int start;
		int i;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v[NLB_SUM_CONNS] = u64_stats_read(&s->conns);
			v[NLB_SUM_DROP_NO_BACKEND] =
				u64_stats_read(&s->drop_no_backend);
			v[NLB_SUM_DROP_ERROR] = u64_stats_read(&s->drop_error);
			v[NLB_SUM_PERSISTED] = u64_stats_read(&s->persisted);
			v[NLB_SUM_FAILOPEN] = u64_stats_read(&s->failopen);
			v[NLB_SUM_DRAINED] = u64_stats_read(&s->drained);
			v[NLB_SUM_TRANSLATED] = u64_stats_read(&s->translated);
			v[NLB_SUM_FAILOVER_FAMILY] =
				u64_stats_read(&s->failover_family);
			v[NLB_SUM_DROP_POOL] = u64_stats_read(&s->drop_pool);
			v[NLB_SUM_PROXIED] = u64_stats_read(&s->proxied);
			v[NLB_SUM_FAIL_RESET] = u64_stats_read(&s->fail_reset);
			v[NLB_SUM_FAIL_TIMEOUT] =
				u64_stats_read(&s->fail_timeout);
			v[NLB_SUM_IN_PACKETS] =
				u64_stats_read(&s->packets[NLB_DIR_IN]);
			v[NLB_SUM_OUT_PACKETS] =
				u64_stats_read(&s->packets[NLB_DIR_OUT]);
			v[NLB_SUM_IN_BYTES] =
				u64_stats_read(&s->bytes[NLB_DIR_IN]);
			v[NLB_SUM_OUT_BYTES] =
				u64_stats_read(&s->bytes[NLB_DIR_OUT]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < NLB_NSUM; i++)
			sum[i] += v[i];
	}
}

/**
 * nlb_stats_put() - put counters into a netlink message as a stats nest
 * @skb: the message
 * @attrtype: attribute type of the nest
 * @c: the counters, with the snapshot of the last conntrack walk
 *
 * Return: 0, or -EMSGSIZE when the message is full.
 */
int nlb_stats_put(struct sk_buff *skb, int attrtype,
		  const struct nlb_counters *c)
{
	const struct nlb_snap *snap = &c->snap;
	struct nlattr *nest;
	u64 sum[NLB_NSUM];
	int i;

	nlb_stats_read(c->pcpu, sum);
	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	if (nlb_put_u64(skb, NLB_A_STATS_CONNS, sum[NLB_SUM_CONNS]) ||
	    nlb_put_u64(skb, NLB_A_STATS_DROP_NO_BACKEND,
			sum[NLB_SUM_DROP_NO_BACKEND]) ||
	    nlb_put_u64(skb, NLB_A_STATS_ACTIVE,
			(u64)atomic_read(&c->active) + snap->active) ||
	    nlb_put_u64(skb, NLB_A_STATS_IN_PACKETS,
			sum[NLB_SUM_IN_PACKETS] + snap->packets[NLB_DIR_IN]) ||
	    nlb_put_u64(skb, NLB_A_STATS_IN_BYTES,
			sum[NLB_SUM_IN_BYTES] + snap->bytes[NLB_DIR_IN]) ||
	    nlb_put_u64(skb, NLB_A_STATS_OUT_PACKETS,
			sum[NLB_SUM_OUT_PACKETS] + snap->packets[NLB_DIR_OUT]) ||
	    nlb_put_u64(skb, NLB_A_STATS_OUT_BYTES,
			sum[NLB_SUM_OUT_BYTES] + snap->bytes[NLB_DIR_OUT]))
		goto cancel;
	for (i = NLB_SUM_DROP_ERROR; i <= NLB_SUM_FAIL_TIMEOUT; i++)
		if (nlb_put_u64(skb, nlb_sum_attr[i], sum[i]))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}
