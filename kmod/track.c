// SPDX-License-Identifier: GPL-2.0
/*
 * End-of-connection tracking, the conntrack table walk, and draining.
 *
 * conntrack has no per-module "connection ended" notification (its event
 * notifier belongs to ctnetlink). A conntrack helper's .destroy is called
 * when a confirmed connection is deleted, so the connections of tracked
 * groups get nlb's helper "nlb": it keeps exact counts of active
 * connections and adds up their packets and bytes when they end. A helper
 * makes a connection ineligible for nft flowtable offload, so groups whose
 * scheduler needs no such counts are not tracked by default.
 *
 * An unconfirmed connection can be dropped (by a filter rule, a clash)
 * without its helper being told, so a tracked connection names its
 * listener and backend by identifier, takes references and is counted
 * only from its first packet after confirmation.
 *
 * The live connections of untracked groups, and the live packets and bytes
 * of all, are found by a walk of the namespace's conntrack table: when
 * counters are read, and every second while a deleted backend drains, to
 * see when its last connection ended or to end them at the drain timeout.
 */
#include <linux/workqueue.h>
#include <net/netfilter/nf_conntrack_acct.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "netlink.h"
#include "offload.h"
#include "reset.h"
#include "track.h"

#define NLB_CT_MAGIC 0x6e6c6231

/*
 * nlb's data in a tracked connection's helper extension. Until the
 * connection is counted it names its backend and listener by identifier;
 * once counted, it holds references. Changed under ct->lock.
 */
struct nlb_ct {
	u32 magic;
	u32 be_id;
	u32 l_id;
	u32 unused;
	struct nlb_backend *be;
	struct nlb_listener *l;
};

static_assert(sizeof(struct nlb_ct) <=
	      sizeof_field(struct nf_conn_help, data));

static struct nf_conntrack_helper nlb_helpers[2];

/* nlb's data in @ct, or NULL when @ct is not tracked by nlb. */
static struct nlb_ct *nlb_ct_data(const struct nf_conn *ct)
{
	const struct nf_conn_help *help = nfct_help(ct);
	struct nf_conntrack_helper *h;
	struct nlb_ct *d;

	if (!help)
		return NULL;
	h = rcu_dereference_raw(help->helper);
	if (h != &nlb_helpers[0] && h != &nlb_helpers[1])
		return NULL;
	d = nfct_help_data(ct);
	return d->magic == NLB_CT_MAGIC ? d : NULL;
}

/**
 * nlb_track_attach() - attach nlb's helper to a new, unconfirmed connection
 * @ct: the connection, with its NAT set up
 * @l: its listener
 * @be: its backend
 *
 * Return: 0 or -ENOMEM.
 */
int nlb_track_attach(struct nf_conn *ct, struct nlb_listener *l,
		     struct nlb_backend *be)
{
	struct nf_conn_help *help;
	struct nlb_ct *d;

	help = nf_ct_helper_ext_add(ct, GFP_ATOMIC);
	if (!help)
		return -ENOMEM;
	d = (struct nlb_ct *)help->data;
	d->magic = NLB_CT_MAGIC;
	d->be_id = be->id;
	d->l_id = l->id;
	rcu_assign_pointer(help->helper,
			   &nlb_helpers[nf_ct_protonum(ct) == IPPROTO_UDP]);
	set_bit(IPS_HELPER_BIT, &ct->status);
	return 0;
}

/* Count a confirmed connection: from now on its end is reported. */
static void nlb_ct_count(struct nf_conn *ct, struct nlb_ct *d)
{
	struct nlb_listener *l;
	struct nlb_backend *be;

	spin_lock_bh(&ct->lock);
	if (!d->be_id)
		goto out;
	be = nlb_backend_lookup_id(d->be_id);
	l = nlb_listener_lookup_id(d->l_id);
	d->be_id = 0;
	d->l_id = 0;
	if (!be || !refcount_inc_not_zero(&be->ref))
		goto out;
	if (l && !refcount_inc_not_zero(&l->ref))
		l = NULL;
	d->be = be;
	d->l = l;
	atomic_inc(&be->cnt.active);
	atomic_inc(&be->group->cnt.active);
	if (l)
		atomic_inc(&l->cnt.active);
out:
	spin_unlock_bh(&ct->lock);
}

/* Take a counted connection's references out of its data. */
static struct nlb_backend *nlb_ct_take(struct nf_conn *ct, struct nlb_ct *d,
				       struct nlb_listener **l)
{
	struct nlb_backend *be;

