// SPDX-License-Identifier: GPL-2.0
/*
 * The "nlb" generic netlink family: parsing and validating requests, and
 * replies and notifications.
 *
 * Attribute policies and the ops table are generated from uapi/nlb.yaml
 * into nl-gen.c. Every request is strictly validated by genetlink against
 * its op's policy before it gets here; these handlers check what a policy
 * cannot express, turn the request into the settings of the objects' own
 * operations (listener.c, group.c, backend.c), which check what depends
 * on the configuration and change it all or nothing, and reply. Every
 * refusal carries an extack message.
 */
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "backend.h"
#include "census.h"
#include "group.h"
#include "limits.h"
#include "listener.h"
#include "netlink.h"
#include "nl-gen.h"
#include "xstats.h"

static struct genl_family nlb_family;

/* Is a required attribute missing? Then sets the extack, with @msg. */
#define NLB_REQUIRE(info, type, msg) ({				\
	struct genl_info *__nlb_info = (info);				\
	bool __missing = GENL_REQ_ATTR_CHECK(__nlb_info, type);	\
	if (__missing)							\
		NL_SET_ERR_MSG(__nlb_info->extack, msg);		\
	__missing;							\
})

/* How old a snapshot a get or dump accepts before it asks for a census. */
#define NLB_READ_MAX_AGE_MS	1000

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

