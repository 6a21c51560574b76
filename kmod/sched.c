// SPDX-License-Identifier: GPL-2.0
/*
 * Backend selection for new connections.
 *
 * Smooth weighted round robin: on every pick each slot's current weight
 * grows by its weight, the slot with the largest current weight wins and
 * loses the total. Over any window of @total picks each slot is chosen
 * exactly @weight times, and picks of a heavy slot are spread out instead
 * of coming in a burst. Round robin is the same with all weights 1.
 *
 * Weighted least connections: the slot with the fewest active connections
 * per unit of weight, ties rotating.
 *
 * Source hash: the hash of the client address is scaled onto the sum of
 * the weights, and the slot whose share of that range holds it wins.
 *
 * Maglev (Eisenbud et al., "Maglev: A Fast and Reliable Software Network
 * Load Balancer", NSDI 2016), weighted: a lookup table of NLB_MAGLEV_SIZE
 * entries indexed by the flow hash, filled once per pool. Every slot has
 * its own preference order of the entries, (offset + j * skip) mod M for
 * j = 0, 1, ...; the slots take turns, and on its turn a slot claims the
 * first entry of its order that nobody has claimed yet. Because each slot
 * walks its own order, removing a slot frees its entries and disturbs the
 * claims of the others only little. See nlb_maglev_build() for the weights.
 */
#include <linux/kernel.h>
#include <linux/math.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <uapi/linux/nlb.h>

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
 * nlb_rr_next() - advance round robin by one pick
 * @next: the pool's position, advanced atomically
 * @n: number of slots, at least 1
 *
 * Lock-free and O(1): concurrent picks each get their own position. The
 * position wraps at 2^32, where one slot may be skipped once unless @n
 * divides 2^32.
 *
 * Return: index of the chosen slot.
 */
unsigned int nlb_rr_next(atomic_t *next, unsigned int n)
{
	return ((u32)atomic_inc_return(next) - 1) % n;
}

/* A slot's active connection count; a negative reading counts as none. */
static u64 nlb_wlc_active(const struct nlb_pool_slot *slot)
{
	int a = atomic_read(slot->active);

	return a > 0 ? a : 0;
}

/**
 * nlb_wlc_pick() - weighted least connections
 * @slot: the slots, with weights of at least 1 and active counters
 * @n: number of slots, at least 1
 * @start: where the scan for ties begins (taken modulo @n)
 *
 * Chooses the slot with the smallest active/weight, comparing
 * a_i * w_j with a_j * w_i in 64 bits rather than dividing. Of several
 * minimal slots, the first one scanning cyclically from index
 * @start % @n wins, so that a caller that advances @start spreads ties.
 * The counters are read once each, without a lock: they may move while
 * the scan runs, which only blurs the choice.
 *
 * With picks that only add connections (none ends), every state reached
 * from all counts 0 keeps (a_i - 1) / w_i <= a_j / w_j for every pair of
 * slots i, j; summed over the slots this gives, after k picks with total
 * weight W, (k - n) * w_i / W <= a_i < k * w_i / W + 1.
 *
 * Return: index of the chosen slot.
 */
unsigned int nlb_wlc_pick(const struct nlb_pool_slot *slot, unsigned int n,
			  unsigned int start)
{
	unsigned int i = start % n, best = i, k;
	u64 best_a = nlb_wlc_active(&slot[i]);
	u64 best_w = (u32)slot[i].weight;

	for (k = 1; k < n && best_a; k++) {
		u64 a, w;

		if (++i == n)
			i = 0;
		a = nlb_wlc_active(&slot[i]);
		w = (u32)slot[i].weight;
		if (a * best_w < best_a * w) {
			best = i;
			best_a = a;
			best_w = w;
		}
	}
	return best;
}

/**
 * nlb_sh_pick() - weighted source hash
 * @slot: the slots, with @end the running sum of the weights
 * @n: number of slots, at least 1
 * @total: sum of the weights, @slot[@n - 1].end
 * @hash: hash of the client address
 *
 * The hash is scaled to a point in [0, @total) and the slot whose range
 * [end - weight, end) holds it wins, found by binary search. Every slot
 * gets the share weight / @total of the hash space, to within one part in
 * 2^32 / @total.
 *
 * Return: index of the first slot with point < end (n - 1 if none).
 */
