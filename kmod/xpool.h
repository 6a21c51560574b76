/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_XPOOL_H
#define _NLB_XPOOL_H

#include <linux/spinlock.h>
#include <linux/bits.h>
#include <linux/types.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_tuple.h>

/* Most addresses times ports a source pool may have. */
#define NLB_XPOOL_MAX_SIZE	BIT(20)

/**
 * struct nlb_xpool_cfg - the addresses of a source pool as configured
 * @first: its first address (all zero: no pool)
 * @last: its last address
 */
struct nlb_xpool_cfg {
	union nf_inet_addr first;
	union nf_inet_addr last;
};

/**
 * struct nlb_xpool - a source address pool of translated connections:
 * addresses and ports, each given to one connection at a time
 * @lock: protects the bitmaps
 * @fam: NLB_FAM4 or NLB_FAM6, the family of its addresses
 * @first: the first address; the others follow it in their last 32 bits
 * @naddr: number of addresses
 * @port_min: the first port
 * @nports: number of ports
 * @size: @naddr times @nports
 * @used: slots in use
 * @next: where the search for a free slot starts
 * @gc_seq: the census whose sightings @seen holds
 * @rcu: for freeing after a grace period
 * @inuse: a bit per slot in use
 * @fresh: slots taken since the last census ended
 * @seen: slots the census in progress saw a live connection hold
 *
 * A slot is address index * @nports + port index. A connection takes its
 * slot once its client's conntrack entry is confirmed, and gives it back
 * when that entry is destroyed; the census, which sees every live
 * connection, gives back the slots of connections whose end was missed
 * (slots in use that it did not see and that were not taken since the
 * census before it ended).
 */
struct nlb_xpool {
	spinlock_t lock; /* the bitmaps */
	u8 fam;
	union nf_inet_addr first;
	u32 naddr;
	u16 port_min;
	u32 nports;
	u32 size;
	u32 used;
	u32 next;
	u64 gc_seq;
	struct rcu_head rcu;
	unsigned long *inuse;
	unsigned long *fresh;
	unsigned long *seen;
};

struct nlb_xpool *nlb_xpool_create(int fam, const union nf_inet_addr *first,
				   const union nf_inet_addr *last,
				   u16 port_min, u16 port_max);
void nlb_xpool_free(struct nlb_xpool *p);
bool nlb_xpool_alloc(struct nlb_xpool *p, const struct nf_conn *ct,
		     struct nf_conntrack_tuple *reply, __be16 *port);
void nlb_xpool_release(struct nlb_xpool *p, const union nf_inet_addr *addr,
		       __be16 port);
void nlb_xpool_census_begin(struct nlb_xpool *p, u64 seq);
void nlb_xpool_census_seen(struct nlb_xpool *p, u64 seq,
			   const union nf_inet_addr *addr, __be16 port);
void nlb_xpool_census_end(struct nlb_xpool *p, u64 seq);
u32 nlb_xpool_used(struct nlb_xpool *p);

#endif /* _NLB_XPOOL_H */
