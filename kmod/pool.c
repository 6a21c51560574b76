// SPDX-License-Identifier: GPL-2.0
/*
 * Pools: per family of a group, and for affinity off for both families
 * together, the backends new connections may go to, as the packet path
 * sees them. The configuration builds new pools from the group's backend
 * lists whenever a family's backend set, a weight, a state, the scheduler
 * or the affinity changes, then publishes them with RCU; the packet path
 * never walks the lists. Pools are built before anything is published, so
 * a change that fails for lack of memory leaves the old ones.
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

/* Free a pool that was never published: NULL or an ERR_PTR are fine. */
static void nlb_pool_free(struct nlb_pool *pool)
{
	if (!IS_ERR_OR_NULL(pool))
		nlb_pool_free_now(pool);
}

/* Does pool @idx (a family, or NLB_POOL_ALL) take backends of @fam? */
static bool nlb_pool_has(int idx, int fam)
{
	return idx == NLB_POOL_ALL || idx == fam;
}

/* Count the eligible backends of the lists of pool @idx. */
static unsigned int nlb_pool_count(const struct nlb_group *g, int idx,
				   bool failopen)
{
	const struct nlb_backend *be;
	unsigned int n = 0;
	int fam;

	for (fam = 0; fam < NLB_NFAM; fam++) {
		if (!nlb_pool_has(idx, fam))
			continue;
		list_for_each_entry(be, &g->backends[fam], node)
			n += nlb_backend_eligible(be, failopen);
	}
	return n;
}

/*
 * The pool @idx of a group: the eligible backends of one family, or of
 * both (NLB_POOL_ALL, IPv4 first), in the order of the group's lists; when
 * there is none, the enabled ones of non-zero weight (fail-open: best
 * effort to unhealthy backends). Round robin gives every slot weight 1.
 * Only a maglev pool has a lookup table (128 KiB). The memory is charged to
 * the caller's memory cgroup, and allocated with vmalloc when large.
 *
 * Return: the new pool, NULL when no backend is eligible, or an ERR_PTR
 * when out of memory.
 */
static struct nlb_pool *nlb_pool_build(const struct nlb_group *g, int idx,
				       u8 sched)
{
	struct nlb_backend *be;
	struct nlb_pool *pool;
	bool failopen = false;
	unsigned int n;
	u32 end = 0;
	int fam;

	n = nlb_pool_count(g, idx, false);
	if (!n) {
		failopen = true;
		n = nlb_pool_count(g, idx, true);
	}
	if (!n)
		return NULL;

	pool = kvzalloc(struct_size(pool, slot, n), GFP_KERNEL_ACCOUNT);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&pool->lock);
	pool->sched = sched;
	pool->failopen = failopen;
	for (fam = 0; fam < NLB_NFAM; fam++) {
		if (!nlb_pool_has(idx, fam))
			continue;
		list_for_each_entry(be, &g->backends[fam], node) {
			struct nlb_pool_slot *slot = &pool->slot[pool->n];
			u32 key[5];

			if (!nlb_backend_eligible(be, failopen))
				continue;
			slot->be = be;
			slot->active = &be->cnt.active;
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
 * nlb_pools_build() - build the pools of a group that a change needs
 * @nn: the namespace state, locked
 * @g: the group, its lists as the change leaves them
 * @ps: the family pools to rebuild marked dirty; the combined pool is
 *	rebuilt too when the group is to have one (@affinity off) and a family
 *	changed (or it has none yet), and dropped when it is not to have one
 * @sched: the scheduler the pools are for (may differ from @g->sched while
 *	a change of scheduler is being prepared)
 * @affinity: the group's affinity, likewise
 *
 * All or nothing: on failure nothing is left allocated.
 *
 * Return: 0 or -ENOMEM.
 */
int nlb_pools_build(struct nlb_net *nn, const struct nlb_group *g,
		    struct nlb_pool_set *ps, u8 sched, u8 affinity)
{
	bool all = affinity == NLB_AFFINITY_OFF;
	bool has_all = rcu_access_pointer(g->pool[NLB_POOL_ALL]);
	int i;

	lockdep_assert_held(&nn->lock);
	if (all && (ps->dirty[NLB_FAM4] || ps->dirty[NLB_FAM6] ||
		    !has_all))
		ps->dirty[NLB_POOL_ALL] = true;
	if (!all && has_all)
		ps->dirty[NLB_POOL_ALL] = true;
	for (i = 0; i < NLB_NPOOLS; i++) {
		ps->pool[i] = NULL;
		if (!ps->dirty[i] || (i == NLB_POOL_ALL && !all))
			continue;
		ps->pool[i] = nlb_pool_build(g, i, sched);
		if (IS_ERR(ps->pool[i])) {
			while (i--)
				nlb_pool_free(ps->pool[i]);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Replace pool @idx of a group; the old one goes after a grace period. */
static void nlb_pool_publish(struct nlb_net *nn, struct nlb_group *g,
			     int idx, struct nlb_pool *pool)
{
	struct nlb_backend *be;
	struct nlb_pool *old;
	unsigned int i;
	int fam;

	/* No transient false for a backend that stays in the pool. */
	for (fam = 0; fam < NLB_NFAM; fam++)
		if (nlb_pool_has(idx, fam))
			list_for_each_entry(be, &g->backends[fam], node)
				be->in_new_pool = false;
	for (i = 0; pool && i < pool->n; i++)
		pool->slot[i].be->in_new_pool = true;
	for (fam = 0; fam < NLB_NFAM; fam++) {
		if (!nlb_pool_has(idx, fam))
			continue;
		list_for_each_entry(be, &g->backends[fam], node) {
			if (idx == NLB_POOL_ALL)
				WRITE_ONCE(be->in_all, be->in_new_pool);
			else
				WRITE_ONCE(be->in_pool, be->in_new_pool);
		}
	}
	old = rcu_replace_pointer(g->pool[idx], pool,
				  lockdep_is_held(&nn->lock));
	if (old)
		call_rcu(&old->rcu, nlb_pool_free_rcu);
}

/**
 * nlb_pools_publish() - publish the pools nlb_pools_build() built
 * @nn: the namespace state, locked
 * @g: the group
 * @ps: the pools
 *
 * The old pools are freed after a grace period.
 */
void nlb_pools_publish(struct nlb_net *nn, struct nlb_group *g,
		       struct nlb_pool_set *ps)
{
	int i;

	for (i = 0; i < NLB_NPOOLS; i++)
		if (ps->dirty[i])
			nlb_pool_publish(nn, g, i, ps->pool[i]);
}

/**
 * nlb_pools_unpublish() - empty every pool of a group being destroyed
 * @nn: the namespace state, locked
 * @g: the group
 */
void nlb_pools_unpublish(struct nlb_net *nn, struct nlb_group *g)
{
	int i;

	for (i = 0; i < NLB_NPOOLS; i++)
		nlb_pool_publish(nn, g, i, NULL);
}
