// SPDX-License-Identifier: GPL-2.0
/*
 * Server groups: adding, changing and deleting them.
 *
 * A group holds its backends (backend.c) in per-family lists and its
 * deleted ones in a draining list, and publishes one pool per family
 * (pool.c) for the packet path. A change is prepared before anything is
 * modified (a new scheduler's pools are built first; the flowtable is set
 * up before offload is turned on), so a refused or failed request leaves
 * the group as it was.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "group.h"
#include "limits.h"
#include "offload.h"
#include "pool.h"

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
 *
 * May be called in any context.
 */
void nlb_group_put(struct nlb_group *g)
{
	if (refcount_dec_and_test(&g->ref))
		call_rcu(&g->rcu, nlb_group_free_rcu);
}

/* wlc counts active connections: it needs end-of-connection tracking. */
static int nlb_group_check_track(const struct nlb_group_cfg *cfg, u8 sched,
				 bool track, struct netlink_ext_ack *extack)
{
	if (sched == NLB_SCHED_WLC && !track) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_TRACK],
				    "the wlc scheduler needs track on: it counts each backend's active connections");
		return -EINVAL;
	}
	return 0;
}

/*
 * An offloaded connection passes conntrack by: it cannot carry nlb's
 * helper, and conntrack no longer knows the sequence numbers a drain reset
 * needs.
 */
static int nlb_group_check_offload(const struct nlb_group_cfg *cfg,
				   bool offload, bool track,
				   struct netlink_ext_ack *extack)
{
	if (offload && track) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_OFFLOAD],
				    "offload needs track off: a tracked connection carries nlb's conntrack helper, which a flowtable cannot offload (and the wlc scheduler needs track)");
		return -EINVAL;
	}
	return 0;
}

/* Affinity off needs translation, which does not exist yet: refuse it. */
static int nlb_group_check_affinity(const struct nlb_group_cfg *cfg,
				    struct netlink_ext_ack *extack)
{
	if ((cfg->set & NLB_GROUP_SET_AFFINITY) && !cfg->affinity) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_AFFINITY],
				    "affinity off sends clients to backends of the other IP version, which needs cross-family translation that nlb does not have yet");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The first group with offload on sets up the namespace's flowtable. */
static int nlb_group_offload_get(struct nlb_net *nn,
				 struct netlink_ext_ack *extack)
{
	int err = nlb_offload_get(nn);

	if (err)
		NL_SET_ERR_MSG(extack,
			       "could not set up the flowtable of this network namespace");
	return err;
}

/**
 * nlb_group_add() - add a server group
 * @nn: the namespace state, locked
 * @cfg: its settings; those not given take their defaults (ipv4, affinity
 *	on, wrr, track on for wlc only, no drain timeout, acct on, offload
 *	off)
 * @extack: for the error message
 *
 * Return: the new group, or an ERR_PTR with nothing changed.
 */
struct nlb_group *nlb_group_add(struct nlb_net *nn,
				const struct nlb_group_cfg *cfg,
				struct netlink_ext_ack *extack)
{
	u8 sched = cfg->set & NLB_GROUP_SET_SCHED ? cfg->sched : NLB_SCHED_WRR;
	bool offload = cfg->set & NLB_GROUP_SET_OFFLOAD && cfg->offload;
	struct nlb_group *g;
	bool track;
	int err, fam;

	lockdep_assert_held(&nn->lock);
	track = cfg->set & NLB_GROUP_SET_TRACK ? cfg->track :
						 sched == NLB_SCHED_WLC;
	err = nlb_group_check_affinity(cfg, extack) ?:
	      nlb_group_check_track(cfg, sched, track, extack) ?:
	      nlb_group_check_offload(cfg, offload, track, extack);
	if (err)
		return ERR_PTR(err);
	if (nlb_group_find(nn, cfg->name)) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_NAME],
				    "a server group with this name exists");
		return ERR_PTR(-EEXIST);
	}
	err = nlb_limit_check(nn, NLB_LIMIT_GROUPS, cfg->tb[NLB_A_GROUP_NAME],
			      extack);
	if (err)
		return ERR_PTR(err);

	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		return ERR_PTR(-ENOMEM);
	if (nlb_counters_init(&g->cnt)) {
		kfree(g);
		return ERR_PTR(-ENOMEM);
	}
	if (offload) {
		err = nlb_group_offload_get(nn, extack);
		if (err) {
			nlb_counters_free(&g->cnt);
			kfree(g);
			return ERR_PTR(err);
		}
	}
	refcount_set(&g->ref, 1);
	strscpy(g->name, cfg->name, sizeof(g->name));
	g->ipversion = cfg->set & NLB_GROUP_SET_IPVERSION ? cfg->ipversion :
							    NLB_IPVERSION_IPV4;
	g->sched = sched;
	g->affinity = true;
	g->track = track;
	g->acct = cfg->set & NLB_GROUP_SET_ACCT ? cfg->acct : true;
	g->offload = offload;
	g->drain_timeout = cfg->set & NLB_GROUP_SET_DRAIN_TIMEOUT ?
			   cfg->drain_timeout : 0;
	for (fam = 0; fam < NLB_NFAM; fam++)
		INIT_LIST_HEAD(&g->backends[fam]);
	INIT_LIST_HEAD(&g->draining);
	list_add_tail(&g->node, &nn->groups);
	nn->n_groups++;
	return g;
}

