/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_POOL_H
#define _NLB_POOL_H

#include "netns.h"
#include "sched.h"

struct nlb_group;

struct nlb_pool *nlb_pool_build(struct nlb_net *nn,
				const struct nlb_group *g, int fam, u8 sched);
void nlb_pool_publish(struct nlb_net *nn, struct nlb_group *g, int fam,
		      struct nlb_pool *pool);
void nlb_pool_free(struct nlb_pool *pool);

#endif /* _NLB_POOL_H */