/* Read the address attribute of one family from @tb, if present. */
static struct nlattr *nlb_get_addr(struct nlattr **tb, int fam, int type4,
				   int type6, union nf_inet_addr *addr)
{
	struct nlattr *attr = tb[fam == NLB_FAM4 ? type4 : type6];

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

/* Send the reply to a do request; called with nn->lock held. */
static int nlb_reply(struct genl_info *info, u8 cmd, nlb_fill_t fill,
		     struct nlb_net *nn, const void *obj)
{
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = nlb_put_obj(msg, info->snd_portid, info->snd_seq, 0, NULL, cmd,
			  fill, nn, obj);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
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

/* The start of a dump step, under nn->lock. */
static void nlb_dump_begin(struct netlink_callback *cb, struct nlb_net *nn)
{
	cb->seq = nn->genid;
	if (!cb->args[0])
		nlb_census_want(nn, NLB_READ_MAX_AGE_MS);
}

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
	const struct nlb_vip *v4 = l->vip[NLB_FAM4], *v6 = l->vip[NLB_FAM6];

	if (nla_put_string(skb, NLB_A_LISTENER_NAME, l->name) ||
	    (v4 && nla_put_in_addr(skb, NLB_A_LISTENER_VIP4, v4->addr.ip)) ||
	    (v6 && nla_put_in6_addr(skb, NLB_A_LISTENER_VIP6,
				    &v6->addr.in6)) ||
	    nla_put_u8(skb, NLB_A_LISTENER_PROTO, l->proto) ||
	    (l->port && nla_put_u16(skb, NLB_A_LISTENER_PORT, l->port)) ||
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
static int nlb_parse_listener_opts(struct genl_info *info,
				   struct nlb_listener_cfg *cfg)
{
	struct nlattr **tb = info->attrs;

	cfg->tb = tb;
	if (tb[NLB_A_LISTENER_GROUP]) {
		if (nlb_get_name(info, NLB_A_LISTENER_GROUP, cfg->group))
			return -EINVAL;
		cfg->set |= NLB_LISTENER_SET_GROUP;
	}
	if (tb[NLB_A_LISTENER_REJECT]) {
		cfg->reject = nla_get_u8(tb[NLB_A_LISTENER_REJECT]);
		cfg->set |= NLB_LISTENER_SET_REJECT;
	}
	if (tb[NLB_A_LISTENER_PERSIST_TIMEOUT]) {
		cfg->persist_timeout =
			nla_get_u32(tb[NLB_A_LISTENER_PERSIST_TIMEOUT]);
		cfg->set |= NLB_LISTENER_SET_PERSIST_TIMEOUT;
	}
	if (tb[NLB_A_LISTENER_PERSIST_PREFIX4]) {
		cfg->persist_prefix[NLB_FAM4] =
			nla_get_u8(tb[NLB_A_LISTENER_PERSIST_PREFIX4]);
		cfg->set |= NLB_LISTENER_SET_PERSIST_PREFIX4;
	}
	if (tb[NLB_A_LISTENER_PERSIST_PREFIX6]) {
		cfg->persist_prefix[NLB_FAM6] =
			nla_get_u8(tb[NLB_A_LISTENER_PERSIST_PREFIX6]);
		cfg->set |= NLB_LISTENER_SET_PERSIST_PREFIX6;
	}
	return 0;
}

/*
 * The VIPs of a request. listener-add (@change false) needs at least one;
 * in listener-change, 0.0.0.0 or :: removes the VIP of its family.
 */
static int nlb_parse_vips(struct genl_info *info,
			  struct nlb_listener_cfg *cfg, bool change)
{
	static const u32 set[NLB_NFAM] = {
		[NLB_FAM4] = NLB_LISTENER_SET_VIP4,
		[NLB_FAM6] = NLB_LISTENER_SET_VIP6,
	};
	int fam;

	for (fam = 0; fam < NLB_NFAM; fam++) {
		struct nlattr *attr;

		attr = nlb_get_addr(info->attrs, fam, NLB_A_LISTENER_VIP4,
				    NLB_A_LISTENER_VIP6, &cfg->vip[fam]);
		if (!attr)
			continue;
		cfg->set |= set[fam];
		if (change && nlb_addr_none(&cfg->vip[fam]))
			continue;
		if (!nlb_addr_unicast(fam, &cfg->vip[fam]) ||
		    nlb_addr_loopback(fam, &cfg->vip[fam])) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "a VIP must be a unicast, non-loopback address");
			return -EINVAL;
		}
		cfg->vip_used[fam] = true;
	}
	if (!change && !cfg->vip_used[NLB_FAM4] && !cfg->vip_used[NLB_FAM6]) {
		NL_SET_ERR_MSG(info->extack,
			       "a listener needs a VIP (IPv4, IPv6 or both)");
		return -EINVAL;
	}
	return 0;
}

int nlb_nl_listener_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_listener_cfg *cfg;
	struct nlb_listener *l;
	int err;

	if (NLB_REQUIRE(info, NLB_A_LISTENER_NAME, "missing listener name") ||
	    NLB_REQUIRE(info, NLB_A_LISTENER_PROTO,
			"missing protocol (tcp, udp or icmp)") ||
	    NLB_REQUIRE(info, NLB_A_LISTENER_GROUP,
			"missing server group of the listener"))
		return -EINVAL;
	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	err = nlb_get_name(info, NLB_A_LISTENER_NAME, cfg->name) ?:
	      nlb_parse_listener_opts(info, cfg);
	if (err)
		goto out;
	cfg->proto = nla_get_u8(info->attrs[NLB_A_LISTENER_PROTO]);
	if (cfg->proto != IPPROTO_TCP && cfg->proto != IPPROTO_UDP &&
	    cfg->proto != IPPROTO_ICMP) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[NLB_A_LISTENER_PROTO],
				    "protocol must be tcp (6), udp (17) or icmp (1)");
		err = -EINVAL;
		goto out;
	}
	if (cfg->proto == IPPROTO_ICMP) {
		if (info->attrs[NLB_A_LISTENER_PORT]) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[NLB_A_LISTENER_PORT],
					    "an icmp listener has no port");
			err = -EINVAL;
			goto out;
		}
	} else if (NLB_REQUIRE(info, NLB_A_LISTENER_PORT,
			       "missing listener port")) {
		err = -EINVAL;
		goto out;
	} else {
		cfg->port = nla_get_u16(info->attrs[NLB_A_LISTENER_PORT]);
	}
	err = nlb_parse_vips(info, cfg, false);
	if (err)
		goto out;

	mutex_lock(&nn->lock);
	l = nlb_listener_add(nn, cfg, info->extack);
	err = PTR_ERR_OR_ZERO(l);
	if (!err) {
		nlb_changed(nn);
		nlb_notify_listener(nn, l, NLB_EVENT_ADD);
	}
	mutex_unlock(&nn->lock);
out:
	kfree(cfg);
	return err;
}

