/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_XCONN_H
#define _NLB_XCONN_H

#include <net/netfilter/nf_conntrack.h>

#include "netns.h"

struct nlb_backend;
struct nlb_ct;
struct nlb_group;
struct nlb_listener;

int nlb_xconn_new(struct nf_conn *ct, struct nlb_listener *l,
		  struct nlb_group *g, struct nlb_backend *be);
void nlb_xconn_release(struct nlb_ct *d);
void nlb_xconn_abort(struct nf_conn *ct);
void nlb_xconn_destroy(struct nf_conn *ct, struct nlb_ct *d);
struct nf_conn *nlb_xconn_server_get(const struct nf_conn *ct,
				     const struct nlb_backend *be);
bool nlb_xconn_server_live(const struct nf_conn *ct);
struct nf_conn *nlb_xconn_client_get(const struct nf_conn *ct,
				     const struct nlb_ct *d);
void nlb_xconn_census_seen(struct nf_conn *ct, const struct nlb_ct *d,
			   struct nlb_backend *be, u64 seq);
int nlb_xconn_hooks_get(struct nlb_net *nn);
void nlb_xconn_hooks_stop(struct nlb_net *nn);

#endif /* _NLB_XCONN_H */
