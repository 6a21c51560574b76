/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_PROXY_H
#define _NLB_PROXY_H

#include <linux/types.h>
#include <net/netfilter/nf_conntrack.h>

/* A PROXY protocol v2 header without TLVs: 16 bytes and the addresses. */
#define NLB_PROXY_V2_LEN4	28
#define NLB_PROXY_V2_LEN6	52
#define NLB_PROXY_V2_MAX_LEN	NLB_PROXY_V2_LEN6

/**
 * struct nlb_proxy_addrs - what a PROXY v2 header says
 * @family: NFPROTO_IPV4 or NFPROTO_IPV6: the client's family, which is
 *	the header's whatever the backend's is
 * @src: the client's address
 * @dst: the address the client connected to (the VIP)
 * @sport: the client's port
 * @dport: the port the client connected to (the listener's)
 */
struct nlb_proxy_addrs {
	u8 family;
	union nf_inet_addr src;
	union nf_inet_addr dst;
	__be16 sport;
	__be16 dport;
};

/**
 * struct nlb_proxy_ct - a connection's PROXY v2 state, in nlb's conntrack
 * helper data (8 bytes; changed under ct->lock)
 * @isn: the client's initial sequence number, from its SYN
 * @state: NLB_PROXY_CT_*; 0 (a zeroed area) is NLB_PROXY_CT_OFF
 * @len: the header's length, NLB_PROXY_V2_LEN4 or NLB_PROXY_V2_LEN6
 * @sent: a segment with the header went out
 */
struct nlb_proxy_ct {
	u32 isn;
	u8 state;
	u8 len;
	u8 sent;
};

/* Where a connection is with its header. */
enum {
	NLB_PROXY_CT_OFF,	/* no header for this connection */
	NLB_PROXY_CT_SYN,	/* waiting for the client's SYN */
	NLB_PROXY_CT_SEND,	/* client segments at ISN+1 carry the header */
	NLB_PROXY_CT_ACKED,	/* the backend has it; the correction moves */
	NLB_PROXY_CT_DONE,	/* conntrack's sequence adjustment does it all */
};

/**
 * nlb_proxy_active() - whether nlb_proxy_help() has anything to do for a
 * connection
 * @p: its state
 *
 * Return: true from nlb_proxy_init() until the correction is final.
 */
static inline bool nlb_proxy_active(const struct nlb_proxy_ct *p)
{
	u8 state = READ_ONCE(p->state);

	return state != NLB_PROXY_CT_OFF && state != NLB_PROXY_CT_DONE;
}

int nlb_proxy_v2_build(u8 *buf, const struct nlb_proxy_addrs *a);
void nlb_proxy_addrs_of(const struct nf_conn *ct, struct nlb_proxy_addrs *a);
int nlb_proxy_prepare(struct nf_conn *ct);
void nlb_proxy_init(struct nlb_proxy_ct *p, u8 family);
unsigned int nlb_proxy_help(struct sk_buff *skb, unsigned int protoff,
			    struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			    struct nlb_proxy_ct *p,
			    const struct nlb_proxy_addrs *a, bool *first);
bool nlb_proxy_seq_adjust(struct sk_buff *skb, unsigned int protoff,
			  struct nf_conn *ct, enum ip_conntrack_info ctinfo);
bool nlb_proxy_settle(struct nf_conn *ct, struct nlb_proxy_ct *p);
bool nlb_proxy_used(void);

#endif /* _NLB_PROXY_H */
