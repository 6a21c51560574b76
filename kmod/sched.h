/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_SCHED_H
#define _NLB_SCHED_H

#include <linux/atomic.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct nlb_backend;

/* Maglev lookup table size: a prime, so that every skip is a generator. */
#define NLB_MAGLEV_SIZE 65537

/* Most slots a pool can have (maglev table entries are u16). */
#define NLB_POOL_MAX 65535

/**
 * struct nlb_pool_slot - one eligible backend in a pool
 * @be: the backend
 * @active: the backend's count of active connections (wlc), or NULL
 * @weight: effective weight, at least 1
 * @cur: smooth weighted round robin "current weight"
 * @end: sum of the weights of this slot and all before it (sh)
 * @offset: maglev permutation offset, < NLB_MAGLEV_SIZE
 * @skip: maglev permutation skip, 1 .. NLB_MAGLEV_SIZE - 1
 */
struct nlb_pool_slot {
	struct nlb_backend *be;
	atomic_t *active;
	int weight;
	int cur;
	u32 end;
	u32 offset;
	u32 skip;
};

/**
 * struct nlb_pool - the backends of one family of a group that may get new
 * connections, as the packet path sees them
 * @sched: NLB_SCHED_* the pool was built for
 * @failopen: every backend in the pool is unhealthy (best effort)
 * @total: sum of the slot weights
 * @n: number of slots, 1 .. NLB_POOL_MAX (an empty pool is a NULL pointer)
 * @maglev: maglev lookup table of NLB_MAGLEV_SIZE slot indices, or NULL
 * @rcu: for freeing after a grace period
 * @lock: protects the wrr state (@slot[].cur)
 * @next: rr position, wlc tie-break rotation
 * @slot: the slots
 *
 * A pool is built by the configuration path whenever the family's backend
 * set, a weight, a state or the scheduler changes, published with RCU and
 * never modified afterwards except for the scheduler state, which has a
 * cache line of its own: the fields before it are only read.
 */
struct nlb_pool {
	u8 sched;
	bool failopen;
	int total;
	unsigned int n;
	u16 *maglev;
	struct rcu_head rcu;
	spinlock_t lock ____cacheline_aligned_in_smp; /* wrr state */
	atomic_t next;
	struct nlb_pool_slot slot[];
};

unsigned int nlb_wrr_next(struct nlb_pool_slot *slot, unsigned int n,
			  int total);
unsigned int nlb_rr_next(atomic_t *next, unsigned int n);
unsigned int nlb_wlc_pick(const struct nlb_pool_slot *slot, unsigned int n,
			  unsigned int start);
unsigned int nlb_sh_pick(const struct nlb_pool_slot *slot, unsigned int n,
			 u32 total, u32 hash);
void nlb_maglev_perm(u32 h1, u32 h2, struct nlb_pool_slot *slot);
int nlb_maglev_build(u16 *table, const struct nlb_pool_slot *slot,
		     unsigned int n);
struct nlb_backend *nlb_pool_pick(struct nlb_pool *pool, u32 hash_src,
				  u32 hash_flow);

#endif /* _NLB_SCHED_H */
