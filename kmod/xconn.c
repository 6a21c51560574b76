// SPDX-License-Identifier: GPL-2.0
/*
 * Translated connections: a client of one IP version on a backend of the
 * other (affinity off or prefer, RFC 7915 translation).
 *
 * conntrack cannot change a packet's family, so a translated connection is
 * two conntrack connections, each native to its family, each in
 * `conntrack -L` and seen by nft rules:
 *
 *   the client's leg   client -> VIP, the client's family; no NAT
 *   the backend's leg  source -> backend, the backend's family; no NAT
 *
 * The source of the backend's leg is an address and port of the group's
 * source pool (IPv6 clients; IPv4 clients with src6 pool), unique among the
 * pool's connections, or the client's IPv4 address embedded in the group's
 * /96 with the client's port (IPv4 clients with src6 embed).
 *
 *   client  --->  PRE_ROUTING: conntrack (client's leg), NAT: nlb_nat_fn()
 *                 schedules and attaches nlb's data to the client's leg;
 *                 nlb_xconn_in() confirms it, translates the packet
 *                 (xlat.c) and sends it with ip_local_out() or
 *                 ip6_local_out(): LOCAL_OUT: conntrack (backend's leg,
 *                 nlb_xconn_attach() marks it), nft output, POST_ROUTING
 *                 (nft postrouting, confirmation), out to the backend
 *   the backend's reply ---> PRE_ROUTING: conntrack (backend's leg, reply
 *                 direction);
 *                 nlb_xconn_in() translates it back to the client's family
 *                 and sends it: LOCAL_OUT: conntrack (client's leg, reply
 *                 direction), POST_ROUTING, out to the client
 *
 * An ICMP or ICMPv6 echo is a connection too (conntrack's, by identifier):
 * the echo identifier plays the source port, so that a pool slot gives the
 * backend's leg its identifier. ICMP errors about a connection (conntrack's
 * RELATED) take the same way, their quoted packet translated too. A local
 * client (LOCAL_OUT) takes the same way from LOCAL_OUT.
 *
 * What each leg needs to translate its packets is in its own data (struct
 * nlb_ct): the client's leg names its backend (by identifier) and the
 * source of the backend's leg; the backend's leg points to the client's
 * leg, whose tuples are the client's side, without holding it (nf_conn is
 * SLAB_TYPESAFE_BY_RCU: taken with refcount_inc_not_zero() and checked to
 * still be the same connection before use). Neither holds anything of the
 * other or of nlb's: when one is destroyed, it kills the other; a pool slot
 * whose release was missed is reclaimed by the census (xpool.c). A
 * connection whose backend is gone (its group deleted) cannot be translated
 * any more: the census ends it.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/percpu.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "backend.h"
#include "group.h"
#include "listener.h"
#include "proxy.h"
#include "route.h"
#include "track.h"
#include "xconn.h"
#include "xlat.h"
#include "xpool.h"
#include "xstats.h"

/*
 * The translated packet being sent, for nlb_xconn_attach(): the backend's
 * leg that conntrack creates for it at LOCAL_OUT belongs to @client, and
 * sends a PROXY v2 header of family @proxy (NFPROTO_*, 0 for none).
 */
struct nlb_xconn_ctx {
	struct sk_buff *skb;
	struct nf_conn *client;
	u32 be_id;
	u8 proxy;
};

static DEFINE_PER_CPU(struct nlb_xconn_ctx, nlb_xconn_ctx);

static u8 nlb_nfproto(int fam)
{
	return fam == NLB_FAM4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
}

/*
 * The source of the backend's leg of client's leg @d of group @g: its
 * address and port.
 */
static void nlb_xconn_src(const struct nlb_ct *d, const struct nlb_group *g,
			  union nf_inet_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (d->xfam == NLB_FAM4) {
		addr->ip = d->xaddr;
		return;
	}
	if (d->flags & NLB_CT_F_POOL)
		memcpy(addr, &g->xcfg[NLB_FAM6].first, 12);
	else
		memcpy(addr, &g->prefix6, 12);
	addr->ip6[3] = d->xaddr;
}

