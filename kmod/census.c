// SPDX-License-Identifier: GPL-2.0
/*
 * The census: a background walk of the conntrack table that counts, per
 * listener, group and backend, the live connections of untracked groups
 * (and tracked ones not counted yet) and the live packets and bytes of
 * all, and ends the connections of backends whose drain timeout expired.
 *
 * Reads never walk: replies show the snapshot of the last complete census
 * and info-get tells its age. The walk is incremental, as conntrack's own
 * garbage collector is: a slice of buckets per run of a work item, each
 * bucket under its own lock with BHs disabled, nothing held between slices
 * (not nlb_net.lock either: configuration changes do not wait for it),
 * and what a slice finds to do (end a connection, send RSTs) is done once
 * its locks are dropped, in batches of bounded size.
 *
 * When: while the namespace has listeners or draining backends, a census
 * every second while someone reads counters (for a minute after the last
 * read), a backend drains or a census-run waits, else every ten seconds;
 * never more often than one fifth of the time (the next census starts at
 * least four times the last one's duration after it ended). census-run
 * (CAP_NET_ADMIN) asks for one at once, rate-limited: at most one every
 * 200 ms, and not sooner than twice the last one's duration after it.
 *
 * Staleness: a snapshot describes the table as the walk found it, between
 * the census's start and its end; info-get reports when it ended. A
 * connection confirmed after the walk passed its bucket, or one that ended
 * before, is in the next census.
 *
 * Every connection is seen once per census: the walk looks at the reply
 * direction's entry only (conntrack's own walks do the same; the original
 * direction's may be missing after a NAT clash), and a resize of the table
 * during a census restarts it.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_acct.h>
#include <net/netfilter/nf_conntrack_core.h>

#include "backend.h"
#include "census.h"
#include "group.h"
#include "listener.h"
#include "reset.h"
#include "track.h"
#include "xconn.h"
#include "xpool.h"

/*
 * One slice: at most this many buckets walked under their lock, empty
 * buckets passed by, or connections of the namespace.
 */
#define NLB_CENSUS_SLICE_BUCKETS	2048
#define NLB_CENSUS_SLICE_PEEKS		65536
#define NLB_CENSUS_SLICE_CONNS		4096
/* Actions a slice may gather; more wait for the next census. */
#define NLB_CENSUS_BATCH		64

#define NLB_CENSUS_INTERVAL		HZ
#define NLB_CENSUS_IDLE_INTERVAL	(10 * HZ)
/* How long a read keeps censuses frequent. */
#define NLB_CENSUS_WANTED		(60 * HZ)
#define NLB_CENSUS_ON_DEMAND_GAP	(HZ / 5)
#define NLB_CENSUS_RUN_TIMEOUT		(30 * HZ)

/*
 * How long after its drain timeout a connection that was offloaded may take
 * to tell its sequence numbers, before it is ended with what is known.
 */
#define NLB_DRAIN_SYNC_GRACE		(5 * HZ)

enum nlb_census_kind {
	NLB_CENSUS_END,		/* delete the connection, after its RSTs */
	/* The same for a client's leg; its backend's leg resets the backend. */
	NLB_CENSUS_END_XLAT,
	NLB_CENSUS_PROBE,	/* draw ACKs from its ends */
};

/**
 * struct nlb_census_act - a connection the walk found to act on
 * @ct: the connection, with a reference
 * @be_id: its backend
 * @l_id: its listener, or 0
 * @kind: enum nlb_census_kind
 * @has_segs: @segs holds segments to send
 * @segs: the RSTs (or probing ACKs) to send
 */
struct nlb_census_act {
	struct nf_conn *ct;
	u32 be_id;
	u32 l_id;
	u8 kind;
	bool has_segs;
	struct nlb_reset segs;
};

/**
 * struct nlb_census_batch - what one slice of the walk found to act on
 * @n: entries used
 * @act: the entries
 */