int nlb_nl_listener_change_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_listener_cfg *cfg;
	struct nlb_listener *l;
	int err;

	if (info->attrs[NLB_A_LISTENER_PROTO] ||
	    info->attrs[NLB_A_LISTENER_PORT]) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[NLB_A_LISTENER_PROTO] ?:
				    info->attrs[NLB_A_LISTENER_PORT],
				    "the protocol and port of a listener cannot change; delete and add the listener");
		return -EOPNOTSUPP;
	}
	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	err = nlb_parse_listener_opts(info, cfg) ?:
	      nlb_parse_vips(info, cfg, true);
	if (err)
		goto out;
	if (!cfg->set) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to change: give a VIP, group, reject mode or persistence setting");
		err = -EINVAL;
		goto out;
	}

	mutex_lock(&nn->lock);
	l = nlb_req_listener(info, nn);
	err = PTR_ERR_OR_ZERO(l) ?: nlb_listener_change(nn, l, cfg,
							info->extack);
	if (!err) {
		nlb_changed(nn);
		nlb_notify_listener(nn, l, NLB_EVENT_CHANGE);
	}
	mutex_unlock(&nn->lock);
out:
	kfree(cfg);
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
		nlb_listener_del(nn, l);
		nlb_changed(nn);
	}
	mutex_unlock(&nn->lock);
	return PTR_ERR_OR_ZERO(l);
}

int nlb_nl_listener_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_listener *l;
	int err;

	mutex_lock(&nn->lock);
	l = nlb_req_listener(info, nn);
	err = PTR_ERR_OR_ZERO(l);
	if (!err) {
		nlb_census_want(nn, NLB_READ_MAX_AGE_MS);
		err = nlb_reply(info, NLB_CMD_LISTENER_GET, nlb_fill_listener,
				nn, l);
	}
	mutex_unlock(&nn->lock);
	return err;
}

