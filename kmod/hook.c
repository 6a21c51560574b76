// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: scheduling a new connection.
 *
 * nlb plugs into conntrack's NAT core the way nft nat chains do: through
 * the nf_nat register functions. NAT calls nlb_nat_fn() only for a
 * connection whose destination manip is not yet set up, i.e. once, on the
 * first packet of a new connection (a TCP SYN, a UDP datagram, an ICMP or
 * ICMPv6 echo request), at PRE_ROUTING (forwarded and local
 * input traffic) and LOCAL_OUT (clients on the gateway itself). nlb picks
 * a backend and sets up DNAT; from then on conntrack and nf_nat carry
 * every packet of the flow, replies and ICMP errors included, and nlb
 * never sees it again.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/jhash.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_acct.h>
#include <net/netfilter/nf_nat.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>

#include "backend.h"
#include "group.h"
#include "hook.h"
#include "listener.h"
#include "persist.h"
#include "track.h"
#include "xconn.h"

/* Refuse a new connection no backend can take, as the listener says. */
static unsigned int nlb_reject(struct sk_buff *skb,
			       const struct nf_hook_state *state, u8 mode,
			       u8 proto)
{
	bool v4 = state->pf == NFPROTO_IPV4;

	if (mode == NLB_REJECT_DROP)
		return NF_DROP;
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		/* An echo nobody can answer: its destination is unreachable. */
		if (v4)
			nf_send_unreach(skb, ICMP_HOST_UNREACH, state->hook);
		else
			nf_send_unreach6(state->net, skb, ICMPV6_ADDR_UNREACH,
					 state->hook);
	} else if (mode == NLB_REJECT_RESET && proto == IPPROTO_TCP) {
		if (v4)
			nf_send_reset(state->net, state->sk, skb, state->hook);
		else
			nf_send_reset6(state->net, state->sk, skb,
				       state->hook);
	} else if (v4) {
		nf_send_unreach(skb, ICMP_PORT_UNREACH, state->hook);
	} else {
		nf_send_unreach6(state->net, skb, ICMPV6_PORT_UNREACH,
				 state->hook);
	}
	return NF_DROP;
}

/*
 * The pool a new connection of a client of family @fam is scheduled from,
 * as the group's IP version affinity says: its own family's (on); both
 * families' (off); its own family's while that has a healthy backend, else
 * the other's if that has one, else its own family's fail-open pool, else
 * the other's (prefer). @idx is set to the pool's index and @failover when
 * prefer chose the other family.
 */
static struct nlb_pool *nlb_pool_for(const struct nlb_group *g, int fam,
				     int *idx, bool *failover)
{
	struct nlb_pool *own, *other;

	*failover = false;
	*idx = fam;
	switch (READ_ONCE(g->affinity)) {
	case NLB_AFFINITY_OFF:
		*idx = NLB_POOL_ALL;
		return rcu_dereference(g->pool[NLB_POOL_ALL]);
	case NLB_AFFINITY_PREFER:
		own = rcu_dereference(g->pool[fam]);
		if (own && !own->failopen)
			return own;
		other = rcu_dereference(g->pool[!fam]);
		if (other && (!other->failopen || !own)) {
			*idx = !fam;
			*failover = true;
			return other;
		}
		return own;
	default:
		return rcu_dereference(g->pool[fam]);
	}
}

/*
 * Choose the backend of a new connection: the client's persistence entry
 * if it has a usable one, else the scheduler of pool @pool, of index @idx.
 * @key is set to the client's masked address when the listener has
 * persistence.
 */
