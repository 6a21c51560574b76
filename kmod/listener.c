// SPDX-License-Identifier: GPL-2.0
/*
 * Listeners and the VIP hash the packet path looks them up in.
 */
#include <linux/idr.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ipv6.h>

#include "census.h"
#include "drain.h"
#include "hook.h"
#include "limits.h"
#include "listener.h"

static u32 nlb_vip_seed __read_mostly;

static u32 nlb_vip_hash(int fam, const union nf_inet_addr *addr, u8 proto,
			u16 port)
{
	u32 key = (u32)proto << 16 | port;

	if (fam == NLB_FAM4)
		return jhash_2words((__force u32)addr->ip, key, nlb_vip_seed);
	return jhash2((__force const u32 *)addr->ip6, 4, key ^ nlb_vip_seed);
}

static bool nlb_vip_match(const struct nlb_vip *vip, int fam,
			  const union nf_inet_addr *addr, u8 proto, u16 port)
{
	const struct nlb_listener *l = vip->listener;

	if (vip->fam != fam || l->port != port || l->proto != proto)
		return false;
	if (fam == NLB_FAM4)
		return vip->addr.ip == addr->ip;
	return ipv6_addr_equal(&vip->addr.in6, &addr->in6);
}

/**
 * nlb_listener_lookup() - find the listener of a VIP, protocol and port
 * @nn: the namespace state
 * @fam: the family of @addr
 * @addr: destination address
 * @proto: IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP
 * @port: destination port, host byte order; 0 for ICMP
 *
 * Called on the packet path under rcu_read_lock(), and by the
 * configuration path with @nn->lock held.
 *
 * Return: the listener or NULL.
 */
struct nlb_listener *nlb_listener_lookup(struct nlb_net *nn, int fam,
					 const union nf_inet_addr *addr,
					 u8 proto, u16 port)
{
	struct nlb_vip *vip;

	hash_for_each_possible_rcu(nn->vips, vip, node,
				   nlb_vip_hash(fam, addr, proto, port),
				   lockdep_is_held(&nn->lock))
		if (nlb_vip_match(vip, fam, addr, proto, port))
			return vip->listener;
	return NULL;
}

/**
 * nlb_listener_lookup_tuple() - find the listener of a connection
 * @nn: the namespace state
 * @fam: the family of @t
 * @t: the connection's original tuple
 *
 * An ICMP or ICMPv6 echo goes to the VIP's icmp listener, which has no
 * port. Under rcu_read_lock() or @nn->lock.
 *
 * Return: the listener or NULL.
 */
struct nlb_listener *nlb_listener_lookup_tuple(struct nlb_net *nn, int fam,
					       const struct nf_conntrack_tuple *t)
{
	switch (t->dst.protonum) {
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return nlb_listener_lookup(nn, fam, &t->dst.u3, IPPROTO_ICMP,
					   0);
	}
	return nlb_listener_lookup(nn, fam, &t->dst.u3, t->dst.protonum,
				   ntohs(t->dst.u.all));
}

/**
 * nlb_listener_find() - find a listener by name
 * @nn: the namespace state, locked
 * @name: the name
 *
 * Return: the listener or NULL.
 */
struct nlb_listener *nlb_listener_find(struct nlb_net *nn, const char *name)
{
	struct nlb_listener *l;

	lockdep_assert_held(&nn->lock);
	list_for_each_entry(l, &nn->listeners, node)
		if (!strcmp(l->name, name))
			return l;
	return NULL;
}

/* Listeners by identifier, for tracked connections (see backend.c). */
static DEFINE_IDR(nlb_listener_ids);
static DEFINE_SPINLOCK(nlb_listener_ids_lock);

/**
 * nlb_listener_lookup_id() - find a listener of the configuration by its
 * identifier
 * @id: the identifier
 *
 * Called under RCU.
 *
 * Return: the listener, or NULL when it is no longer in the configuration.
 */
struct nlb_listener *nlb_listener_lookup_id(u32 id)
{
	return id ? idr_find(&nlb_listener_ids, id) : NULL;
}

/* A VIP entry of @l for @addr, not hashed yet. */
static struct nlb_vip *nlb_vip_alloc(struct nlb_listener *l, int fam,
				     const union nf_inet_addr *addr)
{
	struct nlb_vip *vip = kzalloc(sizeof(*vip), GFP_KERNEL_ACCOUNT);

	if (vip) {
		vip->listener = l;
		vip->addr = *addr;
		vip->fam = fam;
	}
	return vip;
}

static void nlb_vip_hash_add(struct nlb_net *nn, struct nlb_vip *vip)
{
	const struct nlb_listener *l = vip->listener;

	hash_add_rcu(nn->vips, &vip->node,
		     nlb_vip_hash(vip->fam, &vip->addr, l->proto, l->port));
}

