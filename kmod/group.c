// SPDX-License-Identifier: GPL-2.0
/*
 * Server groups: adding, changing and deleting them.
 *
 * A group holds its backends (backend.c) in per-family lists and its
 * deleted ones in a draining list, and publishes one pool per family
 * (pool.c) for the packet path. A change is prepared before anything is
 * modified (a new scheduler's pools are built first; the flowtable is set
 * up before offload is turned on), so a refused or failed request leaves
 * the group as it was.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ipv6.h>

#include "group.h"
#include "hook.h"
#include "limits.h"
#include "offload.h"
#include "pool.h"

/**
 * nlb_group_find() - find a server group by name
 * @nn: the namespace state, locked
 * @name: the name
 *
 * Return: the group or NULL.
 */
struct nlb_group *nlb_group_find(struct nlb_net *nn, const char *name)
{
	struct nlb_group *g;

	lockdep_assert_held(&nn->lock);
	list_for_each_entry(g, &nn->groups, node)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}

static void nlb_group_free_rcu(struct rcu_head *rcu)
{
	struct nlb_group *g = container_of(rcu, struct nlb_group, rcu);

	nlb_counters_free(&g->cnt);
	kfree(g);
}

/**
 * nlb_group_put() - drop a reference to a group, freeing it after a grace
 * period with the last one
 * @g: the group
 *
 * May be called in any context.
 */
void nlb_group_put(struct nlb_group *g)
{
	if (refcount_dec_and_test(&g->ref))
		call_rcu(&g->rcu, nlb_group_free_rcu);
}

/* wlc counts active connections: it needs end-of-connection tracking. */
static int nlb_group_check_track(const struct nlb_group_cfg *cfg, u8 sched,
				 bool track, struct netlink_ext_ack *extack)
{
	if (sched == NLB_SCHED_WLC && !track) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_TRACK],
				    "the wlc scheduler needs track on: it counts each backend's active connections");
		return -EINVAL;
	}
	return 0;
}

/*
 * PROXY v2: nlb's conntrack helper inserts the header and conntrack then
 * adjusts the connection's sequence numbers, which a flowtable cannot do.
 */
static int nlb_group_check_proxy(const struct nlb_group_cfg *cfg, u8 proxy,
				 bool track, bool offload,
				 struct netlink_ext_ack *extack)
{
	if (proxy != NLB_PROXY_V2)
		return 0;
	if (!track) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_TRACK],
				    "proxy v2 needs track on: nlb's conntrack helper inserts the PROXY header into each connection");
		return -EINVAL;
	}
	if (offload) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_OFFLOAD] ?:
				    cfg->tb[NLB_A_GROUP_PROXY],
				    "proxy v2 needs offload off: conntrack adjusts the sequence numbers of connections with a PROXY header, which a flowtable cannot offload");
		return -EINVAL;
	}
	return 0;
}

/*
 * An offloaded connection passes conntrack by: it cannot carry nlb's
 * helper, and conntrack no longer knows the sequence numbers a drain reset
 * needs.
 */
static int nlb_group_check_offload(const struct nlb_group_cfg *cfg,
				   bool offload, bool track,
				   struct netlink_ext_ack *extack)
{
	if (offload && track) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_OFFLOAD],
				    "offload needs track off: a tracked connection carries nlb's conntrack helper, which a flowtable cannot offload (and the wlc scheduler needs track)");
		return -EINVAL;
	}
	return 0;
}

/*
 * The translation settings a request leaves a group with: its source pools
 * (new ones prepared, the current ones otherwise), their ports, the prefix
 * and source of IPv4 clients' legs to IPv6 backends.
 */
struct nlb_group_xlat {
	struct nlb_xpool_cfg xcfg[NLB_NFAM];
	u16 port_min;
	u16 port_max;
	struct in6_addr prefix6;
	u8 src6;
	bool replace[NLB_NFAM];
	struct nlb_xpool *xpool[NLB_NFAM];
};

/**
 * nlb_group_needs_pool4() - whether an IPv4 backend may not join a group
 * @g: the group
 *
 * With affinity off or prefer, IPv6 clients reach an IPv4 backend from an
 * address of the group's IPv4 source pool, which it must then have.
 *
 * Return: true if @g lacks the pool that its IPv4 backends need.
 */
