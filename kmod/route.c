// SPDX-License-Identifier: GPL-2.0
/*
 * Output routes for the packets nlb builds or translates itself: drain
 * RSTs, and the legs of translated connections. Their source is the
 * connection's, not a local address.
 *
 * The packets of translated connections to a backend all take the route
 * to its address: each backend keeps it, per CPU (as tunnels keep theirs
 * in a struct dst_cache, which the kernel builds only for them), instead
 * of looking it up for every packet. That holds only while the route
 * depends on the destination alone: no policy routing rules (source,
 * mark, ports), no IPv6 source-specific routes, no IPsec output policy;
 * otherwise every packet is routed on its own flow. The packets back to
 * clients, of many destinations, are routed each on its own.
 * A cached route is checked on each use against the routing tables'
 * generation (IPv4) or its fib6 serial number (IPv6), so that a route
 * change or a new PMTU exception is seen by the next packet.
 *
 * Lifetime: a cached route holds a reference to a dst whose accounting
 * belongs to the namespace (IPv6's dst_ops), so none may outlive it. A
 * backend's cache is freed when the backend leaves the configuration,
 * after a grace period (the packet path reads it under RCU), or at once
 * in the namespace's exit (its hooks are gone and a grace period has
 * passed since pre_exit); the exit waits for the frees still pending.
 */
#include <linux/netfilter.h>
#include <linux/slab.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/ip_fib.h>
#include <net/route.h>
#include <net/xfrm.h>

#include "route.h"

/**
 * struct nlb_route_pcpu - one CPU's cached route
 * @dst: the route (a reference), or NULL
 * @cookie: what checks it is still valid (an IPv6 route's fib6 serial)
 */
struct nlb_route_pcpu {
	struct dst_entry *dst;
	u32 cookie;
};

/**
 * struct nlb_route_cache - the routes to one destination, per CPU
 * @pcpu: the cached routes (each checked against the routing tables'
 *	generation on use)
 * @frees: the count of frees pending after a grace period, to decrement
 *	once freed (the namespace's, which waits for them on exit)
 * @rcu: its grace period
 */
struct nlb_route_cache {
	struct nlb_route_pcpu __percpu *pcpu;
	atomic_t *frees;
	struct rcu_head rcu;
};

static struct dst_entry *nlb_route4(struct net *net,
				    const struct nlb_flow *f)
{
	struct flowi4 fl4 = {
		.daddr = f->daddr.ip,
		.saddr = f->saddr.ip,
		.flowi4_proto = f->proto,
		.fl4_sport = f->sport,
		.fl4_dport = f->dport,
		.flowi4_mark = f->mark,
		/* The source need not be a local address. */
		.flowi4_flags = FLOWI_FLAG_ANYSRC,
	};
	struct rtable *rt = ip_route_output_flow(net, &fl4, NULL);

	return IS_ERR(rt) ? ERR_CAST(rt) : &rt->dst;
}

static struct dst_entry *nlb_route6(struct net *net,
				    const struct nlb_flow *f)
{
	/* IPv6 routing takes any source, local or not. */
	struct flowi6 fl6 = {
		.daddr = f->daddr.in6,
		.saddr = f->saddr.in6,
		.flowi6_proto = f->proto,
		.fl6_sport = f->sport,
		.fl6_dport = f->dport,
		.flowi6_mark = f->mark,
	};
	struct dst_entry *dst = ip6_route_output(net, NULL, &fl6);
	int err = dst->error;

	if (err) {
		dst_release(dst);
		return ERR_PTR(err);
	}
	return xfrm_lookup_route(net, dst, flowi6_to_flowi(&fl6), NULL, 0);
}

/**
 * nlb_route() - the output route of a packet nlb sends
 * @net: namespace to route in
 * @family: NFPROTO_IPV4 or NFPROTO_IPV6
 * @f: the flow
 *
 * Return: the route (a reference, IPsec policy applied), or an ERR_PTR.
 */
struct dst_entry *nlb_route(struct net *net, u8 family,
			    const struct nlb_flow *f)
{
	return family == NFPROTO_IPV4 ? nlb_route4(net, f) : nlb_route6(net, f);
}

/* Whether the route of a flow of @family depends on its destination alone. */
static bool nlb_route_cacheable(const struct net *net, u8 family)
{
#ifdef CONFIG_XFRM
	if (READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_OUT]))
		return false;
