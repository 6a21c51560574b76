// SPDX-License-Identifier: GPL-2.0
/*
 * Flowtable offload of established connections.
 *
 * A server group with offload on has its forwarded connections moved, once
 * established, into a flowtable that nlb owns in each namespace: the same
 * software fast path as an nft flowtable (nf_flow_table), without the user
 * having to write one. A FORWARD hook sees the packets conntrack still
 * carries; when one belongs to an established connection of an offloaded
 * group, nlb looks up the route of both directions and adds the connection
 * to the flowtable. From then on the flowtable's ingress hook, which nlb
 * puts on every device of the namespace, forwards the connection's packets
 * (NAT included) straight from the receiving device. conntrack keeps the
 * connection (shown [OFFLOAD] by `conntrack -L`) and, through the
 * flowtable's counter flag, its packet and byte counts. A TCP FIN or RST,
 * an expired flow, a dying conntrack entry, the group turning offload off,
 * or the drain timeout of the connection's backend expiring hands the
 * connection back to conntrack. The last keeps it out of the flowtable:
 * the drain reset needs the sequence numbers that conntrack learns again
 * from the next packets (track.c, reset.c).
 *
 * Locking: nlb_net.lock, then RTNL. The flowtable and its hooks exist while
 * nlb_net.n_offload is non-zero; the list of hooked devices is under RTNL,
 * which the netdevice notifier holds.
 */
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/rtnetlink.h>
#include <net/inet_dscp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/xfrm.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_extend.h>
#include <net/netfilter/nf_conntrack_l4proto.h>
#include <net/netfilter/nf_flow_table.h>

#include "group.h"
#include "listener.h"
#include "netns.h"
#include "offload.h"
#include "drain.h"

/* Ahead of nft netdev chains of a higher priority number, behind filters. */
#define NLB_OFFLOAD_INGRESS_PRI 10

/**
 * struct nlb_offload_dev - the flowtable's ingress hook on one device
 * @node: entry in nlb_net.offload_devs
 * @ops: the hook, whose @dev is the device
 */
struct nlb_offload_dev {
	struct list_head node;
	struct nf_hook_ops ops;
};

/* The group of the listener a connection was made to, under RCU. */
static struct nlb_group *nlb_offload_group(const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *t;
	struct nlb_listener *l;

	t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	l = nlb_listener_lookup_tuple(nlb_net(nf_ct_net(ct)),
				      t->src.l3num == NFPROTO_IPV4 ? NLB_FAM4 :
								     NLB_FAM6,
				      t);
	return l ? rcu_dereference(l->group) : NULL;
}

/**
 * struct nlb_offload_expired - the backends of a group whose drain timeout
 * has expired, as the packet path matches connections against them
 * @rcu: for freeing after a grace period
 * @n: number of entries in @be
 * @be: each backend's address, port (host order; 0 for the client's
 *	destination port) and family, in the group's draining order
 */
struct nlb_offload_expired {
	struct rcu_head rcu;
	unsigned int n;
	struct nlb_offload_end {
		union nf_inet_addr addr;
		u16 port;
		u8 fam;
	} be[];
};

/*
 * Does @ct, a connection of @g, go to a backend whose drain timeout has
 * expired? Under RCU; one pointer test while no drain timeout has expired.
 */
static bool nlb_offload_expired(const struct nlb_group *g,
				const struct nf_conn *ct)
{
	const struct nlb_offload_expired *x = rcu_dereference(g->expired);
	unsigned int i;

	for (i = 0; x && i < x->n; i++)
		if (nlb_ct_to_backend(ct, x->be[i].fam, &x->be[i].addr,
				      x->be[i].port))
			return true;
	return false;
}

/* Is @x the list of @g's expired backends (NULL: none)? */
static bool nlb_offload_expired_is(const struct nlb_offload_expired *x,
				   const struct nlb_group *g)
{
	const struct nlb_backend *be;
	unsigned int i = 0;

	list_for_each_entry(be, &g->draining, node) {
		if (!nlb_backend_drain_expired(be))
			continue;
		if (!x || i == x->n || x->be[i].fam != be->key.fam ||
		    x->be[i].port != be->key.port ||
		    !nf_inet_addr_cmp(&x->be[i].addr, &be->key.addr))
			return false;
		i++;
	}
	return !x || i == x->n;
}

