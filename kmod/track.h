/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_TRACK_H
#define _NLB_TRACK_H

#include <net/netfilter/nf_conntrack.h>

struct nlb_backend;
struct nlb_listener;

/**
 * struct nlb_track_view - what the census learns of a tracked connection
 * @be_id: its backend's identifier
 * @l_id: its listener's identifier
 * @counted: it counts in the objects' exact active counts
 * @end: it cannot go on and must be ended (its PROXY header was being sent
 *	when ctnetlink removed its helper)
 */
struct nlb_track_view {
	u32 be_id;
	u32 l_id;
	bool counted;
	bool end;
};

int nlb_track_attach(struct nf_conn *ct, struct nlb_listener *l,
		     struct nlb_backend *be, bool proxy);
bool nlb_track_view(struct nf_conn *ct, struct nlb_track_view *v);
void nlb_track_settle(struct nf_conn *ct);
bool nlb_ct_closed(const struct nf_conn *ct);
int nlb_track_init(void);
void nlb_track_exit(void);

#endif /* _NLB_TRACK_H */
