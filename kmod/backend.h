/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_BACKEND_H
#define _NLB_BACKEND_H

#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/netlink.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_tuple.h>

#include "health.h"
#include "netns.h"
#include "route.h"
#include "stats.h"

struct nlb_group;

/**
 * struct nlb_backend_key - what identifies a backend in its namespace
 * @group: its server group
 * @addr: its address (the unused bytes of an IPv4 one zero)
 * @port: its port, host order; 0 keeps the client's destination port
 * @fam: NLB_FAM4 or NLB_FAM6
 * @pad: zero, so that the key hashes and compares as bytes
 */
struct nlb_backend_key {
	const struct nlb_group *group;
	union nf_inet_addr addr;
	u16 port;
	u8 fam;
	u8 pad[5];
};

/**
 * struct nlb_backend - a real server in a server group
 * @node: entry in the group's list of its family, or in its draining list
 *	once deleted (under nlb_net.lock)
 * @hnode: entry in nlb_net.backends, while configured or draining
 * @key: group, address, port and family
 * @group: the group (a reference)
 * @ref: references: the configuration's (while configured or draining)
 *	and one per persistence entry
 * @id: identifier in nlb's backend IDR while configured or draining, by
 *	which tracked connections name it
 * @weight: 0-255; 0 takes no new connections
 * @enabled: administrative state
 * @healthy: health state
 * @draining: deleted, waiting for its connections to end
 * @in_pool: in the currently published pool of its family (read locklessly
 *	by persistence)
 * @in_all: likewise, in the group's pool of both families
 * @in_new_pool: scratch for nlb_pool_publish()
 * @drain_since: when (jiffies) it was deleted, for the drain timeout
 * @drain_seq: the first census that started after it was deleted: the
 *	census that tells it has no connection left
 * @req_gen: scratch of the configuration: the request that last named it
 * @hs: what a health checker reported (agent weight, reason, last probe)
 * @cnt: counters
 * @route: the route to it of translated connections' packets (route.c);
 *	NULL once it left the configuration
 * @rcu: for freeing after a grace period
 *
 * The packet path reaches backends through pools and persistence entries,
 * the census and tracked connections through nlb_net.backends and the IDR,
 * all under RCU.
 */
struct nlb_backend {
	struct list_head node;
	struct rhash_head hnode;
	struct nlb_backend_key key;
	struct nlb_group *group;
	refcount_t ref;
	u32 id;
	u8 weight;
	bool enabled;
	bool healthy;
	bool draining;
	bool in_pool;
	bool in_all;
	bool in_new_pool;
	unsigned long drain_since;
	u64 drain_seq;
	u64 req_gen;
	struct nlb_health_state hs;
	struct nlb_counters cnt;
	struct nlb_route_cache __rcu *route;
	struct rcu_head rcu;
};

/* Which settings of a struct nlb_backend_cfg a request gives. */
#define NLB_BE_SET_WEIGHT	BIT(0)
#define NLB_BE_SET_ENABLED	BIT(1)
#define NLB_BE_SET_HEALTHY	BIT(2)
#define NLB_BE_SET_AGENT	BIT(3)

/**
 * struct nlb_backend_cfg - one backend of a backend-add, -change or -del
 * request
 * @addr: address (an IPv4 one in @addr.ip, the rest zero)
 * @fam: NLB_FAM4 or NLB_FAM6
 * @port: port, host order
 * @weight: weight, with NLB_BE_SET_WEIGHT
 * @enabled: administrative state, with NLB_BE_SET_ENABLED
 * @healthy: health, with NLB_BE_SET_HEALTHY
 * @agent_weight: agent weight, with NLB_BE_SET_AGENT (a health checker's)
 * @set: NLB_BE_SET_* of the settings given
 * @attr: the request's attribute naming it, for error messages (the batch
 *	entry, or the address attribute)
 * @be: set by the operation: the backend added, changed or deleted
 * @prev: scratch for undoing the operation (the list entry before it)
 * @old: scratch: its settings before the operation
 */
struct nlb_backend_cfg {
	union nf_inet_addr addr;
	u8 fam;
	u16 port;
	u8 weight;
	bool enabled;
	bool healthy;
	u8 agent_weight;
	u8 set;
	const struct nlattr *attr;
	struct nlb_backend *be;
	struct list_head *prev;
	struct {
		u8 weight;
		bool enabled;
		bool healthy;
		u8 agent_weight;
	} old;
};

/* Most backends one request may name. */
#define NLB_BACKEND_BATCH_MAX	4096

int nlb_backends_add(struct nlb_net *nn, struct nlb_group *g,
		     struct nlb_backend_cfg *cfg, unsigned int n,
		     struct netlink_ext_ack *extack);
int nlb_backends_change(struct nlb_net *nn, struct nlb_group *g,
			struct nlb_backend_cfg *cfg, unsigned int n,
			struct netlink_ext_ack *extack);
int nlb_backends_del(struct nlb_net *nn, struct nlb_group *g,
		     struct nlb_backend_cfg *cfg, unsigned int n,
		     struct netlink_ext_ack *extack);

struct nlb_backend *nlb_backend_find(struct nlb_net *nn,
				     const struct nlb_group *g, int fam,
				     const union nf_inet_addr *addr, u16 port);
struct nlb_backend *nlb_backend_lookup(struct nlb_net *nn,
				       const struct nlb_group *g, int fam,
				       const union nf_inet_addr *addr,
				       u16 port);
struct nlb_backend *nlb_backend_lookup_id(u32 id);
void nlb_backend_release(struct nlb_net *nn, struct nlb_backend *be);
void nlb_backend_put(struct nlb_backend *be);
int nlb_backends_net_init(struct nlb_net *nn);
void nlb_backends_net_exit(struct nlb_net *nn);

/* Does @ct go to the backend of family @fam at @addr and @port? */
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

#endif /* _NLB_BACKEND_H */
