/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_OFFLOAD_H
#define _NLB_OFFLOAD_H

#include "netns.h"

int nlb_offload_get(struct nlb_net *nn);
void nlb_offload_put(struct nlb_net *nn);
void nlb_offload_net_init(struct nlb_net *nn);
int nlb_offload_init(void);
void nlb_offload_exit(void);

#endif /* _NLB_OFFLOAD_H */
