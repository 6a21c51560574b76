/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_RESET_H
#define _NLB_RESET_H

#include <linux/list.h>
#include <linux/types.h>
#include <net/netfilter/nf_conntrack.h>

/**
 * struct nlb_reset_seg - one TCP RST segment to send
 * @saddr: source address, usually not local to this host
 * @daddr: destination address
 * @sport: source port
 * @dport: destination port
 * @seq: sequence number, what the receiver expects next
 * @ack: acknowledgment number, only with @flags NLB_RESET_ACK
 * @flags: NLB_RESET_ACK to send RST|ACK rather than a bare RST;
 *	NLB_RESET_PROBE to send a pure ACK
 */
struct nlb_reset_seg {
	union nf_inet_addr saddr;
	union nf_inet_addr daddr;
	__be16 sport;
	__be16 dport;
	u32 seq;
	u32 ack;
	u8 flags;
};

#define NLB_RESET_ACK	0x01
/* A pure ACK (no RST), to draw an ACK from the receiver. */
#define NLB_RESET_PROBE	0x02

/* Most segments nlb_reset_prepare() asks for: two to each end. */
#define NLB_RESET_MAX_SEGS	4

/**
 * struct nlb_reset - the RSTs that end both sides of one TCP connection
 * @list: free for the caller, to batch resets; not used by nlb_reset_*()
 * @family: NFPROTO_IPV4 or NFPROTO_IPV6
 * @mark: the connection's mark, which routes the segments (policy
 *	routing by fwmark, as the connection's own packets)
 * @nsegs: number of valid entries in @segs
 * @segs: the segments, in sending order
 */
struct nlb_reset {
	struct list_head list;
	u32 mark;
	u8 family;
	u8 nsegs;
	struct nlb_reset_seg segs[NLB_RESET_MAX_SEGS];
};

/* Which ends nlb_reset_prepare() resets. */
#define NLB_RESET_CLIENT	0x01	/* the original direction's sender */
#define NLB_RESET_BACKEND	0x02	/* the reply direction's sender */
#define NLB_RESET_BOTH		(NLB_RESET_CLIENT | NLB_RESET_BACKEND)

bool nlb_reset_prepare(struct nf_conn *ct, struct nlb_reset *r, u8 ends);
bool nlb_reset_probe_prepare(struct nf_conn *ct, struct nlb_reset *r);
void nlb_reset_send(struct net *net, const struct nlb_reset *r);

#endif /* _NLB_RESET_H */
