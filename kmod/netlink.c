// SPDX-License-Identifier: GPL-2.0
/*
 * The "nlb" generic netlink family: configuration requests.
 *
 * Attribute policies and the ops table are generated from uapi/nlb.yaml
 * into nl-gen.c. Every request is strictly validated by genetlink against
 * its op's policy before it gets here; these handlers check what a policy
 * cannot express, and do so before changing anything, so that a refused
 * request leaves the configuration exactly as it was. Every refusal
 * carries an extack message.
 */
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "health.h"
#include "hook.h"
#include "listener.h"
#include "netlink.h"
#include "nl-gen.h"
#include "offload.h"
#include "track.h"

static struct genl_family nlb_family;

/* Must a request's attribute be present? Sets the extack when it is not. */
#define NLB_REQUIRE(info, type, msg) ({					\
	struct genl_info *__info = (info);				\
	int __type = (type);						\
	bool __missing = !__info->attrs[__type];			\
	if (__missing) {						\
		NL_SET_ERR_MSG(__info->extack, msg);			\
		NL_SET_ERR_ATTR_MISS(__info->extack, NULL, __type);	\
	}								\
	__missing;							\
})

static struct nlb_net *nlb_info_net(struct genl_info *info)
{
	return nlb_net(genl_info_net(info));
}

/* Record a change, so that dumps in progress see that they are stale. */
static void nlb_changed(struct nlb_net *nn)
{
	if (!++nn->genid)
		nn->genid = 1;
}

static int nlb_get_name(struct genl_info *info, int type, char *name)
{
	nla_strscpy(name, info->attrs[type], NLB_NAME_SIZE);
	if (!name[0]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[type],
				    "name must not be empty");
		return -EINVAL;
	}
	return 0;
}

static bool nlb_addr_unicast(int fam, const union nf_inet_addr *addr)
{
	if (fam == NLB_FAM4)
		return !ipv4_is_zeronet(addr->ip) &&
		       !ipv4_is_multicast(addr->ip) &&
		       !ipv4_is_lbcast(addr->ip);
	return !ipv6_addr_any(&addr->in6) &&
	       !ipv6_addr_is_multicast(&addr->in6);
}

static bool nlb_addr_loopback(int fam, const union nf_inet_addr *addr)
{
	if (fam == NLB_FAM4)
		return ipv4_is_loopback(addr->ip);
	return ipv6_addr_loopback(&addr->in6);
}

/* Read the address attribute of one family, if present. */
static struct nlattr *nlb_get_addr(struct genl_info *info, int fam,
				   int type4, int type6,
				   union nf_inet_addr *addr)
{
	struct nlattr *attr = info->attrs[fam == NLB_FAM4 ? type4 : type6];

	memset(addr, 0, sizeof(*addr));
	if (!attr)
		return NULL;
	if (fam == NLB_FAM4)
		addr->ip = nla_get_in_addr(attr);
	else
		addr->in6 = nla_get_in6_addr(attr);
	return attr;
}

/*
 * Replies: one object per message, the same for a do and for each element
 * of a dump.
 */
typedef int (*nlb_fill_t)(struct sk_buff *skb, struct nlb_net *nn,
			  const void *obj);

static int nlb_put_obj(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		       struct netlink_callback *cb, u8 cmd, nlb_fill_t fill,
		       struct nlb_net *nn, const void *obj)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &nlb_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (fill(skb, nn, obj)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int nlb_dump_obj(struct sk_buff *skb, struct netlink_callback *cb,
			u8 cmd, nlb_fill_t fill, struct nlb_net *nn,
			const void *obj)
{
	return nlb_put_obj(skb, NETLINK_CB(cb->skb).portid,
			   cb->nlh->nlmsg_seq, NLM_F_MULTI, cb, cmd, fill, nn,
			   obj);
}

/* Build the reply to a get request; called with nn->lock held. */
static struct sk_buff *nlb_reply_build(struct genl_info *info, u8 cmd,
				       nlb_fill_t fill, struct nlb_net *nn,
				       const void *obj)
{
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return ERR_PTR(-ENOMEM);
	err = nlb_put_obj(msg, info->snd_portid, info->snd_seq, 0, NULL, cmd,
			  fill, nn, obj);
	if (err) {
		nlmsg_free(msg);
		return ERR_PTR(err);
	}
	return msg;
}

/*
 * Send a notification of a change to the monitor multicast group of the
 * namespace: the object as a get reply would show it, and what happened.
 */
static void nlb_notify(struct nlb_net *nn, u8 cmd, nlb_fill_t fill,
		       const void *obj, int event_type, u8 event)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&nlb_family, nn->net, NLB_NLGRP_MONITOR))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &nlb_family, 0, cmd);
	if (!hdr || fill(msg, nn, obj) || nla_put_u8(msg, event_type, event)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&nlb_family, nn->net, msg, 0,
				NLB_NLGRP_MONITOR, GFP_KERNEL);
}

/* Walk the conntrack table once per dump, before its first object. */
static void nlb_dump_census(struct netlink_callback *cb, struct nlb_net *nn)
{
	if (!cb->args[1]) {
		nlb_census(nn);
		cb->args[1] = 1;
	}
}

/* End a dump step: the size put so far, or the error if nothing fitted. */
static int nlb_dump_done(struct sk_buff *skb, struct netlink_callback *cb,
			 long idx, int err)
{
	long start = cb->args[0];

	cb->args[0] = idx;
	if (err && idx == start)
		return err;
	return skb->len;
}

/* Lookups of the objects a request names */

/* Find the listener a request names; sets the extack when there is none. */
static struct nlb_listener *nlb_req_listener(struct genl_info *info,
					     struct nlb_net *nn)
{
	char name[NLB_NAME_SIZE];
	struct nlb_listener *l;

