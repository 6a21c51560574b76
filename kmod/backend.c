// SPDX-License-Identifier: GPL-2.0
/*
 * Backends: adding, changing and deleting them (one or a batch per
 * request, all or nothing), draining and releasing them.
 *
 * A group keeps its backends in one list per family (the order the pools
 * follow) and its deleted ones in a draining list, under nlb_net.lock.
 * Every backend, draining ones included, is also in the namespace's hash
 * by (group, family, address, port), which the census and the
 * configuration look up, and in a global IDR by identifier, by which
 * tracked connections name it. The packet path only sees pools.
 *
 * A request is prepared in full before anything is published: the lists
 * change first, the pools of the families concerned are built from them
 * (once per request), and only if that succeeds are they published. A
 * failure at any step undoes what was done, in reverse order, so the
 * configuration is exactly as it was.
 */
#include <linux/idr.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "backend.h"
#include "census.h"
#include "drain.h"
#include "group.h"
#include "limits.h"
#include "offload.h"
#include "pool.h"

static const struct rhashtable_params nlb_backend_params = {
	.head_offset		= offsetof(struct nlb_backend, hnode),
	.key_offset		= offsetof(struct nlb_backend, key),
	.key_len		= sizeof(struct nlb_backend_key),
	.automatic_shrinking	= true,
};

/*
 * Backends by identifier, for tracked connections: they name their backend
 * by identifier, so that nothing of theirs can outlive it. Lookups run
 * under RCU.
 */
static DEFINE_IDR(nlb_backend_ids);
static DEFINE_SPINLOCK(nlb_backend_ids_lock);

/**
 * nlb_backend_lookup_id() - find a configured or draining backend by its
 * identifier
 * @id: the identifier
 *
 * Called under RCU.
 *
 * Return: the backend, or NULL when it is gone.
 */
struct nlb_backend *nlb_backend_lookup_id(u32 id)
{
	return id ? idr_find(&nlb_backend_ids, id) : NULL;
}

static void nlb_backend_key_init(struct nlb_backend_key *key,
				 const struct nlb_group *g, int fam,
				 const union nf_inet_addr *addr, u16 port)
{
	memset(key, 0, sizeof(*key));
	key->group = g;
	key->addr = *addr;
	key->port = port;
	key->fam = fam;
}

/**
 * nlb_backend_lookup() - find a configured or draining backend of a group
 * @nn: the namespace state
 * @g: the group
 * @fam: the family of @addr
 * @addr: the address
 * @port: the port, host order
 *
 * Called under RCU (the census), or with @nn->lock held.
 *
 * Return: the backend or NULL.
 */
struct nlb_backend *nlb_backend_lookup(struct nlb_net *nn,
				       const struct nlb_group *g, int fam,
				       const union nf_inet_addr *addr,
				       u16 port)
{
	struct nlb_backend_key key;

	nlb_backend_key_init(&key, g, fam, addr, port);
	return rhashtable_lookup_fast(&nn->backends, &key, nlb_backend_params);
}

/**
 * nlb_backend_find() - find a configured or draining backend of a group
 * @nn: the namespace state, locked
 * @g: the group
 * @fam: the family of @addr
 * @addr: the address
 * @port: the port, host order
 *
 * Return: the backend or NULL.
 */