	spin_lock_bh(&ct->lock);
	be = d->be;
	*l = d->l;
	d->be = NULL;
	d->l = NULL;
	d->be_id = 0;
	d->l_id = 0;
	spin_unlock_bh(&ct->lock);
	return be;
}

static void nlb_ct_end(struct nf_conn *ct, bool account)
{
	struct nlb_ct *d = nlb_ct_data(ct);
	u64 packets[NLB_NDIR] = {}, bytes[NLB_NDIR] = {};
	const struct nf_conn_acct *acct;
	struct nlb_listener *l;
	struct nlb_backend *be;
	int dir;

	if (!d)
		return;
	be = nlb_ct_take(ct, d, &l);
	if (!be)
		return;
	acct = nf_conn_acct_find(ct);
	for (dir = 0; acct && dir < NLB_NDIR; dir++) {
		packets[dir] = atomic64_read(&acct->counter[dir].packets);
		bytes[dir] = atomic64_read(&acct->counter[dir].bytes);
	}
	if (account) {
		nlb_stats_add_ended(&be->cnt, packets, bytes);
		nlb_stats_add_ended(&be->group->cnt, packets, bytes);
	}
	atomic_dec(&be->cnt.active);
	atomic_dec(&be->group->cnt.active);
	if (l) {
		if (account)
			nlb_stats_add_ended(&l->cnt, packets, bytes);
		atomic_dec(&l->cnt.active);
		nlb_listener_put(l);
	}
	nlb_backend_put(be);
}

/*
 * Whether a TCP connection has closed: it waits in TIME_WAIT or CLOSE for
 * its conntrack timeout (two minutes by default) but no longer carries
 * data, so it is not active.
 */
static bool nlb_ct_closed(const struct nf_conn *ct)
{
	u8 state;

	if (nf_ct_protonum(ct) != IPPROTO_TCP)
		return false;
	state = READ_ONCE(ct->proto.tcp.state);
	return state == TCP_CONNTRACK_TIME_WAIT || state == TCP_CONNTRACK_CLOSE;
}

static int nlb_ct_help(struct sk_buff *skb, unsigned int protoff,
		       struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct nlb_ct *d = nlb_ct_data(ct);

	/* Nothing to do before confirmation, nor once the count has ended. */
	if (!d || !nf_ct_is_confirmed(ct) ||
	    (!READ_ONCE(d->be) && !READ_ONCE(d->be_id)))
		return NF_ACCEPT;
	if (nlb_ct_closed(ct))
		nlb_ct_end(ct, true);	/* the packets that follow are late */
	else if (READ_ONCE(d->be_id))
		nlb_ct_count(ct, d);
	return NF_ACCEPT;
}

static void nlb_ct_destroy(struct nf_conn *ct)
{
	nlb_ct_end(ct, true);
}

static const struct nf_conntrack_expect_policy nlb_expect_policy = {
	.max_expected	= 0,
	.timeout	= 1,
};

/* One helper per protocol, the same otherwise; see nlb_track_init(). */
static struct nf_conntrack_helper nlb_helpers[2] = {
	{
		.name		= "nlb",
		.me		= THIS_MODULE,
		.tuple.src.l3num = NFPROTO_UNSPEC,
		.tuple.dst.protonum = IPPROTO_TCP,
		.help		= nlb_ct_help,
		.destroy	= nlb_ct_destroy,
		.expect_policy	= &nlb_expect_policy,
		.data_len	= sizeof(struct nlb_ct),
	},
};

/* The conntrack table walk */

struct nlb_census_ctx {
	struct nlb_net *nn;
	bool drain;
	struct list_head resets;
};

/*
 * How long after its drain timeout a connection that was offloaded may take
 * to tell its sequence numbers, before it is ended with what is known.
 */
#define NLB_DRAIN_SYNC_GRACE	(5 * HZ)

/*
 * Is @ct, whose drain timeout has expired, one whose sequence numbers
 * conntrack does not know yet, because nlb's flowtable carried it? Then it
 * is not ended in this walk: while still offloaded, the flowtable hands it
 * back within a second (offload.c); once back, ACKs drawn from the ends
 * whose numbers are missing tell conntrack (reset.c). After the grace, and
 * at once for a flowtable that is not nlb's (its group has offload off),
 * the connection ends with what is known.
 */