static struct nlb_backend *nlb_choose(struct nlb_listener *l,
				      const struct nlb_group *g,
				      struct nlb_pool *pool, int idx, int fam,
				      const struct nf_conntrack_tuple *t,
				      struct nlb_persist **persist,
				      union nf_inet_addr *key,
				      bool *persisted)
{
	struct nlb_persist *p = rcu_dereference(l->persist);
	u32 timeout = READ_ONCE(l->persist_timeout);
	u32 hash_src = 0, hash_flow = 0;
	struct nlb_backend *be;

	*persisted = false;
	*persist = NULL;
	if (!pool)
		return NULL;
	if (timeout && p) {
		*persist = p;
		*key = t->src.u3;
		nlb_persist_mask(key, fam, READ_ONCE(l->persist_prefix[fam]));
		be = nlb_persist_get(p, key, fam, g, idx,
				     (unsigned long)timeout * HZ);
		if (be) {
			*persisted = true;
			return be;
		}
	}
	if (pool->sched == NLB_SCHED_SH || pool->sched == NLB_SCHED_MAGLEV) {
		hash_src = jhash2((__force const u32 *)t->src.u3.all, 4, 0);
		hash_flow = jhash2((__force const u32 *)t->src.u3.all, 4,
				   (__force u32)t->src.u.all);
	}
	return nlb_pool_pick(pool, hash_src, hash_flow);
}

static unsigned int nlb_nat_fn(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	const struct nf_conntrack_tuple *tuple;
	struct nf_nat_range2 range = {};
	enum ip_conntrack_info ctinfo;
	struct nlb_persist *persist;
	bool persisted, failover;
	union nf_inet_addr key;
	struct nlb_listener *l;
	struct nlb_backend *be;
	struct nlb_pool *pool;
	struct nlb_group *g;
	struct nf_conn *ct;
	unsigned int ret;
	int fam, idx, err;
	bool echo = false;
	bool proxy;

	/*
	 * The NAT core also calls for a NEW connection that was confirmed
	 * before nlb's hooks were registered (an unanswered flow that
	 * outlived a listener's absence): NAT can no longer be set up for
	 * it, nor extensions added, so it is left alone.
	 */
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW || nf_ct_is_confirmed(ct))
		return NF_ACCEPT;
	/* The backend's leg of a translated connection, on its way out. */
	if (unlikely(test_bit(IPS_HELPER_BIT, &ct->status)) && nlb_ct_find(ct))
		return NF_ACCEPT;

	tuple = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	switch (tuple->dst.protonum) {
	case IPPROTO_TCP:
		/*
		 * Only a SYN starts a connection. conntrack picks up a TCP
		 * connection in the middle too (nf_conntrack_tcp_loose):
		 * such a packet belongs to a connection that something
		 * else carries (IPVS on the same VIP, or a conntrack
		 * table flushed under it) and is not rescheduled.
		 */
		if (READ_ONCE(ct->proto.tcp.state) != TCP_CONNTRACK_SYN_SENT)
			return NF_ACCEPT;
		break;
	case IPPROTO_UDP:
		break;
	case IPPROTO_ICMP:
		/* Of what ICMP conntrack makes connections of: echo. */
		if (tuple->dst.u.icmp.type != ICMP_ECHO)
			return NF_ACCEPT;
		echo = true;
		break;
	case IPPROTO_ICMPV6:
		if (tuple->dst.u.icmp.type != ICMPV6_ECHO_REQUEST)
			return NF_ACCEPT;
		echo = true;
		break;
	default:
		return NF_ACCEPT;
	}

	fam = state->pf == NFPROTO_IPV4 ? NLB_FAM4 : NLB_FAM6;
	l = nlb_listener_lookup_tuple(nlb_net(state->net), fam, tuple);
	if (!l)
		return NF_ACCEPT;

	/* IP version affinity chooses the pool. */
	g = rcu_dereference(l->group);
	pool = nlb_pool_for(g, fam, &idx, &failover);
	be = nlb_choose(l, g, pool, idx, fam, tuple, &persist, &key,
			&persisted);
	if (!be) {
		nlb_stats_count(&l->cnt, drop_no_backend);
		nlb_stats_count(&g->cnt, drop_no_backend);
		return nlb_reject(skb, state, READ_ONCE(l->reject),
				  tuple->dst.protonum);
	}
	if (be->key.fam != fam) {
		/* A translated connection: no NAT; its legs carry it. */
		err = nlb_xconn_new(ct, l, g, be);
		if (err == -ENOSPC) {
			nlb_stats_count(&l->cnt, drop_pool);
			nlb_stats_count(&g->cnt, drop_pool);
			nlb_stats_count(&be->cnt, drop_pool);
			return nlb_reject(skb, state, READ_ONCE(l->reject),
					  tuple->dst.protonum);
		}
		ret = err ? NF_DROP : NF_ACCEPT;
		goto acct;
	}

	range.flags = NF_NAT_RANGE_MAP_IPS;
	range.min_addr = be->key.addr;
	range.max_addr = be->key.addr;
	/* An echo keeps its identifier, which NAT changes only if it must. */
	if (be->key.port && !echo) {
		range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
		range.min_proto.all = htons(be->key.port);
		range.max_proto.all = range.min_proto.all;
	}
	ret = nf_nat_setup_info(ct, &range, NF_NAT_MANIP_DST);
	if (ret == NF_ACCEPT && !nf_nat_initialized(ct, NF_NAT_MANIP_DST))
		ret = NF_DROP;
	/*
	 * After NAT, so that NAT adds no seqadj extension for it: the helper
	 * of tracked groups and of groups with passive on. An echo, which no
	 * flowtable carries, is always tracked: its reply tuple does not name
	 * its backend's port. A PROXY v2 group tracks its connections, and
	 * its TCP ones get the seqadj extension for the header
	 * (nlb_track_attach()).
	 */
	proxy = tuple->dst.protonum == IPPROTO_TCP &&
		READ_ONCE(g->proxy) == NLB_PROXY_V2;
	if (ret == NF_ACCEPT &&
	    (READ_ONCE(g->track) || echo || proxy ||
	     READ_ONCE(g->health.passive)) &&
	    !nlb_track_attach(ct, l, be, NLB_CT_PLAIN, proxy))
		ret = NF_DROP;
