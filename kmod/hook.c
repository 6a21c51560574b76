// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: scheduling a new connection.
 *
 * nlb plugs into conntrack's NAT core the way nft nat chains do: through
 * the nf_nat register functions. NAT calls nlb_nat_fn() only for a
 * connection whose destination manip is not yet set up, i.e. once, on the
 * first packet of a new connection, at PRE_ROUTING (forwarded and local
 * input traffic) and LOCAL_OUT (clients on the gateway itself). nlb picks
 * a backend and sets up DNAT; from then on conntrack and nf_nat carry
 * every packet of the flow, replies and ICMP errors included, and nlb
 * never sees it again.
 */
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
#include "hook.h"
#include "listener.h"
#include "persist.h"
#include "track.h"

/* Refuse a new connection no backend can take, as the listener says. */
static unsigned int nlb_reject(struct sk_buff *skb,
			       const struct nf_hook_state *state, u8 mode,
			       u8 proto)
{
	bool v4 = state->pf == NFPROTO_IPV4;

	if (mode == NLB_REJECT_DROP)
		return NF_DROP;
	if (mode == NLB_REJECT_RESET && proto == IPPROTO_TCP) {
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
 * Choose the backend of a new connection: the client's persistence entry
 * if it has a usable one, else the scheduler of the pool of the client's
 * own family (IP version affinity). @key is set to the client's masked
 * address when the listener has persistence.
 */
static struct nlb_backend *nlb_choose(struct nlb_listener *l,
				      const struct nlb_group *g,
				      struct nlb_pool *pool, int fam,
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
		be = nlb_persist_get(p, key, fam, g,
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
	union nf_inet_addr key;
	struct nlb_listener *l;
	struct nlb_backend *be;
	struct nlb_pool *pool;
	struct nlb_group *g;
	struct nf_conn *ct;
	unsigned int ret;
	bool persisted;
	int fam;

	/*
	 * The NAT core also calls for a NEW connection that was confirmed
	 * before nlb's hooks were registered (an unanswered flow that
	 * outlived a listener's absence): NAT can no longer be set up for
	 * it, nor extensions added, so it is left alone.
	 */
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW || nf_ct_is_confirmed(ct))
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
	default:
		return NF_ACCEPT;
	}

	fam = state->pf == NFPROTO_IPV4 ? NLB_FAM4 : NLB_FAM6;
	l = nlb_listener_lookup(nlb_net(state->net), fam, &tuple->dst.u3,
				tuple->dst.protonum,
				ntohs(tuple->dst.u.all));
	if (!l)
		return NF_ACCEPT;

	/*
	 * IP version affinity: only the pool of the client's own family is
	 * ever considered.
	 */
	g = rcu_dereference(l->group);
	pool = rcu_dereference(g->pool[fam]);
	be = nlb_choose(l, g, pool, fam, tuple, &persist, &key, &persisted);
	if (!be) {
		nlb_stats_count(&l->cnt, drop_no_backend);
		nlb_stats_count(&g->cnt, drop_no_backend);
		return nlb_reject(skb, state, READ_ONCE(l->reject),
				  tuple->dst.protonum);
	}

	range.flags = NF_NAT_RANGE_MAP_IPS;
	range.min_addr = be->key.addr;
	range.max_addr = be->key.addr;
	if (be->key.port) {
		range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
		range.min_proto.all = htons(be->key.port);
		range.max_proto.all = range.min_proto.all;
	}
	ret = nf_nat_setup_info(ct, &range, NF_NAT_MANIP_DST);
	if (ret == NF_ACCEPT && !nf_nat_initialized(ct, NF_NAT_MANIP_DST))
		ret = NF_DROP;
	/*
	 * Per-connection packet and byte counters, whatever the acct sysctl
	 * says, unless the group does without; then, after NAT so that NAT
	 * adds no seqadj extension for it, the helper of tracked groups.
	 */
	if (ret == NF_ACCEPT &&
	    ((READ_ONCE(g->acct) && !nf_conn_acct_find(ct) &&
	      !nf_ct_ext_add(ct, NF_CT_EXT_ACCT, GFP_ATOMIC)) ||
	     (READ_ONCE(g->track) && nlb_track_attach(ct, l, be))))
		ret = NF_DROP;
	if (ret != NF_ACCEPT) {
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
	nlb_hooks_unregister(nn->net, ARRAY_SIZE(nlb_nat_ops4),
			     ARRAY_SIZE(nlb_nat_ops6));
	nf_ct_netns_put(nn->net, NFPROTO_INET);
	nn->hooked = false;
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