/*
 * Publish @g's expired backends if they changed; a failed allocation keeps
 * the old list, and housekeeping tries again a second later.
 */
static void nlb_offload_expired_update(struct nlb_net *nn,
				       struct nlb_group *g)
{
	struct nlb_offload_expired *old, *x = NULL;
	struct nlb_backend *be;
	unsigned int n = 0;

	old = rcu_dereference_protected(g->expired,
					lockdep_is_held(&nn->lock));
	if (g->offload && g->drain_timeout)
		list_for_each_entry(be, &g->draining, node)
			n += nlb_backend_drain_expired(be);
	if (!n ? !old : nlb_offload_expired_is(old, g))
		return;
	if (n) {
		x = kmalloc(struct_size(x, be, n), GFP_KERNEL);
		if (!x) {
			nlb_drain_start(nn);
			return;
		}
		x->n = 0;
		list_for_each_entry(be, &g->draining, node) {
			if (!nlb_backend_drain_expired(be))
				continue;
			x->be[x->n].addr = be->key.addr;
			x->be[x->n].port = be->key.port;
			x->be[x->n].fam = be->key.fam;
			x->n++;
		}
	}
	rcu_assign_pointer(g->expired, x);
	if (old)
		kfree_rcu(old, rcu);
}

/**
 * nlb_offload_drain_update() - tell the offload path which backends' drain
 * timeout has expired
 * @nn: the namespace state, locked
 *
 * The connections of those backends leave the flowtable (its garbage
 * collector hands them back within a second) and are not offloaded again,
 * so that conntrack learns the sequence numbers their drain resets need.
 * Housekeeping calls this every second while backends drain, and the
 * configuration when a draining backend is taken back.
 */
void nlb_offload_drain_update(struct nlb_net *nn)
{
	struct nlb_group *g;

	lockdep_assert_held(&nn->lock);
	list_for_each_entry(g, &nn->groups, node)
		nlb_offload_expired_update(nn, g);
}

/**
 * nlb_offload_expired_free() - free a group's list of expired backends
 * @nn: the namespace state, locked
 * @g: the group, being destroyed
 */
void nlb_offload_expired_free(struct nlb_net *nn, struct nlb_group *g)
{
	struct nlb_offload_expired *x;

	x = rcu_replace_pointer(g->expired, NULL, lockdep_is_held(&nn->lock));
	if (x)
		kfree_rcu(x, rcu);
}

/*
 * The flowtable's garbage collector asks, for each flow every second,
 * whether to hand it back to conntrack: yes once its group has turned
 * offload off or its backend's drain timeout has expired. A flow whose
 * listener is gone stays: established connections outlive their listener.
 */
static bool nlb_offload_gc(const struct flow_offload *flow)
{
	struct nlb_group *g = nlb_offload_group(flow->ct);

	return g && (!READ_ONCE(g->offload) ||
		     nlb_offload_expired(g, flow->ct));
}

static const struct nf_flowtable_type nlb_flowtable_type = {
	.family	= NFPROTO_INET,
	.gc	= nlb_offload_gc,
	.owner	= THIS_MODULE,
};

static unsigned int nlb_offload_ingress(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return nf_flow_offload_ip_hook(priv, skb, state);
	case htons(ETH_P_IPV6):
		return nf_flow_offload_ipv6_hook(priv, skb, state);
	}
	return NF_ACCEPT;
}

/* Packets the flowtable does not handle: IPsec, IPv4 options. */
static bool nlb_offload_skip(const struct sk_buff *skb, u8 pf)
{
	if (skb_sec_path(skb))
		return true;
	return pf == NFPROTO_IPV4 && IPCB(skb)->opt.optlen;
}

/* The flowtable's view of one direction: leave by @dst, come back in. */
static void nlb_offload_route_dir(struct nf_flow_route *route,
				  struct dst_entry *dst,
				  enum ip_conntrack_dir dir)
{
	route->tuple[dir].dst = dst;
	route->tuple[dir].xmit_type = dst_xfrm(dst) ? FLOW_OFFLOAD_XMIT_XFRM :
						      FLOW_OFFLOAD_XMIT_NEIGH;
	route->tuple[!dir].in.ifindex = dst->dev->ifindex;
}

