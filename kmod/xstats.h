/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_XSTATS_H
#define _NLB_XSTATS_H

#include <linux/percpu.h>
#include <linux/skbuff.h>

#include "xlat.h"

/*
 * Why the translation path dropped a packet: the library's reasons
 * (enum nlb_xlat_reason, NLB_XLAT_TRUNCATED .. NLB_XLAT_NO_ROUTE), and
 * nlb's own after them.
 */
enum nlb_xdrop {
	/* A packet of a leg whose other leg or backend is gone. */
	NLB_XDROP_ORPHAN = __NLB_XLAT_MAX,
	__NLB_XDROP_MAX
};

/**
 * struct nlb_xstats - a namespace's per-CPU counts of translation drops
 * @drops: by reason, enum nlb_xlat_reason or enum nlb_xdrop
 */
struct nlb_xstats {
	u64 drops[__NLB_XDROP_MAX];
};

struct nlb_net;

int nlb_xstats_net_init(struct nlb_net *nn);
void nlb_xstats_net_exit(struct nlb_net *nn);
void nlb_xstats_drop(struct nlb_net *nn, unsigned int reason);
int nlb_xstats_put(struct sk_buff *skb, int attrtype, struct nlb_net *nn);

#endif /* _NLB_XSTATS_H */
