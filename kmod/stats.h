/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_STATS_H
#define _NLB_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <linux/skbuff.h>

/* Per-CPU counters of a listener, group or backend. */
struct nlb_stats {
	u64_stats_t conns;
	u64_stats_t drop_no_backend;
	struct u64_stats_sync syncp;
};

/* Sum over CPUs, as reported over netlink. */
struct nlb_stats_sum {
	u64 conns;
	u64 drop_no_backend;
};

struct nlb_stats __percpu *nlb_stats_alloc(void);
void nlb_stats_read(const struct nlb_stats __percpu *stats,
		    struct nlb_stats_sum *sum);
int nlb_stats_put(struct sk_buff *skb, int attrtype,
		  const struct nlb_stats __percpu *stats);

/* Called on the packet path, in softirq or with BHs enabled (LOCAL_OUT). */
static inline void nlb_stats_inc(struct nlb_stats __percpu *stats,
				 size_t field)
{
	struct nlb_stats *s = get_cpu_ptr(stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_inc((u64_stats_t *)((char *)s + field));
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(stats);
}

#define nlb_stats_count(stats, member) \
	nlb_stats_inc(stats, offsetof(struct nlb_stats, member))

#endif /* _NLB_STATS_H */
