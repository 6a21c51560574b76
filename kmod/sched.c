// SPDX-License-Identifier: GPL-2.0
/*
 * Backend selection for new connections.
 *
 * Smooth weighted round robin: on every pick each slot's current weight
 * grows by its weight, the slot with the largest current weight wins and
 * loses the total. Over any window of @total picks each slot is chosen
 * exactly @weight times, and picks of a heavy slot are spread out instead
 * of coming in a burst. Round robin is the same with all weights 1.
 */
#include "sched.h"

/**
 * nlb_wrr_next() - advance smooth weighted round robin by one pick
 * @slot: the slots, with weights of at least 1
 * @n: number of slots, at least 1
 * @total: sum of the slot weights
 *
 * Ties go to the lowest index. Pure function of the slot state, so that
 * KUnit can compare it with a reference implementation.
 *
 * Return: index of the chosen slot.
 */
unsigned int nlb_wrr_next(struct nlb_pool_slot *slot, unsigned int n,
			  int total)
{
	unsigned int i, best = 0;

	for (i = 0; i < n; i++) {
		slot[i].cur += slot[i].weight;
		if (slot[i].cur > slot[best].cur)
			best = i;
	}
	slot[best].cur -= total;
	return best;
}

/**
 * nlb_pool_pick() - choose the backend of a new connection
 * @pool: the pool of the client's family, or NULL when it is empty
 *
 * Called on the packet path under rcu_read_lock().
 *
 * Return: the backend, or NULL when @pool is NULL.
 */
struct nlb_backend *nlb_pool_pick(struct nlb_pool *pool)
{
	unsigned int i;

	if (!pool)
		return NULL;
	if (pool->n == 1)
		return pool->slot[0].be;

	spin_lock_bh(&pool->lock);
	i = nlb_wrr_next(pool->slot, pool->n, pool->total);
	spin_unlock_bh(&pool->lock);
	return pool->slot[i].be;
}
