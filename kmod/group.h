/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_GROUP_H
#define _NLB_GROUP_H

#include <linux/list.h>
#include <linux/jiffies.h>
#include <linux/refcount.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_tuple.h>
#include <uapi/linux/nlb.h>

#include "health.h"
#include "netns.h"
#include "sched.h"
#include "stats.h"

#define NLB_NAME_SIZE (NLB_NAME_MAX_LEN + 1)

struct nlb_offload_expired;

/**
 * struct nlb_backend - a real server in a server group
 * @node: entry in the group's list of its family, or in its draining list
 *	once deleted (under nlb_net.lock)
 * @group: the group (a reference)
 * @ref: references: the configuration's (while in a list), each counted
 *	connection of a tracked group, each persistence entry
 * @id: identifier in nlb's backend IDR while in the configuration, for
 *	connections that are not counted yet
 * @addr: address
 * @fam: NLB_FAM4 or NLB_FAM6
 * @port: port in host byte order, 0 to keep the client's destination port
 * @weight: 0-255; 0 takes no new connections
 * @enabled: administrative state
 * @healthy: health state
 * @draining: deleted, waiting for its connections to end
 * @in_pool: in the currently published pool of its family (read locklessly
 *	by persistence)
 * @in_new_pool: scratch for nlb_pool_publish()
 * @drain_since: when (jiffies) it was deleted, for the drain timeout
 * @hs: what a health checker reported (agent weight, reason, last probe)
 * @cnt: counters
 * @rcu: for freeing after a grace period
 *
 * The packet path reaches backends through pools and persistence entries,
 * under RCU.
 */
struct nlb_backend {
	struct list_head node;
	struct nlb_group *group;
	refcount_t ref;
	u32 id;
	union nf_inet_addr addr;
	u8 fam;
	u16 port;
	u8 weight;
	bool enabled;
	bool healthy;
	bool draining;
	bool in_pool;
	bool in_new_pool;
	unsigned long drain_since;
	struct nlb_health_state hs;
	struct nlb_counters cnt;
	struct rcu_head rcu;
};

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
 * @n_backends: backends per family
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

struct nlb_group *nlb_group_find(struct nlb_net *nn, const char *name);
struct nlb_group *nlb_group_create(struct nlb_net *nn, const char *name,
				   u8 ipversion, u8 sched, bool track,
				   u32 drain_timeout);
void nlb_group_destroy(struct nlb_net *nn, struct nlb_group *g);
void nlb_group_put(struct nlb_group *g);

struct nlb_pool *nlb_pool_build(struct nlb_net *nn,
				const struct nlb_group *g, int fam, u8 sched);
void nlb_pool_publish(struct nlb_net *nn, struct nlb_group *g, int fam,
		      struct nlb_pool *pool);
void nlb_pool_free(struct nlb_pool *pool);

struct nlb_backend *nlb_backend_find(struct nlb_net *nn,
				     const struct nlb_group *g, int fam,
				     const union nf_inet_addr *addr, u16 port);
struct nlb_backend *nlb_backend_find_draining(struct nlb_net *nn,
					      const struct nlb_group *g,
					      int fam,
					      const union nf_inet_addr *addr,
					      u16 port);
struct nlb_backend *nlb_backend_alloc(struct nlb_group *g, int fam,
				      const union nf_inet_addr *addr,
				      u16 port, u8 weight);
void nlb_backend_unlink(struct nlb_net *nn, struct nlb_backend *be);
void nlb_backend_drain(struct nlb_net *nn, struct nlb_backend *be);
void nlb_backend_undrain(struct nlb_net *nn, struct nlb_backend *be);
void nlb_backend_release(struct nlb_net *nn, struct nlb_backend *be);
void nlb_backend_put(struct nlb_backend *be);
struct nlb_backend *nlb_backend_lookup_id(u32 id);

/*
 * Does @ct go to the backend of family @fam at @addr and @port (host order;
 * 0 keeps the client's destination port)? Its reply tuple, which the
 * backend sends, says.
 */
static inline bool nlb_ct_to_backend(const struct nf_conn *ct, int fam,
				     const union nf_inet_addr *addr, u16 port)
{
	const struct nf_conntrack_tuple *o, *r;

	o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	return (nf_ct_l3num(ct) == NFPROTO_IPV4 ? NLB_FAM4 : NLB_FAM6) == fam &&
	       nf_inet_addr_cmp(addr, &r->src.u3) &&
	       (port ? htons(port) == r->src.u.all :
		o->dst.u.all == r->src.u.all);
}

/* When (jiffies) a draining backend's group's drain timeout expires. */
static inline unsigned long nlb_backend_drain_end(const struct nlb_backend *be)
{
	return be->drain_since + (unsigned long)be->group->drain_timeout * HZ;
}

/* Has a draining backend's drain timeout expired? */
static inline bool nlb_backend_drain_expired(const struct nlb_backend *be)
{
	return be->group->drain_timeout &&
	       !time_before(jiffies, nlb_backend_drain_end(be));
}

#endif /* _NLB_GROUP_H */
