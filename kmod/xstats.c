// SPDX-License-Identifier: GPL-2.0
/*
 * Counts of the packets the translation path drops, by reason, per
 * namespace: what `nlbadm info` shows as xlat-drops. A packet is counted
 * once, by the reason it was dropped for (the ICMP error it may have
 * earned is not counted again).
 */
#include <net/netlink.h>
#include <uapi/linux/nlb.h>

#include "netns.h"
#include "xstats.h"

/* The attribute of each reason; 0: not a drop (NLB_XLAT_OK, ...). */
static const u8 nlb_xdrop_attr[__NLB_XDROP_MAX] = {
	[NLB_XLAT_TRUNCATED]		= NLB_A_XLAT_DROPS_TRUNCATED,
	[NLB_XLAT_BAD_LEN]		= NLB_A_XLAT_DROPS_BAD_LEN,
	[NLB_XLAT_BAD_HDR]		= NLB_A_XLAT_DROPS_BAD_HDR,
	[NLB_XLAT_BAD_CSUM]		= NLB_A_XLAT_DROPS_BAD_CSUM,
	[NLB_XLAT_HOP_LIMIT]		= NLB_A_XLAT_DROPS_HOP_LIMIT,
	[NLB_XLAT_SOURCE_ROUTE]		= NLB_A_XLAT_DROPS_SOURCE_ROUTE,
	[NLB_XLAT_UNSUPPORTED_EXTHDR]	= NLB_A_XLAT_DROPS_UNSUPPORTED_EXTHDR,
	[NLB_XLAT_UNSUPPORTED_PROTO]	= NLB_A_XLAT_DROPS_UNSUPPORTED_PROTO,
	[NLB_XLAT_FRAGMENT]		= NLB_A_XLAT_DROPS_FRAGMENT,
	[NLB_XLAT_GSO]			= NLB_A_XLAT_DROPS_GSO,
	[NLB_XLAT_ICMP_DROP]		= NLB_A_XLAT_DROPS_ICMP_DROP,
	[NLB_XLAT_ICMP_INNER]		= NLB_A_XLAT_DROPS_ICMP_INNER,
	[NLB_XLAT_TOO_BIG]		= NLB_A_XLAT_DROPS_TOO_BIG,
	[NLB_XLAT_NOMEM]		= NLB_A_XLAT_DROPS_NOMEM,
	[NLB_XLAT_NO_ROUTE]		= NLB_A_XLAT_DROPS_NO_ROUTE,
	[NLB_XDROP_ORPHAN]		= NLB_A_XLAT_DROPS_ORPHAN,
};

/**
 * nlb_xstats_net_init() - allocate a namespace's counters
 * @nn: the namespace state
 *
 * Return: 0 or -ENOMEM.
 */
int nlb_xstats_net_init(struct nlb_net *nn)
{
	nn->xstats = alloc_percpu_gfp(struct nlb_xstats, GFP_KERNEL_ACCOUNT);
	return nn->xstats ? 0 : -ENOMEM;
}

/**
 * nlb_xstats_net_exit() - free them
 * @nn: the namespace state, with no hook left that counts
 */
void nlb_xstats_net_exit(struct nlb_net *nn)
{
	free_percpu(nn->xstats);
}

/**
 * nlb_xstats_drop() - count a dropped packet
 * @nn: its namespace
 * @reason: why: an enum nlb_xlat_reason other than NLB_XLAT_OK, or an
 *	enum nlb_xdrop
 *
 * Any context.
 */
void nlb_xstats_drop(struct nlb_net *nn, unsigned int reason)
{
	if (reason < __NLB_XDROP_MAX)
		this_cpu_inc(nn->xstats->drops[reason]);
}

/**
 * nlb_xstats_put() - add the counters to a reply, as a nest
 * @skb: the reply
 * @attrtype: the nest's attribute
 * @nn: the namespace state
 *
 * Return: 0 or -EMSGSIZE.
 */
int nlb_xstats_put(struct sk_buff *skb, int attrtype, struct nlb_net *nn)
{
	u64 sum[__NLB_XDROP_MAX] = {};
	struct nlattr *nest;
	unsigned int r;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct nlb_xstats *x = per_cpu_ptr(nn->xstats, cpu);

		for (r = 0; r < __NLB_XDROP_MAX; r++)
			sum[r] += READ_ONCE(x->drops[r]);
	}
	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	for (r = 0; r < __NLB_XDROP_MAX; r++) {
		if (nlb_xdrop_attr[r] &&
		    nla_put_u64_64bit(skb, nlb_xdrop_attr[r], sum[r],
				      NLB_A_XLAT_DROPS_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}