int nlb_nl_listener_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb)
{
	struct nlb_net *nn = nlb_net(sock_net(skb->sk));
	struct nlb_listener *l;
	long idx = 0;
	int err = 0;

	mutex_lock(&nn->lock);
	nlb_dump_begin(cb, nn);
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

static int nlb_fill_group_xlat(struct sk_buff *skb, struct nlb_net *nn,
			       const struct nlb_group *g)
{
	static const int attr[NLB_NFAM][4] = {
		[NLB_FAM4] = { NLB_A_GROUP_POOL4_FIRST, NLB_A_GROUP_POOL4_LAST,
			       NLB_A_GROUP_POOL4_USED, NLB_A_GROUP_POOL4_SIZE },
		[NLB_FAM6] = { NLB_A_GROUP_POOL6_FIRST, NLB_A_GROUP_POOL6_LAST,
			       NLB_A_GROUP_POOL6_USED, NLB_A_GROUP_POOL6_SIZE },
	};
	int fam;

	for (fam = 0; fam < NLB_NFAM; fam++) {
		struct nlb_xpool *p;

		p = rcu_dereference_protected(g->xpool[fam],
					      lockdep_is_held(&nn->lock));
		if (!p)
			continue;
		/* The last address only when it is not the first. */
		if (fam == NLB_FAM4 ?
		    nla_put_in_addr(skb, attr[fam][0], g->xcfg[fam].first.ip) ||
		    (g->xcfg[fam].last.ip != g->xcfg[fam].first.ip &&
		     nla_put_in_addr(skb, attr[fam][1], g->xcfg[fam].last.ip)) :
		    nla_put_in6_addr(skb, attr[fam][0],
				     &g->xcfg[fam].first.in6) ||
		    (!ipv6_addr_equal(&g->xcfg[fam].last.in6,
				      &g->xcfg[fam].first.in6) &&
		     nla_put_in6_addr(skb, attr[fam][1],
				      &g->xcfg[fam].last.in6)))
			return -EMSGSIZE;
		if (nla_put_u32(skb, attr[fam][2], nlb_xpool_used(p)) ||
		    nla_put_u32(skb, attr[fam][3], p->size))
			return -EMSGSIZE;
	}
	if (nla_put_u16(skb, NLB_A_GROUP_POOL_PORT_MIN, g->port_min) ||
	    nla_put_u16(skb, NLB_A_GROUP_POOL_PORT_MAX, g->port_max) ||
	    nla_put_in6_addr(skb, NLB_A_GROUP_PREFIX6, &g->prefix6) ||
	    nla_put_u8(skb, NLB_A_GROUP_SRC6, g->src6))
		return -EMSGSIZE;
	return 0;
}

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
	    nlb_fill_group_xlat(skb, nn, g) ||
	    nla_put_u8(skb, NLB_A_GROUP_PROXY, g->proxy) ||
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

/* The source pools of translated legs, their ports, prefix6 and src6. */
static void nlb_parse_group_xlat(struct nlattr **tb, struct nlb_group_cfg *cfg)
{
	static const int attr[NLB_NFAM][2] = {
		[NLB_FAM4] = { NLB_A_GROUP_POOL4_FIRST, NLB_A_GROUP_POOL4_LAST },
		[NLB_FAM6] = { NLB_A_GROUP_POOL6_FIRST, NLB_A_GROUP_POOL6_LAST },
	};
	int fam;

	for (fam = 0; fam < NLB_NFAM; fam++) {
		struct nlb_xpool_cfg *x = &cfg->xcfg[fam];

		if (!nlb_get_addr(tb, fam, attr[NLB_FAM4][0], attr[NLB_FAM6][0],
				  &x->first) &&
		    !tb[attr[fam][1]])
			continue;
		/* The last address defaults to the first. */
		if (!nlb_get_addr(tb, fam, attr[NLB_FAM4][1],
				  attr[NLB_FAM6][1], &x->last))
			x->last = x->first;
		cfg->set |= fam == NLB_FAM4 ? NLB_GROUP_SET_POOL4 :
					      NLB_GROUP_SET_POOL6;
	}
	if (tb[NLB_A_GROUP_POOL_PORT_MIN] || tb[NLB_A_GROUP_POOL_PORT_MAX]) {
		if (tb[NLB_A_GROUP_POOL_PORT_MIN])
			cfg->port_min = nla_get_u16(tb[NLB_A_GROUP_POOL_PORT_MIN]);
		if (tb[NLB_A_GROUP_POOL_PORT_MAX])
			cfg->port_max = nla_get_u16(tb[NLB_A_GROUP_POOL_PORT_MAX]);
		cfg->set |= NLB_GROUP_SET_PORTS;
	}
	if (tb[NLB_A_GROUP_PREFIX6]) {
		cfg->prefix6 = nla_get_in6_addr(tb[NLB_A_GROUP_PREFIX6]);
		cfg->set |= NLB_GROUP_SET_PREFIX6;
	}
	if (tb[NLB_A_GROUP_SRC6]) {
		cfg->src6 = nla_get_u8(tb[NLB_A_GROUP_SRC6]);
		cfg->set |= NLB_GROUP_SET_SRC6;
	}
}

static void nlb_parse_group(struct genl_info *info, struct nlb_group_cfg *cfg)
{
	struct nlattr **tb = info->attrs;

	cfg->tb = tb;
	if (tb[NLB_A_GROUP_IPVERSION]) {
		cfg->ipversion = nla_get_u8(tb[NLB_A_GROUP_IPVERSION]);
		cfg->set |= NLB_GROUP_SET_IPVERSION;
	}
	if (tb[NLB_A_GROUP_AFFINITY]) {
		cfg->affinity = nla_get_u8(tb[NLB_A_GROUP_AFFINITY]);
		cfg->set |= NLB_GROUP_SET_AFFINITY;
	}
	if (tb[NLB_A_GROUP_SCHED]) {
		cfg->sched = nla_get_u8(tb[NLB_A_GROUP_SCHED]);
		cfg->set |= NLB_GROUP_SET_SCHED;
	}
	if (tb[NLB_A_GROUP_TRACK]) {
		cfg->track = nla_get_u8(tb[NLB_A_GROUP_TRACK]);
		cfg->set |= NLB_GROUP_SET_TRACK;
	}
	if (tb[NLB_A_GROUP_DRAIN_TIMEOUT]) {
		cfg->drain_timeout = nla_get_u32(tb[NLB_A_GROUP_DRAIN_TIMEOUT]);
		cfg->set |= NLB_GROUP_SET_DRAIN_TIMEOUT;
	}
	if (tb[NLB_A_GROUP_ACCT]) {
		cfg->acct = nla_get_u8(tb[NLB_A_GROUP_ACCT]);
		cfg->set |= NLB_GROUP_SET_ACCT;
	}
	if (tb[NLB_A_GROUP_OFFLOAD]) {
		cfg->offload = nla_get_u8(tb[NLB_A_GROUP_OFFLOAD]);
		cfg->set |= NLB_GROUP_SET_OFFLOAD;
	}
	if (tb[NLB_A_GROUP_PROXY]) {
		cfg->proxy = nla_get_u8(tb[NLB_A_GROUP_PROXY]);
		cfg->set |= NLB_GROUP_SET_PROXY;
	}
	nlb_parse_group_xlat(tb, cfg);
}

/*
 * Passive signals need nlb's conntrack helper on each connection, which a
 * flowtable cannot offload.
 */
static int nlb_check_passive(struct genl_info *info, bool passive,
			     bool offload)
{
	if (passive && offload) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[NLB_A_GROUP_PASSIVE] ?:
				    info->attrs[NLB_A_GROUP_OFFLOAD],
				    "passive on needs offload off: a watched connection carries nlb's conntrack helper, which a flowtable cannot offload");
		return -EINVAL;
	}
	return 0;
}