struct nlb_census_batch {
	unsigned int n;
	struct nlb_census_act act[NLB_CENSUS_BATCH];
};

static struct nlb_census *nlb_census_of(struct nlb_net *nn)
{
	return &nn->census;
}

/* Is a census of the namespace of any use now? Under nn->lock. */
static bool nlb_census_needed(struct nlb_net *nn)
{
	struct nlb_group *g;

	if (nn->n_listeners || nn->census.want_seq > nn->census.snap_seq)
		return true;
	list_for_each_entry(g, &nn->groups, node)
		if (!list_empty(&g->draining))
			return true;
	return false;
}

static bool nlb_census_frequent(struct nlb_net *nn)
{
	struct nlb_group *g;

	if (time_before(jiffies, nn->census.wanted_until))
		return true;
	list_for_each_entry(g, &nn->groups, node)
		if (!list_empty(&g->draining))
			return true;
	return false;
}

/*
 * Make sure a census starts within @delay (jiffies) unless one runs; a
 * census already due sooner keeps its time. Under nn->lock.
 */
static void nlb_census_queue(struct nlb_net *nn, unsigned long delay)
{
	struct nlb_census *c = nlb_census_of(nn);
	unsigned long when = jiffies + delay;

	if (nn->exiting || c->running)
		return;
	if (delayed_work_pending(&c->work) &&
	    time_before_eq(c->work.timer.expires, when))
		return;
	mod_delayed_work(system_unbound_wq, &c->work, delay);
}

/* When the next census may start, as the rate limits say. Under nn->lock. */
static unsigned long nlb_census_next_delay(struct nlb_net *nn)
{
	struct nlb_census *c = nlb_census_of(nn);
	unsigned long took = usecs_to_jiffies(c->duration_us);
	unsigned long since = jiffies - c->snap_time;
	unsigned long gap;

	if (!c->snap_seq)
		return 0;
	if (c->want_seq > c->snap_seq)
		gap = max(NLB_CENSUS_ON_DEMAND_GAP, 2 * took);
	else if (nlb_census_frequent(nn))
		gap = max(NLB_CENSUS_INTERVAL, 4 * took);
	else
		gap = max(NLB_CENSUS_IDLE_INTERVAL, 4 * took);
	return since >= gap ? 0 : gap - since;
}

/**
 * nlb_census_kick() - a census may be of use now: make sure one is planned
 * @nn: the namespace state, locked
 *
 * Called when a listener is added or a backend starts draining.
 */
void nlb_census_kick(struct nlb_net *nn)
{
	lockdep_assert_held(&nn->lock);
	if (nlb_census_needed(nn))
		nlb_census_queue(nn, nlb_census_next_delay(nn));
}

/**
 * nlb_census_want() - a reader looked at the counters
 * @nn: the namespace state, locked
 * @max_age_ms: the oldest snapshot it wants next time
 *
 * Censuses stay frequent for a minute; a snapshot older than @max_age_ms
 * has a new census start in the background (within the rate limits), for
 * the next reads. Nothing waits here.
 */
void nlb_census_want(struct nlb_net *nn, u32 max_age_ms)
{
	struct nlb_census *c = nlb_census_of(nn);

	lockdep_assert_held(&nn->lock);
	c->wanted_until = jiffies + NLB_CENSUS_WANTED;
	if (!c->snap_seq || nlb_census_age_ms(nn) > max_age_ms)
		nlb_census_kick(nn);
}

/**
 * nlb_census_age_ms() - how old the snapshot is
 * @nn: the namespace state, locked
 *
 * Return: milliseconds since the census of the counters' snapshot ended,
 * U32_MAX when there is none.
 */
u32 nlb_census_age_ms(const struct nlb_net *nn)
{
	const struct nlb_census *c = &nn->census;

	if (!c->snap_seq)
		return U32_MAX;
	return min_t(unsigned long, jiffies_to_msecs(jiffies - c->snap_time),
		     U32_MAX - 1);
}