/* Is @proto that of an echo connection (conntrack has no other ICMP ones)? */
static bool nlb_xconn_echo(u8 proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

/* The backend's leg's protocol, of family @xfam, for one of @proto. */
static u8 nlb_xconn_proto(u8 proto, int xfam)
{
	if (nlb_xconn_echo(proto))
		return xfam == NLB_FAM4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	return proto;
}

/* The backend's port for a connection to VIP port @vport. */
static __be16 nlb_xconn_bport(const struct nlb_backend *be, __be16 vport)
{
	return be->key.port ? htons(be->key.port) : vport;
}

/**
 * nlb_xconn_new() - make a new connection a translated one
 * @ct: the connection, unconfirmed, of the client's family
 * @l: its listener
 * @g: its group
 * @be: the backend chosen, of the other family
 *
 * Called by nlb_nat_fn() instead of setting up DNAT: the connection gets
 * nlb's data for its client's leg, with the source of its backend's leg
 * (from the group's pool or embedding the client's address).
 *
 * Return: 0; -ENOSPC when no source is free (the pool is full or missing,
 * or the embedded source is taken); -ENOMEM.
 */
int nlb_xconn_new(struct nf_conn *ct, struct nlb_listener *l,
		  struct nlb_group *g, struct nlb_backend *be)
{
	const struct nf_conntrack_tuple *o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	struct nf_conntrack_tuple reply = {};
	struct nlb_xpool *pool = NULL;
	int xfam = be->key.fam;
	struct nlb_ct *d;
	__be16 *xport;

	/* The backend's leg, seen from the backend: its reply tuple. */
	reply.src.l3num = nlb_nfproto(xfam);
	reply.src.u3 = be->key.addr;
	reply.dst.protonum = nlb_xconn_proto(o->dst.protonum, xfam);
	reply.dst.dir = IP_CT_DIR_REPLY;
	if (nlb_xconn_echo(o->dst.protonum)) {
		/* Echo replies, whose identifier is the leg's "port". */
		reply.dst.u.icmp.type = xfam == NLB_FAM4 ? ICMP_ECHOREPLY :
							   ICMPV6_ECHO_REPLY;
		xport = &reply.src.u.icmp.id;
	} else {
		reply.src.u.all = nlb_xconn_bport(be, o->dst.u.all);
		xport = &reply.dst.u.all;
	}
	if (xfam == NLB_FAM4 || READ_ONCE(g->src6) == NLB_XLAT_SRC6_POOL) {
		pool = rcu_dereference(g->xpool[xfam]);
		if (!pool || !nlb_xpool_alloc(pool, ct, &reply, xport))
			return -ENOSPC;
	} else {
		struct nf_conntrack_tuple orig;

		memcpy(&reply.dst.u3, &g->prefix6, 12);
		reply.dst.u3.ip6[3] = o->src.u3.ip;
		*xport = o->src.u.all;
		/* The client's port to another VIP and the same backend. */
		if (!nf_ct_invert_tuple(&orig, &reply) ||
		    nf_conntrack_tuple_taken(&reply, ct) ||
		    nf_conntrack_tuple_taken(&orig, ct))
			return -ENOSPC;
	}
	d = nlb_track_attach(ct, l, be, NLB_CT_CLIENT, false);
	if (!d) {
		if (pool)
			nlb_xpool_release(pool, &reply.dst.u3, *xport);
		return -ENOMEM;
	}
	d->xfam = xfam;
	d->xaddr = xfam == NLB_FAM4 ? reply.dst.u3.ip : reply.dst.u3.ip6[3];
	d->xport = *xport;
	if (pool)
		d->flags |= NLB_CT_F_POOL | NLB_CT_F_SLOT;
	/* The header goes on the backend's leg, in the backend's family. */
	if (o->dst.protonum == IPPROTO_TCP &&
	    READ_ONCE(g->proxy) == NLB_PROXY_V2)
		d->flags |= NLB_CT_F_PROXY;
	return 0;
}

/*
 * Is @server (of data @sd), which claims @client as its client's leg,
 * really the backend's leg of @client (of data @cd)? They name the same
 * backend, and its original source is the client's leg's source on the
 * backend's side.
 */
static bool nlb_xconn_pair(const struct nf_conn *client,
			   const struct nlb_ct *cd,
			   const struct nf_conn *server,
			   const struct nlb_ct *sd)
{
	const struct nf_conntrack_tuple *t;

	t = &server->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	return cd->role == NLB_CT_CLIENT && cd->be_id == sd->be_id &&
	       net_eq(nf_ct_net(client), nf_ct_net(server)) &&
	       nf_ct_l3num(server) == nlb_nfproto(cd->xfam) &&
	       t->dst.protonum ==
	       nlb_xconn_proto(nf_ct_protonum(client), cd->xfam) &&
	       t->src.u.all == cd->xport &&
	       (cd->xfam == NLB_FAM4 ? t->src.u3.ip : t->src.u3.ip6[3]) ==
	       cd->xaddr;
}

/**
 * nlb_xconn_client_get() - the client's leg of a backend's leg
 * @ct: the backend's leg
 * @d: its data
 *
 * Under RCU.
 *
 * Return: the client's leg, with a reference, or NULL when it is gone.
 */
struct nf_conn *nlb_xconn_client_get(const struct nf_conn *ct,
				     const struct nlb_ct *d)
{
	struct nf_conn *peer = READ_ONCE(d->peer);
	const struct nlb_ct *pd;

	if (!peer || !refcount_inc_not_zero(&peer->ct_general.use))
		return NULL;
	/* Load its status after the reference (typesafe RCU)... */
	smp_acquire__after_ctrl_dep();
	/*
	 * ... and its extensions only once it is known to be confirmed: the
	 * entry may have been reused for a new connection that another CPU
	 * is still setting up, whose extensions nf_ct_ext_add() reallocates.
	 */
	if (!nf_ct_is_confirmed(peer) || nf_ct_is_dying(peer))
		goto put;
	pd = nlb_ct_find(peer);
	if (!pd || !nlb_xconn_pair(peer, pd, ct, d))
		goto put;
	return peer;
put:
	nf_ct_put(peer);
	return NULL;
}

/*
 * Send a translated packet by the local output path of family @fam; one
 * to the backend (@client set) tells nlb_xconn_attach() its client's leg
 * and backend, and the family of the PROXY header its new backend's leg
 * sends (@proxy, NFPROTO_*, or 0 for none).
 */
static void nlb_xconn_send(struct net *net, struct sk_buff *skb, int fam,
			   struct nf_conn *client, u32 be_id, u8 proxy)
{
	struct nlb_xconn_ctx *ctx, saved;

	local_bh_disable();
	ctx = this_cpu_ptr(&nlb_xconn_ctx);
	/* A packet sent while another is on its way (a rule's reject). */
	saved = *ctx;
	ctx->skb = skb;
	ctx->client = client;
	ctx->be_id = be_id;
	ctx->proxy = proxy;
	if (fam == NLB_FAM4)
		ip_local_out(net, NULL, skb);
	else
		ip6_local_out(net, NULL, skb);
	*ctx = saved;
	local_bh_enable();
}

/*
 * A packet that cannot be translated: the error RFC 7915 names (if any)
 * to its sender, from @saddr (which receives it as the flow's peer).
 */
static unsigned int nlb_xconn_refuse(struct net *net, struct sk_buff *skb,
				     enum nlb_xlat_reason reason,
				     const struct nlb_xlat_icmp *err,
				     const union nf_inet_addr *saddr)
{
	nlb_xstats_drop(nlb_net(net), reason);
	if (err->type)
		nlb_xlat_icmp_send(net, skb, err, saddr);
	net_dbg_ratelimited("nlb: not translated: %s\n",
			    nlb_xlat_reason_name(reason));
	return NF_DROP;
}

/*
 * Translate @skb to family @xfam with @params (its outer and inner tuples
 * set) and route it as the flow of its outer tuple, protocol @proto (an
 * echo's flow has no ports), with the destination's route cache @route
 * if it has one; on success it is sent and the verdict is NF_STOLEN.
 */
static unsigned int nlb_xconn_forward(const struct nf_hook_state *state,
				      struct sk_buff *skb, int xfam, u8 proto,
				      bool echo,
				      struct nlb_xlat_params *params,
				      const union nf_inet_addr *err_src,
				      struct nlb_route_cache __rcu *const *route,
				      struct nf_conn *client, u32 be_id, u8 proxy)
{
	const struct nlb_xlat_tuple *t = params->outer;
	const struct nlb_flow f = {
		.saddr = t->saddr, .daddr = t->daddr,
		.sport = echo ? 0 : t->sport,
		.dport = echo ? 0 : t->dport,
		.proto = proto, .mark = skb->mark,
	};
	struct nlb_xlat_icmp err = {};
	enum nlb_xlat_reason reason;
	struct dst_entry *dst;
	u32 in_mtu = state->in ? READ_ONCE(state->in->mtu) : 0;

	params->net = state->net;
	/* conntrack had it reassembled: a fragment left is malformed. */
	params->flags |= NLB_XLAT_NO_FRAGMENTS;
	/* A local client's (or backend's) packet is the gateway's own. */
	if (state->hook == NF_INET_LOCAL_OUT)
		params->flags |= NLB_XLAT_KEEP_TTL;
	if (route)
		dst = nlb_route_cached(state->net, nlb_nfproto(xfam), &f,
				       route);
	else
		dst = nlb_route(state->net, nlb_nfproto(xfam), &f);
	if (IS_ERR(dst)) {
		nlb_xstats_drop(nlb_net(state->net), NLB_XLAT_NO_ROUTE);
		return NF_DROP;
	}
	if (xfam == NLB_FAM4) {
		params->mtu4 = dst_mtu(dst);
		params->mtu6 = in_mtu;
		reason = nlb_xlat_6to4(skb, params, &err);
	} else {
		params->mtu6 = dst_mtu(dst);
		params->mtu4 = in_mtu;
		reason = nlb_xlat_4to6(skb, params, &err);
	}
	if (reason != NLB_XLAT_OK) {
		dst_release(dst);
		return nlb_xconn_refuse(state->net, skb, reason, &err, err_src);
	}
	/* A local client's socket is of the other family. */
	skb_orphan(skb);
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	nlb_xconn_send(state->net, skb, xfam, client, be_id, proxy);
	return NF_STOLEN;
}

/* A packet of a client's leg from the client: to the backend. */
static unsigned int nlb_xconn_to_backend(struct sk_buff *skb,
					 const struct nf_hook_state *state,
					 struct nf_conn *ct,
					 enum ip_conntrack_info ctinfo,
					 struct nlb_ct *d)
{
	const struct nf_conntrack_tuple *o;
	struct nlb_xlat_tuple outer, inner;
	struct nlb_xlat_params params = {
		.outer = &outer, .inner = &inner,
	};
	struct nlb_backend *be;
	bool echo;
	u8 proxy;
	int ret;

	if (!nf_ct_is_confirmed(ct)) {
		/* Its slot, should the entry go away unconfirmed (untold). */
		struct nlb_ct slot = *d;

		/* The packet never reaches the confirm hooks. */
		ret = nf_conntrack_confirm(skb);
		/*
		 * Refused, or it lost a race to an entry of the same tuple,
		 * which has a slot of its own and now carries the packet.
		 */
		if (ret != NF_ACCEPT || nf_ct_get(skb, &ctinfo) != ct)
			nlb_xconn_release(&slot);
		if (ret != NF_ACCEPT)
			return ret;
		ct = nf_ct_get(skb, &ctinfo);
		d = ct ? nlb_ct_find(ct) : NULL;
		if (!d || d->role != NLB_CT_CLIENT) {
			nlb_xstats_drop(nlb_net(state->net), NLB_XDROP_ORPHAN);
			return NF_DROP;
		}
	}
	if (ctinfo != IP_CT_RELATED)
		nlb_track_packet(ct, d);
	be = nlb_backend_lookup_id(d->be_id);
	if (!be) {
		/* Its group is gone; the census ends it. */
		nlb_xstats_drop(nlb_net(state->net), NLB_XDROP_ORPHAN);
		return NF_DROP;
	}

	o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	echo = nlb_xconn_echo(o->dst.protonum);
	nlb_xconn_src(d, be->group, &outer.saddr);
	/* The identifier of an echo is the source "port" of its leg. */
	outer.sport = d->xport;
	outer.daddr = be->key.addr;
	outer.dport = echo ? d->xport : nlb_xconn_bport(be, o->dst.u.all);
	/* An error from the client's side quotes a reply: the backend's. */
	inner.saddr = outer.daddr;
	inner.sport = outer.dport;
	inner.daddr = outer.saddr;
	inner.dport = outer.sport;
	proxy = d->flags & NLB_CT_F_PROXY ? nf_ct_l3num(ct) : 0;

	return nlb_xconn_forward(state, skb, d->xfam,
				 nlb_xconn_proto(o->dst.protonum, d->xfam),
				 echo, &params, &o->dst.u3, &be->route, ct,
				 d->be_id, proxy);
}

/*
 * A backend's reply on a backend's leg with a PROXY header, before it is
 * translated: conntrack's confirm hook, which would let the helper see it
 * and adjust its sequence numbers, is never reached (the packet is taken
 * at PRE_ROUTING), so both are done here, with the backend's numbers
 * still the backend's: the SYN-ACK's MSS, the header's acknowledgment,
 * then the acknowledgment and SACK numbers moved back by the header's
 * length, so that the client's leg sees the client's own numbers.
 */
static unsigned int nlb_xconn_proxy_reply(struct sk_buff *skb,
					  struct nf_conn *ct,
					  enum ip_conntrack_info ctinfo,
					  struct nlb_ct *d,
					  const struct nf_conn *client)
{
	unsigned int ret = NF_ACCEPT;
	int protoff;
	__be16 frag;
	u8 nexthdr;

	if (nf_ct_protonum(ct) != IPPROTO_TCP ||
	    ctinfo != IP_CT_ESTABLISHED_REPLY ||
	    !test_bit(IPS_SEQ_ADJUST_BIT, &ct->status))
		return NF_ACCEPT;
	if (nf_ct_l3num(ct) == NFPROTO_IPV4) {
		protoff = ip_hdrlen(skb);
	} else {
		nexthdr = ipv6_hdr(skb)->nexthdr;
		protoff = ipv6_skip_exthdr(skb, sizeof(struct ipv6hdr),
					   &nexthdr, &frag);
		if (protoff < 0 || nexthdr != IPPROTO_TCP)
			return NF_DROP;
	}
	if (nlb_proxy_active(&d->proxy))
		ret = nlb_track_proxy(skb, protoff, ct, ctinfo, d, client);
	if (ret == NF_ACCEPT &&
	    !nlb_proxy_seq_adjust(skb, protoff, ct, ctinfo))
		ret = NF_DROP;
	return ret;
}

/* A packet of a backend's leg from the backend: back to the client. */
static unsigned int nlb_xconn_to_client(struct sk_buff *skb,
					const struct nf_hook_state *state,
					struct nf_conn *ct,
					enum ip_conntrack_info ctinfo,
					struct nlb_ct *d)
{
	const struct nf_conntrack_tuple *o;
	struct nlb_xlat_tuple outer, inner;
	struct nlb_xlat_params params = {
		.outer = &outer, .inner = &inner,
	};
	union nf_inet_addr err_src;
	struct nlb_backend *be;
	struct nf_conn *client;
	unsigned int ret;
	bool echo;
	int cfam;

	client = nlb_xconn_client_get(ct, d);
	if (!client) {
		/* Its client's leg is gone: so is it. */
		nf_ct_kill(ct);
		nlb_xstats_drop(nlb_net(state->net), NLB_XDROP_ORPHAN);
		return NF_DROP;
	}
	be = nlb_backend_lookup_id(d->be_id);
	if (!be) {
		/* Its group is gone; the census ends it. */
		nf_ct_put(client);
		nlb_xstats_drop(nlb_net(state->net), NLB_XDROP_ORPHAN);
		return NF_DROP;
	}
	cfam = nf_ct_l3num(client) == NFPROTO_IPV4 ? NLB_FAM4 : NLB_FAM6;
	o = &client->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	echo = nlb_xconn_echo(o->dst.protonum);
	/* An echo's identifier is the client's, both ways. */
	outer.saddr = o->dst.u3;
	outer.sport = echo ? o->src.u.icmp.id : o->dst.u.all;
	outer.daddr = o->src.u3;
	outer.dport = o->src.u.all;
	/* An error from the backend's side quotes the client's packet. */
	inner.saddr = o->src.u3;
	inner.sport = o->src.u.all;
	inner.daddr = o->dst.u3;
	inner.dport = echo ? o->src.u.icmp.id : o->dst.u.all;
	/*
	 * An error about the backend's packet comes from where it was sent:
	 * the source of the backend's leg, the backend's peer.
	 */
	err_src = ct->tuplehash[IP_CT_DIR_REPLY].tuple.dst.u3;
	/*
	 * An error from a router of the backend's side: an IPv4 one appears
	 * at its address embedded in the group's /96; an IPv6 one cannot
	 * appear in IPv4 but as the VIP.
	 */
	if (ctinfo == IP_CT_RELATED_REPLY && cfam == NLB_FAM6) {
		__be32 router = ip_hdr(skb)->saddr;

		/* No router sends from these (RFC 1812 5.3.7). */
		if (ipv4_is_multicast(router) || ipv4_is_lbcast(router) ||
		    ipv4_is_zeronet(router) || ipv4_is_loopback(router)) {
			nf_ct_put(client);
			nlb_xstats_drop(nlb_net(state->net), NLB_XLAT_BAD_HDR);
			return NF_DROP;
		}
		memcpy(&outer.saddr, &be->group->prefix6, 12);
		outer.saddr.ip6[3] = router;
	}

	/* The backend's answer ends a passive watch (track.c). */
	if (ctinfo != IP_CT_RELATED_REPLY &&
	    (READ_ONCE(d->flags) & NLB_CT_F_WATCH))
		nlb_track_passive(skb, ct, ctinfo, d);
	ret = nlb_xconn_proxy_reply(skb, ct, ctinfo, d, client);
	if (ret == NF_ACCEPT)
		ret = nlb_xconn_forward(state, skb, cfam, o->dst.protonum, echo,
					&params, &err_src, NULL, NULL, 0, 0);
	nf_ct_put(client);
	return ret;
}

/*
 * The data of @ct if its packets of @ctinfo's direction go from one leg of
 * a translated connection to the other (a client's leg from the client, a
 * backend's leg from the backend), else NULL.
 */
static struct nlb_ct *nlb_xconn_leg(struct nf_conn *ct,
				    enum ip_conntrack_info ctinfo)
{
	struct nlb_ct *d;

	if (!test_bit(IPS_HELPER_BIT, &ct->status))
		return NULL;
	d = nlb_ct_find(ct);
	if (!d)
		return NULL;
	if (d->role == NLB_CT_CLIENT &&
	    CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL)
		return d;
	if (d->role == NLB_CT_SERVER && CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY)
		return d;
	return NULL;
}

/*
 * PRE_ROUTING and LOCAL_OUT, right before NAT: an ICMP error about a
 * translated connection with a wrong checksum is dropped and counted
 * (bad-csum). nf_nat verifies the checksum of every ICMP error related to
 * a connection, whatever net.netfilter.nf_conntrack_checksum says, and
 * drops a wrong one uncounted (nf_nat_icmp_reply_translation()) before
 * nlb_xconn_in() sees it; checked here with the same helpers, the verdict
 * is marked in the packet (ip_summed, csum_valid), so that neither nf_nat
 * nor the translation sums it again.
 */
static unsigned int nlb_xconn_icmp_check(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	static const struct nlb_xlat_icmp none = {};
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	__be16 frag;
	int off;
	u8 nh;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || (ctinfo != IP_CT_RELATED && ctinfo != IP_CT_RELATED_REPLY) ||
	    !nlb_xconn_leg(ct, ctinfo))
		return NF_ACCEPT;
	if (state->pf == NFPROTO_IPV4) {
		if (ip_hdr(skb)->protocol != IPPROTO_ICMP ||
		    !nf_ip_checksum(skb, state->hook, ip_hdrlen(skb),
				    IPPROTO_ICMP))
			return NF_ACCEPT;
	} else {
		nh = ipv6_hdr(skb)->nexthdr;
		off = ipv6_skip_exthdr(skb, sizeof(struct ipv6hdr), &nh, &frag);
		if (off < 0 || nh != IPPROTO_ICMPV6 ||
		    !nf_ip6_checksum(skb, state->hook, off, IPPROTO_ICMPV6))
			return NF_ACCEPT;
	}
	return nlb_xconn_refuse(state->net, skb, NLB_XLAT_BAD_CSUM, &none,
				NULL);
}

