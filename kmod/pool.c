// SPDX-License-Identifier: GPL-2.0
/*
 * Pools: per family of a group, the backends new connections may go to, as
 * the packet path sees them. The configuration builds a new pool from the
 * group's backend list whenever the family's backend set, a weight, a
 * state or the scheduler changes, then publishes it with RCU; the packet
 * path never walks the lists. A pool is built before anything is
 * published, so a change that fails for lack of memory leaves the old one.
 */
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "backend.h"
#include "group.h"
#include "pool.h"

static bool nlb_backend_eligible(const struct nlb_backend *be, bool failopen)
{
	return be->enabled && nlb_health_weight(be->weight, &be->hs) &&
	       (failopen || be->healthy);
}

static void nlb_pool_free_now(struct nlb_pool *pool)
{
	kvfree(pool->maglev);
	kvfree(pool);
}

static void nlb_pool_free_rcu(struct rcu_head *rcu)
{
	nlb_pool_free_now(container_of(rcu, struct nlb_pool, rcu));
}

/**
 * nlb_pool_free() - free a pool that was never published
 * @pool: the pool, NULL or an ERR_PTR
 */
void nlb_pool_free(struct nlb_pool *pool)
{
	if (!IS_ERR_OR_NULL(pool))
		nlb_pool_free_now(pool);
}

/**
 * nlb_pool_build() - build the pool of one family of a group
 * @nn: the namespace state, locked
 * @g: the group
 * @fam: the family
 * @sched: the scheduler the pool is for (may differ from @g->sched while
 *	a change of scheduler is being prepared)
 *
 * The pool holds the enabled, healthy backends of non-zero weight, in the
 * order of the group's list; when there is none, the enabled ones of
 * non-zero weight (fail-open: best effort to unhealthy backends of the same
 * family). Round robin gives every slot weight 1. Only a maglev pool has a
 * lookup table (128 KiB). The memory is charged to the caller's memory
 * cgroup, and allocated with vmalloc when large.
 *
 * Return: the new pool, NULL when no backend is eligible, or an ERR_PTR
 * when out of memory.
 */
struct nlb_pool *nlb_pool_build(struct nlb_net *nn,
				const struct nlb_group *g, int fam, u8 sched)
{
	struct nlb_backend *be;
	struct nlb_pool *pool;
	bool failopen = false;
	unsigned int n = 0;
	u32 end = 0;

	lockdep_assert_held(&nn->lock);
	list_for_each_entry(be, &g->backends[fam], node)
		n += nlb_backend_eligible(be, false);
	if (!n) {
		failopen = true;
		list_for_each_entry(be, &g->backends[fam], node)
			n += nlb_backend_eligible(be, true);
	}
	if (!n)
		return NULL;

	pool = kvzalloc(struct_size(pool, slot, n), GFP_KERNEL_ACCOUNT);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&pool->lock);
	pool->sched = sched;
	pool->failopen = failopen;
	list_for_each_entry(be, &g->backends[fam], node) {
		struct nlb_pool_slot *slot = &pool->slot[pool->n];
		u32 key[5];

		if (!nlb_backend_eligible(be, failopen))
			continue;
		slot->be = be;
		slot->active = &slot->be->cnt.active;
		slot->weight = sched == NLB_SCHED_RR ? 1 :
			       nlb_health_weight(be->weight, &be->hs);
		end += slot->weight;
		slot->end = end;
		memcpy(key, &be->key.addr, sizeof(be->key.addr));
		key[4] = be->key.port;
		nlb_maglev_perm(jhash2(key, 5, 0x6e6c6231),
				jhash2(key, 5, 0x6d61676c), slot);
		pool->total += slot->weight;
		pool->n++;
	}
	if (sched == NLB_SCHED_MAGLEV) {
		pool->maglev = kvmalloc_array(NLB_MAGLEV_SIZE,
					      sizeof(*pool->maglev),
					      GFP_KERNEL_ACCOUNT);
		if (!pool->maglev ||
		    nlb_maglev_build(pool->maglev, pool->slot, pool->n)) {
			nlb_pool_free_now(pool);
			return ERR_PTR(-ENOMEM);
		}
	}
	return pool;
}

/**
 * nlb_pool_publish() - replace the pool of one family of a group
 * @nn: the namespace state, locked
 * @g: the group
 * @fam: the family
 * @pool: the new pool, from nlb_pool_build(), or NULL
 *
 * The old pool is freed after a grace period.
 */
void nlb_pool_publish(struct nlb_net *nn, struct nlb_group *g, int fam,
		      struct nlb_pool *pool)
{
	struct nlb_backend *be;
	struct nlb_pool *old;
	unsigned int i;

	/* No transient false for a backend that stays in the pool. */
	list_for_each_entry(be, &g->backends[fam], node)
		be->in_new_pool = false;
	for (i = 0; pool && i < pool->n; i++)
		pool->slot[i].be->in_new_pool = true;
	list_for_each_entry(be, &g->backends[fam], node)
		WRITE_ONCE(be->in_pool, be->in_new_pool);
	old = rcu_replace_pointer(g->pool[fam], pool,
				  lockdep_is_held(&nn->lock));
	if (old)
		call_rcu(&old->rcu, nlb_pool_free_rcu);
}