int nlb_nl_group_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_health health = {};
	struct nlb_group_cfg cfg = {};
	struct nlb_group *g;
	int err;

	if (NLB_REQUIRE(info, NLB_A_GROUP_NAME, "missing server group name"))
		return -EINVAL;
	err = nlb_get_name(info, NLB_A_GROUP_NAME, cfg.name) ?:
	      nlb_health_prepare(info, NULL, &health);
	if (err)
		return err;
	nlb_parse_group(info, &cfg);
	err = nlb_check_passive(info, health.passive,
				cfg.set & NLB_GROUP_SET_OFFLOAD && cfg.offload);
	if (err) {
		nlb_health_free(&health);
		return err;
	}

	mutex_lock(&nn->lock);
	g = nlb_group_add(nn, &cfg, info->extack);
	err = PTR_ERR_OR_ZERO(g);
	if (!err) {
		nn->passive_used |= health.passive;
		nlb_health_commit(&g->health, &health);
		nlb_changed(nn);
		nlb_notify_group(nn, g, NLB_EVENT_ADD);
	}
	mutex_unlock(&nn->lock);
	nlb_health_free(&health);
	return err;
}

int nlb_nl_group_change_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_health health = {};
	struct nlb_group_cfg cfg = {};
	struct nlb_group *g;
	int err;

	nlb_parse_group(info, &cfg);
	mutex_lock(&nn->lock);
	g = nlb_req_group(info, nn, NLB_A_GROUP_NAME);
	err = PTR_ERR_OR_ZERO(g) ?:
	      nlb_health_prepare(info, &g->health, &health) ?:
	      nlb_check_passive(info, health.passive,
				cfg.set & NLB_GROUP_SET_OFFLOAD ? cfg.offload :
				g->offload) ?:
	      nlb_group_change(nn, g, &cfg, info->extack);
	if (!err) {
		nn->passive_used |= health.passive;
		nlb_health_commit(&g->health, &health);
		nlb_changed(nn);
		nlb_notify_group(nn, g, NLB_EVENT_CHANGE);
	}
	mutex_unlock(&nn->lock);
	nlb_health_free(&health);
	return err;
}

int nlb_nl_group_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_group *g;
	int err;

	mutex_lock(&nn->lock);
	g = nlb_req_group(info, nn, NLB_A_GROUP_NAME);
	err = PTR_ERR_OR_ZERO(g);
	/* Described before it goes. */
	if (!err && !g->n_listeners)
		nlb_notify_group(nn, g, NLB_EVENT_DEL);
	if (!err)
		err = nlb_group_del(nn, g, info->attrs[NLB_A_GROUP_NAME],
				    info->extack);
	if (!err)
		nlb_changed(nn);
	mutex_unlock(&nn->lock);
	return err;
}

int nlb_nl_group_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_group *g;
	int err;

	mutex_lock(&nn->lock);
	g = nlb_req_group(info, nn, NLB_A_GROUP_NAME);
	err = PTR_ERR_OR_ZERO(g);
	if (!err) {
		nlb_census_want(nn, NLB_READ_MAX_AGE_MS);
		err = nlb_reply(info, NLB_CMD_GROUP_GET, nlb_fill_group, nn, g);
	}
	mutex_unlock(&nn->lock);
	return err;
}