static bool nlb_drain_unsynced(struct nlb_census_ctx *ctx, struct nf_conn *ct,
			       const struct nlb_backend *be)
{
	struct nlb_reset probe, *p;

	if (!time_before(jiffies,
			 nlb_backend_drain_end(be) + NLB_DRAIN_SYNC_GRACE))
		return false;
	if (test_bit(IPS_OFFLOAD_BIT, &ct->status))
		return READ_ONCE(be->group->offload);
	if (!nlb_reset_probe_prepare(ct, &probe))
		return false;
	/* Without memory, the next walk asks again. */
	p = kmemdup(&probe, sizeof(probe), GFP_ATOMIC);
	if (p)
		list_add_tail(&p->list, &ctx->resets);
	return true;
}

/* The backend of an untracked connection of group @g. */
static struct nlb_backend *nlb_census_backend(struct nlb_group *g, int fam,
					      const struct nf_conn *ct)
{
	struct list_head *lists[] = { &g->backends[fam], &g->draining };
	struct nlb_backend *be;
	int i;

	for (i = 0; i < ARRAY_SIZE(lists); i++)
		list_for_each_entry(be, lists[i], node)
			if (nlb_ct_to_backend(ct, be->fam, &be->addr, be->port))
				return be;
	return NULL;
}

static void nlb_snap_add(struct nlb_counters *c, bool active,
			 const u64 *packets, const u64 *bytes)
{
	int dir;

	c->snap.active += active;
	for (dir = 0; dir < NLB_NDIR; dir++) {
		c->snap.packets[dir] += packets[dir];
		c->snap.bytes[dir] += bytes[dir];
	}
}

static int nlb_census_ct(struct nf_conn *ct, void *data)
{
	u64 packets[NLB_NDIR] = {}, bytes[NLB_NDIR] = {};
	const struct nf_conntrack_tuple *o;
	struct nlb_census_ctx *ctx = data;
	struct nlb_net *nn = ctx->nn;
	const struct nf_conn_acct *acct;
	struct nlb_listener *l = NULL;
	struct nlb_backend *be = NULL;
	struct nlb_reset *reset;
	bool counted = false, closed;
	struct nlb_ct *d;
	int fam, dir;

	if (!(ct->status & IPS_DST_NAT))
		return 0;
	closed = nlb_ct_closed(ct);
	o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	fam = nf_ct_l3num(ct) == NFPROTO_IPV4 ? NLB_FAM4 : NLB_FAM6;
	d = nlb_ct_data(ct);
	if (d) {
		be = READ_ONCE(d->be);
		counted = be;
		if (be) {
			l = READ_ONCE(d->l);
		} else {
			be = nlb_backend_lookup_id(READ_ONCE(d->be_id));
			l = nlb_listener_lookup_id(READ_ONCE(d->l_id));
		}
	} else {
		l = nlb_listener_lookup(nn, fam, &o->dst.u3, o->dst.protonum,
					ntohs(o->dst.u.all));
		if (l)
			be = nlb_census_backend(nlb_listener_group(nn, l),
						fam, ct);
	}
	if (!be)
		return 0;

	acct = nf_conn_acct_find(ct);
	for (dir = 0; acct && dir < NLB_NDIR; dir++) {
		packets[dir] = atomic64_read(&acct->counter[dir].packets);
		bytes[dir] = atomic64_read(&acct->counter[dir].bytes);
	}
	nlb_snap_add(&be->cnt, !counted && !closed, packets, bytes);
	nlb_snap_add(&be->group->cnt, !counted && !closed, packets, bytes);
	if (l)
		nlb_snap_add(&l->cnt, !counted && !closed, packets, bytes);

	if (!ctx->drain || closed || !be->draining ||
	    !nlb_backend_drain_expired(be))
		return 0;
	/* The drain timeout has expired: end the connection. */
	if (nlb_drain_unsynced(ctx, ct, be))
		return 0;
	reset = kmalloc(sizeof(*reset), GFP_ATOMIC);
	if (reset && nlb_reset_prepare(ct, reset))
		list_add_tail(&reset->list, &ctx->resets);
	else
		kfree(reset);
	nlb_stats_count(&be->cnt, drained);
	nlb_stats_count(&be->group->cnt, drained);
	if (l)
		nlb_stats_count(&l->cnt, drained);
	return 1;
}