	if (NLB_REQUIRE(info, NLB_A_LISTENER_NAME, "missing listener name"))
		return ERR_PTR(-EINVAL);
	if (nlb_get_name(info, NLB_A_LISTENER_NAME, name))
		return ERR_PTR(-EINVAL);
	l = nlb_listener_find(nn, name);
	if (!l) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[NLB_A_LISTENER_NAME],
				    "no listener with this name");
		return ERR_PTR(-ENOENT);
	}
	return l;
}

/* Find the group a request names; sets the extack when there is none. */
static struct nlb_group *nlb_req_group(struct genl_info *info,
				       struct nlb_net *nn, int type)
{
	char name[NLB_NAME_SIZE];
	struct nlb_group *g;

	if (NLB_REQUIRE(info, type, "missing server group name"))
		return ERR_PTR(-EINVAL);
	if (nlb_get_name(info, type, name))
		return ERR_PTR(-EINVAL);
	g = nlb_group_find(nn, name);
	if (!g) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[type],
				    "no server group with this name");
		return ERR_PTR(-ENOENT);
	}
	return g;
}

/* Listeners */

static int nlb_fill_listener(struct sk_buff *skb, struct nlb_net *nn,
			     const void *obj)
{
	const struct nlb_listener *l = obj;

	if (nla_put_string(skb, NLB_A_LISTENER_NAME, l->name) ||
	    (l->vip[NLB_FAM4].used &&
	     nla_put_in_addr(skb, NLB_A_LISTENER_VIP4,
			     l->vip[NLB_FAM4].addr.ip)) ||
	    (l->vip[NLB_FAM6].used &&
	     nla_put_in6_addr(skb, NLB_A_LISTENER_VIP6,
			      &l->vip[NLB_FAM6].addr.in6)) ||
	    nla_put_u8(skb, NLB_A_LISTENER_PROTO, l->proto) ||
	    nla_put_u16(skb, NLB_A_LISTENER_PORT, l->port) ||
	    nla_put_string(skb, NLB_A_LISTENER_GROUP,
			   nlb_listener_group(nn, l)->name) ||
	    nlb_stats_put(skb, NLB_A_LISTENER_STATS, &l->cnt) ||
	    nla_put_u8(skb, NLB_A_LISTENER_REJECT, l->reject) ||
	    nla_put_u32(skb, NLB_A_LISTENER_PERSIST_TIMEOUT,
			l->persist_timeout) ||
	    nla_put_u8(skb, NLB_A_LISTENER_PERSIST_PREFIX4,
		       l->persist_prefix[NLB_FAM4]) ||
	    nla_put_u8(skb, NLB_A_LISTENER_PERSIST_PREFIX6,
		       l->persist_prefix[NLB_FAM6]))
		return -EMSGSIZE;
	return 0;
}

static void nlb_notify_listener(struct nlb_net *nn,
				const struct nlb_listener *l, u8 event)
{
	nlb_notify(nn, NLB_CMD_LISTENER_NTF, nlb_fill_listener, l,
		   NLB_A_LISTENER_EVENT, event);
}

/* The settings of a listener that listener-add and listener-change share. */
struct nlb_listener_opts {
	u8 reject;
	u32 persist_timeout;
	u8 persist_prefix[NLB_NFAM];
};

static void nlb_get_listener_opts(struct genl_info *info,
				  struct nlb_listener_opts *o)
{
	struct nlattr **tb = info->attrs;

	if (tb[NLB_A_LISTENER_REJECT])
		o->reject = nla_get_u8(tb[NLB_A_LISTENER_REJECT]);
	if (tb[NLB_A_LISTENER_PERSIST_TIMEOUT])
		o->persist_timeout =
			nla_get_u32(tb[NLB_A_LISTENER_PERSIST_TIMEOUT]);
	if (tb[NLB_A_LISTENER_PERSIST_PREFIX4])
		o->persist_prefix[NLB_FAM4] =
			nla_get_u8(tb[NLB_A_LISTENER_PERSIST_PREFIX4]);
	if (tb[NLB_A_LISTENER_PERSIST_PREFIX6])
		o->persist_prefix[NLB_FAM6] =
			nla_get_u8(tb[NLB_A_LISTENER_PERSIST_PREFIX6]);
}

/*
 * Apply listener settings: allocate the persistence table first, so that
 * nothing changes when that fails.
 */
static int nlb_set_listener_opts(struct nlb_net *nn, struct nlb_listener *l,
				 const struct nlb_listener_opts *o)
{
	struct nlb_persist *p = nlb_listener_persist(nn, l);
	bool flush;

	if (o->persist_timeout && !p) {
		p = nlb_persist_alloc();
		if (!p)
			return -ENOMEM;
		rcu_assign_pointer(l->persist, p);
	}
	flush = o->persist_timeout != l->persist_timeout ||
		o->persist_prefix[NLB_FAM4] != l->persist_prefix[NLB_FAM4] ||
		o->persist_prefix[NLB_FAM6] != l->persist_prefix[NLB_FAM6];
	WRITE_ONCE(l->reject, o->reject);
	WRITE_ONCE(l->persist_timeout, o->persist_timeout);
	WRITE_ONCE(l->persist_prefix[NLB_FAM4], o->persist_prefix[NLB_FAM4]);
	WRITE_ONCE(l->persist_prefix[NLB_FAM6], o->persist_prefix[NLB_FAM6]);
	/* Entries made under other settings would not be found again. */
	if (p && flush)
		nlb_persist_expire(p, 0);
	if (o->persist_timeout)
		nlb_housekeeping_kick(nn);
	return 0;
}

