/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_ROUTE_H
#define _NLB_ROUTE_H

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

struct dst_entry *nlb_route(struct net *net, u8 family,
			    const struct nlb_flow *f);

#endif /* _NLB_ROUTE_H */