/*
 * PRE_ROUTING and LOCAL_OUT, after NAT: take the packets of translated
 * connections that go from one leg to the other.
 */
static unsigned int nlb_xconn_in(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	struct nlb_ct *d;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct)
		return NF_ACCEPT;
	d = nlb_xconn_leg(ct, ctinfo);
	if (!d)
		return NF_ACCEPT;
	if (d->role == NLB_CT_CLIENT)
		return nlb_xconn_to_backend(skb, state, ct, ctinfo, d);
	return nlb_xconn_to_client(skb, state, ct, ctinfo, d);
}

/*
 * LOCAL_OUT, right after conntrack: the connection conntrack created for
 * a packet nlb_xconn_send() is sending to a backend is the backend's leg
 * of its client's leg. One conntrack already had must be that leg: the
 * packet of one connection must not go out on another's (a leg of the
 * same tuple that conntrack confirmed in between, an entry inserted by
 * ctnetlink).
 */
static unsigned int nlb_xconn_attach(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct nlb_xconn_ctx *ctx = this_cpu_ptr(&nlb_xconn_ctx);
	enum ip_conntrack_info ctinfo;
	const struct nlb_ct *d;
	struct nf_conn *ct;

	if (likely(ctx->skb != skb) || !ctx->client)
		return NF_ACCEPT;
	ctx->skb = NULL;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct)
		return NF_ACCEPT;	/* untracked by a rule */
	if (!nf_ct_is_confirmed(ct)) {
		if (ctinfo == IP_CT_NEW &&
		    nlb_track_attach_server(ct, ctx->client, ctx->be_id,
					    ctx->proxy))
			return NF_ACCEPT;
		nlb_xstats_drop(nlb_net(state->net), NLB_XLAT_NOMEM);
		return NF_DROP;
	}
	d = nlb_ct_find(ct);
	if (d && d->role == NLB_CT_SERVER && d->be_id == ctx->be_id &&
	    READ_ONCE(d->peer) == ctx->client)
		return NF_ACCEPT;
	nlb_xstats_drop(nlb_net(state->net), NLB_XDROP_ORPHAN);
	return NF_DROP;
}