/**
 * nlb_census_next_seq() - the sequence number of the next census to start
 * @nn: the namespace state, locked
 *
 * A snapshot from a census of at least this number saw the table as it is
 * from now on.
 *
 * Return: the number.
 */
u64 nlb_census_next_seq(const struct nlb_net *nn)
{
	return nn->census.seq + 1;
}

/**
 * nlb_census_run() - make sure the snapshot is at most @max_age_ms old
 * @nn: the namespace state, locked; unlocked while waiting
 * @max_age_ms: the oldest snapshot the caller accepts
 * @extack: for the error message
 *
 * When the snapshot is older, waits for a census that starts after the
 * call (at once, or as soon as the rate limit allows).
 *
 * Return: 0, -EINTR when interrupted, or -ETIMEDOUT.
 */
int nlb_census_run(struct nlb_net *nn, u32 max_age_ms,
		   struct netlink_ext_ack *extack)
{
	struct nlb_census *c = nlb_census_of(nn);
	u64 target;
	long left;

	lockdep_assert_held(&nn->lock);
	c->wanted_until = jiffies + NLB_CENSUS_WANTED;
	if (c->snap_seq && nlb_census_age_ms(nn) <= max_age_ms)
		return 0;
	target = c->seq + 1;
	c->want_seq = max(c->want_seq, target);
	nlb_census_queue(nn, nlb_census_next_delay(nn));
	mutex_unlock(&nn->lock);
	left = wait_event_killable_timeout(c->wq,
					   READ_ONCE(c->snap_seq) >= target ||
					   READ_ONCE(nn->exiting),
					   NLB_CENSUS_RUN_TIMEOUT);
	mutex_lock(&nn->lock);
	if (left < 0)
		return -EINTR;
	if (c->snap_seq < target) {
		NL_SET_ERR_MSG(extack,
			       "the census of the conntrack table did not finish in time");
		return -ETIMEDOUT;
	}
	return 0;
}

static void nlb_snap_add(struct nlb_snap *s, bool counted, bool closed,
			 const u64 *packets, const u64 *bytes)
{
	int dir;

	if (!closed) {
		if (counted)
			s->tracked++;
		else
			s->active++;
	}
	for (dir = 0; dir < NLB_NDIR; dir++) {
		s->packets[dir] += packets[dir];
		s->bytes[dir] += bytes[dir];
	}
}

/* The backend of an untracked connection of group @g, by its reply tuple. */
static struct nlb_backend *nlb_census_backend(struct nlb_net *nn,
					      const struct nlb_group *g,
					      int fam, const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *o, *r;
	struct nlb_backend *be;

	o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	be = nlb_backend_lookup(nn, g, fam, &r->src.u3, ntohs(r->src.u.all));
	if (be)
		return be;
	/* A backend of port 0 keeps the port the client connected to. */
	if (o->dst.u.all != r->src.u.all)
		return NULL;
	return nlb_backend_lookup(nn, g, fam, &r->src.u3, 0);
}

/*
 * Is @ct, whose drain timeout has expired, one whose sequence numbers
 * conntrack does not know yet, because nlb's flowtable carried it? Then it
 * is not ended in this census: while still offloaded, the flowtable hands
 * it back within a second (offload.c); once back, ACKs drawn from the ends
 * whose numbers are missing tell conntrack (reset.c). After the grace, and
 * at once for a flowtable that is not nlb's (its group has offload off),
 * the connection ends with what is known. @act is filled with the ACKs to
 * send, if any.
 */
static bool nlb_drain_unsynced(struct nf_conn *ct,
			       const struct nlb_backend *be,
			       struct nlb_census_act *act)
{
	if (!time_before(jiffies,
			 nlb_backend_drain_end(be) + NLB_DRAIN_SYNC_GRACE))
		return false;
	if (test_bit(IPS_OFFLOAD_BIT, &ct->status))
		return READ_ONCE(be->group->offload);
	act->has_segs = nlb_reset_probe_prepare(ct, &act->segs);
	return act->has_segs;
}

