/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_TRACK_H
#define _NLB_TRACK_H

#include <net/netfilter/nf_conntrack.h>

#include "group.h"
#include "listener.h"

int nlb_track_attach(struct nf_conn *ct, struct nlb_listener *l,
		     struct nlb_backend *be);
void nlb_census(struct nlb_net *nn);
void nlb_housekeeping_kick(struct nlb_net *nn);
void nlb_housekeeping_init(struct nlb_net *nn);
void nlb_housekeeping_stop(struct nlb_net *nn);
int nlb_track_init(void);
void nlb_track_exit(void);

#endif /* _NLB_TRACK_H */