acct:
	/*
	 * Per-connection packet and byte counters, whatever the acct sysctl
	 * says, unless the group does without. conntrack counted nothing of
	 * the packet that created the connection without the extension: it
	 * is counted here, so that the counters are the packets on the wire.
	 */
	if (ret == NF_ACCEPT && READ_ONCE(g->acct) && !nf_conn_acct_find(ct)) {
		if (nf_ct_ext_add(ct, NF_CT_EXT_ACCT, GFP_ATOMIC))
			nf_ct_acct_update(ct, IP_CT_DIR_ORIGINAL, skb->len);
		else
			ret = NF_DROP;
	}
	if (ret != NF_ACCEPT) {
		if (be->key.fam != fam)
			nlb_xconn_abort(ct);
		nlb_stats_count(&l->cnt, drop_error);
		nlb_stats_count(&g->cnt, drop_error);
		nlb_stats_count(&be->cnt, drop_error);
		return ret;
	}
	nlb_stats_count(&l->cnt, conns);
	nlb_stats_count(&g->cnt, conns);
	nlb_stats_count(&be->cnt, conns);
	if (persisted) {
		nlb_stats_count(&l->cnt, persisted);
		nlb_stats_count(&g->cnt, persisted);
		nlb_stats_count(&be->cnt, persisted);
	} else if (persist) {
		nlb_persist_set(persist, &key, fam, be);
	}
	if (pool->failopen) {
		nlb_stats_count(&l->cnt, failopen);
		nlb_stats_count(&g->cnt, failopen);
		nlb_stats_count(&be->cnt, failopen);
	}
	if (failover) {
		nlb_stats_count(&l->cnt, failover_family);
		nlb_stats_count(&g->cnt, failover_family);
		nlb_stats_count(&be->cnt, failover_family);
	}
	if (be->key.fam != fam) {
		nlb_stats_count(&l->cnt, translated);
		nlb_stats_count(&g->cnt, translated);
		nlb_stats_count(&be->cnt, translated);
	}
	return NF_ACCEPT;
}

/*
 * One priority above nft's dstnat chains (NF_IP_PRI_NAT_DST): an nft dnat
 * rule at the standard priority runs first and so can override nlb.
 */
