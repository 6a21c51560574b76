/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_STATS_H
#define _NLB_STATS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <linux/skbuff.h>

/* Directions of packet and byte counters. */
enum nlb_dir {
	NLB_DIR_IN,	/* client to backend */
	NLB_DIR_OUT,	/* backend to client */
	NLB_NDIR,
};

/*
 * Per-CPU event counters of a listener, group or backend. @packets and
 * @bytes add up the connections of tracked groups when they end.
 */
struct nlb_stats {
	u64_stats_t conns;
	u64_stats_t drop_no_backend;
	u64_stats_t drop_error;
	u64_stats_t persisted;
	u64_stats_t failopen;
	u64_stats_t drained;
	u64_stats_t translated;
	u64_stats_t failover_family;
	u64_stats_t drop_pool;
	u64_stats_t proxied;
	u64_stats_t fail_reset;
	u64_stats_t fail_timeout;
	u64_stats_t packets[NLB_NDIR];
	u64_stats_t bytes[NLB_NDIR];
	struct u64_stats_sync syncp;
};

/**
 * struct nlb_snap - what a census of the conntrack table found for an object
 * @active: live connections not counted in nlb_counters.active (untracked
 *	ones, and tracked ones not counted yet)
 * @tracked: live tracked connections that nlb_counters.active counts
 * @packets: packets of live connections, per direction
 * @bytes: bytes of live connections, per direction
 */
struct nlb_snap {
	u64 active;
	u64 tracked;
	u64 packets[NLB_NDIR];
	u64 bytes[NLB_NDIR];
};

/**
 * struct nlb_counters - the counters of a listener, group or backend
 * @pcpu: event counters
 * @active: live connections of tracked groups, counted from their first
 *	confirmed packet to their end
 * @snap: the last complete census (under nlb_net.lock)
 * @acc: the census in progress (its worker's alone)
 */
struct nlb_counters {
	struct nlb_stats __percpu *pcpu;
	atomic_t active;
	struct nlb_snap snap;
	struct nlb_snap acc;
};

int nlb_counters_init(struct nlb_counters *c);
void nlb_counters_free(struct nlb_counters *c);
int nlb_stats_put(struct sk_buff *skb, int attrtype,
		  const struct nlb_counters *c);
void nlb_stats_add_ended(struct nlb_counters *c, const u64 *packets,
			 const u64 *bytes);

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

#define nlb_stats_count(cnt, member) \
	nlb_stats_inc((cnt)->pcpu, offsetof(struct nlb_stats, member))

#endif /* _NLB_STATS_H */