/* Can listener @l, with its VIPs set, send its connections to group @g? */
static int nlb_check_listener_group(struct genl_info *info,
				    const struct nlb_listener *l,
				    const struct nlb_group *g)
{
	if (g->ipversion == NLB_IPVERSION_IPV4 && l->vip[NLB_FAM6].used) {
		NL_SET_ERR_MSG(info->extack,
			       "an IPv6 VIP needs a dualstack server group: IPv6 clients to IPv4 backends need cross-family translation, which nlb does not have yet");
		return -EOPNOTSUPP;
	}
	if (g->ipversion == NLB_IPVERSION_DUALSTACK &&
	    !l->vip[NLB_FAM6].used) {
		NL_SET_ERR_MSG(info->extack,
			       "a dualstack server group needs a listener with an IPv6 VIP");
		return -EINVAL;
	}
	return 0;
}

static int nlb_get_vips(struct genl_info *info, struct nlb_listener *l)
{
	int fam;

	for (fam = 0; fam < NLB_NFAM; fam++) {
		struct nlb_vip *vip = &l->vip[fam];
		struct nlattr *attr;

		attr = nlb_get_addr(info, fam, NLB_A_LISTENER_VIP4,
				    NLB_A_LISTENER_VIP6, &vip->addr);
		if (!attr)
			continue;
		if (!nlb_addr_unicast(fam, &vip->addr) ||
		    nlb_addr_loopback(fam, &vip->addr)) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "a VIP must be a unicast, non-loopback address");
			return -EINVAL;
		}
		vip->used = true;
	}
	if (!l->vip[NLB_FAM4].used && !l->vip[NLB_FAM6].used) {
		NL_SET_ERR_MSG(info->extack,
			       "a listener needs a VIP (IPv4, IPv6 or both)");
		return -EINVAL;
	}
	return 0;
}

static void nlb_listener_discard(struct nlb_listener *l)
{
	nlb_persist_free(rcu_dereference_protected(l->persist, true));
	nlb_counters_free(&l->cnt);
	kfree(l);
}

int nlb_nl_listener_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_listener_opts opts;
	struct nlb_listener *l;
	struct nlb_group *g;
	int fam, err;

	if (NLB_REQUIRE(info, NLB_A_LISTENER_NAME, "missing listener name") ||
	    NLB_REQUIRE(info, NLB_A_LISTENER_PROTO,
			"missing protocol (tcp or udp)") ||
	    NLB_REQUIRE(info, NLB_A_LISTENER_PORT, "missing listener port") ||
	    NLB_REQUIRE(info, NLB_A_LISTENER_GROUP,
			"missing server group of the listener"))
		return -EINVAL;

	l = nlb_listener_alloc();
	if (!l)
		return -ENOMEM;
	opts.reject = l->reject;
	opts.persist_timeout = 0;
	memcpy(opts.persist_prefix, l->persist_prefix,
	       sizeof(opts.persist_prefix));
	nlb_get_listener_opts(info, &opts);
	err = nlb_get_name(info, NLB_A_LISTENER_NAME, l->name);
	if (err)
		goto err_free;
	l->proto = nla_get_u8(info->attrs[NLB_A_LISTENER_PROTO]);
	if (l->proto != IPPROTO_TCP && l->proto != IPPROTO_UDP) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[NLB_A_LISTENER_PROTO],
				    "protocol must be tcp (6) or udp (17)");
		err = -EINVAL;
		goto err_free;
	}
	l->port = nla_get_u16(info->attrs[NLB_A_LISTENER_PORT]);
	err = nlb_get_vips(info, l);
	if (err)
		goto err_free;

	mutex_lock(&nn->lock);
	if (nlb_listener_find(nn, l->name)) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[NLB_A_LISTENER_NAME],
				    "a listener with this name exists");
		err = -EEXIST;
		goto err_unlock;
	}
	g = nlb_req_group(info, nn, NLB_A_LISTENER_GROUP);
	err = PTR_ERR_OR_ZERO(g) ?: nlb_check_listener_group(info, l, g);
	if (err)
		goto err_unlock;
	for (fam = 0; fam < NLB_NFAM; fam++) {
		if (l->vip[fam].used &&
		    nlb_listener_lookup(nn, fam, &l->vip[fam].addr,
					l->proto, l->port)) {
			NL_SET_ERR_MSG(info->extack,
				       "another listener has this VIP, protocol and port");
			err = -EEXIST;
			goto err_unlock;
		}
	}
	err = nlb_set_listener_opts(nn, l, &opts);
	if (err)
		goto err_unlock;
	err = nlb_hooks_get(nn);
	if (err) {
		NL_SET_ERR_MSG(info->extack,
			       "could not enable conntrack and NAT in this network namespace");
		goto err_unlock;
	}
	RCU_INIT_POINTER(l->group, g);
	err = nlb_listener_insert(nn, l);
	if (err) {
		nlb_hooks_put(nn);
		goto err_unlock;
	}
	nlb_changed(nn);
	nlb_notify_listener(nn, l, NLB_EVENT_ADD);
	mutex_unlock(&nn->lock);
	return 0;

err_unlock:
	mutex_unlock(&nn->lock);
err_free:
	nlb_listener_discard(l);
	return err;
}