/*
 * The routes of both directions of @ct, @skb going in direction @dir: its
 * own route, and a lookup of the route back. Takes a reference on both.
 */
static int nlb_offload_route(struct sk_buff *skb,
			     const struct nf_hook_state *state,
			     const struct nf_conn *ct,
			     enum ip_conntrack_dir dir,
			     struct nf_flow_route *route)
{
	const union nf_inet_addr *peer = &ct->tuplehash[dir].tuple.src.u3;
	const union nf_inet_addr *self = &ct->tuplehash[!dir].tuple.src.u3;
	struct dst_entry *this_dst = skb_dst(skb), *back = NULL;
	struct flowi fl = {};

	if (state->pf == NFPROTO_IPV4) {
		fl.u.ip4.daddr = peer->ip;
		fl.u.ip4.saddr = self->ip;
		fl.u.ip4.flowi4_oif = state->in->ifindex;
		fl.u.ip4.flowi4_iif = this_dst->dev->ifindex;
		fl.u.ip4.flowi4_tos = ip_hdr(skb)->tos & INET_DSCP_MASK;
		fl.u.ip4.flowi4_mark = skb->mark;
		fl.u.ip4.flowi4_flags = FLOWI_FLAG_ANYSRC;
	} else {
		fl.u.ip6.daddr = peer->in6;
		fl.u.ip6.saddr = self->in6;
		fl.u.ip6.flowi6_oif = state->in->ifindex;
		fl.u.ip6.flowi6_iif = this_dst->dev->ifindex;
		fl.u.ip6.flowlabel = ip6_flowinfo(ipv6_hdr(skb));
		fl.u.ip6.flowi6_mark = skb->mark;
		fl.u.ip6.flowi6_flags = FLOWI_FLAG_ANYSRC;
	}
	if (!dst_hold_safe(this_dst))
		return -ENOENT;
	nf_route(state->net, &back, &fl, false, state->pf);
	if (!back) {
		dst_release(this_dst);
		return -ENOENT;
	}
	nlb_offload_route_dir(route, this_dst, dir);
	nlb_offload_route_dir(route, back, !dir);
	return 0;
}

/*
 * Whether @ct, which @skb belongs to, may go into the flowtable now. conntrack
 * has seen the packet already: a TCP FIN or RST has taken the connection out
 * of the established state.
 */
static bool nlb_offload_ready(const struct sk_buff *skb,
			      const struct nf_hook_state *state,
			      const struct nf_conn *ct)
{
	if (!(ct->status & IPS_DST_NAT) || !nf_ct_is_confirmed(ct) ||
	    ct->status & (IPS_OFFLOAD | IPS_SEQ_ADJUST | IPS_NAT_CLASH) ||
	    nf_ct_ext_exist(ct, NF_CT_EXT_HELPER) ||
	    nlb_offload_skip(skb, state->pf))
		return false;
	switch (nf_ct_protonum(ct)) {
	case IPPROTO_UDP:
		/* Not before a reply: unanswered datagrams stay in conntrack. */
		return test_bit(IPS_SEEN_REPLY_BIT, &ct->status);
	case IPPROTO_TCP:
		return nf_conntrack_tcp_established(ct);
	}
	return false;
}

/* conntrack no longer sees every packet: stop checking TCP windows. */
static void nlb_offload_tcp_liberal(struct nf_conn *ct)
{
	spin_lock_bh(&ct->lock);
	ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL].flags |=
		IP_CT_TCP_FLAG_BE_LIBERAL;
	ct->proto.tcp.seen[IP_CT_DIR_REPLY].flags |= IP_CT_TCP_FLAG_BE_LIBERAL;
	spin_unlock_bh(&ct->lock);
}

