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
#include "pool.h"
#include "sched.h"
#include "stats.h"
#include "xpool.h"

#define NLB_NAME_SIZE (NLB_NAME_MAX_LEN + 1)

struct nlb_offload_expired;

/**
 * struct nlb_group - a server group
 * @node: entry in nlb_net.groups
 * @ref: references: the configuration's and one per backend
 * @name: unique name in the namespace
 * @ipversion: NLB_IPVERSION_IPV4 or NLB_IPVERSION_DUALSTACK, fixed
 * @sched: NLB_SCHED_*
 * @affinity: NLB_AFFINITY_*: which families a client's connections go to
 * @track: attach the conntrack helper to new connections
 * @acct: give new connections conntrack's accounting extension
 * @offload: move established forwarded connections into the flowtable
 * @proxy: NLB_PROXY_OFF or NLB_PROXY_V2: send new TCP connections' backends
 *	a PROXY v2 header
 * @drain_timeout: seconds, 0 for none
 * @src6: NLB_XLAT_SRC6_*: the source of IPv4 clients' legs to IPv6 backends
 * @prefix6: the /96 of src6 embed
 * @xcfg: the source pools as configured, per family of their addresses
 * @port_min: the first port of the source pools
 * @port_max: their last port
 * @xpool: the source pools of translated legs, per family of their
 *	addresses (RCU; NULL for none)
 * @health: health check settings
 * @n_listeners: listeners using the group
 * @n_backends: backends per family, draining ones not included
 * @backends: backends per family, in creation order (under nlb_net.lock)
 * @draining: deleted backends with connections left (under nlb_net.lock)
 * @pool: per family, and both together (NLB_POOL_ALL, with affinity off),
 *	the backends new connections may go to (RCU)
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
	u8 affinity;
	bool track;
	bool acct;
	bool offload;
	u8 proxy;
	u32 drain_timeout;
	u8 src6;
	struct in6_addr prefix6;
	struct nlb_xpool_cfg xcfg[NLB_NFAM];
	u16 port_min;
	u16 port_max;
	struct nlb_xpool __rcu *xpool[NLB_NFAM];
	struct nlb_health health;
	unsigned int n_listeners;
	unsigned int n_backends[NLB_NFAM];
	struct list_head backends[NLB_NFAM];
	struct list_head draining;
	struct nlb_pool __rcu *pool[NLB_NPOOLS];
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
#define NLB_GROUP_SET_POOL4		BIT(7)
#define NLB_GROUP_SET_POOL6		BIT(8)
#define NLB_GROUP_SET_PORTS		BIT(9)
#define NLB_GROUP_SET_PREFIX6		BIT(10)
#define NLB_GROUP_SET_SRC6		BIT(11)
#define NLB_GROUP_SET_PROXY		BIT(12)

/**
 * struct nlb_group_cfg - what a group-add or group-change request asks for
 * @name: the group's name
 * @ipversion: NLB_IPVERSION_*
 * @affinity: NLB_AFFINITY_*
 * @sched: NLB_SCHED_*
 * @track: end-of-connection tracking
 * @drain_timeout: seconds
 * @acct: accounting extension
 * @offload: flowtable offload
 * @xcfg: the source pools (an all-zero first address: none)
 * @port_min: their first port
 * @port_max: their last port
 * @prefix6: the /96 of src6 embed
 * @src6: NLB_XLAT_SRC6_*
 * @proxy: NLB_PROXY_*
 * @set: NLB_GROUP_SET_* of the settings given
 * @tb: the request's attributes, for error messages
 */
struct nlb_group_cfg {
	char name[NLB_NAME_SIZE];
	u8 ipversion;
	u8 affinity;
	u8 sched;
	bool track;
	u32 drain_timeout;
	bool acct;
	bool offload;
	struct nlb_xpool_cfg xcfg[NLB_NFAM];
	u16 port_min;
	u16 port_max;
	struct in6_addr prefix6;
	u8 src6;
	u8 proxy;
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
bool nlb_group_needs_pool4(const struct nlb_group *g);

/* Why nlb_group_needs_pool4() refuses. */
#define NLB_GROUP_NEED_POOL4_MSG \
	"IPv4 backends of a group with affinity off or prefer need an IPv4 source pool (pool4-first): IPv6 clients reach them from its addresses"

static inline bool nlb_addr_none(const union nf_inet_addr *a)
{
	return !(a->all[0] | a->all[1] | a->all[2] | a->all[3]);
}

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
