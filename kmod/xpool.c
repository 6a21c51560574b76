// SPDX-License-Identifier: GPL-2.0
/*
 * Source address pools of translated connections.
 *
 * The leg of a translated connection towards the backend needs a source
 * address of the backend's family: an IPv6 client on an IPv4 backend
 * always, an IPv4 client on an IPv6 backend when its group says so. A pool
 * is a range of addresses times a range of ports; each address and port
 * (a slot) serves one connection at a time, so that the leg's conntrack
 * entry is unique and replies find it. Slots are bits of a bitmap, taken
 * under the pool's lock with a search that starts where the last one
 * ended; a slot whose tuple conntrack already knows (another user of the
 * address, or a leg of a connection that outlived its group) is skipped.
 *
 * A connection gives its slot back when its client's conntrack entry is
 * destroyed. Should that be missed (nlb's helper removed from the entry by
 * ctnetlink, so its .destroy never runs), the census reclaims the slot: it
 * marks every slot it sees a live connection hold, and at its end frees
 * those in use that it did not see and that were not taken since the
 * census before it ended.
 */
#include <linux/bitmap.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack_core.h>

#include "netns.h"
#include "xpool.h"

/* The address of slot index @a, counted from @first in its last 32 bits. */
static void nlb_xpool_addr(const struct nlb_xpool *p, u32 a,
			   union nf_inet_addr *addr)
{
	*addr = p->first;
	if (p->fam == NLB_FAM4)
		addr->ip = htonl(ntohl(p->first.ip) + a);
	else
		addr->ip6[3] = htonl(ntohl(p->first.ip6[3]) + a);
}

/* The slot of @addr and @port, or -1 when they are not the pool's. */
static long nlb_xpool_slot(const struct nlb_xpool *p,
			   const union nf_inet_addr *addr, __be16 port)
{
	u32 a, pi = ntohs(port) - p->port_min;

	if (p->fam == NLB_FAM4) {
		a = ntohl(addr->ip) - ntohl(p->first.ip);
	} else {
		if (memcmp(addr, &p->first, 12))
			return -1;
		a = ntohl(addr->ip6[3]) - ntohl(p->first.ip6[3]);
	}
	if (a >= p->naddr || ntohs(port) < p->port_min || pi >= p->nports)
		return -1;
	return (long)a * p->nports + pi;
}

/**
 * nlb_xpool_create() - a new, empty pool
 * @fam: NLB_FAM4 or NLB_FAM6
 * @first: its first address
 * @last: its last address, differing from @first in its last 32 bits only
 *	and not below it (the caller checks)
 * @port_min: its first port
 * @port_max: its last port, not below @port_min
 *
 * Return: the pool, or an ERR_PTR: -E2BIG beyond NLB_XPOOL_MAX_SIZE slots,
 * -ENOMEM.
 */
struct nlb_xpool *nlb_xpool_create(int fam, const union nf_inet_addr *first,
				   const union nf_inet_addr *last,
				   u16 port_min, u16 port_max)
{
	u32 naddr, nports = (u32)port_max - port_min + 1;
	struct nlb_xpool *p;
	u64 size;

	if (fam == NLB_FAM4)
		naddr = ntohl(last->ip) - ntohl(first->ip) + 1;
	else
		naddr = ntohl(last->ip6[3]) - ntohl(first->ip6[3]) + 1;
	size = (u64)naddr * nports;
	if (!naddr || size > NLB_XPOOL_MAX_SIZE)
		return ERR_PTR(-E2BIG);
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->inuse = bitmap_zalloc(size, GFP_KERNEL_ACCOUNT);
	p->fresh = bitmap_zalloc(size, GFP_KERNEL_ACCOUNT);
	p->seen = bitmap_zalloc(size, GFP_KERNEL_ACCOUNT);
	if (!p->inuse || !p->fresh || !p->seen) {
		nlb_xpool_free(p);
		return ERR_PTR(-ENOMEM);
	}
	spin_lock_init(&p->lock);
	p->fam = fam;
	p->first = *first;
	p->naddr = naddr;
	p->port_min = port_min;
	p->nports = nports;
	p->size = size;
	p->next = get_random_u32_below(size);
	return p;
}

static void nlb_xpool_free_rcu(struct rcu_head *rcu)
{
	struct nlb_xpool *p = container_of(rcu, struct nlb_xpool, rcu);

	bitmap_free(p->inuse);
	bitmap_free(p->fresh);
	bitmap_free(p->seen);
	kfree(p);
}

/**
 * nlb_xpool_free() - free a pool after a grace period
 * @p: the pool, NULL or an ERR_PTR
 *
 * The packet path and the census find pools under RCU.
 */
