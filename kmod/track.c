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
 *
 * The connections of groups with passive on get the helper too (tracked
 * or not), and are watched until their backend answers: a TCP RST as the
 * first answer (the backend refused the SYN) counts fail-reset; a client's
 * packet after the group's passive timeout without an answer (a SYN
 * retransmitted, more UDP datagrams), or the connection's end without
 * one, counts fail-timeout (see health.c). Translated connections are not
 * watched yet: the code to watch their client's leg is there (the
 * backend's answers come back on it through the confirm hooks, the
 * client's packets are shown by the translation path through
 * nlb_track_passive()), but the first VM run counted no reset with it.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack_acct.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "backend.h"
#include "group.h"
#include "health.h"
#include "listener.h"
#include "proxy.h"
#include "track.h"
#include "xconn.h"

static_assert(sizeof(struct nlb_ct) <=
	      sizeof_field(struct nf_conn_help, data));

static struct nf_conntrack_helper nlb_helpers[4];
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
	*ours = h >= &nlb_helpers[0] &&
		h < &nlb_helpers[ARRAY_SIZE(nlb_helpers)];
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
 * nlb_ct_find() - nlb's data in a connection
 * @ct: the connection
 *
 * Return: the data of a connection nlb tracks or translates (also one
 * whose helper ctnetlink removed), or NULL.
 */
struct nlb_ct *nlb_ct_find(const struct nf_conn *ct)
{
	bool ours;

	return nlb_ct_data(ct, &ours);
}

/* nlb's helper of @ct's protocol. */
static struct nf_conntrack_helper *nlb_helper_of(const struct nf_conn *ct)
{
	unsigned int i;

	for (i = 1; i < ARRAY_SIZE(nlb_helpers); i++)
		if (nlb_helpers[i].tuple.dst.protonum == nf_ct_protonum(ct))
			return &nlb_helpers[i];
	return &nlb_helpers[0];
}

/* Now in NLB_CT_TICK_MS ticks, as nlb_ct.start has it. */
static u16 nlb_ct_ticks(void)
{
	return jiffies_to_msecs(jiffies) / NLB_CT_TICK_MS;
}

/*
 * Attach nlb's helper to a new, unconfirmed connection, with zeroed data;
 * with a PROXY v2 header of family @proxy (NFPROTO_*, 0 for none) for a TCP
 * one.
 */
static struct nlb_ct *nlb_track_new(struct nf_conn *ct, u8 role, u8 proxy)
{
	struct nf_conn_help *help;
	struct nlb_ct *d;

	if (nf_ct_protonum(ct) != IPPROTO_TCP)
		proxy = 0;
	/* Before the helper's extension, which adding another may move. */
	if (proxy && nlb_proxy_prepare(ct))
		return NULL;
	help = nf_ct_helper_ext_add(ct, GFP_ATOMIC);
	if (!help)
		return NULL;
	d = (struct nlb_ct *)help->data;
	memset(d, 0, sizeof(*d));
	d->role = role;
	if (proxy)
		nlb_proxy_init(&d->proxy, proxy);
	d->magic = nlb_ct_magic;
	rcu_assign_pointer(help->helper, nlb_helper_of(ct));
	set_bit(IPS_HELPER_BIT, &ct->status);
	return d;
}

/**
 * nlb_track_attach() - attach nlb's helper to a new, unconfirmed
 * connection that nlb counts
 * @ct: the connection, with its NAT set up (a plain one)
 * @l: its listener
 * @be: its backend
 * @role: NLB_CT_PLAIN, or NLB_CT_CLIENT for the client's leg of a
 *	translated connection (whose caller then fills in the rest)
 * @proxy: a plain TCP connection sends the backend a PROXY v2 header (a
 *	translated one sends it on its backend's leg)
 *
 * Return: the data, or NULL when out of memory.
 */
struct nlb_ct *nlb_track_attach(struct nf_conn *ct, struct nlb_listener *l,
				struct nlb_backend *be, u8 role, bool proxy)
{
	struct nlb_ct *d;