/*
 * Queue an action on @ct if the batch has room (else the next census
 * does it). Return: the entry, or NULL.
 */
static struct nlb_census_act *nlb_census_act_get(struct nlb_census_batch *b,
						 struct nf_conn *ct,
						 const struct nlb_backend *be,
						 const struct nlb_listener *l)
{
	struct nlb_census_act *act;

	if (!b || b->n == NLB_CENSUS_BATCH ||
	    !refcount_inc_not_zero(&ct->ct_general.use))
		return NULL;
	act = &b->act[b->n++];
	act->ct = ct;
	act->be_id = be->id;
	act->l_id = l ? l->id : 0;
	act->has_segs = false;
	return act;
}

/*
 * One connection of the namespace, under the bucket lock that holds it.
 * Return: whether its drain timeout ends it (it then counts no more).
 */
static bool nlb_census_drain(struct nlb_census *c, struct nf_conn *ct,
			     const struct nlb_backend *be,
			     const struct nlb_listener *l, bool client)
{
	struct nlb_census_act *act;

	if (!READ_ONCE(be->draining) || !nlb_backend_drain_expired(be))
		return false;
	act = nlb_census_act_get(c->batch, ct, be, l);
	if (!act)
		return false;
	if (!client && nlb_drain_unsynced(ct, be, act)) {
		act->kind = NLB_CENSUS_PROBE;
		if (!act->has_segs) {
			/* Still offloaded: nothing to do yet. */
			c->batch->n--;
			nf_ct_put(ct);
		}
		return false;
	}
	act->kind = client ? NLB_CENSUS_END_XLAT : NLB_CENSUS_END;
	nlb_track_settle(ct);
	act->has_segs = nlb_reset_prepare(ct, &act->segs, client ?
					  NLB_RESET_CLIENT : NLB_RESET_BOTH);
	return true;
}

/*
 * A connection that cannot go on (a translated one whose group is gone; one
 * whose PROXY header was being sent when ctnetlink removed its helper, which
 * gets RSTs too): deleted, not counted drained. One the batch has no room
 * for is ended by the next census.
 */
static void nlb_census_kill(struct nlb_census *c, struct nf_conn *ct,
			    bool rst)
{
	struct nlb_census_act *act;

	if (!c->batch || c->batch->n == NLB_CENSUS_BATCH ||
	    !refcount_inc_not_zero(&ct->ct_general.use))
		return;
	act = &c->batch->act[c->batch->n++];
	act->ct = ct;
	act->be_id = 0;
	act->l_id = 0;
	act->kind = NLB_CENSUS_END;
	act->has_segs = rst && nlb_reset_prepare(ct, &act->segs,
						 NLB_RESET_BOTH);
}