/*
 * The backend's leg of client's leg @ct (of data @d, backend @be), with a
 * reference, or NULL.
 */
static struct nf_conn *nlb_xconn_server(const struct nf_conn *ct,
					const struct nlb_ct *d,
					const struct nlb_backend *be)
{
	const struct nf_conntrack_tuple *o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	struct nf_conntrack_tuple t = {};
	struct nf_conntrack_tuple_hash *h;
	struct nf_conn *server;

	t.src.l3num = nlb_nfproto(d->xfam);
	nlb_xconn_src(d, be->group, &t.src.u3);
	t.src.u.all = d->xport;
	t.dst.u3 = be->key.addr;
	t.dst.protonum = nlb_xconn_proto(o->dst.protonum, d->xfam);
	if (nlb_xconn_echo(o->dst.protonum))
		t.dst.u.icmp.type = d->xfam == NLB_FAM4 ? ICMP_ECHO :
							  ICMPV6_ECHO_REQUEST;
	else
		t.dst.u.all = nlb_xconn_bport(be, o->dst.u.all);
	t.dst.dir = IP_CT_DIR_ORIGINAL;
	h = nf_conntrack_find_get(nf_ct_net(ct), nf_ct_zone(ct), &t);
	if (!h)
		return NULL;
	server = nf_ct_tuplehash_to_ctrack(h);
	if (NF_CT_DIRECTION(h) != IP_CT_DIR_ORIGINAL) {
		nf_ct_put(server);
		return NULL;
	}
	return server;
}