struct nlb_backend *nlb_backend_find(struct nlb_net *nn,
				     const struct nlb_group *g, int fam,
				     const union nf_inet_addr *addr, u16 port)
{
	lockdep_assert_held(&nn->lock);
	return nlb_backend_lookup(nn, g, fam, addr, port);
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

/* Take @be out of the hash and the IDR, and drop the configuration's hold. */
static void nlb_backend_forget(struct nlb_net *nn, struct nlb_backend *be)
{
	rhashtable_remove_fast(&nn->backends, &be->hnode, nlb_backend_params);
	spin_lock_bh(&nlb_backend_ids_lock);
	idr_remove(&nlb_backend_ids, be->id);
	spin_unlock_bh(&nlb_backend_ids_lock);
	nn->n_backends--;
	nlb_route_cache_release(&be->route, &nn->route_frees,
				nn->routes_idle);
	nlb_backend_put(be);
}

/**
 * nlb_backend_release() - remove a backend from the configuration for good
 * @nn: the namespace state, locked
 * @be: the backend, in no list of its group and in no published pool
 *
 * The census and tracked connections can no longer find it; persistence
 * entries keep its memory until they go.
 */
void nlb_backend_release(struct nlb_net *nn, struct nlb_backend *be)
{
	lockdep_assert_held(&nn->lock);
	nlb_backend_forget(nn, be);
}

/*
 * A new backend of @g as @cfg says, enabled, healthy and of weight 1 unless
 * it says otherwise, in the hash and the IDR but in no list yet.
 */
static struct nlb_backend *nlb_backend_create(struct nlb_net *nn,
					      struct nlb_group *g,
					      const struct nlb_backend_cfg *cfg)
{
	struct nlb_backend *be;
	int id, err;

	be = kzalloc(sizeof(*be), GFP_KERNEL_ACCOUNT);
	if (!be)
		return ERR_PTR(-ENOMEM);
	if (nlb_counters_init(&be->cnt)) {
		kfree(be);
		return ERR_PTR(-ENOMEM);
	}
	if (nlb_route_cache_init(&be->route, GFP_KERNEL_ACCOUNT)) {
		nlb_counters_free(&be->cnt);
		kfree(be);
		return ERR_PTR(-ENOMEM);
	}
	nlb_backend_key_init(&be->key, g, cfg->fam, &cfg->addr, cfg->port);
	refcount_set(&be->ref, 1);
	be->weight = 1;
	be->enabled = true;
	be->healthy = true;
	nlb_health_backend_init(&be->hs);

	err = rhashtable_insert_fast(&nn->backends, &be->hnode,
				     nlb_backend_params);
	if (err)
		goto err_free;
	idr_preload(GFP_KERNEL);
	spin_lock_bh(&nlb_backend_ids_lock);
	id = idr_alloc_cyclic(&nlb_backend_ids, be, 1, 0, GFP_NOWAIT);
	spin_unlock_bh(&nlb_backend_ids_lock);
	idr_preload_end();
	if (id < 0) {
		err = id;
		rhashtable_remove_fast(&nn->backends, &be->hnode,
				       nlb_backend_params);
		goto err_free;
	}
	be->id = id;
	refcount_inc(&g->ref);
	be->group = g;
	nn->n_backends++;
	return be;

err_free:
	/* Never in the IDR: the packet path did not route with it. */
	nlb_route_cache_release(&be->route, &nn->route_frees, true);
	/* The census may have seen it in the hash. */
	call_rcu(&be->rcu, nlb_backend_free_rcu);
	return ERR_PTR(-ENOMEM);
}

/* Apply the settings @cfg gives, keeping the old ones in @cfg for undoing. */
static bool nlb_backend_apply(struct nlb_backend *be,
			      struct nlb_backend_cfg *cfg)
{
	cfg->old.weight = be->weight;
	cfg->old.enabled = be->enabled;
	cfg->old.healthy = be->healthy;
	cfg->old.agent_weight = be->hs.agent_weight;
	if (cfg->set & NLB_BE_SET_AGENT)
		be->hs.agent_weight = cfg->agent_weight;
	if (cfg->set & NLB_BE_SET_WEIGHT)
		be->weight = cfg->weight;
	if (cfg->set & NLB_BE_SET_ENABLED)
		be->enabled = cfg->enabled;
	if (cfg->set & NLB_BE_SET_HEALTHY)
		be->healthy = cfg->healthy;
	return be->weight != cfg->old.weight ||
	       be->enabled != cfg->old.enabled ||
	       be->healthy != cfg->old.healthy ||
	       be->hs.agent_weight != cfg->old.agent_weight;
}

static void nlb_backend_unapply(struct nlb_backend *be,
				const struct nlb_backend_cfg *cfg)
{
	be->weight = cfg->old.weight;
	be->enabled = cfg->old.enabled;
	be->healthy = cfg->old.healthy;
	be->hs.agent_weight = cfg->old.agent_weight;
}

/*
 * Was @be named by an earlier entry of request @gen? Entries mark the
 * backends they name with their request's generation.
 */
static int nlb_backend_twice(struct nlb_backend *be, u64 gen,
			     const struct nlb_backend_cfg *cfg,
			     struct netlink_ext_ack *extack)
{
	if (be->req_gen != gen)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, cfg->attr,
			    "the request names this backend twice");
	return -EINVAL;
}

/* Undo entries [0, @n) of a backend-add, in reverse order. */
static void nlb_backends_add_undo(struct nlb_net *nn, struct nlb_group *g,
				  struct nlb_backend_cfg *cfg, unsigned int n)
{
	while (n--) {
		struct nlb_backend *be = cfg[n].be;

		g->n_backends[be->key.fam]--;
		if (cfg[n].prev) {
			/* Back into the draining list, where it was. */
			nlb_backend_unapply(be, &cfg[n]);
			list_move(&be->node, cfg[n].prev);
		} else {
			list_del(&be->node);
			nlb_backend_forget(nn, be);
		}
		cfg[n].be = NULL;
	}
}

