// SPDX-License-Identifier: GPL-2.0
/*
 * End-of-connection tracking: the conntrack helper "nlb".
 *
 * conntrack has no per-module "connection ended" notification (its event
 * notifier belongs to ctnetlink). A conntrack helper's .destroy is called
 * when a confirmed connection is deleted, so the connections of tracked
 * groups get nlb's helper: it keeps exact counts of active connections and
 * adds up their packets and bytes when they end. A helper makes a
 * connection ineligible for flowtable offload, so groups whose scheduler
 * needs no such counts are not tracked by default.
 *
 * A connection names its backend and listener by identifier only, and
 * holds nothing of theirs: whatever happens to the connection (dropped
 * before confirmation without its helper being told, its helper removed by
 * ctnetlink, nlb unloaded), nothing of nlb's can leak, and an object that
 * is gone is simply not found when the connection is counted or ends.
 * It counts from its first packet after confirmation (an unconfirmed
 * connection can be dropped without .destroy being called) to its end:
 * TIME_WAIT or CLOSE for TCP, seen by .help on that packet, or its deletion.
 */
#include <linux/random.h>
#include <net/netfilter/nf_conntrack_acct.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "backend.h"
#include "group.h"
#include "listener.h"
#include "track.h"

/* Where a tracked connection is in its life. */
enum {
	NLB_CT_NEW,	/* not counted yet */
	NLB_CT_COUNTED,	/* in the active counts */
	NLB_CT_ENDED,	/* ended, or never counted */
};

/*
 * nlb's data in a tracked connection's helper extension, changed under
 * ct->lock. The magic changes with every load of the module, so that a
 * connection tracked by an earlier load is not taken for one of this load's.
 */
struct nlb_ct {
	u32 magic;
	u32 be_id;
	u32 l_id;
	u8 state;
};

static_assert(sizeof(struct nlb_ct) <=
	      sizeof_field(struct nf_conn_help, data));

static struct nf_conntrack_helper nlb_helpers[2];
static u32 nlb_ct_magic __read_mostly;

/* nlb's data in @ct, or NULL; @ours says whether it still has nlb's helper. */
static struct nlb_ct *nlb_ct_data(const struct nf_conn *ct, bool *ours)
{
	const struct nf_conn_help *help = nfct_help(ct);
	struct nf_conntrack_helper *h;
	struct nlb_ct *d;

	if (!help)
		return NULL;
	h = rcu_dereference_raw(help->helper);
	*ours = h == &nlb_helpers[0] || h == &nlb_helpers[1];
	/*
	 * The helper of a connection never changes to another one; ctnetlink
	 * can only remove it. So the data of a connection without a helper
	 * that has nlb's magic is nlb's.
	 */
	if (h && !*ours)
		return NULL;
	d = nfct_help_data(ct);
	return READ_ONCE(d->magic) == nlb_ct_magic ? d : NULL;
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
	d->be_id = be->id;
	d->l_id = l->id;
	d->state = NLB_CT_NEW;
	d->magic = nlb_ct_magic;
	rcu_assign_pointer(help->helper,
			   &nlb_helpers[nf_ct_protonum(ct) == IPPROTO_UDP]);
	set_bit(IPS_HELPER_BIT, &ct->status);
	return 0;
}

/* Count a confirmed connection, under its lock: from now on it ends. */
static void nlb_ct_count(struct nlb_ct *d)
{
	struct nlb_listener *l;
	struct nlb_backend *be;

	be = nlb_backend_lookup_id(d->be_id);
	if (!be) {
		d->state = NLB_CT_ENDED;
		return;
	}
	d->state = NLB_CT_COUNTED;
	atomic_inc(&be->cnt.active);
	atomic_inc(&be->group->cnt.active);
	l = nlb_listener_lookup_id(d->l_id);
	if (l)
		atomic_inc(&l->cnt.active);
}

/*
 * End a counted connection, under its lock: out of the active counts, and
 * its packets and bytes added to the totals of its objects, those that are
 * still there.
 */
