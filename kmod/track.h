/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_TRACK_H
#define _NLB_TRACK_H

#include <net/netfilter/nf_conntrack.h>

#include "proxy.h"

struct nlb_backend;
struct nlb_listener;

/* What a connection that carries nlb's data is to nlb. */
enum nlb_ct_role {
	NLB_CT_PLAIN,	/* a DNAT connection of a tracked group */
	NLB_CT_CLIENT,	/* the client's leg of a translated connection */
	NLB_CT_SERVER,	/* the backend's leg of a translated connection */
};

/* Where a counted connection (plain or client's leg) is in its life. */
enum nlb_ct_state {
	NLB_CT_NEW,	/* not counted yet */
	NLB_CT_COUNTED,	/* in the active counts */
	NLB_CT_CLOSED,	/* TCP closed: not active, totals added when destroyed */
	NLB_CT_ENDED,	/* ended, or never counted */
};

/* The client's leg's source on the backend's side comes from a pool... */
#define NLB_CT_F_POOL	BIT(0)
/* ... and it still holds its slot. */
#define NLB_CT_F_SLOT	BIT(1)
/* The client's leg's backend's leg sends a PROXY v2 header. */
#define NLB_CT_F_PROXY	BIT(2)
/* Plain or backend's leg, of a group with passive on: no answer yet. */
#define NLB_CT_F_WATCH	BIT(3)

/* The unit of nlb_ct.start, in milliseconds. */
#define NLB_CT_TICK_MS	16

/**
 * struct nlb_ct - nlb's data in a connection's helper extension
 * @magic: nlb's, drawn when the module loads
 * @state: enum nlb_ct_state (plain connections and client's legs)
 * @role: enum nlb_ct_role
 * @xfam: client's leg: the family of the backend's leg (NLB_FAM*)
 * @flags: NLB_CT_F_*
 * @be_id: the backend's identifier (both legs of a translated connection
 *	name it, so that a backend's leg recognizes its client's leg)
 * @l_id: plain, client's leg: the listener's identifier
 * @peer: backend's leg: the client's leg, not held: checked before use
 * @xaddr: client's leg: the source of the backend's leg, an IPv4 address
 *	or the last 32 bits of an IPv6 one (the rest from the group)
 * @start: plain, backend's leg: when it was set up, in NLB_CT_TICK_MS
 *	ticks (wrapping every 17 minutes), for the passive timeout of
 *	NLB_CT_F_WATCH
 * @xport: client's leg: the source port of the backend's leg (an echo's
 *	identifier)
 * @proxy: plain, backend's leg: the PROXY v2 header's state (proxy.c); all
 *	zero without one. The header goes where the backend's family is: on
 *	a plain connection, or on the backend's leg of a translated one.
 *
 * 32 bytes: the whole helper area. Changed under the connection's lock. A
 * connection names nlb's objects by identifier only and holds nothing of
 * theirs.
 */
struct nlb_ct {
	u32 magic;
	u8 state;
	u8 role;
	u8 xfam;
	u8 flags;
	u32 be_id;
	u16 start;
	union {
		struct {
			u32 l_id;
		};
		struct nf_conn *peer;
	};
	union {
		struct {
			__be32 xaddr;
			__be16 xport;
		};
		struct nlb_proxy_ct proxy;
	};
};

/**
 * struct nlb_track_view - what the census learns of a tracked connection
 * @be_id: its backend's identifier
 * @l_id: its listener's identifier (not for a backend's leg)
 * @counted: it counts in the objects' exact active counts
 * @ended: it has ended (TCP closed): its packets and bytes are in the
 *	objects' totals, not to be added again
 * @role: enum nlb_ct_role
 * @end: it cannot go on and must be ended (its PROXY header was being sent
 *	when ctnetlink removed its helper)
 */
struct nlb_track_view {
	u32 be_id;
	u32 l_id;
	bool counted;
	bool ended;
	u8 role;
	bool end;
};

struct nlb_ct *nlb_ct_find(const struct nf_conn *ct);
struct nlb_ct *nlb_track_attach(struct nf_conn *ct, struct nlb_listener *l,
				struct nlb_backend *be, u8 role, bool proxy);
struct nlb_ct *nlb_track_attach_server(struct nf_conn *ct,
				       struct nf_conn *peer, u32 be_id, u8 proxy);
void nlb_track_packet(struct nf_conn *ct, struct nlb_ct *d);
unsigned int nlb_track_proxy(struct sk_buff *skb, unsigned int protoff,
			     struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			     struct nlb_ct *d, const struct nf_conn *client);
void nlb_track_passive(struct sk_buff *skb, struct nf_conn *ct,
		       enum ip_conntrack_info ctinfo, struct nlb_ct *d);
bool nlb_track_view(struct nf_conn *ct, struct nlb_track_view *v);
void nlb_track_settle(struct nf_conn *ct);
bool nlb_ct_closed(const struct nf_conn *ct);
int nlb_track_init(void);
void nlb_track_exit(void);

#endif /* _NLB_TRACK_H */
