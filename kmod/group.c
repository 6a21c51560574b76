// SPDX-License-Identifier: GPL-2.0
/*
 * Server groups and their backends.
 *
 * The configuration path keeps backends in per-family lists under
 * nlb_net.lock. The packet path never walks those lists: it sees one pool
 * per family, an array of the backends that may take new connections,
 * rebuilt and republished with RCU on every change. A rebuild is
 * prepared before anything is changed, so a change that fails for lack
 * of memory leaves the configuration as it was.
 */
#include <linux/idr.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "group.h"
#include "offload.h"

/**
 * nlb_group_find() - find a server group by name
 * @nn: the namespace state, locked
 * @name: the name
 *
 * Return: the group or NULL.
 */
struct nlb_group *nlb_group_find(struct nlb_net *nn, const char *name)
{
	struct nlb_group *g;

	lockdep_assert_held(&nn->lock);
	list_for_each_entry(g, &nn->groups, node)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}

/*
 * Backends by identifier, for connections of tracked groups that are not
 * counted yet: they name their backend by identifier until their first
 * confirmed packet, because a connection that is dropped before it is
 * confirmed ends without telling its helper. Lookups run under RCU.
 */
static DEFINE_IDR(nlb_backend_ids);
static DEFINE_SPINLOCK(nlb_backend_ids_lock);

/**
 * nlb_backend_lookup_id() - find a backend of the configuration by its
 * identifier
 * @id: the identifier
 *
 * Called under RCU.
 *
 * Return: the backend, or NULL when it is no longer in the configuration.
 */
struct nlb_backend *nlb_backend_lookup_id(u32 id)
{
	return idr_find(&nlb_backend_ids, id);
}

/**
 * nlb_group_create() - create an empty server group and link it
 * @nn: the namespace state, locked
 * @name: unique name
 * @ipversion: NLB_IPVERSION_*
 * @sched: NLB_SCHED_*
 * @track: whether new connections get the conntrack helper
 * @drain_timeout: seconds, 0 for none
 *
 * Return: the group, or NULL when out of memory.
 */
struct nlb_group *nlb_group_create(struct nlb_net *nn, const char *name,
				   u8 ipversion, u8 sched, bool track,
				   u32 drain_timeout)
{
	struct nlb_group *g;
	int fam;

	lockdep_assert_held(&nn->lock);
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return NULL;
	if (nlb_counters_init(&g->cnt)) {
		kfree(g);
		return NULL;
	}
	refcount_set(&g->ref, 1);
	strscpy(g->name, name, sizeof(g->name));
	g->ipversion = ipversion;
	g->sched = sched;
	g->affinity = true;
	g->track = track;
	g->acct = true;
	g->drain_timeout = drain_timeout;
	for (fam = 0; fam < NLB_NFAM; fam++)
		INIT_LIST_HEAD(&g->backends[fam]);
	INIT_LIST_HEAD(&g->draining);
	list_add_tail(&g->node, &nn->groups);
	return g;
}

static void nlb_group_free_rcu(struct rcu_head *rcu)
{
	struct nlb_group *g = container_of(rcu, struct nlb_group, rcu);

	nlb_counters_free(&g->cnt);
	kfree(g);
}

/**
 * nlb_group_put() - drop a reference to a group, freeing it after a grace
 * period with the last one
 * @g: the group
 */
void nlb_group_put(struct nlb_group *g)
{
	if (refcount_dec_and_test(&g->ref))
		call_rcu(&g->rcu, nlb_group_free_rcu);
}

/**
 * nlb_group_destroy() - unlink a group unused by listeners and release
 * its backends, draining ones included
 * @nn: the namespace state, locked
 * @g: the group
 *
 * Connections of a tracked group keep the group's memory until they end;
 * offloaded ones stay in the flowtable until they end or it goes.
 */
