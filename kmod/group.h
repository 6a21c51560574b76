/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_GROUP_H
#define _NLB_GROUP_H

#include <linux/list.h>
#include <net/netfilter/nf_conntrack_tuple.h>
#include <uapi/linux/nlb.h>

#include "netns.h"
#include "sched.h"
#include "stats.h"

#define NLB_NAME_SIZE (NLB_NAME_MAX_LEN + 1)

/**
 * struct nlb_backend - a real server in a server group
 * @node: entry in the group's list of its family (under nlb_net.lock)
 * @group: the group
 * @addr: address
 * @fam: NLB_FAM4 or NLB_FAM6
 * @port: port in host byte order, 0 to keep the client's destination port
 * @weight: 0-255; 0 takes no new connections
 * @stats: counters
 * @rcu: for freeing after a grace period
 *
 * The packet path reaches backends only through pools, under RCU.
 */
struct nlb_backend {
	struct list_head node;
	struct nlb_group *group;
	union nf_inet_addr addr;
	u8 fam;
	u16 port;
	u8 weight;
	struct nlb_stats __percpu *stats;
	struct rcu_head rcu;
};

/**
 * struct nlb_group - a server group
 * @node: entry in nlb_net.groups
 * @name: unique name in the namespace
 * @ipversion: NLB_IPVERSION_IPV4 or NLB_IPVERSION_DUALSTACK, fixed
 * @sched: NLB_SCHED_*
 * @affinity: IP version affinity: clients only go to their own family
 * @n_listeners: listeners using the group
 * @n_backends: backends per family
 * @backends: backends per family, in creation order (under nlb_net.lock)
 * @pool: per family, the backends new connections may go to (RCU)
 * @stats: counters
 * @rcu: for freeing after a grace period
 */
struct nlb_group {
	struct list_head node;
	char name[NLB_NAME_SIZE];
	u8 ipversion;
	u8 sched;
	bool affinity;
	unsigned int n_listeners;
	unsigned int n_backends[NLB_NFAM];
	struct list_head backends[NLB_NFAM];
	struct nlb_pool __rcu *pool[NLB_NFAM];
	struct nlb_stats __percpu *stats;
	struct rcu_head rcu;
};

struct nlb_group *nlb_group_find(struct nlb_net *nn, const char *name);
struct nlb_group *nlb_group_create(struct nlb_net *nn, const char *name,
				   u8 ipversion, u8 sched);
void nlb_group_destroy(struct nlb_net *nn, struct nlb_group *g);

struct nlb_pool *nlb_pool_build(struct nlb_net *nn,
				const struct nlb_group *g, int fam, u8 sched);
void nlb_pool_publish(struct nlb_net *nn, struct nlb_group *g, int fam,
		      struct nlb_pool *pool);

struct nlb_backend *nlb_backend_find(struct nlb_net *nn,
				     const struct nlb_group *g, int fam,
				     const union nf_inet_addr *addr, u16 port);
struct nlb_backend *nlb_backend_alloc(struct nlb_group *g, int fam,
				      const union nf_inet_addr *addr,
				      u16 port, u8 weight);
void nlb_backend_free(struct nlb_backend *be);
void nlb_backend_unlink(struct nlb_net *nn, struct nlb_backend *be);

#endif /* _NLB_GROUP_H */
