/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_NETNS_H
#define _NLB_NETNS_H

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netfilter/nf_flow_table.h>

#include "census.h"

struct nlb_xstats;

#define NLB_VIP_HASH_BITS 10

/* Index of the per-family tables. */
enum nlb_fam {
	NLB_FAM4,
	NLB_FAM6,
	NLB_NFAM,
};

/**
 * struct nlb_net - nlb's state in one network namespace
 * @net: the namespace
 * @lock: serialises configuration changes, replies and housekeeping
 * @listeners: all listeners, in creation order (under @lock)
 * @groups: all server groups, in creation order (under @lock)
 * @n_listeners: number of listeners
 * @n_groups: number of server groups
 * @n_backends: number of backends, draining ones included
 * @n_persist: persistence entries of all listeners
 * @hooked: the NAT hooks are registered (while there are listeners, and
 *	never again once the namespace is going away)
 * @xhooked: the translation hooks are registered (with the NAT hooks, once
 *	a group has had affinity off or prefer)
 * @genid: bumped on every change, so that dumps detect interruptions
 * @req_gen: numbers configuration requests (scratch marks of backends)
 * @vips: listener VIPs by address, protocol and port; written under @lock,
 *	read by the packet path under RCU
 * @backends: every backend by group, family, address and port; written
 *	under @lock, read by the census under RCU
 * @census: the background census of the namespace's connections
 * @housekeeping: runs every second while a backend drains or a listener
 *	has client affinity
 * @passive_ntf: sends the failed notifications of the backends whose
 *	failed connection starts grew, at most every NLB_PASSIVE_NTF_GAP
 * @passive_lock: serialises @passive_stop and queueing @passive_ntf
 * @passive_stop: the namespace is going away: @passive_ntf is not queued
 * @passive_used: a group has had passive on (under @lock)
 * @passive_last: when @passive_ntf last ran (jiffies)
 * @exiting: the namespace is going away: no more background work
 * @n_offload: server groups with offload on (under @lock); the flowtable
 *	and its hooks exist while it is non-zero
 * @offload_unhooked: the namespace is going away and the flowtable's hooks
 *	are gone for good (under @lock)
 * @offload_on: the flowtable's ingress hook follows new devices (RTNL)
 * @offload_devs: devices with the flowtable's ingress hook (RTNL)
 * @ft: the flowtable of offloaded connections
 * @xstats: the translation path's drops by reason
 * @routes_idle: the packet path can no longer run here (set by .exit,
 *	after the hooks went and a grace period passed): route caches are
 *	freed at once
 * @route_frees: route caches waiting for a grace period to be freed
 */
struct nlb_net {
	struct net *net;
	struct mutex lock; /* configuration changes and replies */
	struct list_head listeners;
	struct list_head groups;
	unsigned int n_listeners;
	unsigned int n_groups;
	unsigned int n_backends;
	atomic_t n_persist;
	bool hooked;
	bool xhooked;
	u32 genid;
	u64 req_gen;
	DECLARE_HASHTABLE(vips, NLB_VIP_HASH_BITS);
	struct rhashtable backends;
	struct nlb_census census;
	struct delayed_work housekeeping;
	struct delayed_work passive_ntf;
	spinlock_t passive_lock; /* passive_stop against queueing passive_ntf */
	bool passive_stop;
	bool passive_used;
	unsigned long passive_last;
	bool exiting;
	unsigned int n_offload;
	bool offload_unhooked;
	bool offload_on;
	struct list_head offload_devs;
	struct nf_flowtable ft;
	struct nlb_xstats __percpu *xstats;
	bool routes_idle;
	atomic_t route_frees;
};

extern unsigned int nlb_net_id;

static inline struct nlb_net *nlb_net(const struct net *net)
{
	return net_generic(net, nlb_net_id);
}

int nlb_netns_init(void);
void nlb_netns_exit(void);

#endif /* _NLB_NETNS_H */