int nlb_nl_group_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlb_net *nn = nlb_net(sock_net(skb->sk));
	struct nlb_group *g;
	long idx = 0;
	int err = 0;

	mutex_lock(&nn->lock);
	nlb_dump_begin(cb, nn);
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
	    (be->key.fam == NLB_FAM4 ?
	     nla_put_in_addr(skb, NLB_A_BACKEND_ADDR4, be->key.addr.ip) :
	     nla_put_in6_addr(skb, NLB_A_BACKEND_ADDR6, &be->key.addr.in6)) ||
	    nla_put_u16(skb, NLB_A_BACKEND_PORT, be->key.port) ||
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

/* What a backend request (or one of its entries) may give. */
enum nlb_be_parse {
	NLB_BE_KEY,		/* the backend only: del, get */
	NLB_BE_SETTINGS,	/* and its settings: add */
	NLB_BE_CHANGE,		/* and at least one setting: change */
};

/* One backend from @tb, the request's attributes or those of an entry. */
static int nlb_parse_backend(struct nlattr **tb, const struct nlattr *entry,
			     enum nlb_be_parse what, struct nlb_backend_cfg *c,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *a4 = tb[NLB_A_BACKEND_ADDR4];
	struct nlattr *a6 = tb[NLB_A_BACKEND_ADDR6];
	struct nlattr *attr;

	if (!a4 == !a6) {
		NL_SET_ERR_MSG_ATTR(extack, entry,
				    "a backend needs exactly one address, IPv4 or IPv6");
		return -EINVAL;
	}
	c->fam = a4 ? NLB_FAM4 : NLB_FAM6;
	attr = nlb_get_addr(tb, c->fam, NLB_A_BACKEND_ADDR4,
			    NLB_A_BACKEND_ADDR6, &c->addr);
	if (!nlb_addr_unicast(c->fam, &c->addr)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a backend address must be a unicast address");
		return -EINVAL;
	}
	c->attr = entry ?: attr;
	if (tb[NLB_A_BACKEND_PORT])
		c->port = nla_get_u16(tb[NLB_A_BACKEND_PORT]);
	/*
	 * The attribute array of a request is as long as its op's policy:
	 * backend-get's ends at the port (entries have the settings).
	 */
	if (!entry && what == NLB_BE_KEY)
		return 0;
	if (tb[NLB_A_BACKEND_WEIGHT]) {
		c->weight = nla_get_u32(tb[NLB_A_BACKEND_WEIGHT]);
		c->set |= NLB_BE_SET_WEIGHT;
	}
	if (tb[NLB_A_BACKEND_ENABLED]) {
		c->enabled = nla_get_u8(tb[NLB_A_BACKEND_ENABLED]);
		c->set |= NLB_BE_SET_ENABLED;
	}
	if (tb[NLB_A_BACKEND_HEALTHY]) {
		c->healthy = nla_get_u8(tb[NLB_A_BACKEND_HEALTHY]);
		c->set |= NLB_BE_SET_HEALTHY;
	}
	/* A health checker's report: backend-change, top level only. */
	if (what == NLB_BE_CHANGE && !entry &&
	    tb[NLB_A_BACKEND_AGENT_WEIGHT]) {
		c->agent_weight = nla_get_u8(tb[NLB_A_BACKEND_AGENT_WEIGHT]);
		c->set |= NLB_BE_SET_AGENT;
	}
	if (what == NLB_BE_KEY && c->set) {
		NL_SET_ERR_MSG_ATTR(extack, entry,
				    "deleting a backend takes no weight, state or health");
		return -EINVAL;
	}
	if (what == NLB_BE_CHANGE && !c->set &&
	    (entry || !nlb_health_backend_given(tb))) {
		NL_SET_ERR_MSG_ATTR(extack, entry,
				    "nothing to change: give a weight, a state, a health or a health check report");
		return -EINVAL;
	}
	return 0;
}

/*
 * The backends a request names: one at the top level, or a batch of
 * entries. Return: how many (*@cfgp to kvfree()), or a negative errno.
 */
