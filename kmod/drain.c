// SPDX-License-Identifier: GPL-2.0
/*
 * Housekeeping: releasing drained backends and expiring persistence
 * entries, once a second while a backend drains or a listener has client
 * affinity (a delayed work under nlb_net.lock).
 *
 * A deleted backend drains: it is in no pool, so it gets no new
 * connection, and its connections go on. It is released once the census
 * (census.c) finds none left: two censuses that started after its deletion
 * (the first could miss a connection scheduled just before the deletion
 * and confirmed while the walk passed its bucket), the second of which
 * found no live connection to it, tracked or not. A drain timeout has the
 * census end its remaining connections.
 */
#include "backend.h"
#include "census.h"
#include "drain.h"
#include "group.h"
#include "listener.h"
#include "netlink.h"
#include "offload.h"

/* Has the census shown that a draining backend has no connection left? */
static bool nlb_drain_done(struct nlb_net *nn, struct nlb_backend *be)
{
	int left;

	if (nn->census.snap_seq <= be->drain_seq ||
	    be->cnt.snap.active || be->cnt.snap.tracked)
		return false;
	/*
	 * Counted connections that no census finds any more ended without
	 * telling (ctnetlink removed their helper, and they ended before a
	 * census saw it): they are no longer the group's either.
	 */
	left = atomic_xchg(&be->cnt.active, 0);
	if (left > 0)
		atomic_sub(left, &be->group->cnt.active);
	return true;
}

static bool nlb_drain_step(struct nlb_net *nn)
{
	struct nlb_backend *be, *tmp;
	struct nlb_group *g;
	bool more = false;

	list_for_each_entry(g, &nn->groups, node) {
		list_for_each_entry_safe(be, tmp, &g->draining, node) {
			if (!nlb_drain_done(nn, be)) {
				more = true;
				continue;
			}
			list_del(&be->node);
			nlb_notify_backend(nn, be, NLB_EVENT_DRAINED);
			nlb_backend_release(nn, be);
		}
	}
	return more;
}

static bool nlb_persist_step(struct nlb_net *nn)
{
	struct nlb_listener *l;
	bool more = false;

	list_for_each_entry(l, &nn->listeners, node) {
		struct nlb_persist *p = nlb_listener_persist(nn, l);

		if (!p)
			continue;
		nlb_persist_expire(p, (unsigned long)l->persist_timeout * HZ);
		more |= l->persist_timeout || READ_ONCE(p->n);
	}
	return more;
}

static void nlb_housekeeping(struct work_struct *work)
{
	struct nlb_net *nn = container_of(to_delayed_work(work),
					  struct nlb_net, housekeeping);
	bool more;

	mutex_lock(&nn->lock);
	more = nlb_drain_step(nn);
	/*
	 * Which backends' connections must leave the flowtable: after the
	 * step, so that a released backend's address, which a new backend
	 * may take, is no longer in the list when housekeeping stops.
	 */
	nlb_offload_drain_update(nn);
	if (more)
		nlb_census_kick(nn);
	more |= nlb_persist_step(nn);
	if (more && !nn->exiting)
		schedule_delayed_work(&nn->housekeeping, HZ);
	mutex_unlock(&nn->lock);
}

/**
 * nlb_drain_start() - make sure housekeeping and the census run: a backend
 * started draining, or a listener has persistence
 * @nn: the namespace state, locked
 */
void nlb_drain_start(struct nlb_net *nn)
{
	lockdep_assert_held(&nn->lock);
	if (nn->exiting)
		return;
	schedule_delayed_work(&nn->housekeeping, HZ);
	nlb_census_kick(nn);
}

/**
 * nlb_drain_net_init() - set up a namespace's housekeeping work
 * @nn: the namespace state
 */
void nlb_drain_net_init(struct nlb_net *nn)
{
	INIT_DELAYED_WORK(&nn->housekeeping, nlb_housekeeping);
}

/**
 * nlb_drain_net_stop() - stop a namespace's housekeeping for good
 * @nn: the namespace state, unlocked, with nn->exiting set
 */
void nlb_drain_net_stop(struct nlb_net *nn)
{
	cancel_delayed_work_sync(&nn->housekeeping);
}