int nlb_nl_listener_change_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_listener_opts opts;
	struct nlb_group *g = NULL;
	struct nlb_listener *l;
	int err;

	if (info->attrs[NLB_A_LISTENER_VIP4] ||
	    info->attrs[NLB_A_LISTENER_VIP6] ||
	    info->attrs[NLB_A_LISTENER_PROTO] ||
	    info->attrs[NLB_A_LISTENER_PORT]) {
		NL_SET_ERR_MSG(info->extack,
			       "the VIPs, protocol and port of a listener cannot change; delete and add the listener");
		return -EOPNOTSUPP;
	}
	if (!info->attrs[NLB_A_LISTENER_GROUP] &&
	    !info->attrs[NLB_A_LISTENER_REJECT] &&
	    !info->attrs[NLB_A_LISTENER_PERSIST_TIMEOUT] &&
	    !info->attrs[NLB_A_LISTENER_PERSIST_PREFIX4] &&
	    !info->attrs[NLB_A_LISTENER_PERSIST_PREFIX6]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to change: give a group, reject mode or persistence setting");
		return -EINVAL;
	}

	mutex_lock(&nn->lock);
	l = nlb_req_listener(info, nn);
	err = PTR_ERR_OR_ZERO(l);
	if (!err && info->attrs[NLB_A_LISTENER_GROUP]) {
		g = nlb_req_group(info, nn, NLB_A_LISTENER_GROUP);
		err = PTR_ERR_OR_ZERO(g) ?: nlb_check_listener_group(info, l, g);
	}
	if (err)
		goto out;
	opts.reject = l->reject;
	opts.persist_timeout = l->persist_timeout;
	memcpy(opts.persist_prefix, l->persist_prefix,
	       sizeof(opts.persist_prefix));
	nlb_get_listener_opts(info, &opts);
	err = nlb_set_listener_opts(nn, l, &opts);
	if (err)
		goto out;
	if (g && g != nlb_listener_group(nn, l)) {
		nlb_listener_set_group(nn, l, g);
		/* Persistence entries name backends of the old group. */
		if (nlb_listener_persist(nn, l))
			nlb_persist_expire(nlb_listener_persist(nn, l), 0);
	}
	nlb_changed(nn);
	nlb_notify_listener(nn, l, NLB_EVENT_CHANGE);
out:
	mutex_unlock(&nn->lock);
	return err;
}

int nlb_nl_listener_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_listener *l;

	mutex_lock(&nn->lock);
	l = nlb_req_listener(info, nn);
	if (!IS_ERR(l)) {
		nlb_notify_listener(nn, l, NLB_EVENT_DEL);
		nlb_listener_remove(nn, l);
		nlb_hooks_put(nn);
		nlb_changed(nn);
	}
	mutex_unlock(&nn->lock);
	return PTR_ERR_OR_ZERO(l);
}

int nlb_nl_listener_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_listener *l;
	struct sk_buff *msg;

	mutex_lock(&nn->lock);
	l = nlb_req_listener(info, nn);
	if (!IS_ERR(l))
		nlb_census(nn);
	msg = IS_ERR(l) ? ERR_CAST(l) :
	      nlb_reply_build(info, NLB_CMD_LISTENER_GET, nlb_fill_listener,
			      nn, l);
	mutex_unlock(&nn->lock);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	return genlmsg_reply(msg, info);
}

int nlb_nl_listener_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb)
{
	struct nlb_net *nn = nlb_net(sock_net(skb->sk));
	struct nlb_listener *l;
	long idx = 0;
	int err = 0;

	mutex_lock(&nn->lock);
	nlb_dump_census(cb, nn);
	cb->seq = nn->genid;
	list_for_each_entry(l, &nn->listeners, node) {
		if (idx < cb->args[0]) {
			idx++;
			continue;
		}
		err = nlb_dump_obj(skb, cb, NLB_CMD_LISTENER_GET,
				   nlb_fill_listener, nn, l);
		if (err)
			break;
		idx++;
	}
	mutex_unlock(&nn->lock);
	return nlb_dump_done(skb, cb, idx, err);
}

/* Server groups */

static int nlb_fill_group(struct sk_buff *skb, struct nlb_net *nn,
			  const void *obj)
{
	const struct nlb_group *g = obj;

	if (nla_put_string(skb, NLB_A_GROUP_NAME, g->name) ||
	    nla_put_u8(skb, NLB_A_GROUP_IPVERSION, g->ipversion) ||
	    nla_put_u8(skb, NLB_A_GROUP_AFFINITY, g->affinity) ||
	    nla_put_u8(skb, NLB_A_GROUP_SCHED, g->sched) ||
	    nla_put_u32(skb, NLB_A_GROUP_BACKENDS4,
			g->n_backends[NLB_FAM4]) ||
	    nla_put_u32(skb, NLB_A_GROUP_BACKENDS6,
			g->n_backends[NLB_FAM6]) ||
	    nla_put_u32(skb, NLB_A_GROUP_LISTENERS, g->n_listeners) ||
	    nlb_stats_put(skb, NLB_A_GROUP_STATS, &g->cnt) ||
	    nla_put_u8(skb, NLB_A_GROUP_TRACK, g->track) ||
	    nla_put_u32(skb, NLB_A_GROUP_DRAIN_TIMEOUT, g->drain_timeout) ||
	    nla_put_u8(skb, NLB_A_GROUP_ACCT, g->acct) ||
	    nla_put_u8(skb, NLB_A_GROUP_OFFLOAD, g->offload) ||
	    nlb_health_fill_group(skb, &g->health))
		return -EMSGSIZE;
	return 0;
}

static void nlb_notify_group(struct nlb_net *nn, const struct nlb_group *g,
			     u8 event)
{
	nlb_notify(nn, NLB_CMD_GROUP_NTF, nlb_fill_group, g,
		   NLB_A_GROUP_EVENT, event);
}

/* wlc counts active connections: it needs end-of-connection tracking. */
static int nlb_check_track(struct genl_info *info, u8 sched, bool track)
{
	if (sched == NLB_SCHED_WLC && !track) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[NLB_A_GROUP_TRACK],
				    "the wlc scheduler needs track on: it counts each backend's active connections");
		return -EINVAL;
	}
	return 0;
}