/* Unhash a VIP entry; it is freed after a grace period. */
static void nlb_vip_hash_del(struct nlb_vip *vip)
{
	hash_del_rcu(&vip->node);
	kfree_rcu(vip, rcu);
}

static void nlb_listener_free_rcu(struct rcu_head *rcu)
{
	struct nlb_listener *l = container_of(rcu, struct nlb_listener, rcu);

	nlb_counters_free(&l->cnt);
	kfree(l);
}

/* The group @cfg names; sets the error message when there is none. */
static struct nlb_group *nlb_listener_cfg_group(struct nlb_net *nn,
						const struct nlb_listener_cfg *cfg,
						struct netlink_ext_ack *extack)
{
	struct nlb_group *g = nlb_group_find(nn, cfg->group);

	if (!g) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_LISTENER_GROUP],
				    "no server group with this name");
		return ERR_PTR(-ENOENT);
	}
	return g;
}

/*
 * Apply the persistence and reject settings @cfg gives: the persistence
 * table is allocated first, so that nothing changes when that fails. Entries
 * made under other settings would not be found again: they go.
 */
static int nlb_listener_set_opts(struct nlb_net *nn, struct nlb_listener *l,
				 const struct nlb_listener_cfg *cfg)
{
	struct nlb_persist *p = nlb_listener_persist(nn, l);
	u32 timeout = l->persist_timeout;
	u8 prefix[NLB_NFAM];
	bool flush;

	memcpy(prefix, l->persist_prefix, sizeof(prefix));
	if (cfg->set & NLB_LISTENER_SET_PERSIST_TIMEOUT)
		timeout = cfg->persist_timeout;
	if (cfg->set & NLB_LISTENER_SET_PERSIST_PREFIX4)
		prefix[NLB_FAM4] = cfg->persist_prefix[NLB_FAM4];
	if (cfg->set & NLB_LISTENER_SET_PERSIST_PREFIX6)
		prefix[NLB_FAM6] = cfg->persist_prefix[NLB_FAM6];
	if (timeout && !p) {
		p = nlb_persist_alloc(&nn->n_persist);
		if (!p)
			return -ENOMEM;
		rcu_assign_pointer(l->persist, p);
	}
	flush = timeout != l->persist_timeout ||
		memcmp(prefix, l->persist_prefix, sizeof(prefix));
	if (cfg->set & NLB_LISTENER_SET_REJECT)
		WRITE_ONCE(l->reject, cfg->reject);
	WRITE_ONCE(l->persist_timeout, timeout);
	WRITE_ONCE(l->persist_prefix[NLB_FAM4], prefix[NLB_FAM4]);
	WRITE_ONCE(l->persist_prefix[NLB_FAM6], prefix[NLB_FAM6]);
	if (p && flush)
		nlb_persist_expire(p, 0);
	if (timeout)
		nlb_drain_start(nn);
	return 0;
}

/* Link a new listener and hash its VIPs: all or nothing. */
static int nlb_listener_insert(struct nlb_net *nn, struct nlb_listener *l)
{
	int fam, id;

	idr_preload(GFP_KERNEL);
	spin_lock_bh(&nlb_listener_ids_lock);
	id = idr_alloc_cyclic(&nlb_listener_ids, l, 1, 0, GFP_NOWAIT);
	spin_unlock_bh(&nlb_listener_ids_lock);
	idr_preload_end();
	if (id < 0)
		return id;
	l->id = id;
	list_add_tail(&l->node, &nn->listeners);
	nn->n_listeners++;
	nlb_listener_group(nn, l)->n_listeners++;
	for (fam = 0; fam < NLB_NFAM; fam++)
		if (l->vip[fam])
			nlb_vip_hash_add(nn, l->vip[fam]);
	return 0;
}

/**
 * nlb_listener_add() - add a listener
 * @nn: the namespace state, locked
 * @cfg: its VIPs, protocol, port and group, and its settings (defaults:
 *	reject reset, no persistence, prefixes 32 and 128)
 * @extack: for the error message
 *
 * The first listener of the namespace registers nlb's NAT hooks.
 *
 * Return: the listener, or an ERR_PTR with nothing changed.
 */
struct nlb_listener *nlb_listener_add(struct nlb_net *nn,
				      const struct nlb_listener_cfg *cfg,
				      struct netlink_ext_ack *extack)
{
	struct nlb_listener *l;
	struct nlb_group *g;
	int fam, err;

