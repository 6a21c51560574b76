/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_TRACK_H
#define _NLB_TRACK_H

#include <net/netfilter/nf_conntrack.h>

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
	NLB_CT_ENDED,	/* ended, or never counted */
};

/* The client's leg's source on the backend's side comes from a pool... */
#define NLB_CT_F_POOL	BIT(0)
/* ... and it still holds its slot. */
#define NLB_CT_F_SLOT	BIT(1)
/* Plain or client's leg, of a group with passive on: no answer yet. */
#define NLB_CT_F_WATCH	BIT(2)

/* The unit of nlb_ct.start, in milliseconds. */
#define NLB_CT_TICK_MS	16

/**
 * struct nlb_ct - nlb's data in a connection's helper extension
 * @magic: nlb's, drawn when the module loads
 * @state: enum nlb_ct_state (plain connections and client's legs)
 * @role: enum nlb_ct_role
 * @xfam: client's leg: the family of the backend's leg (NLB_FAM*)
 * @flags: NLB_CT_F_*
 * @be_id: plain, client's leg: the backend's identifier
 * @l_id: plain, client's leg: the listener's identifier
 * @xaddr: client's leg: the source of the backend's leg, an IPv4 address
 *	or the last 32 bits of an IPv6 one (the rest from the group)
 * @start: plain, client's leg: when it was set up, in NLB_CT_TICK_MS
 *	ticks (wrapping every 17 minutes), for the passive timeout of
 *	NLB_CT_F_WATCH; in the struct's padding
 * @xport: client's leg: the source port of the backend's leg (an echo's
 *	identifier)
 * @peer: backend's leg: the client's leg, not held: checked before use
 *
 * Changed under the connection's lock. A connection names nlb's objects by
 * identifier only and holds nothing of theirs.
 */
struct nlb_ct {
	u32 magic;
	u8 state;
	u8 role;
	u8 xfam;
	u8 flags;
	union {
		struct {
			u32 be_id;
			u32 l_id;
			__be32 xaddr;
			__be16 xport;
			u16 start;
		};
		struct nf_conn *peer;
	};
};

/**
 * struct nlb_track_view - what the census learns of a tracked connection
 * @be_id: its backend's identifier
 * @l_id: its listener's identifier
 * @counted: it counts in the objects' exact active counts
 * @ended: it has ended (TCP closed): its packets and bytes are in the
 *	objects' totals, not to be added again
 * @role: enum nlb_ct_role
 */
struct nlb_track_view {
	u32 be_id;
	u32 l_id;
	bool counted;
	bool ended;
	u8 role;
};

struct nlb_ct *nlb_ct_find(const struct nf_conn *ct);
struct nlb_ct *nlb_track_attach(struct nf_conn *ct, struct nlb_listener *l,
				struct nlb_backend *be, u8 role);
struct nlb_ct *nlb_track_attach_server(struct nf_conn *ct,
				       struct nf_conn *peer);
void nlb_track_packet(struct nf_conn *ct, struct nlb_ct *d);
void nlb_track_passive(struct sk_buff *skb, struct nf_conn *ct,
		       enum ip_conntrack_info ctinfo, struct nlb_ct *d);
bool nlb_track_view(struct nf_conn *ct, struct nlb_track_view *v);
bool nlb_ct_closed(const struct nf_conn *ct);
int nlb_track_init(void);
void nlb_track_exit(void);

#endif /* _NLB_TRACK_H */