/*
 * An offloaded connection passes conntrack by: it cannot carry nlb's
 * helper, and conntrack no longer knows the sequence numbers a drain reset
 * needs.
 */
static int nlb_check_offload(struct genl_info *info, bool offload,
			     bool track)
{
	struct nlattr *attr = info->attrs[NLB_A_GROUP_OFFLOAD];

	if (offload && track) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "offload needs track off: a tracked connection carries nlb's conntrack helper, which a flowtable cannot offload (and the wlc scheduler needs track)");
		return -EINVAL;
	}
	return 0;
}

/* The first group with offload on sets up the namespace's flowtable. */
static int nlb_group_offload_get(struct nlb_net *nn, struct genl_info *info)
{
	int err = nlb_offload_get(nn);

	if (err)
		NL_SET_ERR_MSG(info->extack,
			       "could not set up the flowtable of this network namespace");
	return err;
}

/* Affinity off needs translation, which does not exist yet: refuse it. */
static int nlb_check_affinity(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[NLB_A_GROUP_AFFINITY];

	if (attr && !nla_get_u8(attr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "affinity off sends clients to backends of the other IP version, which needs cross-family translation that nlb does not have yet");
		return -EOPNOTSUPP;
	}
	return 0;
}

int nlb_nl_group_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	u8 ipversion = NLB_IPVERSION_IPV4, sched = NLB_SCHED_WRR;
	struct nlb_health health = {};
	char name[NLB_NAME_SIZE];
	u32 drain_timeout = 0;
	bool track, offload = false;
	struct nlb_group *g;
	int err;

	if (NLB_REQUIRE(info, NLB_A_GROUP_NAME, "missing server group name"))
		return -EINVAL;
	err = nlb_get_name(info, NLB_A_GROUP_NAME, name) ?:
	      nlb_check_affinity(info);
	if (err)
		return err;
	if (info->attrs[NLB_A_GROUP_IPVERSION])
		ipversion = nla_get_u8(info->attrs[NLB_A_GROUP_IPVERSION]);
	if (info->attrs[NLB_A_GROUP_SCHED])
		sched = nla_get_u8(info->attrs[NLB_A_GROUP_SCHED]);
	track = sched == NLB_SCHED_WLC;
	if (info->attrs[NLB_A_GROUP_TRACK])
		track = nla_get_u8(info->attrs[NLB_A_GROUP_TRACK]);
	if (info->attrs[NLB_A_GROUP_DRAIN_TIMEOUT])
		drain_timeout =
			nla_get_u32(info->attrs[NLB_A_GROUP_DRAIN_TIMEOUT]);
	if (info->attrs[NLB_A_GROUP_OFFLOAD])
		offload = nla_get_u8(info->attrs[NLB_A_GROUP_OFFLOAD]);
	err = nlb_check_track(info, sched, track) ?:
	      nlb_check_offload(info, offload, track) ?:
	      nlb_health_prepare(info, NULL, &health);
	if (err)
		return err;

	mutex_lock(&nn->lock);
	if (nlb_group_find(nn, name)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NLB_A_GROUP_NAME],
				    "a server group with this name exists");
		err = -EEXIST;
		goto out;
	}
	if (offload) {
		err = nlb_group_offload_get(nn, info);
		if (err)
			goto out;
	}
	g = nlb_group_create(nn, name, ipversion, sched, track,
			     drain_timeout);
	if (!g) {
		if (offload)
			nlb_offload_put(nn);
		err = -ENOMEM;
		goto out;
	}
	g->offload = offload;
	if (info->attrs[NLB_A_GROUP_ACCT])
		g->acct = nla_get_u8(info->attrs[NLB_A_GROUP_ACCT]);
	nlb_health_commit(&g->health, &health);
	nlb_changed(nn);
	nlb_notify_group(nn, g, NLB_EVENT_ADD);
out:
	mutex_unlock(&nn->lock);
	nlb_health_free(&health);
	return err;
}

/* Rebuild both pools of a group, for a new scheduler; all or nothing. */
static int nlb_group_set_sched(struct nlb_net *nn, struct nlb_group *g,
			       u8 sched)
{
	struct nlb_pool *pool[NLB_NFAM];
	int fam;

	for (fam = 0; fam < NLB_NFAM; fam++) {
		pool[fam] = nlb_pool_build(nn, g, fam, sched);
		if (IS_ERR(pool[fam])) {
			while (fam--)
				nlb_pool_free(pool[fam]);
			return -ENOMEM;
		}
	}
	g->sched = sched;
	for (fam = 0; fam < NLB_NFAM; fam++)
		nlb_pool_publish(nn, g, fam, pool[fam]);
	return 0;
}

