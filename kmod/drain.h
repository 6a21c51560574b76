/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_DRAIN_H
#define _NLB_DRAIN_H

#include "netns.h"

void nlb_drain_start(struct nlb_net *nn);
void nlb_drain_net_init(struct nlb_net *nn);
void nlb_drain_net_stop(struct nlb_net *nn);

#endif /* _NLB_DRAIN_H */