/**
 * nlb_backends_add() - add backends to a group, or take draining ones back
 * @nn: the namespace state, locked
 * @g: the group
 * @cfg: the backends, @cfg[i].be set on success
 * @n: how many, 1 .. NLB_BACKEND_BATCH_MAX
 * @extack: for the error message
 *
 * A new backend is enabled, healthy and of weight 1 unless @cfg says
 * otherwise; a draining one named again comes back with its connections
 * and counters, with the same defaults. All or nothing, one pool rebuild.
 *
 * Return: 0 or a negative errno, with nothing changed.
 */
int nlb_backends_add(struct nlb_net *nn, struct nlb_group *g,
		     struct nlb_backend_cfg *cfg, unsigned int n,
		     struct netlink_ext_ack *extack)
{
	struct nlb_pool_set ps = {};
	u64 gen = ++nn->req_gen;
	bool undrained = false;
	unsigned int i;
	int err = 0;

	lockdep_assert_held(&nn->lock);
	for (i = 0; i < n; i++) {
		struct nlb_backend_cfg *c = &cfg[i];
		struct nlb_backend *be;

		c->prev = NULL;
		if (c->fam == NLB_FAM6 && g->ipversion == NLB_IPVERSION_IPV4) {
			NL_SET_ERR_MSG_ATTR(extack, c->attr,
					    "an ipv4 server group holds only IPv4 backends; use a dualstack group for IPv6 backends");
			err = -EAFNOSUPPORT;
			break;
		}
		if (c->fam == NLB_FAM4 && nlb_group_needs_pool4(g)) {
			NL_SET_ERR_MSG_ATTR(extack, c->attr,
					    NLB_GROUP_NEED_POOL4_MSG);
			err = -EINVAL;
			break;
		}
		be = nlb_backend_find(nn, g, c->fam, &c->addr, c->port);
		err = be ? nlb_backend_twice(be, gen, c, extack) : 0;
		if (err)
			break;
		if (be && !be->draining) {
			NL_SET_ERR_MSG_ATTR(extack, c->attr,
					    "the server group has a backend with this address and port");
			err = -EEXIST;
			break;
		}
		if (g->n_backends[c->fam] >= NLB_POOL_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, c->attr,
					    "a server group holds at most 65535 backends per IP version");
			err = -ENOSPC;
			break;
		}
		/* Unless the request says otherwise: weight 1, enabled, healthy. */
		if (!(c->set & NLB_BE_SET_WEIGHT))
			c->weight = 1;
		if (!(c->set & NLB_BE_SET_ENABLED))
			c->enabled = true;
		if (!(c->set & NLB_BE_SET_HEALTHY))
			c->healthy = true;
		c->set |= NLB_BE_SET_WEIGHT | NLB_BE_SET_ENABLED |
			  NLB_BE_SET_HEALTHY;
		if (be) {
			/* A draining backend comes back, with its connections. */
			c->prev = be->node.prev;
			list_move_tail(&be->node, &g->backends[c->fam]);
			undrained = true;
		} else {
			err = nlb_limit_check(nn, NLB_LIMIT_BACKENDS, c->attr,
					      extack);
			if (err)
				break;
			be = nlb_backend_create(nn, g, c);
			if (IS_ERR(be)) {
				err = PTR_ERR(be);
				break;
			}
			list_add_tail(&be->node, &g->backends[c->fam]);
		}
		nlb_backend_apply(be, c);
		be->req_gen = gen;
		g->n_backends[c->fam]++;
		c->be = be;
		ps.dirty[c->fam] = true;
	}
	if (!err)
		err = nlb_pools_build(nn, g, &ps, g->sched, g->affinity);
	if (err) {
		nlb_backends_add_undo(nn, g, cfg, i);
		return err;
	}

	nlb_pools_publish(nn, g, &ps);
	for (i = 0; i < n; i++)
		WRITE_ONCE(cfg[i].be->draining, false);
	/* Their connections may go into the flowtable again. */
	if (undrained)
		nlb_offload_drain_update(nn);
	return 0;
}

/*
 * The backend entry @c of a change or delete names: configured, not
 * draining, and not named twice.
 */
static struct nlb_backend *nlb_backend_named(struct nlb_net *nn,
					     struct nlb_group *g, u64 gen,
					     struct nlb_backend_cfg *c,
					     struct netlink_ext_ack *extack)
{
	struct nlb_backend *be;
	int err;

	be = nlb_backend_find(nn, g, c->fam, &c->addr, c->port);
	if (!be || be->draining) {
		NL_SET_ERR_MSG_ATTR(extack, c->attr,
				    "no backend with this address and port in the server group");
		return ERR_PTR(-ENOENT);
	}
	err = nlb_backend_twice(be, gen, c, extack);
	if (err)
		return ERR_PTR(err);
	be->req_gen = gen;
	return be;
}

