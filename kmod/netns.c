// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state.
 */
#include "backend.h"
#include "census.h"
#include "drain.h"
#include "group.h"
#include "hook.h"
#include "listener.h"
#include "netns.h"
#include "offload.h"
#include "xstats.h"

unsigned int nlb_net_id __read_mostly;

static int __net_init nlb_net_init(struct net *net)
{
	struct nlb_net *nn = nlb_net(net);
	int err;

	nn->net = net;
	mutex_init(&nn->lock);
	INIT_LIST_HEAD(&nn->listeners);
	INIT_LIST_HEAD(&nn->groups);
	hash_init(nn->vips);
	err = nlb_xstats_net_init(nn);
	if (err)
		return err;
	err = nlb_backends_net_init(nn);
	if (err) {
		nlb_xstats_net_exit(nn);
		return err;
	}
	nlb_census_net_init(nn);
	nlb_offload_net_init(nn);
	nlb_drain_net_init(nn);
	nlb_health_net_init(nn);
	return 0;
}

/*
 * The namespace is going away (or the module is unloaded). First stop
 * everything that runs on its own: the census, housekeeping, and the
 * hooks, which read this state. The pernet core then waits for a grace
 * period before nlb_net_exit(), and frees this state right after it: no
 * packet may still be in a hook by then.
 */
static void __net_exit nlb_net_pre_exit(struct net *net)
{
	struct nlb_net *nn = nlb_net(net);

	mutex_lock(&nn->lock);
	WRITE_ONCE(nn->exiting, true);
	mutex_unlock(&nn->lock);
	nlb_census_net_stop(nn);
	nlb_drain_net_stop(nn);
	nlb_health_net_stop(nn);
	mutex_lock(&nn->lock);
	nlb_hooks_stop(nn);
	nlb_offload_net_pre_exit(nn);
	mutex_unlock(&nn->lock);
}

/*
 * Delete every object. Connections already set up keep their NAT binding,
 * which belongs to conntrack, not to nlb, and name nlb's objects by
 * identifier only: they go on as plain NAT connections.
 */
static void __net_exit nlb_net_exit(struct net *net)
{
	struct nlb_net *nn = nlb_net(net);
	struct nlb_listener *l, *ltmp;
	struct nlb_group *g, *gtmp;

	mutex_lock(&nn->lock);
	/* pre_exit took the hooks away, and a grace period has passed. */
	nn->routes_idle = true;
	list_for_each_entry_safe(l, ltmp, &nn->listeners, node)
		nlb_listener_del(nn, l);
	list_for_each_entry_safe(g, gtmp, &nn->groups, node)
		nlb_group_destroy(nn, g);
	mutex_unlock(&nn->lock);
	/*
	 * The conntrack helper may have found a backend of a group with
	 * passive on just before it went, and count a failure on it, which
	 * touches this state: let it finish before the state is freed.
	 */
	if (nn->passive_used)
		synchronize_rcu();
	nlb_census_net_exit(nn);
	nlb_backends_net_exit(nn);
	/*
	 * Cached routes freed after a grace period hold dsts of this
	 * namespace (IPv6 counts them in its dst_ops): they must be gone
	 * before IPv6's exit destroys the count.
	 */
	if (atomic_read(&nn->route_frees))
		rcu_barrier();
	nlb_xstats_net_exit(nn);
	mutex_destroy(&nn->lock);
}

static struct pernet_operations nlb_net_ops = {
	.init		= nlb_net_init,
	.pre_exit	= nlb_net_pre_exit,
	.exit		= nlb_net_exit,
	.id		= &nlb_net_id,
	.size		= sizeof(struct nlb_net),
};

/**
 * nlb_netns_init() - register the per-namespace state
 *
 * Return: 0 or a negative errno.
 */
int nlb_netns_init(void)
{
	return register_pernet_subsys(&nlb_net_ops);
}

/**
 * nlb_netns_exit() - delete every namespace's objects and unregister
 */
void nlb_netns_exit(void)
{
	unregister_pernet_subsys(&nlb_net_ops);
}
