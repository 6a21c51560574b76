/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_POOL_H
#define _NLB_POOL_H

#include "netns.h"
#include "sched.h"

struct nlb_group;

/* A group's pools: one per family, and both families together. */
#define NLB_POOL_ALL	NLB_NFAM
#define NLB_NPOOLS	(NLB_NFAM + 1)

/**
 * struct nlb_pool_set - the pools of a group that a change rebuilds
 * @dirty: which pools are rebuilt (index: family, or NLB_POOL_ALL)
 * @pool: the new pools (NULL: empty, or none for NLB_POOL_ALL)
 */
struct nlb_pool_set {
	bool dirty[NLB_NPOOLS];
	struct nlb_pool *pool[NLB_NPOOLS];
};

int nlb_pools_build(struct nlb_net *nn, const struct nlb_group *g,
		    struct nlb_pool_set *ps, u8 sched, u8 affinity);
void nlb_pools_publish(struct nlb_net *nn, struct nlb_group *g,
		       struct nlb_pool_set *ps);
void nlb_pools_unpublish(struct nlb_net *nn, struct nlb_group *g);

#endif /* _NLB_POOL_H */