	d = nlb_track_new(ct, role, proxy && role == NLB_CT_PLAIN ?
			  nf_ct_l3num(ct) : 0);

	if (d) {
		d->be_id = be->id;
		d->l_id = l->id;
		d->state = NLB_CT_NEW;
		/*
		 * Plain ones only: a translated connection is watched on its
		 * backend's leg (nlb_track_attach_server()), which sees the
		 * backend's answers in its own family.
		 */
		if (role == NLB_CT_PLAIN &&
		    READ_ONCE(be->group->health.passive)) {
			d->flags |= NLB_CT_F_WATCH;
			d->start = nlb_ct_ticks();
		}
	}
	return d;
}

/**
 * nlb_track_attach_server() - attach nlb's helper to the new, unconfirmed
 * backend's leg of a translated connection
 * @ct: the backend's leg
 * @peer: the client's leg, confirmed
 * @be_id: the backend's identifier, as the client's leg has it
 * @proxy: the family of a PROXY v2 header to send the backend (the
 *	client's, NFPROTO_*), or 0
 *
 * Of a group with passive on, the backend's leg is the watched one: it
 * carries the connection's start to the backend and the backend's answer
 * in the backend's family. Under RCU.
 *
 * Return: the data, or NULL when out of memory.
 */
struct nlb_ct *nlb_track_attach_server(struct nf_conn *ct,
				       struct nf_conn *peer, u32 be_id, u8 proxy)
{
	struct nlb_ct *d = nlb_track_new(ct, NLB_CT_SERVER, proxy);
	struct nlb_backend *be;