void nlb_group_destroy(struct nlb_net *nn, struct nlb_group *g)
{
	struct nlb_backend *be, *tmp;
	int fam;

	lockdep_assert_held(&nn->lock);
	WARN_ON_ONCE(g->n_listeners);
	for (fam = 0; fam < NLB_NFAM; fam++) {
		nlb_pool_publish(nn, g, fam, NULL);
		list_for_each_entry_safe(be, tmp, &g->backends[fam], node) {
			nlb_backend_unlink(nn, be);
			nlb_backend_release(nn, be);
		}
	}
	list_for_each_entry_safe(be, tmp, &g->draining, node) {
		list_del(&be->node);
		nlb_backend_release(nn, be);
	}
	nlb_offload_expired_free(nn, g);
	if (g->offload)
		nlb_offload_put(nn);
	nlb_health_free(&g->health);
	list_del(&g->node);
	nlb_group_put(g);
}

static bool nlb_backend_eligible(const struct nlb_backend *be, bool failopen)
{
	return be->enabled && nlb_health_weight(be->weight, &be->hs) &&
	       (failopen || be->healthy);
}

static void nlb_pool_free_now(struct nlb_pool *pool)
{
	kvfree(pool->maglev);
	kfree(pool);
}

static void nlb_pool_free_rcu(struct rcu_head *rcu)
{
	nlb_pool_free_now(container_of(rcu, struct nlb_pool, rcu));
}

/**
 * nlb_pool_free() - free a pool that was never published
 * @pool: the pool, or NULL
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
 * The pool holds the enabled, healthy backends of non-zero weight; when
 * there is none, the enabled ones of non-zero weight (fail-open: best
 * effort to unhealthy backends of the same family). Round robin gives
 * every slot weight 1.
 *
 * Return: the new pool, NULL when no backend is eligible, or an ERR_PTR
 * when out of memory.
 */