static void nlb_snap_clear(struct nlb_net *nn)
{
	struct nlb_listener *l;
	struct nlb_backend *be;
	struct nlb_group *g;
	int fam;

	list_for_each_entry(l, &nn->listeners, node)
		memset(&l->cnt.snap, 0, sizeof(l->cnt.snap));
	list_for_each_entry(g, &nn->groups, node) {
		memset(&g->cnt.snap, 0, sizeof(g->cnt.snap));
		for (fam = 0; fam < NLB_NFAM; fam++)
			list_for_each_entry(be, &g->backends[fam], node)
				memset(&be->cnt.snap, 0, sizeof(be->cnt.snap));
		list_for_each_entry(be, &g->draining, node)
			memset(&be->cnt.snap, 0, sizeof(be->cnt.snap));
	}
}

static void nlb_walk(struct nlb_net *nn, bool drain)
{
	struct nlb_census_ctx ctx = { .nn = nn, .drain = drain };
	struct nf_ct_iter_data iter = { .net = nn->net, .data = &ctx };
	struct nlb_reset *reset, *tmp;

	lockdep_assert_held(&nn->lock);
	INIT_LIST_HEAD(&ctx.resets);
	nlb_snap_clear(nn);
	nf_ct_iterate_cleanup_net(nlb_census_ct, &iter);
	list_for_each_entry_safe(reset, tmp, &ctx.resets, list) {
		nlb_reset_send(nn->net, reset);
		kfree(reset);
	}
}

/**
 * nlb_census() - walk the namespace's conntrack table to count the live
 * connections of untracked groups and the live packets and bytes of all
 * @nn: the namespace state, locked
 *
 * The results are in the counters' snapshots, for the replies that follow.
 */
void nlb_census(struct nlb_net *nn)
{
	nlb_walk(nn, false);
}

/* Housekeeping: draining and expiry of persistence entries */

static bool nlb_drain_step(struct nlb_net *nn)
{
	struct nlb_backend *be, *tmp;
	struct nlb_group *g;
	bool more = false;

	list_for_each_entry(g, &nn->groups, node) {
		list_for_each_entry_safe(be, tmp, &g->draining, node) {
			if (atomic_read(&be->cnt.active) ||
			    be->cnt.snap.active) {
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
	bool draining = false, more;
	struct nlb_group *g;

	mutex_lock(&nn->lock);
	list_for_each_entry(g, &nn->groups, node)
		draining |= !list_empty(&g->draining);
	if (draining) {
		nlb_offload_drain_update(nn);
		nlb_walk(nn, true);
	}
	more = (draining && nlb_drain_step(nn)) | nlb_persist_step(nn);
	if (draining)
		nlb_offload_drain_update(nn);
	if (more && !nn->exiting)
		schedule_delayed_work(&nn->housekeeping, HZ);
	mutex_unlock(&nn->lock);
}

/**
 * nlb_housekeeping_kick() - make sure housekeeping runs within a second
 * @nn: the namespace state
 */
void nlb_housekeeping_kick(struct nlb_net *nn)
{
	if (!READ_ONCE(nn->exiting))
		schedule_delayed_work(&nn->housekeeping, HZ);
}

/**
 * nlb_housekeeping_init() - set up a namespace's housekeeping work
 * @nn: the namespace state
 */
void nlb_housekeeping_init(struct nlb_net *nn)
{
	INIT_DELAYED_WORK(&nn->housekeeping, nlb_housekeeping);
}

/**
 * nlb_housekeeping_stop() - stop a namespace's housekeeping for good
 * @nn: the namespace state, unlocked
 */
void nlb_housekeeping_stop(struct nlb_net *nn)
{
	mutex_lock(&nn->lock);
	WRITE_ONCE(nn->exiting, true);
	mutex_unlock(&nn->lock);
	cancel_delayed_work_sync(&nn->housekeeping);
}

/**
 * nlb_track_init() - register nlb's conntrack helper
 *
 * Return: 0 or a negative errno.
 */
int nlb_track_init(void)
{
	nlb_helpers[1] = nlb_helpers[0];
	nlb_helpers[1].tuple.dst.protonum = IPPROTO_UDP;
	return nf_conntrack_helpers_register(nlb_helpers,
					     ARRAY_SIZE(nlb_helpers));
}

static int nlb_ct_detach(struct nf_conn *ct, void *data)
{
	nlb_ct_end(ct, false);
	return 0;
}

/**
 * nlb_track_exit() - release every connection's references and unregister
 * the helper
 *
 * Called after every namespace's configuration is gone, so no connection
 * can be counted any more.
 */
void nlb_track_exit(void)
{
	nf_ct_iterate_destroy(nlb_ct_detach, NULL);
	nf_conntrack_helpers_unregister(nlb_helpers, ARRAY_SIZE(nlb_helpers));
}