/**
 * nlb_xconn_release() - a client's leg gives its pool slot back
 * @d: its data, under the connection's lock (or a copy of it)
 *
 * Once: when its TCP connection closes (its TIME_WAIT needs no slot: a
 * new connection to the same backend will not get the same one while
 * conntrack has the tuple), when it is destroyed, or when it goes away
 * unconfirmed (nlb_xconn_abort()). Under RCU.
 */
void nlb_xconn_release(struct nlb_ct *d)
{
	struct nlb_backend *be;
	struct nlb_xpool *pool;
	union nf_inet_addr src;

	if (!(d->flags & NLB_CT_F_SLOT))
		return;
	WRITE_ONCE(d->flags, d->flags & ~NLB_CT_F_SLOT);
	be = nlb_backend_lookup_id(d->be_id);
	if (!be)
		return;
	pool = rcu_dereference(be->group->xpool[d->xfam]);
	if (!pool)
		return;
	nlb_xconn_src(d, be->group, &src);
	nlb_xpool_release(pool, &src, d->xport);
}

/**
 * nlb_xconn_abort() - a new translated connection is refused before it is
 * confirmed: its pool slot goes back
 * @ct: the client's leg, unconfirmed, after nlb_xconn_new()
 *
 * An unconfirmed entry is freed without its helper being told. Under RCU.
 */
