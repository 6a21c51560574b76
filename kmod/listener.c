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

	if (l->port != port || l->proto != proto || vip != &l->vip[fam])
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
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 * @port: destination port, host byte order
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

/* Listeners by identifier, for connections not counted yet (see group.c). */
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
	return idr_find(&nlb_listener_ids, id);
}

/**
 * nlb_listener_alloc() - allocate a listener with default settings
 *
 * Return: the listener, or NULL when out of memory.
 */
struct nlb_listener *nlb_listener_alloc(void)
{
	struct nlb_listener *l;

	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return NULL;
	if (nlb_counters_init(&l->cnt)) {
		kfree(l);
		return NULL;
	}
	refcount_set(&l->ref, 1);
	l->reject = NLB_REJECT_RESET;
	l->persist_prefix[NLB_FAM4] = 32;
	l->persist_prefix[NLB_FAM6] = 128;
	return l;
}

/**
 * nlb_listener_insert() - link a new listener and hash its VIPs
 * @nn: the namespace state, locked
 * @l: the listener, with its group set
 *
 * Return: 0, or -ENOMEM with nothing changed.
 */
int nlb_listener_insert(struct nlb_net *nn, struct nlb_listener *l)
{
	int fam, id;

	lockdep_assert_held(&nn->lock);
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
	for (fam = 0; fam < NLB_NFAM; fam++) {
		struct nlb_vip *vip = &l->vip[fam];

		if (!vip->used)
			continue;
		vip->listener = l;
		hash_add_rcu(nn->vips, &vip->node,
			     nlb_vip_hash(fam, &vip->addr, l->proto, l->port));
	}
	return 0;
}

/**
 * nlb_listener_remove() - unlink a listener and drop the configuration's
 * reference
 * @nn: the namespace state, locked
 * @l: the listener
 *
 * Counted connections of tracked groups keep its memory until they end.
 */
void nlb_listener_remove(struct nlb_net *nn, struct nlb_listener *l)
{
	int fam;

	lockdep_assert_held(&nn->lock);
	for (fam = 0; fam < NLB_NFAM; fam++)
		if (l->vip[fam].used)
			hash_del_rcu(&l->vip[fam].node);
	nlb_listener_group(nn, l)->n_listeners--;
	list_del(&l->node);
	nn->n_listeners--;
	spin_lock_bh(&nlb_listener_ids_lock);
	idr_remove(&nlb_listener_ids, l->id);
	spin_unlock_bh(&nlb_listener_ids_lock);
	nlb_persist_free(nlb_listener_persist(nn, l));
	RCU_INIT_POINTER(l->persist, NULL);
	nlb_listener_put(l);
}

/**
 * nlb_listener_set_group() - send a listener's new connections to another
 * group
 * @nn: the namespace state, locked
 * @l: the listener
 * @g: the group
 */
void nlb_listener_set_group(struct nlb_net *nn, struct nlb_listener *l,
			    struct nlb_group *g)
{
	nlb_listener_group(nn, l)->n_listeners--;
	g->n_listeners++;
	rcu_assign_pointer(l->group, g);
}

static void nlb_listener_free_rcu(struct rcu_head *rcu)
{
	struct nlb_listener *l = container_of(rcu, struct nlb_listener, rcu);

	nlb_counters_free(&l->cnt);
	kfree(l);
}

/**
 * nlb_listener_put() - drop a reference to a listener, freeing it after a
 * grace period with the last one
 * @l: the listener
 *
 * May be called in any context.
 */
void nlb_listener_put(struct nlb_listener *l)
{
	if (refcount_dec_and_test(&l->ref))
		call_rcu(&l->rcu, nlb_listener_free_rcu);
}

/**
 * nlb_listener_init_seed() - seed the VIP hash
 */
void nlb_listener_init_seed(void)
{
	nlb_vip_seed = get_random_u32();
}