static void nlb_census_ct(struct nlb_net *nn, struct nf_conn *ct)
{
	u64 packets[NLB_NDIR] = {}, bytes[NLB_NDIR] = {};
	struct nlb_census *c = nlb_census_of(nn);
	const struct nf_conntrack_tuple *o;
	const struct nf_conn_acct *acct;
	struct nlb_listener *l = NULL;
	struct nlb_backend *be = NULL;
	bool counted = false, client = false, closed, tracked;
	struct nlb_track_view v;
	int fam, dir;

	c->conns++;
	if (nf_ct_is_dying(ct))
		return;
	fam = nf_ct_l3num(ct) == NFPROTO_IPV4 ? NLB_FAM4 : NLB_FAM6;
	tracked = nlb_track_view(ct, &v);
	if (v.end) {
		nlb_census_kill(c, ct, true);
		return;
	}
	if (tracked) {
		/*
		 * A translated connection counts with its client's leg. A
		 * backend's leg whose backend or client's leg is gone cannot
		 * go on (its client's leg could not end it).
		 */
		if (v.role == NLB_CT_SERVER) {
			if (!nlb_xconn_server_live(ct))
				nlb_census_kill(c, ct, false);
			return;
		}
		be = nlb_backend_lookup_id(v.be_id);
		l = nlb_listener_lookup_id(v.l_id);
		counted = v.counted;
		client = v.role == NLB_CT_CLIENT;
		if (client) {
			if (!be) {
				/* Its group is gone: it cannot be translated. */
				nlb_census_kill(c, ct, false);
				return;
			}
			nlb_xconn_census_seen(ct, nlb_ct_find(ct), be, c->seq);
		}
		/* In the totals already, and not active. */
		if (v.ended)
			return;
	} else if (READ_ONCE(ct->status) & IPS_DST_NAT) {
		o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
		l = nlb_listener_lookup_tuple(nn, fam, o);
		if (l)
			be = nlb_census_backend(nn, rcu_dereference(l->group),
						fam, ct);
	}
	if (!be)
		return;

	closed = nlb_ct_closed(ct);
	if (!closed && nlb_census_drain(c, ct, be, l, client))
		return;
	acct = nf_conn_acct_find(ct);
	for (dir = 0; acct && dir < NLB_NDIR; dir++) {
		packets[dir] = atomic64_read(&acct->counter[dir].packets);
		bytes[dir] = atomic64_read(&acct->counter[dir].bytes);
	}
	nlb_snap_add(&be->cnt.acc, counted, closed, packets, bytes);
	nlb_snap_add(&be->group->cnt.acc, counted, closed, packets, bytes);
	if (l)
		nlb_snap_add(&l->cnt.acc, counted, closed, packets, bytes);
}

/*
 * Walk one slice of the table. Return: 1 when the census is complete, 0
 * when there is more, -EAGAIN when the table was resized under it.
 */
static int nlb_census_slice(struct nlb_net *nn)
{
	struct nlb_census *c = nlb_census_of(nn);
	unsigned int buckets = 0, peeks = 0, conns = 0;
	u64 seen = c->conns;
	int ret = 0;

	rcu_read_lock();
	while (buckets < NLB_CENSUS_SLICE_BUCKETS &&
	       peeks < NLB_CENSUS_SLICE_PEEKS &&
	       conns < NLB_CENSUS_SLICE_CONNS &&
	       (!c->batch || c->batch->n < NLB_CENSUS_BATCH)) {
		struct nf_conntrack_tuple_hash *h;
		struct hlist_nulls_head *hash;
		struct hlist_nulls_node *n;
		unsigned int i = c->bucket;
		spinlock_t *lockp; /* conntrack's lock of bucket i */
		unsigned int size;

		/*
		 * An empty bucket of the table the census walks is passed by
		 * without its lock: a connection confirmed into it meanwhile
		 * is one the next census counts. The table stays valid under
		 * RCU; whether it is still the current one is checked under a
		 * lock, at the latest when the census ends.
		 */
		hash = READ_ONCE(nf_conntrack_hash);
		size = READ_ONCE(nf_conntrack_htable_size);
		peeks++;
		if (i && i < size && hash == c->hash && size == c->hsize &&
		    hlist_nulls_empty(&hash[i])) {
			c->bucket++;
			continue;
		}

		lockp = &nf_conntrack_locks[i % CONNTRACK_LOCKS];
		local_bh_disable();
		nf_conntrack_lock(lockp);
		/* nf_conntrack_lock() takes it, unannotated (for sparse). */
		__acquire(lockp);
		/* A resize changes both under every bucket lock. */
		hash = READ_ONCE(nf_conntrack_hash);
		size = READ_ONCE(nf_conntrack_htable_size);
		if (!i) {
			c->hash = hash;
			c->hsize = size;
		} else if (hash != c->hash || size != c->hsize) {
			ret = -EAGAIN;
		}
		if (!ret && i >= size)
			ret = 1;
		if (!ret) {
			hlist_nulls_for_each_entry(h, n, &hash[i], hnnode) {
				struct nf_conn *ct;

				if (NF_CT_DIRECTION(h) != IP_CT_DIR_REPLY)
					continue;
				ct = nf_ct_tuplehash_to_ctrack(h);
				if (net_eq(nf_ct_net(ct), nn->net))
					nlb_census_ct(nn, ct);
			}
		}
		spin_unlock(lockp);
		local_bh_enable();
		if (ret)
			break;
		c->bucket++;
		buckets++;
		conns = c->conns - seen;
	}
	rcu_read_unlock();
	return ret;
}