	lockdep_assert_held(&nn->lock);
	if (nlb_listener_find(nn, cfg->name)) {
		NL_SET_ERR_MSG_ATTR(extack, cfg->tb[NLB_A_LISTENER_NAME],
				    "a listener with this name exists");
		return ERR_PTR(-EEXIST);
	}
	g = nlb_listener_cfg_group(nn, cfg, extack);
	if (IS_ERR(g))
		return ERR_CAST(g);
	for (fam = 0; fam < NLB_NFAM; fam++) {
		if (cfg->vip_used[fam] &&
		    nlb_listener_lookup(nn, fam, &cfg->vip[fam], cfg->proto,
					cfg->port)) {
			NL_SET_ERR_MSG(extack,
				       "another listener has this VIP, protocol and port");
			return ERR_PTR(-EEXIST);
		}
	}
	err = nlb_limit_check(nn, NLB_LIMIT_LISTENERS,
			      cfg->tb[NLB_A_LISTENER_NAME], extack);
	if (err)
		return ERR_PTR(err);

	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return ERR_PTR(-ENOMEM);
	if (nlb_counters_init(&l->cnt)) {
		kfree(l);
		return ERR_PTR(-ENOMEM);
	}
	strscpy(l->name, cfg->name, sizeof(l->name));
	for (fam = 0; fam < NLB_NFAM; fam++) {
		if (!cfg->vip_used[fam])
			continue;
		l->vip[fam] = nlb_vip_alloc(l, fam, &cfg->vip[fam]);
		if (!l->vip[fam]) {
			err = -ENOMEM;
			goto err_free;
		}
	}
	l->proto = cfg->proto;
	l->port = cfg->port;
	l->reject = NLB_REJECT_RESET;
	l->persist_prefix[NLB_FAM4] = 32;
	l->persist_prefix[NLB_FAM6] = 128;
	RCU_INIT_POINTER(l->group, g);
	err = nlb_listener_set_opts(nn, l, cfg);
	if (err)
		goto err_free;
	err = nlb_hooks_get(nn);
	if (err) {
		NL_SET_ERR_MSG(extack,
			       "could not enable conntrack and NAT in this network namespace");
		goto err_free;
	}
	err = nlb_listener_insert(nn, l);
	if (err) {
		nlb_hooks_put(nn);
		goto err_free;
	}
	/* The first listener of a namespace whose groups translate. */
	err = nlb_hooks_xlat(nn, NLB_AFFINITY_ON);
	if (err) {
		nlb_listener_del(nn, l);
		return ERR_PTR(err);
	}
	nlb_census_kick(nn);
	return l;

err_free:
	nlb_persist_free(nlb_listener_persist(nn, l));
	for (fam = 0; fam < NLB_NFAM; fam++)
		kfree(l->vip[fam]);
	nlb_counters_free(&l->cnt);
	kfree(l);
	return ERR_PTR(err);
}

/* The listener-change flag of each family's VIP. */
static const u32 nlb_vip_set[NLB_NFAM] = {
	[NLB_FAM4] = NLB_LISTENER_SET_VIP4,
	[NLB_FAM6] = NLB_LISTENER_SET_VIP6,
};

/*
 * Check the VIPs a listener-change gives and allocate the entries of the
 * new ones into @nv: all before anything changes. The listener keeps at
 * least one VIP; a new one must not be another listener's (VIP,
 * protocol, port).
 */
static int nlb_listener_prepare_vips(struct nlb_net *nn,
				     struct nlb_listener *l,
				     const struct nlb_listener_cfg *cfg,
				     struct nlb_vip **nv,
				     struct netlink_ext_ack *extack)
{
	static const int type[NLB_NFAM] = {
		[NLB_FAM4] = NLB_A_LISTENER_VIP4,
		[NLB_FAM6] = NLB_A_LISTENER_VIP6,
	};
	struct nlb_listener *other;
	bool left = false;
	int fam, err;

	for (fam = 0; fam < NLB_NFAM; fam++)
		left |= cfg->set & nlb_vip_set[fam] ? cfg->vip_used[fam] :
						      !!l->vip[fam];
	if (!left) {
		NL_SET_ERR_MSG(extack,
			       "a listener needs a VIP (IPv4, IPv6 or both): this would remove its last one");
		return -EINVAL;
	}
	for (fam = 0; fam < NLB_NFAM; fam++) {
		if (!(cfg->set & nlb_vip_set[fam]) || !cfg->vip_used[fam])
			continue;
		other = nlb_listener_lookup(nn, fam, &cfg->vip[fam], l->proto,
					    l->port);
		if (other == l)		/* its VIP already */
			continue;
		if (other) {
			NL_SET_ERR_MSG_ATTR(extack, cfg->tb[type[fam]],
					    "another listener has this VIP, protocol and port");
			err = -EEXIST;
			goto err;
		}
		nv[fam] = nlb_vip_alloc(l, fam, &cfg->vip[fam]);
		if (!nv[fam]) {
			err = -ENOMEM;
			goto err;
		}
	}
	return 0;
err:
	for (fam = 0; fam < NLB_NFAM; fam++) {
		kfree(nv[fam]);
		nv[fam] = NULL;
	}
	return err;
}

