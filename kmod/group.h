/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_GROUP_H
#define _NLB_GROUP_H

#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/netlink.h>
#include <linux/refcount.h>
#include <uapi/linux/nlb.h>

#include "backend.h"
#include "health.h"
#include "netns.h"
#include "sched.h"
#include "stats.h"

#define NLB_NAME_SIZE (NLB_NAME_MAX_LEN + 1)

struct nlb_offload_expired;

/**
 * struct nlb_group - a server group
 * @node: entry in nlb_net.groups
 * @ref: references: the configuration's and one per backend
 * @name: unique name in the namespace
 * @ipversion: NLB_IPVERSION_IPV4 or NLB_IPVERSION_DUALSTACK, fixed
 * @sched: NLB_SCHED_*
 * @affinity: IP version affinity: clients only go to their own family
 * @track: attach the conntrack helper to new connections
 * @acct: give new connections conntrack's accounting extension
 * @offload: move established forwarded connections into the flowtable
 * @drain_timeout: seconds, 0 for none
 * @health: health check settings
 * @n_listeners: listeners using the group
 * @n_backends: backends per family, draining ones not included
 * @backends: backends per family, in creation order (under nlb_net.lock)
 * @draining: deleted backends with connections left (under nlb_net.lock)
 * @pool: per family, the backends new connections may go to (RCU)
 * @expired: the draining backends whose drain timeout has expired, for the
 *	flowtable offload path (RCU; NULL when there are none)
 * @cnt: counters
 * @rcu: for freeing after a grace period
 */
struct nlb_group {
	struct list_head node;
	refcount_t ref;
	char name[NLB_NAME_SIZE];
	u8 ipversion;
	u8 sched;
	bool affinity;
	bool track;
	bool acct;
	bool offload;
	u32 drain_timeout;
	struct nlb_health health;
	unsigned int n_listeners;
	unsigned int n_backends[NLB_NFAM];
	struct list_head backends[NLB_NFAM];
	struct list_head draining;
	struct nlb_pool __rcu *pool[NLB_NFAM];
	struct nlb_offload_expired __rcu *expired;
	struct nlb_counters cnt;
	struct rcu_head rcu;
};

/* Which settings of a struct nlb_group_cfg a request gives. */
#define NLB_GROUP_SET_IPVERSION		BIT(0)
#define NLB_GROUP_SET_AFFINITY		BIT(1)
#define NLB_GROUP_SET_SCHED		BIT(2)
#define NLB_GROUP_SET_TRACK		BIT(3)
#define NLB_GROUP_SET_DRAIN_TIMEOUT	BIT(4)
#define NLB_GROUP_SET_ACCT		BIT(5)
#define NLB_GROUP_SET_OFFLOAD		BIT(6)

/**
 * struct nlb_group_cfg - what a group-add or group-change request asks for
 * @name: the group's name
 * @ipversion: NLB_IPVERSION_*
 * @affinity: IP version affinity
 * @sched: NLB_SCHED_*
 * @track: end-of-connection tracking
 * @drain_timeout: seconds
 * @acct: accounting extension
 * @offload: flowtable offload
 * @set: NLB_GROUP_SET_* of the settings given
 * @tb: the request's attributes, for error messages
 */
struct nlb_group_cfg {
	char name[NLB_NAME_SIZE];
	u8 ipversion;
	bool affinity;
	u8 sched;
	bool track;
	u32 drain_timeout;
	bool acct;
	bool offload;
	u32 set;
	struct nlattr **tb;
};

struct nlb_group *nlb_group_find(struct nlb_net *nn, const char *name);
struct nlb_group *nlb_group_add(struct nlb_net *nn,
				const struct nlb_group_cfg *cfg,
				struct netlink_ext_ack *extack);
int nlb_group_change(struct nlb_net *nn, struct nlb_group *g,
		     const struct nlb_group_cfg *cfg,
		     struct netlink_ext_ack *extack);
int nlb_group_del(struct nlb_net *nn, struct nlb_group *g,
		  const struct nlattr *attr, struct netlink_ext_ack *extack);
void nlb_group_destroy(struct nlb_net *nn, struct nlb_group *g);
void nlb_group_put(struct nlb_group *g);

/* When (jiffies) a draining backend's group's drain timeout expires. */
static inline unsigned long nlb_backend_drain_end(const struct nlb_backend *be)
{
	return be->drain_since +
	       (unsigned long)READ_ONCE(be->group->drain_timeout) * HZ;
}

/* Has a draining backend's drain timeout expired? */
static inline bool nlb_backend_drain_expired(const struct nlb_backend *be)
{
	return READ_ONCE(be->group->drain_timeout) &&
	       !time_before(jiffies, nlb_backend_drain_end(be));
}

#endif /* _NLB_GROUP_H */