/*
 * The RSTs to the backend of the translated connection of client's leg
 * @ct, from its backend's leg (of the other family), while it is there:
 * deleting the client's leg takes it. Looked up here, without the
 * conntrack locks the walk holds: a lookup may delete expired entries.
 */
static bool nlb_census_server_rst(struct nf_conn *ct, u32 be_id,
				  struct nlb_reset *r)
{
	struct nlb_backend *be;
	struct nf_conn *server;
	bool has = false;

	rcu_read_lock();
	be = nlb_backend_lookup_id(be_id);
	server = be ? nlb_xconn_server_get(ct, be) : NULL;
	rcu_read_unlock();
	if (server) {
		nlb_track_settle(server);
		has = nlb_reset_prepare(server, r, NLB_RESET_BACKEND);
		nf_ct_put(server);
	}
	return has;
}

/* Do what the slice found to do, its locks dropped. */
static void nlb_census_act(struct nlb_net *nn)
{
	struct nlb_census_batch *b = nn->census.batch;
	struct nlb_reset server_rst;
	unsigned int i;

	for (i = 0; b && i < b->n; i++) {
		struct nlb_census_act *act = &b->act[i];
		bool server_segs = false;
		struct nlb_listener *l;
		struct nlb_backend *be;

		if (act->kind == NLB_CENSUS_END_XLAT)
			server_segs = nlb_census_server_rst(act->ct, act->be_id,
							    &server_rst);
		if (act->kind != NLB_CENSUS_PROBE &&
		    nf_ct_delete(act->ct, 0, 0)) {
			rcu_read_lock();
			be = nlb_backend_lookup_id(act->be_id);
			l = nlb_listener_lookup_id(act->l_id);
			if (be) {
				nlb_stats_count(&be->cnt, drained);
				nlb_stats_count(&be->group->cnt, drained);
			}
			if (l)
				nlb_stats_count(&l->cnt, drained);
			rcu_read_unlock();
		}
		/* Sent after the deletion, and never under a conntrack lock. */
		if (act->has_segs)
			nlb_reset_send(nn->net, &act->segs);
		if (server_segs)
			nlb_reset_send(nn->net, &server_rst);
		nf_ct_put(act->ct);
		if (!(i % 8))
			cond_resched();
	}
	if (b)
		b->n = 0;
}

/* Every object's counters, in the configuration. Under nn->lock. */
static void nlb_census_each(struct nlb_net *nn,
			    void (*fn)(struct nlb_counters *c))
{
	struct nlb_listener *l;
	struct nlb_backend *be;
	struct nlb_group *g;
	int fam;

	list_for_each_entry(l, &nn->listeners, node)
		fn(&l->cnt);
	list_for_each_entry(g, &nn->groups, node) {
		fn(&g->cnt);
		for (fam = 0; fam < NLB_NFAM; fam++)
			list_for_each_entry(be, &g->backends[fam], node)
				fn(&be->cnt);
		list_for_each_entry(be, &g->draining, node)
			fn(&be->cnt);
	}
}

static void nlb_census_clear(struct nlb_counters *c)
{
	memset(&c->acc, 0, sizeof(c->acc));
}