static unsigned int nlb_offload_fn(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct nlb_net *nn = nlb_net(state->net);
	struct nf_flow_route route = {};
	enum ip_conntrack_info ctinfo;
	enum ip_conntrack_dir dir;
	struct flow_offload *flow;
	struct nlb_group *g;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || !nlb_offload_ready(skb, state, ct))
		return NF_ACCEPT;
	g = nlb_offload_group(ct);
	if (!g || !READ_ONCE(g->offload) || nlb_offload_expired(g, ct))
		return NF_ACCEPT;
	/* One packet of the connection offloads it. */
	if (test_and_set_bit(IPS_OFFLOAD_BIT, &ct->status))
		return NF_ACCEPT;
	dir = CTINFO2DIR(ctinfo);
	if (nlb_offload_route(skb, state, ct, dir, &route))
		goto err_route;
	flow = flow_offload_alloc(ct);
	if (!flow)
		goto err_alloc;
	flow_offload_route_init(flow, &route);
	if (nf_ct_protonum(ct) == IPPROTO_TCP)
		nlb_offload_tcp_liberal(ct);
	if (flow_offload_add(&nn->ft, flow) < 0) {
		flow_offload_free(flow);
		goto err_route;
	}
	return NF_ACCEPT;

err_alloc:
	dst_release(route.tuple[IP_CT_DIR_ORIGINAL].dst);
	dst_release(route.tuple[IP_CT_DIR_REPLY].dst);
err_route:
	clear_bit(IPS_OFFLOAD_BIT, &ct->status);
	return NF_ACCEPT;
}

/* After the filter chains: a dropped packet offloads nothing. */
static const struct nf_hook_ops nlb_offload_ops[] = {
	{
		.hook		= nlb_offload_fn,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP_PRI_LAST - 1,
	},
	{
		.hook		= nlb_offload_fn,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP6_PRI_LAST - 1,
	},
};

/* Put the flowtable's ingress hook on @dev; RTNL held. */
static int nlb_offload_dev_add(struct nlb_net *nn, struct net_device *dev)
{
	struct nlb_offload_dev *od;
	int err;

	ASSERT_RTNL();
	if (dev->flags & IFF_LOOPBACK)
		return 0;
	od = kzalloc(sizeof(*od), GFP_KERNEL);
	if (!od)
		return -ENOMEM;
	od->ops.hook = nlb_offload_ingress;
	od->ops.pf = NFPROTO_NETDEV;
	od->ops.hooknum = NF_NETDEV_INGRESS;
	od->ops.priority = NLB_OFFLOAD_INGRESS_PRI;
	od->ops.dev = dev;
	od->ops.priv = &nn->ft;
	err = nf_register_net_hook(dev_net(dev), &od->ops);
	if (err) {
		kfree(od);
		return err;
	}
	list_add_tail(&od->node, &nn->offload_devs);
	return 0;
}

static void nlb_offload_dev_free(struct nlb_net *nn,
				 struct nlb_offload_dev *od)
{
	nf_unregister_net_hook(nn->net, &od->ops);
	list_del(&od->node);
	kfree(od);
}

/* Take the hook off @dev, if it has it; RTNL held. */
static void nlb_offload_dev_del(struct nlb_net *nn, struct net_device *dev)
{
	struct nlb_offload_dev *od;

	ASSERT_RTNL();
	list_for_each_entry(od, &nn->offload_devs, node) {
		if (od->ops.dev == dev) {
			nlb_offload_dev_free(nn, od);
			return;
		}
	}
}

static void nlb_offload_devs_clear(struct nlb_net *nn)
{
	struct nlb_offload_dev *od, *tmp;

	ASSERT_RTNL();
	nn->offload_on = false;
	list_for_each_entry_safe(od, tmp, &nn->offload_devs, node)
		nlb_offload_dev_free(nn, od);
}

/* Take the flowtable's hooks down; they may still run until a grace period. */
static void nlb_offload_unhook(struct nlb_net *nn)
{
	nf_unregister_net_hooks(nn->net, nlb_offload_ops,
				ARRAY_SIZE(nlb_offload_ops));
	rtnl_lock();
	nlb_offload_devs_clear(nn);
	rtnl_unlock();
}

