/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_SCHED_H
#define _NLB_SCHED_H

#include <linux/rcupdate.h>
#include <linux/spinlock.h>

struct nlb_backend;

/**
 * struct nlb_pool_slot - one eligible backend in a pool
 * @be: the backend
 * @weight: effective weight, at least 1
 * @cur: smooth weighted round robin "current weight"
 */
struct nlb_pool_slot {
	struct nlb_backend *be;
	int weight;
	int cur;
};

/**
 * struct nlb_pool - the backends of one family of a group that may get new
 * connections, as the packet path sees them
 * @lock: protects the scheduler state (@slot[].cur)
 * @total: sum of the slot weights
 * @n: number of slots, at least 1 (an empty pool is a NULL pointer)
 * @rcu: for freeing after a grace period
 * @slot: the slots
 *
 * A pool is built by the configuration path whenever the family's backend
 * set, a weight or the scheduler changes, published with RCU and never
 * modified afterwards except for the scheduler state.
 */
struct nlb_pool {
	spinlock_t lock; /* scheduler state */
	int total;
	unsigned int n;
	struct rcu_head rcu;
	struct nlb_pool_slot slot[];
};

unsigned int nlb_wrr_next(struct nlb_pool_slot *slot, unsigned int n,
			  int total);
struct nlb_backend *nlb_pool_pick(struct nlb_pool *pool);

#endif /* _NLB_SCHED_H */