/* The source pools of every group: a census begins or ends. */
static void nlb_census_xpools(struct nlb_net *nn, bool end)
{
	struct nlb_group *g;
	int fam;

	list_for_each_entry(g, &nn->groups, node) {
		for (fam = 0; fam < NLB_NFAM; fam++) {
			struct nlb_xpool *p;

			p = rcu_dereference_protected(g->xpool[fam],
						      lockdep_is_held(&nn->lock));
			if (!p)
				continue;
			if (end)
				nlb_xpool_census_end(p, nn->census.seq);
			else
				nlb_xpool_census_begin(p, nn->census.seq);
		}
	}
}

static void nlb_census_publish(struct nlb_counters *c)
{
	c->snap = c->acc;
}

/* Start a census. Under nn->lock. */
static void nlb_census_begin(struct nlb_net *nn)
{
	struct nlb_census *c = nlb_census_of(nn);

	if (!c->batch)
		c->batch = kvzalloc(sizeof(*c->batch), GFP_KERNEL);
	nlb_census_each(nn, nlb_census_clear);
	c->seq++;
	nlb_census_xpools(nn, false);
	c->bucket = 0;
	c->conns = 0;
	c->start = ktime_get();
	c->running = true;
}

/* A census is complete: publish it. Under nn->lock. */
static void nlb_census_end(struct nlb_net *nn)
{
	struct nlb_census *c = nlb_census_of(nn);

	nlb_census_each(nn, nlb_census_publish);
	nlb_census_xpools(nn, true);
	c->snap_seq = c->seq;
	c->snap_time = jiffies;
	c->snap_conns = c->conns;
	c->duration_us = min_t(s64, ktime_us_delta(ktime_get(), c->start),
			       U32_MAX);
	c->running = false;
	wake_up_all(&c->wq);
	if (nlb_census_needed(nn))
		nlb_census_queue(nn, nlb_census_next_delay(nn));
}

static void nlb_census_work(struct work_struct *work)
{
	struct nlb_net *nn = container_of(to_delayed_work(work), struct nlb_net,
					  census.work);
	struct nlb_census *c = nlb_census_of(nn);
	int ret;

	if (!c->running) {
		mutex_lock(&nn->lock);
		if (nn->exiting) {
			mutex_unlock(&nn->lock);
			return;
		}
		nlb_census_begin(nn);
		mutex_unlock(&nn->lock);
	}
	ret = nlb_census_slice(nn);
	nlb_census_act(nn);
	if (ret == -EAGAIN) {
		/* The table was resized: start over. */
		mutex_lock(&nn->lock);
		nlb_census_begin(nn);
		mutex_unlock(&nn->lock);
	} else if (ret == 1) {
		mutex_lock(&nn->lock);
		nlb_census_end(nn);
		mutex_unlock(&nn->lock);
		return;
	}
	if (!READ_ONCE(nn->exiting))
		queue_delayed_work(system_unbound_wq, &c->work, 0);
}

/**
 * nlb_census_net_init() - set up a namespace's census (it starts with the
 * first listener)
 * @nn: the namespace state
 *
 * Return: 0.
 */
int nlb_census_net_init(struct nlb_net *nn)
{
	struct nlb_census *c = nlb_census_of(nn);

	INIT_DELAYED_WORK(&c->work, nlb_census_work);
	init_waitqueue_head(&c->wq);
	return 0;
}

/**
 * nlb_census_net_stop() - stop a namespace's census for good
 * @nn: the namespace state, unlocked, with nn->exiting set
 */
void nlb_census_net_stop(struct nlb_net *nn)
{
	cancel_delayed_work_sync(&nn->census.work);
	wake_up_all(&nn->census.wq);
}

/**
 * nlb_census_net_exit() - free what the census of a namespace holds
 * @nn: the namespace state, census stopped
 */
void nlb_census_net_exit(struct nlb_net *nn)
{
	kvfree(nn->census.batch);
	nn->census.batch = NULL;
}