void nlb_xpool_free(struct nlb_xpool *p)
{
	if (!IS_ERR_OR_NULL(p))
		call_rcu(&p->rcu, nlb_xpool_free_rcu);
}

/**
 * nlb_xpool_alloc() - take a free slot for a new translated leg
 * @p: the pool
 * @ct: the client's conntrack entry (for the namespace and zone)
 * @reply: the leg's reply tuple with its source (the backend) and
 *	protocol set; its destination address is set to the slot's address
 * @port: where in @reply the slot's port goes: its destination port, or
 *	for ICMP echo its identifier (@reply's source "port")
 *
 * The slot is one whose tuples conntrack does not know yet. Called on the
 * packet path.
 *
 * Return: false when the pool has no free slot.
 */
bool nlb_xpool_alloc(struct nlb_xpool *p, const struct nf_conn *ct,
		     struct nf_conntrack_tuple *reply, __be16 *port)
{
	struct nf_conntrack_tuple orig;
	unsigned int tries;
	unsigned long s;

	for (tries = 0; tries < 64; tries++) {
		/* Take the next free slot... */
		spin_lock_bh(&p->lock);
		if (p->used == p->size) {
			spin_unlock_bh(&p->lock);
			return false;
		}
		s = find_next_zero_bit(p->inuse, p->size, p->next);
		if (s >= p->size)
			s = find_first_zero_bit(p->inuse, p->size);
		p->next = s + 1 < p->size ? s + 1 : 0;
		__set_bit(s, p->inuse);
		__set_bit(s, p->fresh);
		p->used++;
		spin_unlock_bh(&p->lock);

		/*
		 * ... and keep it if conntrack does not know its tuples:
		 * asked without the lock, since conntrack may delete an
		 * expired entry on the way, whose end gives a slot back.
		 */
		nlb_xpool_addr(p, s / p->nports, &reply->dst.u3);
		*port = htons(p->port_min + s % p->nports);
		if (nf_ct_invert_tuple(&orig, reply) &&
		    !nf_conntrack_tuple_taken(reply, ct) &&
		    !nf_conntrack_tuple_taken(&orig, ct))
			return true;
		nlb_xpool_release(p, &reply->dst.u3, *port);
	}
	return false;
}

/**
 * nlb_xpool_release() - give a slot back
 * @p: the pool
 * @addr: the slot's address
 * @port: its port
 *
 * A slot that is not the pool's, or not in use (the census reclaimed it),
 * is ignored. Any context.
 */
void nlb_xpool_release(struct nlb_xpool *p, const union nf_inet_addr *addr,
		       __be16 port)
{
	long s = nlb_xpool_slot(p, addr, port);

	if (s < 0)
		return;
	spin_lock_bh(&p->lock);
	if (__test_and_clear_bit(s, p->inuse))
		p->used--;
	spin_unlock_bh(&p->lock);
}

/**
 * nlb_xpool_census_begin() - a census starts: forget earlier sightings
 * @p: the pool
 * @seq: the census's sequence number
 */
void nlb_xpool_census_begin(struct nlb_xpool *p, u64 seq)
{
	bitmap_zero(p->seen, p->size);
	p->gc_seq = seq;
}

/**
 * nlb_xpool_census_seen() - the census saw a live connection hold a slot
 * @p: the pool
 * @seq: the census's sequence number
 * @addr: the slot's address
 * @port: its port
 *
 * Only the census writes @p->seen.
 */
void nlb_xpool_census_seen(struct nlb_xpool *p, u64 seq,
			   const union nf_inet_addr *addr, __be16 port)
{
	long s = nlb_xpool_slot(p, addr, port);

	if (s >= 0 && p->gc_seq == seq)
		__set_bit(s, p->seen);
}

/**
 * nlb_xpool_census_end() - a census is complete: reclaim the slots it
 * found no connection for
 * @p: the pool
 * @seq: the census's sequence number (a pool created during the census
 *	has not seen it begin, and reclaims nothing)
 */
void nlb_xpool_census_end(struct nlb_xpool *p, u64 seq)
{
	unsigned int i, words = BITS_TO_LONGS(p->size);

	if (p->gc_seq != seq)
		return;
	spin_lock_bh(&p->lock);
	for (i = 0; i < words; i++) {
		unsigned long lost = p->inuse[i] & ~p->seen[i] & ~p->fresh[i];

		if (lost) {
			p->inuse[i] &= ~lost;
			p->used -= hweight_long(lost);
		}
	}
	/* What is taken from now on is spared by the next census. */
	bitmap_zero(p->fresh, p->size);
	spin_unlock_bh(&p->lock);
}

/**
 * nlb_xpool_used() - how many slots are in use
 * @p: the pool
 *
 * Return: the number.
 */
u32 nlb_xpool_used(struct nlb_xpool *p)
{
	return READ_ONCE(p->used);
}