unsigned int nlb_sh_pick(const struct nlb_pool_slot *slot, unsigned int n,
			 u32 total, u32 hash)
{
	u32 point = reciprocal_scale(hash, total);
	unsigned int lo = 0, hi = n - 1;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (point < slot[mid].end)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/**
 * nlb_maglev_perm() - set a slot's maglev preference order
 * @h1: first hash of the backend's identity
 * @h2: second, independent hash of it
 * @slot: the slot whose @offset and @skip are set
 *
 * The slot prefers the entries offset, offset + skip, offset + 2 * skip, ...
 * modulo NLB_MAGLEV_SIZE. As the size is prime, every skip from 1 to
 * NLB_MAGLEV_SIZE - 1 visits every entry once.
 */
void nlb_maglev_perm(u32 h1, u32 h2, struct nlb_pool_slot *slot)
{
	slot->offset = h1 % NLB_MAGLEV_SIZE;
	slot->skip = h2 % (NLB_MAGLEV_SIZE - 1) + 1;
}

#define NLB_MAGLEV_EMPTY U16_MAX

/*
 * Work state of one slot while a table is built.
 * @rem: remainder of M * weight / total, for the apportionment
 * @pos: the next entry of the slot's preference order to try
 * @extra: the slot gets the ceiling of its share rather than the floor
 */
struct nlb_maglev_work {
	u64 rem;
	u32 pos;
	bool extra;
};

/*
 * The slots of one weight, which take their turns in rounds: in round t
 * (from 1), at time t / weight, every member in key order, or in the last
 * round only those with an extra entry, which are the first ones.
 * @first: index in the sorted order of the first member
 * @size: number of members
 * @rounds: the full rounds: floor(M * weight / total)
 * @last: members in round @rounds + 1
 * @weight: their weight
 * @t: the current round
 * @cur: the member whose turn it is, counted from @first
 */
struct nlb_maglev_class {
	u32 first;
	u32 size;
	u32 rounds;
	u32 last;
	u32 weight;
	u32 t;
	u32 cur;
};

struct nlb_maglev_ctx {
	const struct nlb_pool_slot *slot;
	struct nlb_maglev_work *w;
	struct nlb_maglev_class *cls;
	u32 *order;
};

/*
 * The tie-break of both the apportionment and the turns: lower (offset,
 * skip, weight), and only then the lower index. So the table depends on the
 * slot order only between slots equal in all three.
 */
static bool nlb_maglev_key_less(const struct nlb_pool_slot *slot, u32 a,
				u32 b)
{
	if (slot[a].offset != slot[b].offset)
		return slot[a].offset < slot[b].offset;
	if (slot[a].skip != slot[b].skip)
		return slot[a].skip < slot[b].skip;
	if (slot[a].weight != slot[b].weight)
		return slot[a].weight < slot[b].weight;
	return a < b;
}

/* Apportionment order: larger remainder first, then by key. */
static int nlb_maglev_rem_cmp(const void *pa, const void *pb,
			      const void *priv)
{
	const struct nlb_maglev_ctx *ctx = priv;
	u32 a = *(const u32 *)pa, b = *(const u32 *)pb;

	if (ctx->w[a].rem != ctx->w[b].rem)
		return ctx->w[a].rem > ctx->w[b].rem ? -1 : 1;
	return nlb_maglev_key_less(ctx->slot, a, b) ? -1 : 1;
}

/* Turn order within the classes: by weight, then by key. */
static int nlb_maglev_class_cmp(const void *pa, const void *pb,
				const void *priv)
{
	const struct nlb_maglev_ctx *ctx = priv;
	u32 a = *(const u32 *)pa, b = *(const u32 *)pb;

	if (ctx->slot[a].weight != ctx->slot[b].weight)
		return ctx->slot[a].weight < ctx->slot[b].weight ? -1 : 1;
	return nlb_maglev_key_less(ctx->slot, a, b) ? -1 : 1;
}

/* The slot whose turn is next in a class. */
static u32 nlb_maglev_head(const struct nlb_maglev_ctx *ctx,
			   const struct nlb_maglev_class *c)
{
	return ctx->order[c->first + c->cur];
}

/* Members of a class taking a turn in its round @t; 0 once it is done. */
static u32 nlb_maglev_round_size(const struct nlb_maglev_class *c, u32 t)
{
	if (t <= c->rounds)
		return c->size;
	return t == c->rounds + 1 ? c->last : 0;
}

/*
 * Whether class a's next turn comes before class b's: the earlier time
 * t / weight, or at the same time the lower key.
 */
static bool nlb_maglev_before(const struct nlb_maglev_ctx *ctx, u32 a, u32 b)
{
	const struct nlb_maglev_class *ca = &ctx->cls[a], *cb = &ctx->cls[b];
	u64 ta = (u64)ca->t * cb->weight;
	u64 tb = (u64)cb->t * ca->weight;

	if (ta != tb)
		return ta < tb;
	return nlb_maglev_key_less(ctx->slot, nlb_maglev_head(ctx, ca),
				   nlb_maglev_head(ctx, cb));
}

/* Restore the heap order below heap[i], of a heap of @len class indices. */
static void nlb_maglev_sift(const struct nlb_maglev_ctx *ctx, u32 *heap,
			    u32 len, u32 i)
{
	u32 v = heap[i];

	for (;;) {
		u32 c = 2 * i + 1;

		if (c >= len)
			break;
		if (c + 1 < len && nlb_maglev_before(ctx, heap[c + 1], heap[c]))
			c++;
		if (!nlb_maglev_before(ctx, heap[c], v))
			break;
		heap[i] = heap[c];
		i = c;
	}
	heap[i] = v;
}

/*
 * Split the slots, sorted by weight and key in ctx->order, into classes of
 * equal weight. Return: the number of classes.
 */
static u32 nlb_maglev_classes(struct nlb_maglev_ctx *ctx, unsigned int n,
			      u64 total)
{
	struct nlb_maglev_class *c = NULL;
	u32 i, k = 0;

	for (i = 0; i < n; i++) {
		u32 s = ctx->order[i];
		u32 weight = ctx->slot[s].weight;

		if (!c || c->weight != weight) {
			c = &ctx->cls[k++];
			*c = (struct nlb_maglev_class){
				.first = i,
				.weight = weight,
				.rounds = div64_u64((u64)NLB_MAGLEV_SIZE * weight,
						    total),
				.t = 1,
			};
		}
		c->size++;
		/* The extras of a class are its first members by key. */
		c->last += ctx->w[s].extra;
	}
	return k;
}

/**
 * nlb_maglev_build() - fill a weighted maglev lookup table
 * @table: NLB_MAGLEV_SIZE entries to fill with slot indices
 * @slot: the slots, with @weight >= 1 and @offset, @skip from
 *	nlb_maglev_perm()
 * @n: number of slots, 1 .. NLB_POOL_MAX
 *
 * With M = NLB_MAGLEV_SIZE and W the sum of the weights, slot i gets
 * q_i = floor(M * w_i / W) entries, plus one for the M - sum(q_i) slots
 * with the largest remainders (M * w_i) mod W (largest remainder
 * apportionment), so every slot has floor or ceil of M * w_i / W entries
 * and together they fill the table. A slot whose share is below one entry
 * may get none.
 *
 * The slots then take turns: slot i's t-th turn is at time t / w_i, turns
 * run in time order, and a slot that has its entries takes no more turns.
 * On a turn, the slot claims the next unclaimed entry of its preference
 * order. With equal weights this is the round robin of the paper.
 *
 * Every tie, of remainders or of turn times, goes to the slot with the
 * lower (offset, skip, weight), and only between slots equal in all three
 * to the lower index. The table is thus a function of the set of slots:
 * reordering them only renames the indices in the table.
 *
 * Slots of equal weight take their turns in rounds, so the turn order is
 * a merge of one sequence per distinct weight: with c distinct weights the
 * work is O(n log n + M log c + M log M) on average, the last term for
 * skipping claimed entries.
 *
 * Context: process context; sleeps to allocate work memory.
 *
 * Return: 0, -EINVAL if a slot's weight, offset or skip or @n is out of
 * range (@table is then untouched), or -ENOMEM.
 */
int nlb_maglev_build(u16 *table, const struct nlb_pool_slot *slot,
		     unsigned int n)
{
	struct nlb_maglev_ctx ctx = { .slot = slot };
	u64 total = 0, left = NLB_MAGLEV_SIZE;
	u32 *heap, classes, len, i;
	int err = -ENOMEM;

	if (!n || n > NLB_POOL_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (slot[i].weight < 1 || slot[i].offset >= NLB_MAGLEV_SIZE ||
		    !slot[i].skip || slot[i].skip >= NLB_MAGLEV_SIZE)
			return -EINVAL;
		total += slot[i].weight;
	}

	ctx.w = kvmalloc_array(n, sizeof(*ctx.w), GFP_KERNEL);
	ctx.cls = kvmalloc_array(n, sizeof(*ctx.cls), GFP_KERNEL);
	ctx.order = kvmalloc_array(2 * n, sizeof(*ctx.order), GFP_KERNEL);
	if (!ctx.w || !ctx.cls || !ctx.order)
		goto out;
	heap = ctx.order + n;

	/* Apportionment; left < n, as each remainder is below one entry. */
	for (i = 0; i < n; i++) {
		u64 q = div64_u64_rem((u64)NLB_MAGLEV_SIZE * slot[i].weight,
				      total, &ctx.w[i].rem);

		ctx.w[i].pos = slot[i].offset;
		ctx.w[i].extra = false;
		left -= q;
		ctx.order[i] = i;
	}
	if (left) {
		sort_r(ctx.order, n, sizeof(*ctx.order), nlb_maglev_rem_cmp,
		       NULL, &ctx);
		for (i = 0; i < left; i++)
			ctx.w[ctx.order[i]].extra = true;
	}

	/* The heap holds the classes with turns left. */
	sort_r(ctx.order, n, sizeof(*ctx.order), nlb_maglev_class_cmp, NULL,
	       &ctx);
	classes = nlb_maglev_classes(&ctx, n, total);
	len = 0;
	for (i = 0; i < classes; i++)
		if (nlb_maglev_round_size(&ctx.cls[i], 1))
			heap[len++] = i;
	for (i = len / 2; i-- > 0;)
		nlb_maglev_sift(&ctx, heap, len, i);

	memset(table, 0xff, NLB_MAGLEV_SIZE * sizeof(*table));
	while (len) {
		struct nlb_maglev_class *c = &ctx.cls[heap[0]];
		u32 s = nlb_maglev_head(&ctx, c);
		u32 skip = slot[s].skip;
		u32 p = ctx.w[s].pos;

		/*
		 * The claimed entries are fewer than M, and the order visits
		 * every entry: this ends.
		 */
		while (table[p] != NLB_MAGLEV_EMPTY) {
			p += skip;
			if (p >= NLB_MAGLEV_SIZE)
				p -= NLB_MAGLEV_SIZE;
		}
		table[p] = s;
		p += skip;
		ctx.w[s].pos = p >= NLB_MAGLEV_SIZE ? p - NLB_MAGLEV_SIZE : p;

		if (++c->cur == nlb_maglev_round_size(c, c->t)) {
			c->cur = 0;
			if (!nlb_maglev_round_size(c, ++c->t))
				heap[0] = heap[--len];
		}
		if (len > 1)
			nlb_maglev_sift(&ctx, heap, len, 0);
	}
	err = 0;
out:
	kvfree(ctx.order);
	kvfree(ctx.cls);
	kvfree(ctx.w);
	return err;
}

/**
 * nlb_pool_pick() - choose the backend of a new connection
 * @pool: the pool of the client's family, or NULL when it is empty
 * @hash_src: hash of the client address (source hash)
 * @hash_flow: hash of the client address and port (maglev)
 *
 * Called on the packet path under rcu_read_lock(). Dispatches on
 * @pool->sched: round robin on the atomic @pool->next, weighted round
 * robin under @pool->lock, weighted least connections without a lock,
 * rotating its ties with @pool->next, source hash on @hash_src, maglev on
 * @hash_flow. A maglev
 * pool without a table, which nobody should publish, falls back to the
 * source hash.
 *
 * Return: the backend, or NULL when @pool is NULL.
 */
struct nlb_backend *nlb_pool_pick(struct nlb_pool *pool, u32 hash_src,
				  u32 hash_flow)
{
	unsigned int i;

	if (!pool)
		return NULL;
	if (pool->n == 1)
		return pool->slot[0].be;

	switch (pool->sched) {
	case NLB_SCHED_WLC:
		i = nlb_wlc_pick(pool->slot, pool->n,
				 atomic_inc_return(&pool->next));
		break;
	case NLB_SCHED_MAGLEV:
		if (likely(pool->maglev)) {
			i = pool->maglev[hash_flow % NLB_MAGLEV_SIZE];
			break;
		}
		fallthrough;
	case NLB_SCHED_SH:
		i = nlb_sh_pick(pool->slot, pool->n, pool->total, hash_src);
		break;
	case NLB_SCHED_RR:
		i = nlb_rr_next(&pool->next, pool->n);
		break;
	default: /* NLB_SCHED_WRR */
		spin_lock_bh(&pool->lock);
		i = nlb_wrr_next(pool->slot, pool->n, pool->total);
		spin_unlock_bh(&pool->lock);
		break;
	}
	return pool->slot[i].be;
}