void nlb_xconn_abort(struct nf_conn *ct)
{
	struct nlb_ct *d = nlb_ct_find(ct);

	if (d && d->role == NLB_CT_CLIENT)
		nlb_xconn_release(d);
}

/**
 * nlb_xconn_destroy() - a leg of a translated connection is destroyed
 * @ct: the leg
 * @d: its data
 *
 * Either leg kills the other (the client's leg has given its pool slot
 * back already). Called by the helper's .destroy, under RCU, in any
 * context.
 */
void nlb_xconn_destroy(struct nf_conn *ct, struct nlb_ct *d)
{
	struct nf_conn *other;
	struct nlb_backend *be;

	if (d->role == NLB_CT_SERVER) {
		other = nlb_xconn_client_get(ct, d);
		if (!other)
			return;
		/*
		 * The backend refused it: conntrack deletes a TCP leg whose
		 * first answer is a RST on that RST, before nlb_xconn_in()
		 * translates it. The client's leg must still be there to
		 * carry it to the client, so it expires a second later
		 * instead (its slot with it).
		 */
		if (nf_ct_protonum(ct) == IPPROTO_TCP &&
		    !test_bit(IPS_SEEN_REPLY_BIT, &ct->status))
			WRITE_ONCE(other->timeout, nfct_time_stamp + HZ);
		else
			nf_ct_kill(other);
		nf_ct_put(other);
		return;
	}
	be = nlb_backend_lookup_id(d->be_id);
	if (!be)
		return;
	other = nlb_xconn_server(ct, d, be);
	if (other) {
		nf_ct_kill(other);
		nf_ct_put(other);
	}
}