bool nlb_group_needs_pool4(const struct nlb_group *g)
{
	return g->affinity != NLB_AFFINITY_ON &&
	       nlb_addr_none(&g->xcfg[NLB_FAM4].first);
}

/* Check one source pool's addresses. */
static int nlb_group_check_pool(const struct nlb_group_cfg *cfg, int fam,
				const struct nlb_xpool_cfg *x, u32 nports,
				struct netlink_ext_ack *extack)
{
	const struct nlattr *attr = cfg->tb[fam == NLB_FAM4 ?
					    NLB_A_GROUP_POOL4_FIRST :
					    NLB_A_GROUP_POOL6_FIRST];
	u32 first, last;

	if (fam == NLB_FAM4) {
		first = ntohl(x->first.ip);
		last = ntohl(x->last.ip);
		if (ipv4_is_multicast(x->first.ip) ||
		    ipv4_is_loopback(x->first.ip) ||
		    ipv4_is_lbcast(x->last.ip) ||
		    ipv4_is_multicast(x->last.ip)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "a source pool's addresses must be unicast, non-loopback addresses");
			return -EINVAL;
		}
	} else {
		first = ntohl(x->first.ip6[3]);
		last = ntohl(x->last.ip6[3]);
		if (memcmp(&x->first, &x->last, 12)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "an IPv6 source pool's first and last addresses may differ in their last 32 bits only");
			return -EINVAL;
		}
		if (ipv6_addr_is_multicast(&x->first.in6) ||
		    ipv6_addr_loopback(&x->first.in6)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "a source pool's addresses must be unicast, non-loopback addresses");
			return -EINVAL;
		}
	}
	if (last < first) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a source pool's last address is before its first");
		return -EINVAL;
	}
	if ((u64)(last - first + 1) * nports > NLB_XPOOL_MAX_SIZE) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a source pool has at most 1048576 addresses times ports");
		return -E2BIG;
	}
	return 0;
}

/*
 * Prepare the translation settings of @cfg for group @g (NULL: a new
 * group) with @affinity: check them and build the pools that change. A
 * pool in use (some connection holds an address and port of it) cannot
 * change.
 */
static int nlb_group_xlat_prepare(const struct nlb_group *g,
				  const struct nlb_group_cfg *cfg, u8 affinity,
				  struct nlb_group_xlat *x,
				  struct netlink_ext_ack *extack)
{
	static const struct in6_addr wkp = {
		.s6_addr = { 0, 0x64, 0xff, 0x9b },
	};
	int fam, err;

	memset(x, 0, sizeof(*x));
	if (g) {
		memcpy(x->xcfg, g->xcfg, sizeof(x->xcfg));
		x->port_min = g->port_min;
		x->port_max = g->port_max;
		x->prefix6 = g->prefix6;
		x->src6 = g->src6;
	} else {
		x->port_min = 1024;
		x->port_max = 65535;
		x->prefix6 = wkp;
		x->src6 = NLB_XLAT_SRC6_EMBED;
	}
	if (cfg->set & NLB_GROUP_SET_POOL4)
		x->xcfg[NLB_FAM4] = cfg->xcfg[NLB_FAM4];
	if (cfg->set & NLB_GROUP_SET_POOL6)
		x->xcfg[NLB_FAM6] = cfg->xcfg[NLB_FAM6];
	if (cfg->set & NLB_GROUP_SET_PORTS) {
		if (cfg->tb[NLB_A_GROUP_POOL_PORT_MIN])
			x->port_min = cfg->port_min;
		if (cfg->tb[NLB_A_GROUP_POOL_PORT_MAX])
			x->port_max = cfg->port_max;
	}
	if (cfg->set & NLB_GROUP_SET_PREFIX6)
		x->prefix6 = cfg->prefix6;
	if (cfg->set & NLB_GROUP_SET_SRC6)
		x->src6 = cfg->src6;

