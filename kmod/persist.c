// SPDX-License-Identifier: GPL-2.0
/*
 * Client affinity (persistence): a listener remembers, per client address
 * (masked to a prefix), the backend of the client's last new connection,
 * and sends the client's next new connections there while that was less
 * than the listener's timeout ago and the backend can still take new
 * connections. Entries hold a reference to their backend; expired ones are
 * removed by the namespace's housekeeping work, which runs every second
 * while a listener has persistence.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "group.h"
#include "limits.h"
#include "persist.h"

struct nlb_persist_entry {
	struct hlist_node node;
	union nf_inet_addr key;
	u8 fam;
	struct nlb_backend *be;
	unsigned long last;
};

/**
 * nlb_persist_alloc() - allocate an empty table
 * @total: the namespace's count of entries, which the table keeps up to date
 *
 * Return: the table, or NULL when out of memory.
 */
struct nlb_persist *nlb_persist_alloc(atomic_t *total)
{
	struct nlb_persist *p;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return NULL;
	spin_lock_init(&p->lock);
	p->total = total;
	p->seed = get_random_u32();
	return p;
}

/**
 * nlb_persist_mask() - mask a client address to a prefix
 * @key: the address, masked in place
 * @fam: NLB_FAM4 or NLB_FAM6
 * @prefix: prefix length, at most 32 or 128
 */
void nlb_persist_mask(union nf_inet_addr *key, int fam, unsigned int prefix)
{
	unsigned int words = fam == NLB_FAM4 ? 1 : 4, i;

	for (i = 0; i < words; i++, prefix = prefix > 32 ? prefix - 32 : 0) {
		if (prefix >= 32)
			continue;
		key->ip6[i] &= prefix ? htonl(~0U << (32 - prefix)) : 0;
	}
	for (; i < 4; i++)
		key->ip6[i] = 0;
}

static struct hlist_head *nlb_persist_bucket(struct nlb_persist *p,
					     const union nf_inet_addr *key,
					     int fam)
{
	u32 h = jhash2((__force const u32 *)key->all, 4, p->seed ^ fam);

	return &p->bucket[hash_32(h, NLB_PERSIST_BITS)];
}

static void nlb_persist_del(struct nlb_persist *p,
			    struct nlb_persist_entry *e)
{
	hlist_del(&e->node);
	p->n--;
	atomic_dec(p->total);
	nlb_backend_put(e->be);
	kfree(e);
}

static struct nlb_persist_entry *
nlb_persist_find(struct nlb_persist *p, const union nf_inet_addr *key,
		 int fam)
{
	struct nlb_persist_entry *e;

	hlist_for_each_entry(e, nlb_persist_bucket(p, key, fam), node)
		if (e->fam == fam && nf_inet_addr_cmp(&e->key, key))
			return e;
	return NULL;
}

/**
 * nlb_persist_get() - the backend a client's new connection goes to
 * @p: the table
 * @key: the masked client address
 * @fam: its family
 * @g: the group the listener sends new connections to now
 * @pool: the pool of @g the connection is scheduled from: a family, or
 *	NLB_POOL_ALL
 * @timeout: the listener's timeout, in jiffies
 *
 * Called on the packet path under RCU, which keeps the backend's memory.
 *
 * Return: the backend of the client's last new connection if that was
 * less than @timeout ago and the backend, of group @g, is in @pool, else
 * NULL. (An entry can name a backend of another group: one set by a
 * connection that saw the listener's previous group; or of another pool:
 * one set while the group's affinity was different, or, with affinity
 * prefer, while the client's own family had no backend.)
 */
struct nlb_backend *nlb_persist_get(struct nlb_persist *p,
				    const union nf_inet_addr *key, int fam,
				    const struct nlb_group *g, int pool,
				    unsigned long timeout)
{
	struct nlb_backend *be = NULL;
	struct nlb_persist_entry *e;

	spin_lock_bh(&p->lock);
	e = nlb_persist_find(p, key, fam);
	if (e && e->be->group == g && time_before(jiffies, e->last + timeout) &&
	    (pool == NLB_POOL_ALL ? READ_ONCE(e->be->in_all) :
	     e->be->key.fam == pool && READ_ONCE(e->be->in_pool))) {
		e->last = jiffies;
		be = e->be;
	}
	spin_unlock_bh(&p->lock);
	return be;
}

/*
 * Room for one more entry: below the listener's bound and the namespace's
 * (module parameter max_persist). Under the table's lock.
 */
static bool nlb_persist_charge(struct nlb_persist *p)
{
	if (p->dead || p->n >= NLB_PERSIST_MAX)
		return false;
	if (atomic_inc_return(p->total) > READ_ONCE(nlb_max_persist)) {
		atomic_dec(p->total);
		return false;
	}
	return true;
}

/**
 * nlb_persist_set() - remember the backend of a client's new connection
 * @p: the table
 * @key: the masked client address
 * @fam: its family
 * @be: the backend, from a pool under RCU
 */
void nlb_persist_set(struct nlb_persist *p, const union nf_inet_addr *key,
		     int fam, struct nlb_backend *be)
{
	struct nlb_persist_entry *e;

	if (!refcount_inc_not_zero(&be->ref))
		return;
	spin_lock_bh(&p->lock);
	e = nlb_persist_find(p, key, fam);
	if (e) {
		nlb_backend_put(e->be);
	} else {
		if (nlb_persist_charge(p)) {
			e = kmalloc(sizeof(*e), GFP_ATOMIC);
			if (!e)
				atomic_dec(p->total);
		}
		if (!e) {
			spin_unlock_bh(&p->lock);
			nlb_backend_put(be);
			return;
		}
		e->key = *key;
		e->fam = fam;
		hlist_add_head(&e->node, nlb_persist_bucket(p, key, fam));
		p->n++;
	}
	e->be = be;
	e->last = jiffies;
	spin_unlock_bh(&p->lock);
}

/**
 * nlb_persist_expire() - remove the entries older than a timeout
 * @p: the table
 * @timeout: in jiffies; 0 removes every entry
 */
void nlb_persist_expire(struct nlb_persist *p, unsigned long timeout)
{
	struct nlb_persist_entry *e;
	struct hlist_node *tmp;
	unsigned int i;

	spin_lock_bh(&p->lock);
	for (i = 0; i < ARRAY_SIZE(p->bucket) && p->n; i++)
		hlist_for_each_entry_safe(e, tmp, &p->bucket[i], node)
			if (!timeout ||
			    !time_before(jiffies, e->last + timeout))
				nlb_persist_del(p, e);
	spin_unlock_bh(&p->lock);
}

static void nlb_persist_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct nlb_persist, rcu));
}

/**
 * nlb_persist_free() - empty a table for good and free it after a grace
 * period
 * @p: the table, or NULL
 *
 * The entries go at once (the namespace's count of them too): a packet
 * that still finds the table adds none.
 */
void nlb_persist_free(struct nlb_persist *p)
{
	if (!p)
		return;
	spin_lock_bh(&p->lock);
	p->dead = true;
	spin_unlock_bh(&p->lock);
	nlb_persist_expire(p, 0);
	call_rcu(&p->rcu, nlb_persist_free_rcu);
}
