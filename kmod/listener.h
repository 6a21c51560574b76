/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_LISTENER_H
#define _NLB_LISTENER_H

#include <linux/list.h>
#include <net/netfilter/nf_conntrack_tuple.h>

#include "group.h"
#include "netns.h"
#include "stats.h"

struct nlb_listener;

/**
 * struct nlb_vip - one VIP of a listener, hashed in nlb_net.vips
 * @node: hash entry (RCU)
 * @listener: the listener
 * @addr: the address
 * @used: whether the listener has a VIP of this family
 */
struct nlb_vip {
	struct hlist_node node;
	struct nlb_listener *listener;
	union nf_inet_addr addr;
	bool used;
};

/**
 * struct nlb_listener - where new connections are accepted
 * @node: entry in nlb_net.listeners
 * @vip: VIP per family
 * @name: unique name in the namespace
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 * @port: destination port, host byte order
 * @group: where new connections go (RCU; written under nlb_net.lock)
 * @stats: counters
 * @rcu: for freeing after a grace period
 */
struct nlb_listener {
	struct list_head node;
	struct nlb_vip vip[NLB_NFAM];
	char name[NLB_NAME_SIZE];
	u8 proto;
	u16 port;
	struct nlb_group __rcu *group;
	struct nlb_stats __percpu *stats;
	struct rcu_head rcu;
};

struct nlb_listener *nlb_listener_lookup(struct nlb_net *nn, int fam,
					 const union nf_inet_addr *addr,
					 u8 proto, u16 port);
struct nlb_listener *nlb_listener_find(struct nlb_net *nn, const char *name);
void nlb_listener_insert(struct nlb_net *nn, struct nlb_listener *l);
void nlb_listener_remove(struct nlb_net *nn, struct nlb_listener *l);
void nlb_listener_set_group(struct nlb_net *nn, struct nlb_listener *l,
			    struct nlb_group *g);
void nlb_listener_free(struct nlb_listener *l);
void nlb_listener_init_seed(void);

static inline struct nlb_group *
nlb_listener_group(struct nlb_net *nn, const struct nlb_listener *l)
{
	return rcu_dereference_protected(l->group, lockdep_is_held(&nn->lock));
}

#endif /* _NLB_LISTENER_H */