	if (x->port_max < x->port_min) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_POOL_PORT_MAX] ?:
				    cfg->tb[NLB_A_GROUP_POOL_PORT_MIN],
				    "the source pools' last port is before their first");
		return -EINVAL;
	}
	if (x->prefix6.s6_addr32[3] || ipv6_addr_is_multicast(&x->prefix6)) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_PREFIX6],
				    "prefix6 is a unicast /96: its last 32 bits are zero");
		return -EINVAL;
	}
	if (affinity != NLB_AFFINITY_ON && g && g->n_backends[NLB_FAM4] &&
	    nlb_addr_none(&x->xcfg[NLB_FAM4].first)) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_AFFINITY] ?:
				    cfg->tb[NLB_A_GROUP_POOL4_FIRST],
				    NLB_GROUP_NEED_POOL4_MSG);
		return -EINVAL;
	}
	if (x->src6 == NLB_XLAT_SRC6_POOL &&
	    nlb_addr_none(&x->xcfg[NLB_FAM6].first)) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_SRC6],
				    "src6 pool needs an IPv6 source pool (pool6-first)");
		return -EINVAL;
	}
	for (fam = 0; fam < NLB_NFAM; fam++) {
		const struct nlb_xpool_cfg *xc = &x->xcfg[fam];
		struct nlb_xpool *cur = NULL;

		if (g) {
			cur = rcu_dereference_protected(g->xpool[fam], true);
			if (!memcmp(xc, &g->xcfg[fam], sizeof(*xc)) &&
			    x->port_min == g->port_min &&
			    x->port_max == g->port_max)
				continue;
		} else if (nlb_addr_none(&xc->first)) {
			continue;
		}
		if (cur && nlb_xpool_used(cur)) {
			NL_SET_ERR_MSG_ATTR(extack,
					    cfg->tb[fam == NLB_FAM4 ?
						    NLB_A_GROUP_POOL4_FIRST :
						    NLB_A_GROUP_POOL6_FIRST],
					    "the source pool is in use: it can change once no connection holds an address of it");
			err = -EBUSY;
			goto err;
		}
		x->replace[fam] = true;
		if (nlb_addr_none(&xc->first))
			continue;
		err = nlb_group_check_pool(cfg, fam, xc,
					   (u32)x->port_max - x->port_min + 1,
					   extack);
		if (err)
			goto err;
		x->xpool[fam] = nlb_xpool_create(fam, &xc->first, &xc->last,
						 x->port_min, x->port_max);
		if (IS_ERR(x->xpool[fam])) {
			err = PTR_ERR(x->xpool[fam]);
			x->xpool[fam] = NULL;
			goto err;
		}
	}
	return 0;
err:
	for (fam = 0; fam < NLB_NFAM; fam++)
		nlb_xpool_free(x->xpool[fam]);
	return err;
}

static void nlb_group_xlat_abort(struct nlb_group_xlat *x)
{
	int fam;

	for (fam = 0; fam < NLB_NFAM; fam++)
		nlb_xpool_free(x->xpool[fam]);
}

/* Apply prepared translation settings. */
static void nlb_group_xlat_commit(struct nlb_net *nn, struct nlb_group *g,
				  struct nlb_group_xlat *x)
{
	int fam;

	memcpy(g->xcfg, x->xcfg, sizeof(g->xcfg));
	g->port_min = x->port_min;
	g->port_max = x->port_max;
	WRITE_ONCE(g->src6, x->src6);
	g->prefix6 = x->prefix6;
	for (fam = 0; fam < NLB_NFAM; fam++)
		if (x->replace[fam])
			nlb_xpool_free(rcu_replace_pointer(g->xpool[fam],
							   x->xpool[fam],
							   lockdep_is_held(&nn->lock)));
}

/* The first group with offload on sets up the namespace's flowtable. */
static int nlb_group_offload_get(struct nlb_net *nn,
				 struct netlink_ext_ack *extack)
{
	int err = nlb_offload_get(nn);

	if (err)
		NL_SET_ERR_MSG(extack,
			       "could not set up the flowtable of this network namespace");
	return err;
}

/**
 * nlb_group_add() - add a server group
 * @nn: the namespace state, locked
 * @cfg: its settings; those not given take their defaults (ipv4, affinity
 *	on, wrr, track on for wlc and proxy v2 only, no drain timeout, acct
 *	on, offload off, proxy off)
 * @extack: for the error message
 *
 * Return: the new group, or an ERR_PTR with nothing changed.
 */
struct nlb_group *nlb_group_add(struct nlb_net *nn,
				const struct nlb_group_cfg *cfg,
				struct netlink_ext_ack *extack)
{
	u8 sched = cfg->set & NLB_GROUP_SET_SCHED ? cfg->sched : NLB_SCHED_WRR;
	u8 proxy = cfg->set & NLB_GROUP_SET_PROXY ? cfg->proxy : NLB_PROXY_OFF;
	bool offload = cfg->set & NLB_GROUP_SET_OFFLOAD && cfg->offload;
	struct nlb_group *g;
	bool track;
	struct nlb_group_xlat x;
	int err, fam;
	u8 affinity;