static const struct nf_hook_ops nlb_nat_ops4[] = {
	{
		.hook		= nlb_nat_fn,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_NAT_DST + 1,
	},
	{
		.hook		= nlb_nat_fn,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP_PRI_NAT_DST + 1,
	},
};

static const struct nf_hook_ops nlb_nat_ops6[] = {
	{
		.hook		= nlb_nat_fn,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_NAT_DST + 1,
	},
	{
		.hook		= nlb_nat_fn,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP6_PRI_NAT_DST + 1,
	},
};

static void nlb_hooks_unregister(struct net *net, unsigned int n4,
				 unsigned int n6)
{
	while (n6--)
		nf_nat_ipv6_unregister_fn(net, &nlb_nat_ops6[n6]);
	while (n4--)
		nf_nat_ipv4_unregister_fn(net, &nlb_nat_ops4[n4]);
}

/**
 * nlb_hooks_get() - take a reference on the NAT hooks of a namespace,
 * registering them and enabling conntrack with the first one
 * @nn: the namespace state, locked
 *
 * Each listener holds one reference.
 *
 * Return: 0 or a negative errno.
 */
int nlb_hooks_get(struct nlb_net *nn)
{
	struct net *net = nn->net;
	unsigned int n4, n6 = 0;
	int err;

	lockdep_assert_held(&nn->lock);
	if (nn->hooked)
		return 0;

	err = nf_ct_netns_get(net, NFPROTO_INET);
	if (err)
		return err;
	for (n4 = 0; n4 < ARRAY_SIZE(nlb_nat_ops4); n4++) {
		err = nf_nat_ipv4_register_fn(net, &nlb_nat_ops4[n4]);
		if (err)
			goto err;
	}
	for (n6 = 0; n6 < ARRAY_SIZE(nlb_nat_ops6); n6++) {
		err = nf_nat_ipv6_register_fn(net, &nlb_nat_ops6[n6]);
		if (err)
			goto err;
	}
	nn->hooked = true;
	return 0;
err:
	nlb_hooks_unregister(net, n4, n6);
	nf_ct_netns_put(net, NFPROTO_INET);
	return err;
}

/**
 * nlb_hooks_stop() - unregister the NAT hooks of a namespace for good
 * @nn: the namespace state, locked
 *
 * For the namespace's pre_exit: the hooks must be gone before the grace
 * period that precedes the freeing of the namespace state, which they
 * read.
 */
void nlb_hooks_stop(struct nlb_net *nn)
{
	lockdep_assert_held(&nn->lock);
	if (!nn->hooked)
		return;
	nlb_xconn_hooks_stop(nn);
	nlb_hooks_unregister(nn->net, ARRAY_SIZE(nlb_nat_ops4),
			     ARRAY_SIZE(nlb_nat_ops6));
	nf_ct_netns_put(nn->net, NFPROTO_INET);
	nn->hooked = false;
}

/**
 * nlb_hooks_xlat() - make sure the translation hooks are there if a group
 * of the namespace may translate
 * @nn: the namespace state, locked
 * @affinity: the affinity a group of the namespace is getting
 *
 * They are registered while the NAT hooks are and a group has had affinity
 * off or prefer; namespaces that never translate do without them.
 *
 * Return: 0 or a negative errno.
 */
int nlb_hooks_xlat(struct nlb_net *nn, u8 affinity)
{
	struct nlb_group *g;

	lockdep_assert_held(&nn->lock);
	if (!nn->hooked)
		return 0;
	if (affinity != NLB_AFFINITY_ON)
		return nlb_xconn_hooks_get(nn);
	list_for_each_entry(g, &nn->groups, node)
		if (g->affinity != NLB_AFFINITY_ON)
			return nlb_xconn_hooks_get(nn);
	return 0;
}

/**
 * nlb_hooks_put() - drop a reference taken by nlb_hooks_get(),
 * unregistering the hooks with the last one
 * @nn: the namespace state, locked, with n_listeners already decremented
 */
void nlb_hooks_put(struct nlb_net *nn)
{
	lockdep_assert_held(&nn->lock);
	if (!nn->n_listeners)
		nlb_hooks_stop(nn);
}