/*
 * Make the prepared VIP changes. A new VIP is published before the one it
 * replaces is unpublished: the listener is never without a VIP of the
 * family in the hash, and lookups of the old address that found it may
 * go on reading its entry for a grace period.
 */
static void nlb_listener_commit_vips(struct nlb_net *nn,
				     struct nlb_listener *l,
				     const struct nlb_listener_cfg *cfg,
				     struct nlb_vip **nv)
{
	struct nlb_vip *old;
	int fam;

	for (fam = 0; fam < NLB_NFAM; fam++) {
		if (!(cfg->set & nlb_vip_set[fam]))
			continue;
		old = l->vip[fam];
		if (nv[fam]) {
			nlb_vip_hash_add(nn, nv[fam]);
			l->vip[fam] = nv[fam];
		} else if (!cfg->vip_used[fam]) {
			l->vip[fam] = NULL;
		} else {
			continue;	/* the VIP it has */
		}
		if (old)
			nlb_vip_hash_del(old);
	}
}

/**
 * nlb_listener_change() - change a listener's VIPs, group, reject mode or
 * persistence
 * @nn: the namespace state, locked
 * @l: the listener
 * @cfg: the settings given (not the protocol or port)
 * @extack: for the error message
 *
 * Established connections are not disturbed: those to a VIP given up go
 * on as conntrack carries them (tracked ones still counted on @l), and
 * persistence entries stay. New connections to a new VIP are balanced
 * from the moment this returns. A new group or new persistence settings
 * empty the persistence table.
 *
 * Return: 0 or a negative errno, with nothing changed.
 */
int nlb_listener_change(struct nlb_net *nn, struct nlb_listener *l,
			const struct nlb_listener_cfg *cfg,
			struct netlink_ext_ack *extack)
{
	struct nlb_group *old = nlb_listener_group(nn, l), *g = old;
	struct nlb_vip *nv[NLB_NFAM] = {};
	int fam, err;

	lockdep_assert_held(&nn->lock);
	if (cfg->set & NLB_LISTENER_SET_GROUP) {
		g = nlb_listener_cfg_group(nn, cfg, extack);
		if (IS_ERR(g))
			return PTR_ERR(g);
	}
	if (cfg->set & (NLB_LISTENER_SET_VIP4 | NLB_LISTENER_SET_VIP6)) {
		err = nlb_listener_prepare_vips(nn, l, cfg, nv, extack);
		if (err)
			return err;
	}
	err = nlb_listener_set_opts(nn, l, cfg);
	if (err) {
		for (fam = 0; fam < NLB_NFAM; fam++)
			kfree(nv[fam]);
		return err;
	}
	nlb_listener_commit_vips(nn, l, cfg, nv);
	if (g != old) {
		old->n_listeners--;
		g->n_listeners++;
		rcu_assign_pointer(l->group, g);
		/*
		 * Entries name backends of the old group. One a packet that
		 * still saw the old group sets afterwards is ignored, as
		 * persistence only returns backends of the group scheduling.
		 */
		if (nlb_listener_persist(nn, l))
			nlb_persist_expire(nlb_listener_persist(nn, l), 0);
	}
	return 0;
}

/* Unlink a listener; it is freed after a grace period. */
static void nlb_listener_remove(struct nlb_net *nn, struct nlb_listener *l)
{
	int fam;

	for (fam = 0; fam < NLB_NFAM; fam++)
		if (l->vip[fam])
			nlb_vip_hash_del(l->vip[fam]);
	nlb_listener_group(nn, l)->n_listeners--;
	list_del(&l->node);
	nn->n_listeners--;
	spin_lock_bh(&nlb_listener_ids_lock);
	idr_remove(&nlb_listener_ids, l->id);
	spin_unlock_bh(&nlb_listener_ids_lock);
	nlb_persist_free(nlb_listener_persist(nn, l));
	RCU_INIT_POINTER(l->persist, NULL);
	call_rcu(&l->rcu, nlb_listener_free_rcu);
}

/**
 * nlb_listener_del() - delete a listener
 * @nn: the namespace state, locked
 * @l: the listener
 *
 * Its connections keep flowing (their NAT binding is conntrack's); tracked
 * ones are no longer counted on it. The last listener of the namespace
 * unregisters nlb's NAT hooks.
 */
void nlb_listener_del(struct nlb_net *nn, struct nlb_listener *l)
{
	lockdep_assert_held(&nn->lock);
	nlb_listener_remove(nn, l);
	nlb_hooks_put(nn);
}

/**
 * nlb_listener_init_seed() - seed the VIP hash
 */
void nlb_listener_init_seed(void)
{
	nlb_vip_seed = get_random_u32();
}