/**
 * nlb_backends_change() - change the weight, state or health of backends
 * @nn: the namespace state, locked
 * @g: the group
 * @cfg: the backends and their new settings, @cfg[i].be set on success
 * @n: how many, 1 .. NLB_BACKEND_BATCH_MAX
 * @extack: for the error message
 *
 * A backend that gets out of the pool gets no new connections, and its
 * established ones, which conntrack carries, continue. The pools of the
 * families where nothing changed are not rebuilt. All or nothing.
 *
 * Return: 0 or a negative errno, with nothing changed.
 */
int nlb_backends_change(struct nlb_net *nn, struct nlb_group *g,
			struct nlb_backend_cfg *cfg, unsigned int n,
			struct netlink_ext_ack *extack)
{
	struct nlb_pool_set ps = {};
	u64 gen = ++nn->req_gen;
	unsigned int i;
	int err = 0;

	lockdep_assert_held(&nn->lock);
	for (i = 0; i < n; i++) {
		struct nlb_backend *be;

		be = nlb_backend_named(nn, g, gen, &cfg[i], extack);
		if (IS_ERR(be)) {
			err = PTR_ERR(be);
			break;
		}
		ps.dirty[be->key.fam] |= nlb_backend_apply(be, &cfg[i]);
		cfg[i].be = be;
	}
	if (!err)
		err = nlb_pools_build(nn, g, &ps, g->sched, g->affinity);
	if (err) {
		while (i--)
			nlb_backend_unapply(cfg[i].be, &cfg[i]);
		return err;
	}
	nlb_pools_publish(nn, g, &ps);
	return 0;
}

/**
 * nlb_backends_del() - delete backends: they drain
 * @nn: the namespace state, locked
 * @g: the group
 * @cfg: the backends, @cfg[i].be set on success
 * @n: how many, 1 .. NLB_BACKEND_BATCH_MAX
 * @extack: for the error message
 *
 * The backends leave the pools first; then each goes to the group's
 * draining list, where it stays until its last connection ends (or the
 * group's drain timeout ends them). All or nothing.
 *
 * Return: 0 or a negative errno, with nothing changed.
 */
int nlb_backends_del(struct nlb_net *nn, struct nlb_group *g,
		     struct nlb_backend_cfg *cfg, unsigned int n,
		     struct netlink_ext_ack *extack)
{
	struct nlb_pool_set ps = {};
	u64 gen = ++nn->req_gen;
	unsigned int i;
	int err = 0;

	lockdep_assert_held(&nn->lock);
	for (i = 0; i < n; i++) {
		struct nlb_backend *be;

		be = nlb_backend_named(nn, g, gen, &cfg[i], extack);
		if (IS_ERR(be)) {
			err = PTR_ERR(be);
			break;
		}
		cfg[i].prev = be->node.prev;
		list_del(&be->node);
		g->n_backends[be->key.fam]--;
		ps.dirty[be->key.fam] = true;
		cfg[i].be = be;
	}
	if (!err)
		err = nlb_pools_build(nn, g, &ps, g->sched, g->affinity);
	if (err) {
		while (i--) {
			struct nlb_backend *be = cfg[i].be;

			list_add(&be->node, cfg[i].prev);
			g->n_backends[be->key.fam]++;
		}
		return err;
	}

	/* Persistence must not send new connections there any more. */
	for (i = 0; i < n; i++) {
		WRITE_ONCE(cfg[i].be->in_pool, false);
		WRITE_ONCE(cfg[i].be->in_all, false);
	}
	nlb_pools_publish(nn, g, &ps);
	for (i = 0; i < n; i++) {
		struct nlb_backend *be = cfg[i].be;

		be->drain_since = jiffies;
		be->drain_seq = nlb_census_next_seq(nn);
		WRITE_ONCE(be->draining, true);
		list_add_tail(&be->node, &g->draining);
	}
	nlb_drain_start(nn);
	return 0;
}

/**
 * nlb_backends_net_init() - set up a namespace's backend hash
 * @nn: the namespace state
 *
 * Return: 0 or -ENOMEM.
 */
int nlb_backends_net_init(struct nlb_net *nn)
{
	return rhashtable_init(&nn->backends, &nlb_backend_params);
}

/**
 * nlb_backends_net_exit() - free a namespace's backend hash
 * @nn: the namespace state, without backends
 */
void nlb_backends_net_exit(struct nlb_net *nn)
{
	WARN_ON_ONCE(nn->n_backends);
	rhashtable_destroy(&nn->backends);
}