#endif
	if (family == NFPROTO_IPV4)
		return !fib4_has_custom_rules(net);
#ifdef CONFIG_IPV6_MULTIPLE_TABLES
	if (READ_ONCE(net->ipv6.fib6_has_custom_rules))
		return false;
#endif
	return !fib6_routes_require_src(net);
}

/**
 * nlb_route_cache_init() - give a destination a route cache
 * @slot: where it goes
 * @gfp: allocation flags
 *
 * Return: 0 or -ENOMEM.
 */
int nlb_route_cache_init(struct nlb_route_cache __rcu **slot, gfp_t gfp)
{
	struct nlb_route_cache *c = kzalloc(sizeof(*c), gfp);

	if (!c)
		return -ENOMEM;
	c->pcpu = alloc_percpu_gfp(struct nlb_route_pcpu, gfp | __GFP_ZERO);
	if (!c->pcpu) {
		kfree(c);
		return -ENOMEM;
	}
	RCU_INIT_POINTER(*slot, c);
	return 0;
}

static void nlb_route_cache_free(struct nlb_route_cache *c)
{
	int cpu;

	for_each_possible_cpu(cpu)
		dst_release(per_cpu_ptr(c->pcpu, cpu)->dst);
	free_percpu(c->pcpu);
	kfree(c);
}

/* This CPU's route, if still valid, with a reference; bottom halves off. */
static struct dst_entry *nlb_route_pcpu_get(struct nlb_route_pcpu *p)
{
	struct dst_entry *dst = p->dst;

	if (!dst)
		return NULL;
	if (dst->obsolete && !dst->ops->check(dst, p->cookie)) {
		p->dst = NULL;
		dst_release(dst);
		return NULL;
	}
	dst_hold(dst);
	return dst;
}

static void nlb_route_pcpu_set(struct nlb_route_pcpu *p,
			       struct dst_entry *dst, u8 family)
{
	dst_release(p->dst);
	dst_hold(dst);
	p->dst = dst;
	p->cookie = family == NFPROTO_IPV6 ?
		    rt6_get_cookie(dst_rt6_info(dst)) : 0;
}

static void nlb_route_cache_rcu(struct rcu_head *rcu)
{
	struct nlb_route_cache *c = container_of(rcu, struct nlb_route_cache,
						 rcu);
	atomic_t *frees = c->frees;

	nlb_route_cache_free(c);
	atomic_dec(frees);
}

/**
 * nlb_route_cache_release() - take a route cache away and free it
 * @slot: where it is (NULL afterwards)
 * @frees: the namespace's count of pending frees, which its exit waits for
 * @now: free it at once (nothing can read it any more: the namespace's
 *	exit), else after a grace period
 */
void nlb_route_cache_release(struct nlb_route_cache __rcu **slot,
			     atomic_t *frees, bool now)
{
	struct nlb_route_cache *c = rcu_replace_pointer(*slot, NULL, true);

	if (!c)
		return;
	if (now) {
		nlb_route_cache_free(c);
		return;
	}
	c->frees = frees;
	atomic_inc(frees);
	call_rcu(&c->rcu, nlb_route_cache_rcu);
}

/**
 * nlb_route_cached() - the output route of a packet nlb sends to a
 * destination with a route cache
 * @net: namespace to route in
 * @family: NFPROTO_IPV4 or NFPROTO_IPV6
 * @f: the flow; its destination is the cache's
 * @slot: the destination's cache (none any more: routed as nlb_route() does)
 *
 * Context: RCU read side (the packet path).
 * Return: the route (a reference), or an ERR_PTR.
 */
struct dst_entry *nlb_route_cached(struct net *net, u8 family,
				   const struct nlb_flow *f,
				   struct nlb_route_cache __rcu *const *slot)
{
	struct nlb_route_cache *c = rcu_dereference(*slot);
	struct nlb_route_pcpu *p;
	struct dst_entry *dst;

	if (!c || !nlb_route_cacheable(net, family))
		return nlb_route(net, family, f);
	/* The cache is per CPU; LOCAL_OUT runs with bottom halves on. */
	local_bh_disable();
	p = this_cpu_ptr(c->pcpu);
	dst = nlb_route_pcpu_get(p);
	if (!dst) {
		dst = nlb_route(net, family, f);
		if (!IS_ERR(dst))
			nlb_route_pcpu_set(p, dst, family);
	}
	local_bh_enable();
	return dst;
}