	lockdep_assert_held(&nn->lock);
	track = cfg->set & NLB_GROUP_SET_TRACK ? cfg->track :
		sched == NLB_SCHED_WLC || proxy == NLB_PROXY_V2;
	err = nlb_group_check_track(cfg, sched, track, extack) ?:
	      nlb_group_check_proxy(cfg, proxy, track, offload, extack) ?:
	      nlb_group_check_offload(cfg, offload, track, extack);
	if (err)
		return ERR_PTR(err);
	if (nlb_group_find(nn, cfg->name)) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_NAME],
				    "a server group with this name exists");
		return ERR_PTR(-EEXIST);
	}
	affinity = cfg->set & NLB_GROUP_SET_AFFINITY ? cfg->affinity :
						       NLB_AFFINITY_ON;
	err = nlb_limit_check(nn, NLB_LIMIT_GROUPS, cfg->tb[NLB_A_GROUP_NAME],
			      extack) ?:
	      nlb_hooks_xlat(nn, affinity) ?:
	      nlb_group_xlat_prepare(NULL, cfg, affinity, &x, extack);
	if (err)
		return ERR_PTR(err);

	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		goto err_xlat;
	if (nlb_counters_init(&g->cnt))
		goto err_free;
	if (offload) {
		err = nlb_group_offload_get(nn, extack);
		if (err) {
			nlb_counters_free(&g->cnt);
			kfree(g);
			nlb_group_xlat_abort(&x);
			return ERR_PTR(err);
		}
	}
	refcount_set(&g->ref, 1);
	strscpy(g->name, cfg->name, sizeof(g->name));
	g->ipversion = cfg->set & NLB_GROUP_SET_IPVERSION ? cfg->ipversion :
							    NLB_IPVERSION_IPV4;
	g->sched = sched;
	g->affinity = affinity;
	g->track = track;
	g->acct = cfg->set & NLB_GROUP_SET_ACCT ? cfg->acct : true;
	g->offload = offload;
	g->proxy = proxy;
	g->drain_timeout = cfg->set & NLB_GROUP_SET_DRAIN_TIMEOUT ?
			   cfg->drain_timeout : 0;
	for (fam = 0; fam < NLB_NFAM; fam++)
		INIT_LIST_HEAD(&g->backends[fam]);
	INIT_LIST_HEAD(&g->draining);
	nlb_group_xlat_commit(nn, g, &x);
	list_add_tail(&g->node, &nn->groups);
	nn->n_groups++;
	return g;

err_free:
	kfree(g);
err_xlat:
	nlb_group_xlat_abort(&x);
	return ERR_PTR(-ENOMEM);
}

/**
 * nlb_group_change() - change a group's settings
 * @nn: the namespace state, locked
 * @g: the group
 * @cfg: the settings given; the IP version may only repeat the current one
 * @extack: for the error message
 *
 * Track, acct and proxy apply to new connections, a drain timeout also to
 * backends already draining; a new scheduler starts with new pools; a
 * group turning offload off gets its offloaded connections back within a
 * second. Established connections are not disturbed.
 *
 * Return: 0 or a negative errno, with nothing changed.
 */
int nlb_group_change(struct nlb_net *nn, struct nlb_group *g,
		     const struct nlb_group_cfg *cfg,
		     struct netlink_ext_ack *extack)
{
	struct nlb_pool_set ps = {};
	bool track, offload, offload_get;
	struct nlb_group_xlat x;
	u8 sched, affinity, proxy;
	int err, i;

