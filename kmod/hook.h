/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_HOOK_H
#define _NLB_HOOK_H

#include "netns.h"

int nlb_hooks_get(struct nlb_net *nn);
void nlb_hooks_put(struct nlb_net *nn);
void nlb_hooks_stop(struct nlb_net *nn);
int nlb_hooks_xlat(struct nlb_net *nn, u8 affinity);

#endif /* _NLB_HOOK_H */
