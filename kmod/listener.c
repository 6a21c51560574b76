// SPDX-License-Identifier: GPL-2.0
/*
 * Listeners and the VIP hash the packet path looks them up in.
 */
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

/**
 * nlb_listener_insert() - make a listener visible to the packet path
 * @nn: the namespace state, locked
 * @l: the listener, with its VIPs, protocol, port and group set; the
 *	caller has checked for conflicts
 */
void nlb_listener_insert(struct nlb_net *nn, struct nlb_listener *l)
{
	int fam;

	lockdep_assert_held(&nn->lock);
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
}

/**
 * nlb_listener_remove() - unlink a listener; free it with
 * nlb_listener_free()
 * @nn: the namespace state, locked
 * @l: the listener
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
}

/**
 * nlb_listener_set_group() - send a listener's new connections to another
 * group; established connections are not affected
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

	free_percpu(l->stats);
	kfree(l);
}

/**
 * nlb_listener_free() - free a listener after a grace period
 * @l: the listener, unlinked or never linked
 */
void nlb_listener_free(struct nlb_listener *l)
{
	call_rcu(&l->rcu, nlb_listener_free_rcu);
}

/**
 * nlb_listener_init_seed() - pick the VIP hash seed, once at module load
 */
void nlb_listener_init_seed(void)
{
	nlb_vip_seed = get_random_u32();
}