/* Set up the flowtable and its hooks: all or nothing. */
static int nlb_offload_start(struct nlb_net *nn)
{
	struct net_device *dev;
	int err;

	nn->ft.type = &nlb_flowtable_type;
	nn->ft.flags = NF_FLOWTABLE_COUNTER;
	write_pnet(&nn->ft.net, nn->net);
	err = nf_flow_table_init(&nn->ft);
	if (err)
		return err;
	rtnl_lock();
	for_each_netdev(nn->net, dev) {
		err = nlb_offload_dev_add(nn, dev);
		if (err)
			break;
	}
	if (!err)
		nn->offload_on = true;
	else
		nlb_offload_devs_clear(nn);
	rtnl_unlock();
	if (!err)
		err = nf_register_net_hooks(nn->net, nlb_offload_ops,
					    ARRAY_SIZE(nlb_offload_ops));
	if (err) {
		rtnl_lock();
		nlb_offload_devs_clear(nn);
		rtnl_unlock();
		/* A packet may be in the ingress hook already. */
		synchronize_net();
		nf_flow_table_free(&nn->ft);
	}
	return err;
}

/*
 * Take the hooks down, wait until no CPU runs them any more (unregistering
 * does not wait: a packet still in the ingress hook walks the flowtable,
 * one in the FORWARD hook may add a flow to it), then free the flowtable,
 * which hands every connection in it back to conntrack.
 */
static void nlb_offload_stop(struct nlb_net *nn)
{
	if (!nn->offload_unhooked) {
		nlb_offload_unhook(nn);
		synchronize_net();
	}
	nf_flow_table_free(&nn->ft);
}

/**
 * nlb_offload_get() - count a server group with offload on, setting up
 * the flowtable and its hooks with the first
 * @nn: the namespace state, locked
 *
 * Return: 0 or a negative errno.
 */
int nlb_offload_get(struct nlb_net *nn)
{
	int err;

	lockdep_assert_held(&nn->lock);
	if (!nn->n_offload) {
		err = nlb_offload_start(nn);
		if (err)
			return err;
	}
	nn->n_offload++;
	return 0;
}

/**
 * nlb_offload_put() - uncount a server group with offload on, taking the
 * flowtable down with the last
 * @nn: the namespace state, locked
 */
void nlb_offload_put(struct nlb_net *nn)
{
	lockdep_assert_held(&nn->lock);
	if (WARN_ON_ONCE(!nn->n_offload))
		return;
	if (!--nn->n_offload)
		nlb_offload_stop(nn);
}

/**
 * nlb_offload_net_pre_exit() - take the flowtable's hooks down for good
 * @nn: the namespace state, locked, of a namespace going away
 *
 * The flowtable itself is freed with the last group, after the grace
 * period that the namespace's teardown has between pre_exit and exit.
 */
void nlb_offload_net_pre_exit(struct nlb_net *nn)
{
	lockdep_assert_held(&nn->lock);
	if (nn->n_offload && !nn->offload_unhooked)
		nlb_offload_unhook(nn);
	nn->offload_unhooked = true;
}

/**
 * nlb_offload_net_init() - initialise a namespace's offload state
 * @nn: the namespace state
 */
void nlb_offload_net_init(struct nlb_net *nn)
{
	INIT_LIST_HEAD(&nn->offload_devs);
}

/*
 * Devices come and go: new ones get the ingress hook while the flowtable
 * exists; a device going down hands its flows back to conntrack, and one
 * going away loses the hook. A namespace being created registers devices
 * before nlb's state in it exists.
 */
static int nlb_offload_netdev_event(struct notifier_block *nb,
				    unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct nlb_net *nn = nlb_net(dev_net(dev));

	if (!nn || !nn->offload_on)
		return NOTIFY_DONE;
	switch (event) {
	case NETDEV_REGISTER:
		if (nlb_offload_dev_add(nn, dev))
			pr_warn_ratelimited("%s: no flowtable offload: could not hook the device\n",
					    dev->name);
		break;
	case NETDEV_DOWN:
		nf_flow_table_cleanup(dev);
		break;
	case NETDEV_UNREGISTER:
		nlb_offload_dev_del(nn, dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block nlb_offload_notifier = {
	.notifier_call = nlb_offload_netdev_event,
};

/**
 * nlb_offload_init() - follow devices for the flowtables' hooks; after
 * nlb_netns_init(), as the notifier reads the namespace state
 *
 * Return: 0 or a negative errno.
 */
int nlb_offload_init(void)
{
	return register_netdevice_notifier(&nlb_offload_notifier);
}

/**
 * nlb_offload_exit() - stop following devices; before nlb_netns_exit()
 * frees the namespace state
 */
void nlb_offload_exit(void)
{
	unregister_netdevice_notifier(&nlb_offload_notifier);
}
