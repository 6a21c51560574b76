/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_ROUTE_H
#define _NLB_ROUTE_H

#include <linux/rcupdate.h>
#include <linux/types.h>
#include <net/dst.h>
#include <net/netfilter/nf_conntrack_tuple.h>

/**
 * struct nlb_flow - what routes a packet nlb sends itself
 * @saddr: its source, which need not be local
 * @daddr: its destination
 * @sport: its source port (or 0)
 * @dport: its destination port (or 0)
 * @proto: its protocol
 * @mark: its mark (fwmark policy routing)
 */
struct nlb_flow {
	union nf_inet_addr saddr;
	union nf_inet_addr daddr;
	__be16 sport;
	__be16 dport;
	u8 proto;
	u32 mark;
};

struct nlb_route_cache;

struct dst_entry *nlb_route(struct net *net, u8 family,
			    const struct nlb_flow *f);
int nlb_route_cache_init(struct nlb_route_cache __rcu **slot, gfp_t gfp);
void nlb_route_cache_release(struct nlb_route_cache __rcu **slot,
			     atomic_t *frees, bool now);
struct dst_entry *nlb_route_cached(struct net *net, u8 family,
				   const struct nlb_flow *f,
				   struct nlb_route_cache __rcu *const *slot);

#endif /* _NLB_ROUTE_H */