struct nlb_pool *nlb_pool_build(struct nlb_net *nn,
				const struct nlb_group *g, int fam, u8 sched)
{
	const struct nlb_backend *be;
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

	pool = kzalloc(struct_size(pool, slot, n), GFP_KERNEL);
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
		slot->be = (struct nlb_backend *)be;
		slot->active = &slot->be->cnt.active;
		slot->weight = sched == NLB_SCHED_RR ? 1 :
			       nlb_health_weight(be->weight, &be->hs);
		end += slot->weight;
		slot->end = end;
		memcpy(key, &be->addr, sizeof(be->addr));
		key[4] = be->port;
		nlb_maglev_perm(jhash2(key, 5, 0x6e6c6231),
				jhash2(key, 5, 0x6d61676c), slot);
		pool->total += slot->weight;
		pool->n++;
	}
	if (sched == NLB_SCHED_MAGLEV) {
		pool->maglev = kvmalloc_array(NLB_MAGLEV_SIZE,
					      sizeof(*pool->maglev),
					      GFP_KERNEL);
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

static struct nlb_backend *nlb_backend_match(struct list_head *list,
					     const union nf_inet_addr *addr,
					     u16 port)
{
	struct nlb_backend *be;

	list_for_each_entry(be, list, node)
		if (be->port == port && nf_inet_addr_cmp(&be->addr, addr))
			return be;
	return NULL;
}

/**
 * nlb_backend_find() - find a backend of a group
 * @nn: the namespace state, locked
 * @g: the group
 * @fam: the family of @addr
 * @addr: the address
 * @port: the port
 *
 * Return: the backend or NULL.
 */
struct nlb_backend *nlb_backend_find(struct nlb_net *nn,
				     const struct nlb_group *g, int fam,
				     const union nf_inet_addr *addr, u16 port)
{
	lockdep_assert_held(&nn->lock);
	return nlb_backend_match((struct list_head *)&g->backends[fam], addr,
				 port);
}

/**
 * nlb_backend_find_draining() - find a deleted backend of a group that is
 * still draining
 * @nn: the namespace state, locked
 * @g: the group
 * @fam: the family of @addr
 * @addr: the address
 * @port: the port
 *
 * Return: the backend or NULL.
 */
struct nlb_backend *nlb_backend_find_draining(struct nlb_net *nn,
					      const struct nlb_group *g,
					      int fam,
					      const union nf_inet_addr *addr,
					      u16 port)
{
	struct nlb_backend *be;

	lockdep_assert_held(&nn->lock);
	be = nlb_backend_match((struct list_head *)&g->draining, addr, port);
	return be && be->fam == fam ? be : NULL;
}

/**
 * nlb_backend_alloc() - allocate a backend and link it into its group
 * @g: the group
 * @fam: the family of @addr
 * @addr: the address
 * @port: the port, 0 to keep the client's destination port
 * @weight: the weight
 *
 * The backend is enabled and healthy. The caller rebuilds the family's
 * pool, and on failure unlinks and releases the backend again.
 *
 * Return: the backend, or NULL when out of memory.
 */
struct nlb_backend *nlb_backend_alloc(struct nlb_group *g, int fam,
				      const union nf_inet_addr *addr,
				      u16 port, u8 weight)
{
	struct nlb_backend *be;
	int id;

	be = kzalloc(sizeof(*be), GFP_KERNEL);
	if (!be)
		return NULL;
	if (nlb_counters_init(&be->cnt)) {
		kfree(be);
		return NULL;
	}
	idr_preload(GFP_KERNEL);
	spin_lock_bh(&nlb_backend_ids_lock);
	id = idr_alloc_cyclic(&nlb_backend_ids, be, 1, 0, GFP_NOWAIT);
	spin_unlock_bh(&nlb_backend_ids_lock);
	idr_preload_end();
	if (id < 0) {
		nlb_counters_free(&be->cnt);
		kfree(be);
		return NULL;
	}
	be->id = id;
	refcount_set(&be->ref, 1);
	refcount_inc(&g->ref);
	be->group = g;
	be->addr = *addr;
	be->fam = fam;
	be->port = port;
	be->weight = weight;
	be->enabled = true;
	be->healthy = true;
	nlb_health_backend_init(&be->hs);
	list_add_tail(&be->node, &g->backends[fam]);
	g->n_backends[fam]++;
	return be;
}

/**
 * nlb_backend_unlink() - remove a backend from its group's list
 * @nn: the namespace state, locked
 * @be: the backend
 *
 * The caller publishes a pool without it, then drains or releases it.
 */
void nlb_backend_unlink(struct nlb_net *nn, struct nlb_backend *be)
{
	lockdep_assert_held(&nn->lock);
	list_del(&be->node);
	be->group->n_backends[be->fam]--;
}

/**
 * nlb_backend_drain() - move an unlinked backend to its group's draining
 * list, where it stays until its connections end
 * @nn: the namespace state, locked
 * @be: the backend
 */
void nlb_backend_drain(struct nlb_net *nn, struct nlb_backend *be)
{
	struct nlb_group *g = be->group;

	lockdep_assert_held(&nn->lock);
	be->draining = true;
	be->drain_since = jiffies;
	list_add_tail(&be->node, &g->draining);
}

/**
 * nlb_backend_undrain() - take a draining backend back into its group
 * @nn: the namespace state, locked
 * @be: the backend
 *
 * The caller rebuilds the family's pool.
 */
void nlb_backend_undrain(struct nlb_net *nn, struct nlb_backend *be)
{
	lockdep_assert_held(&nn->lock);
	list_move_tail(&be->node, &be->group->backends[be->fam]);
	be->group->n_backends[be->fam]++;
	be->draining = false;
	/* Its connections may go into the flowtable again. */
	nlb_offload_drain_update(nn);
}

/**
 * nlb_backend_release() - drop the configuration's reference to an
 * unlinked backend
 * @nn: the namespace state, locked
 * @be: the backend, in no list and in no published pool
 *
 * Connections not yet counted can no longer find it; counted connections
 * and persistence entries keep its memory until they end.
 */
void nlb_backend_release(struct nlb_net *nn, struct nlb_backend *be)
{
	lockdep_assert_held(&nn->lock);
	spin_lock_bh(&nlb_backend_ids_lock);
	idr_remove(&nlb_backend_ids, be->id);
	spin_unlock_bh(&nlb_backend_ids_lock);
	nlb_backend_put(be);
}

static void nlb_backend_free_rcu(struct rcu_head *rcu)
{
	struct nlb_backend *be = container_of(rcu, struct nlb_backend, rcu);

	nlb_counters_free(&be->cnt);
	kfree(be);
}

/**
 * nlb_backend_put() - drop a reference to a backend, freeing it after a
 * grace period with the last one
 * @be: the backend
 *
 * May be called in any context.
 */
void nlb_backend_put(struct nlb_backend *be)
{
	if (refcount_dec_and_test(&be->ref)) {
		nlb_group_put(be->group);
		call_rcu(&be->rcu, nlb_backend_free_rcu);
	}
}