int nlb_nl_group_change_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	bool track, offload, offload_get;
	struct nlb_health health = {};
	struct nlattr *attr;
	struct nlb_group *g;
	u32 drain_timeout;
	u8 sched;
	int err;

	err = nlb_check_affinity(info);
	if (err)
		return err;

	mutex_lock(&nn->lock);
	g = nlb_req_group(info, nn, NLB_A_GROUP_NAME);
	if (IS_ERR(g)) {
		err = PTR_ERR(g);
		goto out;
	}
	attr = info->attrs[NLB_A_GROUP_IPVERSION];
	if (attr && nla_get_u8(attr) != g->ipversion) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "the IP version of a server group is fixed at creation; delete the group and add it again");
		err = -EOPNOTSUPP;
		goto out;
	}
	sched = g->sched;
	if (info->attrs[NLB_A_GROUP_SCHED])
		sched = nla_get_u8(info->attrs[NLB_A_GROUP_SCHED]);
	track = g->track || sched == NLB_SCHED_WLC;
	if (info->attrs[NLB_A_GROUP_TRACK])
		track = nla_get_u8(info->attrs[NLB_A_GROUP_TRACK]);
	drain_timeout = g->drain_timeout;
	if (info->attrs[NLB_A_GROUP_DRAIN_TIMEOUT])
		drain_timeout =
			nla_get_u32(info->attrs[NLB_A_GROUP_DRAIN_TIMEOUT]);
	offload = g->offload;
	if (info->attrs[NLB_A_GROUP_OFFLOAD])
		offload = nla_get_u8(info->attrs[NLB_A_GROUP_OFFLOAD]);
	err = nlb_check_track(info, sched, track) ?:
	      nlb_check_offload(info, offload, track) ?:
	      nlb_health_prepare(info, &g->health, &health);
	if (err)
		goto out;
	offload_get = offload && !g->offload;
	if (offload_get) {
		err = nlb_group_offload_get(nn, info);
		if (err)
			goto out;
	}
	if (sched != g->sched) {
		err = nlb_group_set_sched(nn, g, sched);
		if (err) {
			if (offload_get)
				nlb_offload_put(nn);
			goto out;
		}
	}
	/* Connections already set up keep what they have. */
	WRITE_ONCE(g->track, track);
	g->drain_timeout = drain_timeout;
	attr = info->attrs[NLB_A_GROUP_ACCT];
	if (attr)
		WRITE_ONCE(g->acct, nla_get_u8(attr));
	/* Offloaded connections of the group go back within a second. */
	if (offload != g->offload) {
		WRITE_ONCE(g->offload, offload);
		if (!offload)
			nlb_offload_put(nn);
	}
	nlb_health_commit(&g->health, &health);
	nlb_changed(nn);
	nlb_notify_group(nn, g, NLB_EVENT_CHANGE);
out:
	mutex_unlock(&nn->lock);
	nlb_health_free(&health);
	return err;
}

int nlb_nl_group_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_group *g;
	int err = 0;

	mutex_lock(&nn->lock);
	g = nlb_req_group(info, nn, NLB_A_GROUP_NAME);
	if (IS_ERR(g)) {
		err = PTR_ERR(g);
	} else if (g->n_listeners) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NLB_A_GROUP_NAME],
				    "the server group is used by a listener; delete the listener or move it to another group first");
		err = -EBUSY;
	} else {
		nlb_notify_group(nn, g, NLB_EVENT_DEL);
		nlb_group_destroy(nn, g);
		nlb_changed(nn);
	}
	mutex_unlock(&nn->lock);
	return err;
}

int nlb_nl_group_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct sk_buff *msg;
	struct nlb_group *g;

	mutex_lock(&nn->lock);
	g = nlb_req_group(info, nn, NLB_A_GROUP_NAME);
	if (!IS_ERR(g))
		nlb_census(nn);
	msg = IS_ERR(g) ? ERR_CAST(g) :
	      nlb_reply_build(info, NLB_CMD_GROUP_GET, nlb_fill_group, nn, g);
	mutex_unlock(&nn->lock);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	return genlmsg_reply(msg, info);
}

int nlb_nl_group_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlb_net *nn = nlb_net(sock_net(skb->sk));
	struct nlb_group *g;
	long idx = 0;
	int err = 0;

	mutex_lock(&nn->lock);
	nlb_dump_census(cb, nn);
	cb->seq = nn->genid;
	list_for_each_entry(g, &nn->groups, node) {
		if (idx < cb->args[0]) {
			idx++;
			continue;
		}
		err = nlb_dump_obj(skb, cb, NLB_CMD_GROUP_GET, nlb_fill_group,
				   nn, g);
		if (err)
			break;
		idx++;
	}
	mutex_unlock(&nn->lock);
	return nlb_dump_done(skb, cb, idx, err);
}

/* Backends */

static int nlb_fill_backend(struct sk_buff *skb, struct nlb_net *nn,
			    const void *obj)
{
	const struct nlb_backend *be = obj;
	const struct nlb_group *g = be->group;

	if (nla_put_string(skb, NLB_A_BACKEND_GROUP, g->name) ||
	    (be->fam == NLB_FAM4 ?
	     nla_put_in_addr(skb, NLB_A_BACKEND_ADDR4, be->addr.ip) :
	     nla_put_in6_addr(skb, NLB_A_BACKEND_ADDR6, &be->addr.in6)) ||
	    nla_put_u16(skb, NLB_A_BACKEND_PORT, be->port) ||
	    nla_put_u32(skb, NLB_A_BACKEND_WEIGHT, be->weight) ||
	    nlb_stats_put(skb, NLB_A_BACKEND_STATS, &be->cnt) ||
	    nla_put_u8(skb, NLB_A_BACKEND_ENABLED, be->enabled) ||
	    nla_put_u8(skb, NLB_A_BACKEND_HEALTHY, be->healthy) ||
	    nla_put_u8(skb, NLB_A_BACKEND_DRAINING, be->draining) ||
	    nlb_health_fill_backend(skb, &be->hs))
		return -EMSGSIZE;
	if (be->draining && g->drain_timeout) {
		unsigned long end = nlb_backend_drain_end(be);
		u32 left = 0;

		if (time_before(jiffies, end))
			left = DIV_ROUND_UP(end - jiffies, HZ);
		if (nla_put_u32(skb, NLB_A_BACKEND_DRAIN_LEFT, left))
			return -EMSGSIZE;
	}
	return 0;
}

