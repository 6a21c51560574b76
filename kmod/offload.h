/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_OFFLOAD_H
#define _NLB_OFFLOAD_H

#include "netns.h"

struct nlb_group;

int nlb_offload_get(struct nlb_net *nn);
void nlb_offload_put(struct nlb_net *nn);
void nlb_offload_net_init(struct nlb_net *nn);
void nlb_offload_net_pre_exit(struct nlb_net *nn);
void nlb_offload_drain_update(struct nlb_net *nn);
void nlb_offload_expired_free(struct nlb_net *nn, struct nlb_group *g);
int nlb_offload_init(void);
void nlb_offload_exit(void);

#endif /* _NLB_OFFLOAD_H */
