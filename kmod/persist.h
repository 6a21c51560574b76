/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_PERSIST_H
#define _NLB_PERSIST_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <net/netfilter/nf_conntrack_tuple.h>

struct nlb_backend;

struct nlb_group;

#define NLB_PERSIST_BITS 10
/* Most clients a listener remembers; more get no persistence. */
#define NLB_PERSIST_MAX 65536

/**
 * struct nlb_persist - client affinity of one listener: the backend of
 * each client's last new connection
 * @lock: protects the table
 * @n: number of entries
 * @total: entries of all tables of the namespace (limit max_persist)
 * @dead: the listener is gone: no more entries
 * @seed: hash seed
 * @rcu: for freeing after a grace period
 * @bucket: entries by masked client address
 */
struct nlb_persist {
	spinlock_t lock; /* the table */
	unsigned int n;
	atomic_t *total;
	bool dead;
	u32 seed;
	struct rcu_head rcu;
	struct hlist_head bucket[1 << NLB_PERSIST_BITS];
};

struct nlb_persist *nlb_persist_alloc(atomic_t *total);
struct nlb_backend *nlb_persist_get(struct nlb_persist *p,
				    const union nf_inet_addr *key, int fam,
				    const struct nlb_group *g, int pool,
				    unsigned long timeout);
void nlb_persist_set(struct nlb_persist *p, const union nf_inet_addr *key,
		     int fam, struct nlb_backend *be);
void nlb_persist_expire(struct nlb_persist *p, unsigned long timeout);
void nlb_persist_free(struct nlb_persist *p);
void nlb_persist_mask(union nf_inet_addr *key, int fam, unsigned int prefix);

#endif /* _NLB_PERSIST_H */