static int nlb_parse_backends(struct genl_info *info, enum nlb_be_parse what,
			      struct nlb_backend_cfg **cfgp)
{
	static const int top[] = {
		NLB_A_BACKEND_ADDR4, NLB_A_BACKEND_ADDR6, NLB_A_BACKEND_PORT,
		NLB_A_BACKEND_WEIGHT, NLB_A_BACKEND_ENABLED,
		NLB_A_BACKEND_HEALTHY,
	};
	struct nlattr *etb[NLB_A_BACKEND_HEALTHY + 1];
	struct nlattr **tb = info->attrs;
	struct nlb_backend_cfg *cfg;
	unsigned int n = 0, i;
	struct nlattr *attr;
	int rem, err;

	if (!tb[NLB_A_BACKEND_ENTRY]) {
		cfg = kvzalloc(sizeof(*cfg), GFP_KERNEL);
		if (!cfg)
			return -ENOMEM;
		err = nlb_parse_backend(tb, NULL, what, cfg, info->extack);
		if (err) {
			kvfree(cfg);
			return err;
		}
		*cfgp = cfg;
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(top); i++) {
		if (tb[top[i]]) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[top[i]],
					    "a request names one backend at the top level or a batch in entries, not both");
			return -EINVAL;
		}
	}
	if (what == NLB_BE_CHANGE && nlb_health_backend_given(tb)) {
		NL_SET_ERR_MSG(info->extack,
			       "a health check report is for one backend, at the top level, not for a batch");
		return -EINVAL;
	}
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem)
		n += nla_type(attr) == NLB_A_BACKEND_ENTRY;
	if (n > NLB_BACKEND_BATCH_MAX) {
		NL_SET_ERR_MSG(info->extack,
			       "a request names at most 4096 backends");
		return -E2BIG;
	}
	cfg = kvcalloc(n, sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	i = 0;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != NLB_A_BACKEND_ENTRY)
			continue;
		/* Validated with the request, against the same policy. */
		err = nla_parse_nested(etb, NLB_A_BACKEND_HEALTHY, attr,
				       nlb_backend_entry_nl_policy,
				       info->extack) ?:
		      nlb_parse_backend(etb, attr, what, &cfg[i], info->extack);
		if (err) {
			kvfree(cfg);
			return err;
		}
		i++;
	}
	*cfgp = cfg;
	return n;
}

/* backend-add, -change and -del: parse, apply, notify. */
static int nlb_backends_doit(struct genl_info *info, enum nlb_be_parse what,
			     int (*op)(struct nlb_net *nn, struct nlb_group *g,
				       struct nlb_backend_cfg *cfg,
				       unsigned int n,
				       struct netlink_ext_ack *extack),
			     u8 event)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_backend_cfg *cfg;
	bool notify = true;
	struct nlb_group *g;
	int n, err, i;

	if (what == NLB_BE_CHANGE) {
		err = nlb_health_backend_check(info);
		if (err)
			return err;
	}
	n = nlb_parse_backends(info, what, &cfg);
	if (n < 0)
		return n;
	mutex_lock(&nn->lock);
	g = nlb_req_group(info, nn, NLB_A_BACKEND_GROUP);
	err = PTR_ERR_OR_ZERO(g) ?: op(nn, g, cfg, n, info->extack);
	if (!err && what != NLB_BE_KEY) {
		for (i = 0; i < n; i++)
			if (cfg[i].be->healthy != cfg[i].old.healthy)
				nlb_health_backend_changed(&cfg[i].be->hs);
		/* Only a probe's result: a report, not worth a notification. */
		if (what == NLB_BE_CHANGE && !info->attrs[NLB_A_BACKEND_ENTRY])
			notify = nlb_health_backend_report(info,
							   &cfg[0].be->hs);
	}
	if (!err && notify) {
		nlb_changed(nn);
		for (i = 0; i < n; i++)
			nlb_notify_backend(nn, cfg[i].be, event);
	}
	mutex_unlock(&nn->lock);
	kvfree(cfg);
	return err;
}

int nlb_nl_backend_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return nlb_backends_doit(info, NLB_BE_SETTINGS, nlb_backends_add,
				 NLB_EVENT_ADD);
}