	lockdep_assert_held(&nn->lock);
	if ((cfg->set & NLB_GROUP_SET_IPVERSION) &&
	    cfg->ipversion != g->ipversion) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_GROUP_IPVERSION],
				    "the IP version of a server group is fixed at creation; delete the group and add it again");
		return -EOPNOTSUPP;
	}
	sched = cfg->set & NLB_GROUP_SET_SCHED ? cfg->sched : g->sched;
	proxy = cfg->set & NLB_GROUP_SET_PROXY ? cfg->proxy : g->proxy;
	affinity = cfg->set & NLB_GROUP_SET_AFFINITY ? cfg->affinity :
						       g->affinity;
	track = cfg->set & NLB_GROUP_SET_TRACK ? cfg->track :
		g->track || sched == NLB_SCHED_WLC || proxy == NLB_PROXY_V2;
	offload = cfg->set & NLB_GROUP_SET_OFFLOAD ? cfg->offload : g->offload;
	err = nlb_group_check_track(cfg, sched, track, extack) ?:
	      nlb_group_check_proxy(cfg, proxy, track, offload, extack) ?:
	      nlb_group_check_offload(cfg, offload, track, extack) ?:
	      nlb_hooks_xlat(nn, affinity) ?:
	      nlb_group_xlat_prepare(g, cfg, affinity, &x, extack);
	if (err)
		return err;

	offload_get = offload && !g->offload;
	if (offload_get) {
		err = nlb_group_offload_get(nn, extack);
		if (err)
			goto err_xlat;
	}
	/* A new scheduler starts with new pools; a new affinity, its own. */
	if (sched != g->sched)
		for (i = 0; i < NLB_NPOOLS; i++)
			ps.dirty[i] = true;
	err = nlb_pools_build(nn, g, &ps, sched, affinity);
	if (err)
		goto err_offload;
	g->sched = sched;
	WRITE_ONCE(g->affinity, affinity);
	nlb_pools_publish(nn, g, &ps);
	nlb_group_xlat_commit(nn, g, &x);
	/* Connections already set up keep what they have. */
	WRITE_ONCE(g->track, track);
	WRITE_ONCE(g->proxy, proxy);
	if (cfg->set & NLB_GROUP_SET_DRAIN_TIMEOUT)
		WRITE_ONCE(g->drain_timeout, cfg->drain_timeout);
	if (cfg->set & NLB_GROUP_SET_ACCT)
		WRITE_ONCE(g->acct, cfg->acct);
	/* Offloaded connections of the group go back within a second. */
	if (offload != g->offload) {
		WRITE_ONCE(g->offload, offload);
		if (!offload)
			nlb_offload_put(nn);
	}
	return 0;

err_offload:
	if (offload_get)
		nlb_offload_put(nn);
err_xlat:
	nlb_group_xlat_abort(&x);
	return err;
}

/**
 * nlb_group_destroy() - unlink a group unused by listeners and release
 * its backends, draining ones included
 * @nn: the namespace state, locked
 * @g: the group
 *
 * Established connections keep flowing: their NAT binding is conntrack's.
 * Tracked ones are no longer counted anywhere; offloaded ones stay in the
 * flowtable until they end or it goes.
 */
void nlb_group_destroy(struct nlb_net *nn, struct nlb_group *g)
{
	struct nlb_backend *be, *tmp;
	int fam;

	lockdep_assert_held(&nn->lock);
	WARN_ON_ONCE(g->n_listeners);
	nlb_pools_unpublish(nn, g);
	for (fam = 0; fam < NLB_NFAM; fam++) {
		nlb_xpool_free(rcu_replace_pointer(g->xpool[fam], NULL,
						   lockdep_is_held(&nn->lock)));
		list_for_each_entry_safe(be, tmp, &g->backends[fam], node) {
			list_del(&be->node);
			g->n_backends[fam]--;
			nlb_backend_release(nn, be);
		}
	}
	list_for_each_entry_safe(be, tmp, &g->draining, node) {
		list_del(&be->node);
		nlb_backend_release(nn, be);
	}
	nlb_offload_expired_free(nn, g);
	if (g->offload)
		nlb_offload_put(nn);
	nlb_health_free(&g->health);
	list_del(&g->node);
	nn->n_groups--;
	nlb_group_put(g);
}

/**
 * nlb_group_del() - delete a group that no listener uses, and its backends
 * @nn: the namespace state, locked
 * @g: the group
 * @attr: the request's attribute naming it, for the error message
 * @extack: for the error message
 *
 * Return: 0, or -EBUSY with nothing changed while a listener uses it.
 */
int nlb_group_del(struct nlb_net *nn, struct nlb_group *g,
		  const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&nn->lock);
	if (g->n_listeners) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the server group is used by a listener; delete the listener or move it to another group first");
		return -EBUSY;
	}
	nlb_group_destroy(nn, g);
	return 0;
}