/**
 * nlb_xconn_server_get() - the backend's leg of a client's leg
 * @ct: the client's leg
 * @be: its backend
 *
 * Under RCU, and never under a conntrack bucket lock: the lookup may
 * delete expired entries, which takes theirs.
 *
 * Return: the backend's leg, with a reference, or NULL.
 */
struct nf_conn *nlb_xconn_server_get(const struct nf_conn *ct,
				     const struct nlb_backend *be)
{
	const struct nlb_ct *d = nlb_ct_find(ct);

	if (!d || d->role != NLB_CT_CLIENT)
		return NULL;
	return nlb_xconn_server(ct, d, be);
}

/**
 * nlb_xconn_server_live() - whether a backend's leg still belongs to a
 * translated connection
 * @ct: the backend's leg, confirmed
 *
 * Its backend must be there and its client's leg alive (a client's leg
 * whose backend is gone when it ends cannot find its backend's leg to end
 * it). Under RCU; may be called under a bucket lock of the conntrack
 * table (it looks nothing up).
 *
 * Return: false when it is an orphan, to be ended.
 */
bool nlb_xconn_server_live(const struct nf_conn *ct)
{
	const struct nlb_ct *d = nlb_ct_find(ct);
	struct nf_conn *client;

	if (!d || d->role != NLB_CT_SERVER ||
	    !nlb_backend_lookup_id(d->be_id))
		return false;
	client = nlb_xconn_client_get(ct, d);
	if (!client)
		return false;
	nf_ct_put(client);
	return true;
}

