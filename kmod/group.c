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
#include <linux/slab.h>
#include <linux/string.h>

#include "group.h"

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

/**
 * nlb_group_create() - create an empty server group and link it
 * @nn: the namespace state, locked
 * @name: unique name
 * @ipversion: NLB_IPVERSION_*
 * @sched: NLB_SCHED_*
 *
 * Return: the group, or NULL when out of memory.
 */
struct nlb_group *nlb_group_create(struct nlb_net *nn, const char *name,
				   u8 ipversion, u8 sched)
{
	struct nlb_group *g;
	int fam;

	lockdep_assert_held(&nn->lock);
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return NULL;
	g->stats = nlb_stats_alloc();
	if (!g->stats) {
		kfree(g);
		return NULL;
	}
	strscpy(g->name, name, sizeof(g->name));
	g->ipversion = ipversion;
	g->sched = sched;
	g->affinity = true;
	for (fam = 0; fam < NLB_NFAM; fam++)
		INIT_LIST_HEAD(&g->backends[fam]);
	list_add_tail(&g->node, &nn->groups);
	return g;
}

static void nlb_group_free_rcu(struct rcu_head *rcu)
{
	struct nlb_group *g = container_of(rcu, struct nlb_group, rcu);

	free_percpu(g->stats);
	kfree(g);
}

/**
 * nlb_group_destroy() - unlink a group unused by listeners, with its
 * backends, and free it after a grace period
 * @nn: the namespace state, locked
 * @g: the group
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
			nlb_backend_free(be);
		}
	}
	list_del(&g->node);
	call_rcu(&g->rcu, nlb_group_free_rcu);
}

/**
 * nlb_pool_build() - build the pool of one family of a group
 * @nn: the namespace state, locked
 * @g: the group
 * @fam: the family
 * @sched: the scheduler the pool is for (may differ from @g->sched while
 *	a change of scheduler is being prepared)
 *
 * Backends with weight 0 are left out. Round robin gives every slot
 * weight 1.
 *
 * Return: the new pool, NULL when no backend is eligible, or an ERR_PTR
 * when out of memory.
 */
struct nlb_pool *nlb_pool_build(struct nlb_net *nn,
				const struct nlb_group *g, int fam, u8 sched)
{
	const struct nlb_backend *be;
	struct nlb_pool *pool;
	unsigned int n = 0;

	lockdep_assert_held(&nn->lock);
	list_for_each_entry(be, &g->backends[fam], node)
		if (be->weight)
			n++;
	if (!n)
		return NULL;

	pool = kzalloc(struct_size(pool, slot, n), GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&pool->lock);
	list_for_each_entry(be, &g->backends[fam], node) {
		struct nlb_pool_slot *slot = &pool->slot[pool->n];

		if (!be->weight)
			continue;
		slot->be = (struct nlb_backend *)be;
		slot->weight = sched == NLB_SCHED_RR ? 1 : be->weight;
		pool->total += slot->weight;
		pool->n++;
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
	struct nlb_pool *old;

	old = rcu_replace_pointer(g->pool[fam], pool,
				  lockdep_is_held(&nn->lock));
	if (old)
		kfree_rcu(old, rcu);
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
	struct nlb_backend *be;

	lockdep_assert_held(&nn->lock);
	list_for_each_entry(be, &g->backends[fam], node)
		if (be->port == port && nf_inet_addr_cmp(&be->addr, addr))
			return be;
	return NULL;
}

/**
 * nlb_backend_alloc() - allocate a backend and link it into its group
 * @g: the group
 * @fam: the family of @addr
 * @addr: the address
 * @port: the port, 0 to keep the client's destination port
 * @weight: the weight
 *
 * The caller rebuilds the family's pool, and on failure unlinks and frees
 * the backend again.
 *
 * Return: the backend, or NULL when out of memory.
 */
struct nlb_backend *nlb_backend_alloc(struct nlb_group *g, int fam,
				      const union nf_inet_addr *addr,
				      u16 port, u8 weight)
{
	struct nlb_backend *be;

	be = kzalloc(sizeof(*be), GFP_KERNEL);
	if (!be)
		return NULL;
	be->stats = nlb_stats_alloc();
	if (!be->stats) {
		kfree(be);
		return NULL;
	}
	be->group = g;
	be->addr = *addr;
	be->fam = fam;
	be->port = port;
	be->weight = weight;
	list_add_tail(&be->node, &g->backends[fam]);
	g->n_backends[fam]++;
	return be;
}

/**
 * nlb_backend_unlink() - remove a backend from its group's list
 * @nn: the namespace state, locked
 * @be: the backend
 *
 * The caller publishes a pool without it before nlb_backend_free().
 */
void nlb_backend_unlink(struct nlb_net *nn, struct nlb_backend *be)
{
	lockdep_assert_held(&nn->lock);
	list_del(&be->node);
	be->group->n_backends[be->fam]--;
}

static void nlb_backend_free_rcu(struct rcu_head *rcu)
{
	struct nlb_backend *be = container_of(rcu, struct nlb_backend, rcu);

	free_percpu(be->stats);
	kfree(be);
}

/**
 * nlb_backend_free() - free an unlinked backend after a grace period
 * @be: the backend
 */
void nlb_backend_free(struct nlb_backend *be)
{
	call_rcu(&be->rcu, nlb_backend_free_rcu);
}