static void nlb_ct_end(const struct nf_conn *ct, struct nlb_ct *d)
{
	u64 packets[NLB_NDIR] = {}, bytes[NLB_NDIR] = {};
	const struct nf_conn_acct *acct;
	struct nlb_listener *l;
	struct nlb_backend *be;
	int dir;

	if (d->state != NLB_CT_COUNTED) {
		d->state = NLB_CT_ENDED;
		return;
	}
	d->state = NLB_CT_ENDED;
	acct = nf_conn_acct_find(ct);
	for (dir = 0; acct && dir < NLB_NDIR; dir++) {
		packets[dir] = atomic64_read(&acct->counter[dir].packets);
		bytes[dir] = atomic64_read(&acct->counter[dir].bytes);
	}
	be = nlb_backend_lookup_id(d->be_id);
	if (be) {
		nlb_stats_add_ended(&be->cnt, packets, bytes);
		nlb_stats_add_ended(&be->group->cnt, packets, bytes);
		atomic_dec(&be->cnt.active);
		atomic_dec(&be->group->cnt.active);
	}
	l = nlb_listener_lookup_id(d->l_id);
	if (l) {
		nlb_stats_add_ended(&l->cnt, packets, bytes);
		atomic_dec(&l->cnt.active);
	}
}

/**
 * nlb_ct_closed() - whether a TCP connection has closed
 * @ct: the connection
 *
 * It waits in TIME_WAIT or CLOSE for its conntrack timeout (two minutes
 * by default) but no longer carries data, so it is not active.
 *
 * Return: true for a TCP connection in TIME_WAIT or CLOSE.
 */
bool nlb_ct_closed(const struct nf_conn *ct)
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
	struct nlb_ct *d;
	bool ours;

	/* Nothing to do before confirmation, nor once it has ended. */
	d = nlb_ct_data(ct, &ours);
	if (!d || !nf_ct_is_confirmed(ct) ||
	    READ_ONCE(d->state) == NLB_CT_ENDED)
		return NF_ACCEPT;
	spin_lock_bh(&ct->lock);
	if (nlb_ct_closed(ct))
		nlb_ct_end(ct, d);	/* the packets that follow are late */
	else if (d->state == NLB_CT_NEW)
		nlb_ct_count(d);
	spin_unlock_bh(&ct->lock);
	return NF_ACCEPT;
}

static void nlb_ct_destroy(struct nf_conn *ct)
{
	struct nlb_ct *d;
	bool ours;

	d = nlb_ct_data(ct, &ours);
	if (!d)
		return;
	spin_lock_bh(&ct->lock);
	nlb_ct_end(ct, d);
	spin_unlock_bh(&ct->lock);
}

/**
 * nlb_track_view() - what a connection tells the census
 * @ct: a confirmed connection, with a bucket lock of the conntrack table
 *	held that keeps it
 * @v: set to its backend, listener and whether it is counted
 *
 * A connection whose helper ctnetlink removed (`conntrack -U --helper ""`)
 * is no longer told when it ends: it is ended here, and is an untracked
 * connection from now on.
 *
 * Return: true if @ct is a tracked connection of nlb (@v set).
 */
bool nlb_track_view(struct nf_conn *ct, struct nlb_track_view *v)
{
	struct nlb_ct *d;
	bool ours, tracked;

	d = nlb_ct_data(ct, &ours);
	if (!d)
		return false;
	spin_lock_bh(&ct->lock);
	if (!ours)
		nlb_ct_end(ct, d);
	tracked = d->state != NLB_CT_ENDED;
	v->be_id = d->be_id;
	v->l_id = d->l_id;
	v->counted = d->state == NLB_CT_COUNTED;
	spin_unlock_bh(&ct->lock);
	return tracked;
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

/**
 * nlb_track_init() - register nlb's conntrack helper
 *
 * Return: 0 or a negative errno.
 */
int nlb_track_init(void)
{
	/* Never 0, the value of a zeroed helper data area. */
	nlb_ct_magic = get_random_u32() | 1;
	nlb_helpers[1] = nlb_helpers[0];
	nlb_helpers[1].tuple.dst.protonum = IPPROTO_UDP;
	return nf_conntrack_helpers_register(nlb_helpers,
					     ARRAY_SIZE(nlb_helpers));
}

/**
 * nlb_track_exit() - unregister the helper
 *
 * Unregistering detaches it from every connection and waits until no CPU
 * runs its functions. Tracked connections hold nothing of nlb's, so they
 * simply go on as plain NAT connections.
 */
void nlb_track_exit(void)
{
	nf_conntrack_helpers_unregister(nlb_helpers, ARRAY_SIZE(nlb_helpers));
}