/**
 * nlb_notify_backend() - tell the monitor group about a backend
 * @nn: the namespace state, locked
 * @be: the backend
 * @event: NLB_EVENT_*
 */
void nlb_notify_backend(struct nlb_net *nn, const struct nlb_backend *be,
			u8 event)
{
	nlb_notify(nn, NLB_CMD_BACKEND_NTF, nlb_fill_backend, be,
		   NLB_A_BACKEND_EVENT, event);
}

/* The identity of a backend named by a request. */
struct nlb_backend_key {
	struct nlb_group *group;
	union nf_inet_addr addr;
	int fam;
	u16 port;
};

static int nlb_req_backend_key(struct genl_info *info, struct nlb_net *nn,
			       struct nlb_backend_key *key)
{
	struct nlattr *a4 = info->attrs[NLB_A_BACKEND_ADDR4];
	struct nlattr *a6 = info->attrs[NLB_A_BACKEND_ADDR6];
	struct nlattr *attr;

	if (!a4 == !a6) {
		NL_SET_ERR_MSG(info->extack,
			       "a backend needs exactly one address, IPv4 or IPv6");
		return -EINVAL;
	}
	key->fam = a4 ? NLB_FAM4 : NLB_FAM6;
	attr = nlb_get_addr(info, key->fam, NLB_A_BACKEND_ADDR4,
			    NLB_A_BACKEND_ADDR6, &key->addr);
	if (!nlb_addr_unicast(key->fam, &key->addr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "a backend address must be a unicast address");
		return -EINVAL;
	}
	key->port = 0;
	if (info->attrs[NLB_A_BACKEND_PORT])
		key->port = nla_get_u16(info->attrs[NLB_A_BACKEND_PORT]);
	key->group = nlb_req_group(info, nn, NLB_A_BACKEND_GROUP);
	return PTR_ERR_OR_ZERO(key->group);
}

/* Find the backend a request names; sets the extack when there is none. */
static struct nlb_backend *nlb_req_backend(struct genl_info *info,
					   struct nlb_net *nn, bool draining)
{
	struct nlb_backend_key key;
	struct nlb_backend *be;
	int err;

	err = nlb_req_backend_key(info, nn, &key);
	if (err)
		return ERR_PTR(err);
	be = nlb_backend_find(nn, key.group, key.fam, &key.addr, key.port);
	if (!be && draining)
		be = nlb_backend_find_draining(nn, key.group, key.fam,
					       &key.addr, key.port);
	if (!be) {
		NL_SET_ERR_MSG(info->extack,
			       "no backend with this address and port in the server group");
		return ERR_PTR(-ENOENT);
	}
	return be;
}

/* The state of a backend that backend-add and backend-change set. */
struct nlb_backend_state {
	u8 weight;
	bool enabled;
	bool healthy;
};

static void nlb_get_backend_state(struct genl_info *info,
				  struct nlb_backend_state *st)
{
	struct nlattr **tb = info->attrs;

	if (tb[NLB_A_BACKEND_WEIGHT])
		st->weight = nla_get_u32(tb[NLB_A_BACKEND_WEIGHT]);
	if (tb[NLB_A_BACKEND_ENABLED])
		st->enabled = nla_get_u8(tb[NLB_A_BACKEND_ENABLED]);
	if (tb[NLB_A_BACKEND_HEALTHY])
		st->healthy = nla_get_u8(tb[NLB_A_BACKEND_HEALTHY]);
}

/*
 * Set a backend's state and republish its family's pool; all or nothing.
 * A backend that gets out of the pool gets no new connections, and its
 * established ones, which conntrack carries, continue.
 */
static int nlb_backend_set_state(struct nlb_net *nn, struct nlb_backend *be,
				 const struct nlb_backend_state *st)
{
	struct nlb_backend_state old = {
		be->weight, be->enabled, be->healthy
	};
	struct nlb_group *g = be->group;
	struct nlb_pool *pool;

	be->weight = st->weight;
	be->enabled = st->enabled;
	be->healthy = st->healthy;
	pool = nlb_pool_build(nn, g, be->fam, g->sched);
	if (IS_ERR(pool)) {
		be->weight = old.weight;
		be->enabled = old.enabled;
		be->healthy = old.healthy;
		return PTR_ERR(pool);
	}
	nlb_pool_publish(nn, g, be->fam, pool);
	return 0;
}

int nlb_nl_backend_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_backend_state st = { 1, true, true };
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_backend_key key;
	struct nlb_backend *be;
	int err;

	nlb_get_backend_state(info, &st);

	mutex_lock(&nn->lock);
	err = nlb_req_backend_key(info, nn, &key);
	if (err)
		goto out;
	if (key.fam == NLB_FAM6 &&
	    key.group->ipversion == NLB_IPVERSION_IPV4) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[NLB_A_BACKEND_ADDR6],
				    "an ipv4 server group holds only IPv4 backends; use a dualstack group for IPv6 backends");
		err = -EAFNOSUPPORT;
		goto out;
	}
	if (nlb_backend_find(nn, key.group, key.fam, &key.addr, key.port)) {
		NL_SET_ERR_MSG(info->extack,
			       "the server group has a backend with this address and port");
		err = -EEXIST;
		goto out;
	}
	if (key.group->n_backends[key.fam] >= NLB_POOL_MAX) {
		NL_SET_ERR_MSG(info->extack,
			       "a server group holds at most 65535 backends per IP version");
		err = -ENOSPC;
		goto out;
	}
	/* A draining backend comes back, with its connections. */
	be = nlb_backend_find_draining(nn, key.group, key.fam, &key.addr,
				       key.port);
	if (be) {
		nlb_backend_undrain(nn, be);
		err = nlb_backend_set_state(nn, be, &st);
		if (err) {
			nlb_backend_unlink(nn, be);
			list_add_tail(&be->node, &key.group->draining);
			be->draining = true;
			goto out;
		}
	} else {
		be = nlb_backend_alloc(key.group, key.fam, &key.addr,
				       key.port, 0);
		if (!be) {
			err = -ENOMEM;
			goto out;
		}
		err = nlb_backend_set_state(nn, be, &st);
		if (err) {
			nlb_backend_unlink(nn, be);
			nlb_backend_release(nn, be);
			goto out;
		}
	}
	nlb_changed(nn);
	nlb_notify_backend(nn, be, NLB_EVENT_ADD);
