// SPDX-License-Identifier: GPL-2.0
/*
 * Output routes for the packets nlb builds or translates itself: drain
 * RSTs, and the legs of translated connections. Their source is the
 * connection's, not a local address.
 */
#include <linux/netfilter.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/xfrm.h>

#include "route.h"

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