int nlb_nl_backend_change_doit(struct sk_buff *skb, struct genl_info *info)
{
	return nlb_backends_doit(info, NLB_BE_CHANGE, nlb_backends_change,
				 NLB_EVENT_CHANGE);
}

int nlb_nl_backend_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return nlb_backends_doit(info, NLB_BE_KEY, nlb_backends_del,
				 NLB_EVENT_DEL);
}

int nlb_nl_backend_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	struct nlb_backend_cfg key = {};
	struct nlb_backend *be = NULL;
	struct nlb_group *g;
	int err;

	err = nlb_parse_backend(info->attrs, NULL, NLB_BE_KEY, &key,
				info->extack);
	if (err)
		return err;
	mutex_lock(&nn->lock);
	g = nlb_req_group(info, nn, NLB_A_BACKEND_GROUP);
	err = PTR_ERR_OR_ZERO(g);
	if (!err) {
		be = nlb_backend_find(nn, g, key.fam, &key.addr, key.port);
		if (!be) {
			NL_SET_ERR_MSG(info->extack,
				       "no backend with this address and port in the server group");
			err = -ENOENT;
		}
	}
	if (!err) {
		nlb_census_want(nn, NLB_READ_MAX_AGE_MS);
		err = nlb_reply(info, NLB_CMD_BACKEND_GET, nlb_fill_backend, nn,
				be);
	}
	mutex_unlock(&nn->lock);
	return err;
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
	nlb_dump_begin(cb, nn);
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

/* The namespace: objects, limits, census */

static int nlb_fill_info(struct sk_buff *skb, struct nlb_net *nn,
			 const void *obj)
{
	const struct nlb_census *c = &nn->census;

	if (nla_put_u32(skb, NLB_A_INFO_LISTENERS, nn->n_listeners) ||
	    nla_put_u32(skb, NLB_A_INFO_GROUPS, nn->n_groups) ||
	    nla_put_u32(skb, NLB_A_INFO_BACKENDS, nn->n_backends) ||
	    nla_put_u32(skb, NLB_A_INFO_MAX_LISTENERS,
			READ_ONCE(nlb_max_listeners)) ||
	    nla_put_u32(skb, NLB_A_INFO_MAX_GROUPS, READ_ONCE(nlb_max_groups)) ||
	    nla_put_u32(skb, NLB_A_INFO_MAX_BACKENDS,
			READ_ONCE(nlb_max_backends)) ||
	    nla_put_u64_64bit(skb, NLB_A_INFO_CENSUS_PASSES, c->snap_seq,
			      NLB_A_INFO_PAD))
		return -EMSGSIZE;
	if (c->snap_seq &&
	    (nla_put_u32(skb, NLB_A_INFO_CENSUS_AGE, nlb_census_age_ms(nn)) ||
	     nla_put_u32(skb, NLB_A_INFO_CENSUS_DURATION, c->duration_us) ||
	     nla_put_u64_64bit(skb, NLB_A_INFO_CENSUS_CONNS, c->snap_conns,
			       NLB_A_INFO_PAD)))
		return -EMSGSIZE;
	return nlb_xstats_put(skb, NLB_A_INFO_XLAT_DROPS, nn);
}

static u32 nlb_req_max_age(struct genl_info *info, u32 dflt)
{
	struct nlattr *attr = info->attrs[NLB_A_INFO_MAX_AGE];

	return attr ? nla_get_u32(attr) : dflt;
}

int nlb_nl_info_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	int err;

	mutex_lock(&nn->lock);
	nlb_census_want(nn, nlb_req_max_age(info, NLB_READ_MAX_AGE_MS));
	err = nlb_reply(info, NLB_CMD_INFO_GET, nlb_fill_info, nn, NULL);
	mutex_unlock(&nn->lock);
	return err;
}

int nlb_nl_census_run_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlb_net *nn = nlb_info_net(info);
	int err;

	mutex_lock(&nn->lock);
	err = nlb_census_run(nn, nlb_req_max_age(info, 0), info->extack) ?:
	      nlb_reply(info, NLB_CMD_CENSUS_RUN, nlb_fill_info, nn, NULL);
	mutex_unlock(&nn->lock);
	return err;
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