	if (d) {
		d->state = NLB_CT_ENDED;
		d->be_id = be_id;
		d->peer = peer;
		be = nlb_backend_lookup_id(be_id);
		if (be && READ_ONCE(be->group->health.passive)) {
			d->flags |= NLB_CT_F_WATCH;
			d->start = nlb_ct_ticks();
		}
	}
	return d;
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

/* A counted connection leaves the active counts, under its lock. */
static void nlb_ct_deactivate(const struct nlb_ct *d)
{
	struct nlb_listener *l;
	struct nlb_backend *be;

	be = nlb_backend_lookup_id(d->be_id);
	if (be) {
		atomic_dec(&be->cnt.active);
		atomic_dec(&be->group->cnt.active);
	}
	l = nlb_listener_lookup_id(d->l_id);
	if (l)
		atomic_dec(&l->cnt.active);
}

/*
 * End a connection, under its lock: out of the active counts if it was
 * counted, and with @totals its packets and bytes added to the totals of
 * its objects, those that are still there (from then on the census leaves
 * them out). A closed one left the active counts already.
 */
static void nlb_ct_end(const struct nf_conn *ct, struct nlb_ct *d,
		       bool totals)
{
	u64 packets[NLB_NDIR] = {}, bytes[NLB_NDIR] = {};
	const struct nf_conn_acct *acct;
	struct nlb_listener *l;
	struct nlb_backend *be;
	int dir;

	if (d->state == NLB_CT_ENDED)
		return;
	if (d->state == NLB_CT_COUNTED)
		nlb_ct_deactivate(d);
	d->state = NLB_CT_ENDED;
	acct = totals ? nf_conn_acct_find(ct) : NULL;
	if (!acct)
		return;
	for (dir = 0; dir < NLB_NDIR; dir++) {
		packets[dir] = atomic64_read(&acct->counter[dir].packets);
		bytes[dir] = atomic64_read(&acct->counter[dir].bytes);
	}
	be = nlb_backend_lookup_id(d->be_id);
	if (be) {
		nlb_stats_add_ended(&be->cnt, packets, bytes);
		nlb_stats_add_ended(&be->group->cnt, packets, bytes);
	}
	l = nlb_listener_lookup_id(d->l_id);
	if (l)
		nlb_stats_add_ended(&l->cnt, packets, bytes);
}

/*
 * A TCP connection closed, under its lock: out of the active counts. Its
 * packets and bytes go on to its totals when conntrack destroys it, those
 * that follow (the last ACKs, retransmitted FINs) included; until then the
 * census counts them live.
 */
static void nlb_ct_close(struct nlb_ct *d)
{
	if (d->state == NLB_CT_COUNTED)
		nlb_ct_deactivate(d);
	if (d->state != NLB_CT_ENDED)
		d->state = NLB_CT_CLOSED;
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

/**
 * nlb_track_packet() - a packet of a counted connection: count it on its
 * first packet after confirmation, take it out of the active counts once
 * TCP has closed
 * @ct: the connection
 * @d: its data
 *
 * Called by .help on the packets that reach the confirm hooks, and by the
 * translation path on those of a client's leg that it takes earlier.
 */
void nlb_track_packet(struct nf_conn *ct, struct nlb_ct *d)
{
	u8 state = READ_ONCE(d->state);

	/* Nothing to do before confirmation, nor once it has closed. */
	if (!nf_ct_is_confirmed(ct) ||
	    ((state == NLB_CT_ENDED || state == NLB_CT_CLOSED) &&
	     !(READ_ONCE(d->flags) & NLB_CT_F_SLOT)))
		return;
	spin_lock_bh(&ct->lock);
	if (nlb_ct_closed(ct)) {
		nlb_ct_close(d);
		/* Its TIME_WAIT needs no pool slot: conntrack has the tuple. */
		if (d->role == NLB_CT_CLIENT)
			nlb_xconn_release(d);
	} else if (d->state == NLB_CT_NEW) {
		nlb_ct_count(d);
	}
	spin_unlock_bh(&ct->lock);
}

/* Whether a watched connection has waited out its group's passive timeout. */
static bool nlb_passive_late(const struct nlb_ct *d,
			     const struct nlb_backend *be)
{
	u32 ms = READ_ONCE(be->group->health.passive_timeout);
	u16 waited = nlb_ct_ticks() - d->start;

	return (u32)waited * NLB_CT_TICK_MS >= ms;
}

enum nlb_passive_verdict {
	NLB_PASSIVE_NONE,
	NLB_PASSIVE_RESET,
	NLB_PASSIVE_TIMEOUT,
};

/*
 * A packet of a watched connection: the backend's first answer ends the
 * watch (a RST: the backend refused it); a client's packet after the
 * passive timeout without an answer means it did not answer in time, and
 * a client's RST before then that the client gave up.
 */
static void nlb_passive_packet(struct nf_conn *ct, struct nlb_ct *d,
			       bool reply, bool rst)
{
	enum nlb_passive_verdict v = NLB_PASSIVE_NONE;
	struct nlb_backend *be;

	rcu_read_lock();
	spin_lock_bh(&ct->lock);
	be = d->flags & NLB_CT_F_WATCH ? nlb_backend_lookup_id(d->be_id) :
	     NULL;
	/* passive turned off since: no verdict */
	if (be && !READ_ONCE(be->group->health.passive))
		be = NULL;
	if (!be)
		d->flags &= ~NLB_CT_F_WATCH;
	else if (reply)
		v = rst ? NLB_PASSIVE_RESET : NLB_PASSIVE_NONE;
	else if (nlb_passive_late(d, be))
		v = NLB_PASSIVE_TIMEOUT;
	else if (!rst)
		be = NULL;	/* still waiting */
	if (be)
		d->flags &= ~NLB_CT_F_WATCH;
	spin_unlock_bh(&ct->lock);
	if (v != NLB_PASSIVE_NONE)
		nlb_health_passive_failed(nf_ct_net(ct), be,
					  v == NLB_PASSIVE_RESET);
	rcu_read_unlock();
}

/* Whether the TCP segment at @protoff of @skb is a RST. */
static bool nlb_passive_rst(const struct sk_buff *skb, unsigned int protoff,
			    const struct nf_conn *ct)
{
	const struct tcphdr *th;
	struct tcphdr _th;

	if (nf_ct_protonum(ct) != IPPROTO_TCP)
		return false;
	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	return th && th->rst;
}

/**
 * nlb_track_passive() - a backend's answer on a translated connection's
 * backend's leg, which the translation path takes before the confirm hooks
 * @skb: the packet, in the backend's family, at its network header
 * @ct: the backend's leg
 * @ctinfo: the packet's conntrack info (not RELATED)
 * @d: its data, watched (NLB_CT_F_WATCH)
 *
 * What the leg carries to the backend goes through the confirm hooks,
 * where the helper sees it.
 */
void nlb_track_passive(struct sk_buff *skb, struct nf_conn *ct,
		       enum ip_conntrack_info ctinfo, struct nlb_ct *d)
{
	unsigned int protoff = skb_network_offset(skb);
	__be16 frag_off;
	u8 nexthdr;
	int off;

	if (nf_ct_l3num(ct) == NFPROTO_IPV4) {
		protoff += ip_hdrlen(skb);
	} else {
		nexthdr = ipv6_hdr(skb)->nexthdr;
		off = ipv6_skip_exthdr(skb, protoff + sizeof(struct ipv6hdr),
				       &nexthdr, &frag_off);
		if (off < 0)
			return;
		protoff = off;
	}
	nlb_passive_packet(ct, d, CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY,
			   nlb_passive_rst(skb, protoff, ct));
}

/*
 * A watched connection ends without an answer: a failure if it waited
 * out the passive timeout, or conntrack's own (an unanswered UDP flow
 * expires after 30 s by default).
 */
static void nlb_passive_end(struct nf_conn *ct, struct nlb_ct *d)
{
	struct nlb_backend *be;

	if (!(READ_ONCE(d->flags) & NLB_CT_F_WATCH) ||
	    !nf_ct_is_confirmed(ct))
		return;
	rcu_read_lock();
	be = nlb_backend_lookup_id(d->be_id);
	if (be && READ_ONCE(be->group->health.passive) &&
	    (nlb_passive_late(d, be) || nf_ct_is_expired(ct)))
		nlb_health_passive_failed(nf_ct_net(ct), be, false);
	rcu_read_unlock();
}

/* A connection's first PROXY header went out: count it, under RCU. */
static void nlb_ct_count_proxied(u32 be_id, u32 l_id)
{
	struct nlb_listener *l;
	struct nlb_backend *be;

	be = nlb_backend_lookup_id(be_id);
	if (be) {
		nlb_stats_count(&be->cnt, proxied);
		nlb_stats_count(&be->group->cnt, proxied);
	}
	l = nlb_listener_lookup_id(l_id);
	if (l)
		nlb_stats_count(&l->cnt, proxied);
}

/**
 * nlb_track_proxy() - a packet of a connection that sends a PROXY header
 * @skb: the packet, at its network header
 * @protoff: offset of its TCP header
 * @ct: the connection: plain, or a backend's leg
 * @ctinfo: its conntrack info
 * @d: its data
 * @client: a backend's leg's client's leg (whose tuple the header gives),
 *	or NULL for a plain connection
 *
 * Calls nlb_proxy_help() with the header's addresses and counts the first
 * header. Under RCU.
 *
 * Return: NF_ACCEPT or NF_DROP.
 */
unsigned int nlb_track_proxy(struct sk_buff *skb, unsigned int protoff,
			     struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			     struct nlb_ct *d, const struct nf_conn *client)
{
	struct nlb_proxy_addrs a, *ap = NULL;
	const struct nlb_ct *cd = d;
	unsigned int ret;
	bool first;

	if (client) {
		cd = nlb_ct_find(client);
		if (!cd)
			return NF_DROP;
		nlb_proxy_addrs_of(client, &a);
		ap = &a;
	}
	ret = nlb_proxy_help(skb, protoff, ct, ctinfo, &d->proxy, ap, &first);
	if (first)
		nlb_ct_count_proxied(cd->be_id, cd->l_id);
	return ret;
}

static int nlb_ct_help(struct sk_buff *skb, unsigned int protoff,
		       struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct nf_conn *client;
	unsigned int ret;
	struct nlb_ct *d;
	bool ours;

	d = nlb_ct_data(ct, &ours);
	if (!d)
		return NF_ACCEPT;
	if (READ_ONCE(d->flags) & NLB_CT_F_WATCH)
		nlb_passive_packet(ct, d, CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY,
				   nlb_passive_rst(skb, protoff, ct));
	if (d->role == NLB_CT_CLIENT) {
		nlb_track_packet(ct, d);
		return NF_ACCEPT;
	}
	/* A PROXY header, from the SYN on: before confirmation too. */
	if (!nlb_proxy_active(&d->proxy)) {
		ret = NF_ACCEPT;
	} else if (d->role == NLB_CT_PLAIN) {
		ret = nlb_track_proxy(skb, protoff, ct, ctinfo, d, NULL);
	} else {
		client = nlb_xconn_client_get(ct, d);
		if (!client)
			return NF_DROP;
		ret = nlb_track_proxy(skb, protoff, ct, ctinfo, d, client);
		nf_ct_put(client);
	}
	if (ret == NF_ACCEPT && d->role == NLB_CT_PLAIN)
		nlb_track_packet(ct, d);
	return ret;
}

static void nlb_ct_destroy(struct nf_conn *ct)
{
	struct nlb_ct *d;
	bool ours;

	d = nlb_ct_data(ct, &ours);
	if (!d)
		return;
	nlb_passive_end(ct, d);
	if (d->role != NLB_CT_SERVER) {
		spin_lock_bh(&ct->lock);
		nlb_ct_end(ct, d, true);
		if (d->role == NLB_CT_CLIENT)
			nlb_xconn_release(d);
		spin_unlock_bh(&ct->lock);
	}
	if (d->role != NLB_CT_PLAIN)
		nlb_xconn_destroy(ct, d);
}

/**
 * nlb_track_view() - what a connection tells the census
 * @ct: a confirmed connection, with a bucket lock of the conntrack table
 *	held that keeps it
 * @v: set to its backend, listener and whether it is counted; @v->end is
 *	set when the connection must end
 *
 * A connection whose helper ctnetlink removed (`conntrack -U --helper ""`)
 * is no longer told when it ends: it is ended here, out of the active
 * counts, and is an untracked connection from now on, its packets and
 * bytes counted live by the census (not added to the totals, which would
 * count them twice). One that ended with its helper in place (in the
 * totals already, or never counted) is left out: @v->ended. A closed TCP
 * connection is counted live, not active, until it is destroyed. No PROXY header goes out for a
 * connection whose helper was removed (or its backend's leg) any more
 * either: if the backend acknowledged it, conntrack's sequence correction
 * is made final (nlb_proxy_settle()); if it was still being sent, the
 * connection cannot go on (@v->end).
 *
 * Return: true if @ct is a tracked connection of nlb (@v set), ended or not.
 */
bool nlb_track_view(struct nf_conn *ct, struct nlb_track_view *v)
{
	struct nlb_ct *d;
	bool ours, tracked;

	v->end = false;
	d = nlb_ct_data(ct, &ours);
	if (!d)
		return false;
	v->role = d->role;
	v->be_id = d->be_id;
	v->ended = false;
	if (d->role == NLB_CT_SERVER) {
		if (!ours && READ_ONCE(d->proxy.state)) {
			spin_lock_bh(&ct->lock);
			v->end = !nlb_proxy_settle(ct, &d->proxy);
			spin_unlock_bh(&ct->lock);
		}
		return true;
	}
	spin_lock_bh(&ct->lock);
	/*
	 * Its end will not be told. A translated connection stays the
	 * backend's, counted as an untracked one.
	 */
	if (!ours) {
		nlb_ct_end(ct, d, false);
		if (d->role == NLB_CT_PLAIN)
			v->end = !nlb_proxy_settle(ct, &d->proxy);
	}
	v->ended = ours && d->state == NLB_CT_ENDED;
	tracked = d->state != NLB_CT_ENDED || d->role == NLB_CT_CLIENT ||
		  v->ended;
	v->l_id = d->l_id;
	v->counted = d->state == NLB_CT_COUNTED;
	spin_unlock_bh(&ct->lock);
	return tracked;
}

/**
 * nlb_track_settle() - before a connection is reset: make its PROXY
 * header's sequence correction final
 * @ct: the connection (plain or a backend's leg), with a bucket lock of the
 *	conntrack table held that keeps it, or a reference
 *
 * A client that sent nothing since the backend acknowledged the header
 * left the correction that the next client segment would have moved
 * (proxy.c); the reset's sequence numbers need the final one.
 */
void nlb_track_settle(struct nf_conn *ct)
{
	struct nlb_ct *d;
	bool ours;

	d = nlb_ct_data(ct, &ours);
	if (!d || d->role == NLB_CT_CLIENT || !READ_ONCE(d->proxy.state))
		return;
	spin_lock_bh(&ct->lock);
	nlb_proxy_settle(ct, &d->proxy);
	spin_unlock_bh(&ct->lock);
}

/*
 * After the helper is gone: a connection whose header the backend
 * acknowledged goes on with its final correction; one still sending it is
 * deleted (its ends find no connection: RSTs, or timeouts).
 */
static int nlb_track_unload_ct(struct nf_conn *ct, void *data)
{
	struct nlb_ct *d;
	bool ours, keep;

	d = nlb_ct_data(ct, &ours);
	if (!d || d->role == NLB_CT_CLIENT || !READ_ONCE(d->proxy.state))
		return 0;
	spin_lock_bh(&ct->lock);
	keep = nlb_proxy_settle(ct, &d->proxy);
	spin_unlock_bh(&ct->lock);
	return !keep;
}

static const struct nf_conntrack_expect_policy nlb_expect_policy = {
	.max_expected	= 0,
	.timeout	= 1,
};

/*
 * One helper per protocol (as conntrack names a helper by name, family and
 * protocol), the same otherwise; see nlb_track_init().
 */
static struct nf_conntrack_helper nlb_helpers[4] = {
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
	static const u8 protos[] = { IPPROTO_UDP, IPPROTO_ICMP,
				     IPPROTO_ICMPV6 };
	unsigned int i;

	static_assert(ARRAY_SIZE(protos) + 1 == ARRAY_SIZE(nlb_helpers));
	/* Never 0, the value of a zeroed helper data area. */
	nlb_ct_magic = get_random_u32() | 1;
	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		nlb_helpers[i + 1] = nlb_helpers[0];
		nlb_helpers[i + 1].tuple.dst.protonum = protos[i];
	}
	return nf_conntrack_helpers_register(nlb_helpers,
					     ARRAY_SIZE(nlb_helpers));
}

/**
 * nlb_track_exit() - unregister the helper
 *
 * Unregistering detaches it from every connection and waits until no CPU
 * runs its functions. Tracked connections hold nothing of nlb's, so they
 * simply go on as plain NAT connections. Those of PROXY v2 groups go on
 * with conntrack's final sequence correction once the backend has their
 * header, and are deleted if they were still sending it; that walk of the
 * table (all namespaces) is only made if some connection had a header
 * state since the module was loaded.
 */
void nlb_track_exit(void)
{
	nf_conntrack_helpers_unregister(nlb_helpers, ARRAY_SIZE(nlb_helpers));
	if (nlb_proxy_used())
		nf_ct_iterate_destroy(nlb_track_unload_ct, NULL);
}
