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
 */
struct nlb_track_view {
	u32 be_id;
	u32 l_id;
	bool counted;
};

int nlb_track_attach(struct nf_conn *ct, struct nlb_listener *l,
		     struct nlb_backend *be);
bool nlb_track_view(struct nf_conn *ct, struct nlb_track_view *v);
bool nlb_ct_closed(const struct nf_conn *ct);
int nlb_track_init(void);
void nlb_track_exit(void);

#endif /* _NLB_TRACK_H */