/**
 * nlb_xconn_census_seen() - the census saw a live client's leg
 * @ct: the leg
 * @d: its data
 * @be: its backend
 * @seq: the census's sequence number
 *
 * Marks its pool slot in use, so that the census does not reclaim it.
 * Under RCU.
 */
void nlb_xconn_census_seen(struct nf_conn *ct, const struct nlb_ct *d,
			   struct nlb_backend *be, u64 seq)
{
	struct nlb_xpool *pool;
	union nf_inet_addr src;

	if (!(READ_ONCE(d->flags) & NLB_CT_F_SLOT))
		return;
	pool = rcu_dereference(be->group->xpool[d->xfam]);
	if (!pool)
		return;
	nlb_xconn_src(d, be->group, &src);
	nlb_xpool_census_seen(pool, seq, &src, d->xport);
}

#define NLB_XCONN_PRI	(NF_IP_PRI_NAT_DST + 2)
/* Right before nf_nat's hooks, after nft's mangle chains. */
#define NLB_XCONN_CHECK_PRI	(NF_IP_PRI_NAT_DST - 1)

static const struct nf_hook_ops nlb_xconn_ops[] = {
	{
		.hook		= nlb_xconn_icmp_check,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NLB_XCONN_CHECK_PRI,
	},
	{
		.hook		= nlb_xconn_icmp_check,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NLB_XCONN_CHECK_PRI,
	},
	{
		.hook		= nlb_xconn_icmp_check,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NLB_XCONN_CHECK_PRI,
	},
	{
		.hook		= nlb_xconn_icmp_check,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NLB_XCONN_CHECK_PRI,
	},
	{
		.hook		= nlb_xconn_in,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NLB_XCONN_PRI,
	},
	{
		.hook		= nlb_xconn_in,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NLB_XCONN_PRI,
	},
	{
		.hook		= nlb_xconn_attach,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP_PRI_CONNTRACK + 1,
	},
	{
		.hook		= nlb_xconn_in,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NLB_XCONN_PRI,
	},
	{
		.hook		= nlb_xconn_in,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NLB_XCONN_PRI,
	},
	{
		.hook		= nlb_xconn_attach,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP6_PRI_CONNTRACK + 1,
	},
};

/**
 * nlb_xconn_hooks_get() - register the translation hooks of a namespace,
 * if not yet
 * @nn: the namespace state, locked, with nlb's NAT hooks registered
 *
 * They stay until nlb's NAT hooks go (nlb_xconn_hooks_stop()), so that the
 * translated connections of a group that turned affinity on go on.
 *
 * Return: 0 or a negative errno.
 */
int nlb_xconn_hooks_get(struct nlb_net *nn)
{
	int err;

	lockdep_assert_held(&nn->lock);
	if (nn->xhooked)
		return 0;
	err = nf_register_net_hooks(nn->net, nlb_xconn_ops,
				    ARRAY_SIZE(nlb_xconn_ops));
	if (!err)
		nn->xhooked = true;
	return err;
}

/**
 * nlb_xconn_hooks_stop() - unregister the translation hooks
 * @nn: the namespace state, locked
 */
void nlb_xconn_hooks_stop(struct nlb_net *nn)
{
	lockdep_assert_held(&nn->lock);
	if (!nn->xhooked)
		return;
	nf_unregister_net_hooks(nn->net, nlb_xconn_ops,
				ARRAY_SIZE(nlb_xconn_ops));
	nn->xhooked = false;
}