/* Rebuild both pools of a group, for a new scheduler; all or nothing. */
static int nlb_group_set_sched(struct nlb_net *nn, struct nlb_group *g,
			       u8 sched)
{
	struct nlb_pool *pool[NLB_NFAM];
	int fam;

	for (fam = 0; fam < NLB_NFAM; fam++) {
		pool[fam] = nlb_pool_build(nn, g, fam, sched);
		if (IS_ERR(pool[fam])) {
			int err = PTR_ERR(pool[fam]);

			while (fam--)
				nlb_pool_free(pool[fam]);
			return err;
		}
	}
	g->sched = sched;
	for (fam = 0; fam < NLB_NFAM; fam++)
		nlb_pool_publish(nn, g, fam, pool[fam]);
	return 0;
}

/**
 * nlb_group_change() - change a group's settings
 * @nn: the namespace state, locked
 * @g: the group
 * @cfg: the settings given; the IP version may only repeat the current one
 * @extack: for the error message
 *
 * Track and acct apply to new connections, a drain timeout also to
 * backends already draining; a new scheduler starts with new pools; a
 * group turning offload off gets its offloaded connections back within a
 * second. Established connections are not disturbed.
 *
 * Return: 0 or a negative errno, with nothing changed.
 */
int nlb_group_change(struct nlb_net *nn, struct nlb_group *g,
		     const struct nlb_group_cfg *cfg,
		     struct netlink_ext_ack *extack)
{
	bool track, offload, offload_get;
	u8 sched;
	int err;

	lockdep_assert_held(&nn->lock);
	err = nlb_group_check_affinity(cfg, extack);
	if (err)
		return err;
	if ((cfg->set & NLB_GROUP_SET_IPVERSION) &&
	    cfg->ipversion != g->ipversion) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_IPVERSION],
				    "the IP version of a server group is fixed at creation; delete the group and add it again");
		return -EOPNOTSUPP;
	}
	sched = cfg->set & NLB_GROUP_SET_SCHED ? cfg->sched : g->sched;
	track = cfg->set & NLB_GROUP_SET_TRACK ? cfg->track :
						 g->track || sched == NLB_SCHED_WLC;
	offload = cfg->set & NLB_GROUP_SET_OFFLOAD ? cfg->offload : g->offload;
	err = nlb_group_check_track(cfg, sched, track, extack) ?:
	      nlb_group_check_offload(cfg, offload, track, extack);
	if (err)
		return err;

	offload_get = offload && !g->offload;
	if (offload_get) {
		err = nlb_group_offload_get(nn, extack);
		if (err)
			return err;
	}
	if (sched != g->sched) {
		err = nlb_group_set_sched(nn, g, sched);
		if (err) {
			if (offload_get)
				nlb_offload_put(nn);
			return err;
		}
	}
	/* Connections already set up keep what they have. */
	WRITE_ONCE(g->track, track);
	if (cfg->set & NLB_GROUP_SET_DRAIN_TIMEOUT)
		WRITE_ONCE(g->drain_timeout, cfg->drain_timeout);
	if (cfg->set & NLB_GROUP_SET_ACCT)
		WRITE_ONCE(g->acct, cfg->acct);
	/* Offloaded connections of the group go back within a second. */
	if (offload != g->offload) {
		WRITE_ONCE(g->offload, offload);
		if (!offload)
			nlb_offload_put(nn);
	}
	return 0;
}

/**
 * nlb_group_destroy() - unlink a group unused by listeners and release
 * its backends, draining ones included
 * @nn: the namespace state, locked
 * @g: the group
 *
 * Established connections keep flowing: their NAT binding is conntrack's.
 * Tracked ones are no longer counted anywhere; offloaded ones stay in the
 * flowtable until they end or it goes.
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
			list_del(&be->node);
			g->n_backends[fam]--;
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
	nn->n_groups--;
	nlb_group_put(g);
}

/**
 * nlb_group_del() - delete a group that no listener uses, and its backends
 * @nn: the namespace state, locked
 * @g: the group
 * @attr: the request's attribute naming it, for the error message
 * @extack: for the error message
 *
 * Return: 0, or -EBUSY with nothing changed while a listener uses it.
 */
int nlb_group_del(struct nlb_net *nn, struct nlb_group *g,
		  const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&nn->lock);
	if (g->n_listeners) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the server group is used by a listener; delete the listener or move it to another group first");
		return -EBUSY;
	}
	nlb_group_destroy(nn, g);
	return 0;
}