out:
	mutex_unlock(&nn->lock);
	return err;
}

int nlb_nl_backend_change_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_backend_state st;
	struct nlb_backend *be;
	u8 agent, old_agent;
	bool health_changed;
	int err;

	if (!info->attrs[NLB_A_BACKEND_WEIGHT] &&
	    !info->attrs[NLB_A_BACKEND_ENABLED] &&
	    !info->attrs[NLB_A_BACKEND_HEALTHY] &&
	    !nlb_health_backend_given(info)) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to change: give a weight, a state, a health or a health check report");
		return -EINVAL;
	}
	err = nlb_health_backend_check(info);
	if (err)
		return err;

	mutex_lock(&nn->lock);
	be = nlb_req_backend(info, nn, false);
	err = PTR_ERR_OR_ZERO(be);
	if (err)
		goto out;
	st.weight = be->weight;
	st.enabled = be->enabled;
	st.healthy = be->healthy;
	nlb_get_backend_state(info, &st);
	agent = nlb_health_agent_weight(info, &be->hs);
	old_agent = be->hs.agent_weight;
	health_changed = st.healthy != be->healthy;
	/* Reports that change nothing the pool depends on leave it alone. */
	if (st.weight != be->weight || st.enabled != be->enabled ||
	    health_changed || agent != old_agent) {
		be->hs.agent_weight = agent;
		err = nlb_backend_set_state(nn, be, &st);
		if (err) {
			be->hs.agent_weight = old_agent;
			goto out;
		}
	}
	if (nlb_health_backend_report(info, &be->hs, health_changed)) {
		nlb_changed(nn);
		nlb_notify_backend(nn, be, NLB_EVENT_CHANGE);
	}
out:
	mutex_unlock(&nn->lock);
	return err;
}

int nlb_nl_backend_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_backend_state st = { 0, false, false };
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_backend *be;
	bool enabled;
	int err;

	mutex_lock(&nn->lock);
	be = nlb_req_backend(info, nn, false);
	err = PTR_ERR_OR_ZERO(be);
	if (err)
		goto out;
	/* Out of the pool first, so that nothing is changed on failure. */
	st.weight = be->weight;
	st.healthy = be->healthy;
	enabled = be->enabled;
	err = nlb_backend_set_state(nn, be, &st);
	if (err)
		goto out;
	be->enabled = enabled;
	nlb_backend_unlink(nn, be);
	nlb_backend_drain(nn, be);
	nlb_housekeeping_kick(nn);
	nlb_changed(nn);
	nlb_notify_backend(nn, be, NLB_EVENT_DEL);
out:
	mutex_unlock(&nn->lock);
	return err;
}

int nlb_nl_backend_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_backend *be;
	struct sk_buff *msg;

	mutex_lock(&nn->lock);
	be = nlb_req_backend(info, nn, true);
	if (!IS_ERR(be))
		nlb_census(nn);
	msg = IS_ERR(be) ? ERR_CAST(be) :
	      nlb_reply_build(info, NLB_CMD_BACKEND_GET, nlb_fill_backend, nn,
			      be);
	mutex_unlock(&nn->lock);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	return genlmsg_reply(msg, info);
}

int nlb_nl_backend_get_dumpit(struct sk_buff *skb,
			      struct netlink_callback *cb)
{
	struct nlattr *filter = nlb_dump_attrs(cb)[NLB_A_BACKEND_GROUP];
	struct nlb_net *nn = nlb_net(sock_net(skb->sk));
	struct list_head *list;
	struct nlb_backend *be;
	struct nlb_group *g;
	long idx = 0;
	int i, err = 0;

	mutex_lock(&nn->lock);
	nlb_dump_census(cb, nn);
	cb->seq = nn->genid;
	list_for_each_entry(g, &nn->groups, node) {
		if (filter && nla_strcmp(filter, g->name))
			continue;
		for (i = 0; i <= NLB_NFAM; i++) {
			list = i < NLB_NFAM ? &g->backends[i] : &g->draining;
			list_for_each_entry(be, list, node) {
				if (idx < cb->args[0]) {
					idx++;
					continue;
				}
				err = nlb_dump_obj(skb, cb, NLB_CMD_BACKEND_GET,
						   nlb_fill_backend, nn, be);
				if (err)
					goto out;
				idx++;
			}
		}
	}
out:
	mutex_unlock(&nn->lock);
	return nlb_dump_done(skb, cb, idx, err);
}

static struct genl_family nlb_family __ro_after_init = {
	.name		= NLB_FAMILY_NAME,
	.version	= NLB_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= nlb_nl_ops,
	.n_ops		= ARRAY_SIZE(nlb_nl_ops),
	.mcgrps		= nlb_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(nlb_nl_mcgrps),
};

/**
 * nlb_genl_init() - register the "nlb" generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int nlb_genl_init(void)
{
	return genl_register_family(&nlb_family);
}

/**
 * nlb_genl_exit() - unregister the family; no request runs afterwards
 */
void nlb_genl_exit(void)
{
	genl_unregister_family(&nlb_family);
}
