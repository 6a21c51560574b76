/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_LISTENER_H
#define _NLB_LISTENER_H

#include <linux/list.h>
#include <linux/netlink.h>
#include <net/netfilter/nf_conntrack_tuple.h>

#include "group.h"
#include "netns.h"
#include "persist.h"
#include "stats.h"

struct nlb_listener;

/**
 * struct nlb_vip - one VIP of a listener, hashed in nlb_net.vips
 * @node: hash entry (RCU)
 * @listener: the listener
 * @addr: the address
 * @fam: NLB_FAM4 or NLB_FAM6
 * @rcu: for freeing after a grace period
 *
 * Allocated on its own, so that a listener-change can publish a new VIP
 * before it unpublishes the one it replaces: packets and the census that
 * found the old one may still read it for a grace period.
 */
struct nlb_vip {
	struct hlist_node node;
	struct nlb_listener *listener;
	union nf_inet_addr addr;
	u8 fam;
	struct rcu_head rcu;
};

/**
 * struct nlb_listener - where new connections are accepted
 * @node: entry in nlb_net.listeners
 * @id: identifier in nlb's listener IDR, by which tracked connections
 *	name it
 * @vip: VIP per family, NULL for none (written and read under
 *	nlb_net.lock; the packet path finds them in the hash)
 * @name: unique name in the namespace
 * @proto: IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP
 * @port: destination port, host byte order (0 for ICMP)
 * @reject: NLB_REJECT_*, for new connections no backend can take
 * @persist_timeout: client affinity timeout in seconds, 0 for none
 * @persist_prefix: client affinity prefix length per family
 * @persist: client affinity table, allocated when first needed (RCU)
 * @group: where new connections go (RCU; written under nlb_net.lock)
 * @cnt: counters
 * @rcu: for freeing after a grace period
 *
 * The packet path and the census reach a listener through the VIP hash,
 * tracked connections through the IDR, under RCU; it is freed a grace
 * period after it is deleted.
 */
struct nlb_listener {
	struct list_head node;
	u32 id;
	struct nlb_vip *vip[NLB_NFAM];
	char name[NLB_NAME_SIZE];
	u8 proto;
	u16 port;
	u8 reject;
	u32 persist_timeout;
	u8 persist_prefix[NLB_NFAM];
	struct nlb_persist __rcu *persist;
	struct nlb_group __rcu *group;
	struct nlb_counters cnt;
	struct rcu_head rcu;
};

/* Which settings of a struct nlb_listener_cfg a request gives. */
#define NLB_LISTENER_SET_GROUP		BIT(0)
#define NLB_LISTENER_SET_REJECT		BIT(1)
#define NLB_LISTENER_SET_PERSIST_TIMEOUT	BIT(2)
#define NLB_LISTENER_SET_PERSIST_PREFIX4	BIT(3)
#define NLB_LISTENER_SET_PERSIST_PREFIX6	BIT(4)
#define NLB_LISTENER_SET_VIP4		BIT(5)
#define NLB_LISTENER_SET_VIP6		BIT(6)

/**
 * struct nlb_listener_cfg - what a listener-add or listener-change request
 * asks for
 * @name: the listener's name
 * @vip: the VIPs
 * @vip_used: which families have a VIP (listener-change: for the families
 *	of NLB_LISTENER_SET_VIP4 and _VIP6, false removes the VIP)
 * @proto: IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP (listener-add only)
 * @port: the port (listener-add only)
 * @group: the server group's name, with NLB_LISTENER_SET_GROUP
 * @reject: NLB_REJECT_*
 * @persist_timeout: seconds
 * @persist_prefix: per family
 * @set: NLB_LISTENER_SET_* of the settings given
 * @tb: the request's attributes, for error messages
 */
struct nlb_listener_cfg {
	char name[NLB_NAME_SIZE];
	union nf_inet_addr vip[NLB_NFAM];
	bool vip_used[NLB_NFAM];
	u8 proto;
	u16 port;
	char group[NLB_NAME_SIZE];
	u8 reject;
	u32 persist_timeout;
	u8 persist_prefix[NLB_NFAM];
	u32 set;
	struct nlattr **tb;
};

struct nlb_listener *nlb_listener_lookup(struct nlb_net *nn, int fam,
					 const union nf_inet_addr *addr,
					 u8 proto, u16 port);
struct nlb_listener *nlb_listener_lookup_tuple(struct nlb_net *nn, int fam,
					       const struct nf_conntrack_tuple *t);
struct nlb_listener *nlb_listener_find(struct nlb_net *nn, const char *name);
struct nlb_listener *nlb_listener_lookup_id(u32 id);
struct nlb_listener *nlb_listener_add(struct nlb_net *nn,
				      const struct nlb_listener_cfg *cfg,
				      struct netlink_ext_ack *extack);
int nlb_listener_change(struct nlb_net *nn, struct nlb_listener *l,
			const struct nlb_listener_cfg *cfg,
			struct netlink_ext_ack *extack);
void nlb_listener_del(struct nlb_net *nn, struct nlb_listener *l);
void nlb_listener_init_seed(void);

static inline struct nlb_group *
nlb_listener_group(struct nlb_net *nn, const struct nlb_listener *l)
{
	return rcu_dereference_protected(l->group, lockdep_is_held(&nn->lock));
}

static inline struct nlb_persist *
nlb_listener_persist(struct nlb_net *nn, const struct nlb_listener *l)
{
	return rcu_dereference_protected(l->persist,
					 lockdep_is_held(&nn->lock));
}

#endif /* _NLB_LISTENER_H */
