// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the scheduler. The unit under test is compiled into this
 * module, so that the tests run without nlb.ko and its netns state.
 */
#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/prandom.h>
#include <linux/slab.h>

#include "../sched.c"

#define NLB_TEST_MAX_SLOTS 32

/*
 * Reference: smooth weighted round robin restated without the running
 * "current weight". Before pick k (from 1), slot i's current weight is
 * k * w_i - c_i * total, where c_i counts its earlier picks; the largest
 * wins, ties to the lowest index.
 */
static unsigned int ref_wrr_next(const int *weight, unsigned int *count,
				 unsigned int n, int total, long k)
{
	unsigned int i, best = 0;
	long best_cur = LONG_MIN;

	for (i = 0; i < n; i++) {
		long cur = k * weight[i] - (long)count[i] * total;

		if (cur > best_cur) {
			best_cur = cur;
			best = i;
		}
	}
	count[best]++;
	return best;
}

struct wrr_case {
	struct nlb_pool_slot slot[NLB_TEST_MAX_SLOTS];
	int weight[NLB_TEST_MAX_SLOTS];
	unsigned int count[NLB_TEST_MAX_SLOTS];
	unsigned int n;
	int total;
};

static void wrr_case_init(struct wrr_case *c, struct rnd_state *rnd,
			  int max_weight)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->n = 1 + prandom_u32_state(rnd) % NLB_TEST_MAX_SLOTS;
	for (i = 0; i < c->n; i++) {
		c->weight[i] = 1 + prandom_u32_state(rnd) % max_weight;
		c->slot[i].weight = c->weight[i];
		c->total += c->weight[i];
	}
}

/* Same picks as the reference, on random weights, over several cycles. */
static void nlb_wrr_matches_reference(struct kunit *test)
{
	struct wrr_case *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct rnd_state rnd;
	int iter;

	KUNIT_ASSERT_NOT_NULL(test, c);
	prandom_seed_state(&rnd, 42);
	for (iter = 0; iter < 200; iter++) {
		long k;

		wrr_case_init(c, &rnd, iter % 2 ? 255 : 4);
		for (k = 1; k <= 3L * c->total; k++) {
			unsigned int got = nlb_wrr_next(c->slot, c->n,
							c->total);
			unsigned int want = ref_wrr_next(c->weight, c->count,
							 c->n, c->total, k);

			KUNIT_ASSERT_EQ_MSG(test, got, want,
					    "case %d, pick %ld, %u slots", iter,
					    k, c->n);
		}
	}
}

/* Over every window of `total` picks, each slot gets exactly its weight. */
static void nlb_wrr_exact_shares(struct kunit *test)
{
	struct wrr_case *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int got[NLB_TEST_MAX_SLOTS];
	struct rnd_state rnd;
	unsigned int i;
	int iter, k;

	KUNIT_ASSERT_NOT_NULL(test, c);
	prandom_seed_state(&rnd, 7);
	for (iter = 0; iter < 100; iter++) {
		wrr_case_init(c, &rnd, 255);
		memset(got, 0, sizeof(got));
		for (k = 0; k < c->total; k++)
			got[nlb_wrr_next(c->slot, c->n, c->total)]++;
		for (i = 0; i < c->n; i++)
			KUNIT_EXPECT_EQ(test, got[i], (unsigned int)c->weight[i]);
		/* The state is back where it started: all zero. */
		for (i = 0; i < c->n; i++)
			KUNIT_EXPECT_EQ(test, c->slot[i].cur, 0);
	}
}

/* Smooth: weights 5, 1, 1 interleave instead of five in a row. */
static void nlb_wrr_smooth(struct kunit *test)
{
	static const unsigned int want[] = { 0, 0, 1, 0, 2, 0, 0 };
	struct nlb_pool_slot slot[3] = {
		{ .weight = 5 }, { .weight = 1 }, { .weight = 1 },
	};
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(want); k++)
		KUNIT_EXPECT_EQ(test, nlb_wrr_next(slot, 3, 7), want[k]);
}

/* Equal weights are plain round robin, in slot order. */
static void nlb_wrr_round_robin(struct kunit *test)
{
	struct nlb_pool_slot slot[5] = {};
	unsigned int i, k;

	for (i = 0; i < 5; i++)
		slot[i].weight = 1;
	for (k = 0; k < 20; k++)
		KUNIT_EXPECT_EQ(test, nlb_wrr_next(slot, 5, 5), k % 5);
}

/*
 * Weighted least connections.
 */

struct wlc_case {
	struct nlb_pool_slot slot[NLB_TEST_MAX_SLOTS];
	atomic_t active[NLB_TEST_MAX_SLOTS];
	unsigned int n;
	u64 total;
};

/*
 * Reference: a slot is minimal when no other slot has a strictly smaller
 * active/weight (checked against every other slot); the first minimal slot
 * from start % n, cyclically, wins.
 */
static unsigned int ref_wlc_pick(const struct wlc_case *c, unsigned int start)
{
	unsigned int i, j, k;

	for (k = 0; k < c->n; k++) {
		bool minimal = true;

		i = (start % c->n + k) % c->n;
		for (j = 0; j < c->n; j++) {
			u64 ai = atomic_read(&c->active[i]);
			u64 aj = atomic_read(&c->active[j]);

			if (aj * c->slot[i].weight < ai * c->slot[j].weight)
				minimal = false;
		}
		if (minimal)
			return i;
	}
	return UINT_MAX;
}

static void wlc_case_init(struct wlc_case *c, struct rnd_state *rnd,
			  int max_weight, bool equal)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->n = 1 + prandom_u32_state(rnd) % NLB_TEST_MAX_SLOTS;
	for (i = 0; i < c->n; i++) {
		c->slot[i].weight = equal && i ? c->slot[0].weight :
			1 + prandom_u32_state(rnd) % max_weight;
		c->slot[i].active = &c->active[i];
		c->total += c->slot[i].weight;
	}
}

/* Same pick as the reference on random weights, counts and starts. */
static void nlb_wlc_matches_reference(struct kunit *test)
{
	struct wlc_case *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct rnd_state rnd;
	unsigned int i;
	int iter;

	KUNIT_ASSERT_NOT_NULL(test, c);
	prandom_seed_state(&rnd, 3);
	for (iter = 0; iter < 600; iter++) {
		/* Few distinct ratios in some cases, to get many ties. */
		static const int max_weight[] = { 255, 3, 1, 40 };
		static const u32 max_active[] = { 1000, 4, 1, 30 };
		int mode = iter % 4;
		unsigned int start = prandom_u32_state(&rnd);

		wlc_case_init(c, &rnd, max_weight[mode], iter % 8 == 7);
		for (i = 0; i < c->n; i++) {
			u32 a = prandom_u32_state(&rnd) % (max_active[mode] + 1);

			/* A third of the counts are zero. */
			if (prandom_u32_state(&rnd) % 3 == 0)
				a = 0;
			atomic_set(&c->active[i], a);
		}
		KUNIT_ASSERT_EQ_MSG(test, nlb_wlc_pick(c->slot, c->n, start),
				    ref_wlc_pick(c, start),
				    "case %d, %u slots, start %u", iter, c->n,
				    start);
	}
}

/*
 * Long-lived connections (never ending) from all counts zero, start
 * advancing as nlb_pool_pick() advances it. After k picks, with W the
 * total weight, every pair keeps (a_i - 1) / w_i <= a_j / w_j, hence
 * (k - n) * w_i / W <= a_i < k * w_i / W + 1; with equal weights the
 * counts differ by at most one.
 */
static void nlb_wlc_long_lived_shares(struct kunit *test)
{
	struct wlc_case *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct rnd_state rnd;
	unsigned int i;
	int iter;

	KUNIT_ASSERT_NOT_NULL(test, c);
	prandom_seed_state(&rnd, 11);
	for (iter = 0; iter < 100; iter++) {
		bool equal = iter % 4 == 3;
		u64 k;

		wlc_case_init(c, &rnd, iter % 2 ? 50 : 5, equal);
		if (c->n > 16)
			c->n = 16;
		c->total = 0;
		for (i = 0; i < c->n; i++)
			c->total += c->slot[i].weight;

		for (k = 1; k <= 2 * c->total + 7; k++) {
			/* max (a_i - 1) / w_i and min a_j / w_j */
			unsigned int hi = 0, lo = 0;
			s64 a_hi, a_lo;

			atomic_inc(&c->active[nlb_wlc_pick(c->slot, c->n, k)]);
			for (i = 0; i < c->n; i++) {
				s64 a = atomic_read(&c->active[i]);
				s64 wi = c->slot[i].weight;

				a_hi = atomic_read(&c->active[hi]);
				a_lo = atomic_read(&c->active[lo]);
				if ((a - 1) * c->slot[hi].weight > (a_hi - 1) * wi)
					hi = i;
				if (a * c->slot[lo].weight < a_lo * wi)
					lo = i;
				/* a_i < k w_i / W + 1, a_i >= (k - n) w_i / W */
				KUNIT_ASSERT_LT(test, a * (s64)c->total,
						(s64)k * wi + (s64)c->total);
				KUNIT_ASSERT_GE(test, a * (s64)c->total,
						((s64)k - c->n) * wi);
			}
			a_hi = atomic_read(&c->active[hi]);
			a_lo = atomic_read(&c->active[lo]);
			KUNIT_ASSERT_LE_MSG(test,
					    (a_hi - 1) * c->slot[lo].weight,
					    a_lo * c->slot[hi].weight,
					    "case %d, pick %llu", iter, k);
			if (equal)
				KUNIT_ASSERT_LE(test, a_hi - a_lo, 1);
		}
	}
}

/*
 * Source hash.
 */

/* Reference: linear scan for the point, computed with a division. */
static unsigned int ref_sh_pick(const struct nlb_pool_slot *slot,
				unsigned int n, u32 total, u32 hash)
{
	u32 point = div64_u64((u64)hash * total, 1ULL << 32);
	unsigned int i;

	for (i = 0; i < n; i++)
		if (point < slot[i].end)
			return i;
	return UINT_MAX;
}

static u32 sh_init(struct nlb_pool_slot *slot, unsigned int n,
		   struct rnd_state *rnd, u32 max_weight)
{
	unsigned int i;
	u32 total = 0;

	for (i = 0; i < n; i++) {
		slot[i] = (struct nlb_pool_slot){
			.weight = 1 + prandom_u32_state(rnd) % max_weight,
		};
		total += slot[i].weight;
		slot[i].end = total;
	}
	return total;
}

static void nlb_sh_matches_reference(struct kunit *test)
{
	static const u32 edge[] = { 0, 1, U32_MAX, U32_MAX - 1, 1U << 31 };
	struct nlb_pool_slot slot[NLB_TEST_MAX_SLOTS];
	struct rnd_state rnd;
	int iter, k;

	prandom_seed_state(&rnd, 5);
	for (iter = 0; iter < 300; iter++) {
		unsigned int n = 1 + prandom_u32_state(&rnd) % ARRAY_SIZE(slot);
		u32 total = sh_init(slot, n, &rnd, iter % 2 ? 255 : 2);

		for (k = 0; k < 50; k++) {
			u32 hash = k < ARRAY_SIZE(edge) ? edge[k] :
				   prandom_u32_state(&rnd);

			KUNIT_ASSERT_EQ_MSG(test,
					    nlb_sh_pick(slot, n, total, hash),
					    ref_sh_pick(slot, n, total, hash),
					    "case %d, %u slots, hash %u", iter,
					    n, hash);
		}
	}
}

/*
 * The count of slot i among N random hashes is binomial(N, w_i / W):
 * allow seven standard deviations, plus one for the scaling.
 */
static void nlb_sh_shares(struct kunit *test)
{
	const u32 hashes = 100000;
	struct nlb_pool_slot slot[16];
	unsigned int got[16];
	struct rnd_state rnd;
	unsigned int i;
	int iter;
	u32 k;

	prandom_seed_state(&rnd, 13);
	for (iter = 0; iter < 4; iter++) {
		unsigned int n = 2 + prandom_u32_state(&rnd) % 15;
		u32 total = sh_init(slot, n, &rnd, 255);

		memset(got, 0, sizeof(got));
		for (k = 0; k < hashes; k++)
			got[nlb_sh_pick(slot, n, total,
					prandom_u32_state(&rnd))]++;
		for (i = 0; i < n; i++) {
			u64 w = slot[i].weight;
			s64 dev = (s64)got[i] * total - (s64)hashes * w;
			u64 bound = 7ULL * int_sqrt64(hashes * w * (total - w)) +
				    total;

			KUNIT_EXPECT_LE_MSG(test, abs(dev), (s64)bound,
					    "case %d, slot %u: %u of %u, weight %llu of %u",
					    iter, i, got[i], hashes, w, total);
		}
	}
}

/*
 * Maglev.
 */

#define M NLB_MAGLEV_SIZE
#define REF_MAGLEV_MAX 64

static void test_kvfree(void *p)
{
	kvfree(p);
}

/* Test-managed kvzalloc: freed when the test case ends. */
static void *test_kvzalloc(struct kunit *test, size_t n, size_t size)
{
	void *p = kvcalloc(n, size, GFP_KERNEL);

	if (p && kunit_add_action_or_reset(test, test_kvfree, p))
		return NULL;
	return p;
}

/* (offset, skip, weight, index) in lexicographic order. */
static bool ref_key_less(const struct nlb_pool_slot *slot, unsigned int a,
			 unsigned int b)
{
	u64 ka[] = { slot[a].offset, slot[a].skip, slot[a].weight, a };
	u64 kb[] = { slot[b].offset, slot[b].skip, slot[b].weight, b };
	int f;

	for (f = 0; f < ARRAY_SIZE(ka); f++)
		if (ka[f] != kb[f])
			return ka[f] < kb[f];
	return false;
}

/*
 * Reference apportionment: floor(M w_i / W) each, then the leftover
 * entries one at a time to the slot without one yet that has the largest
 * remainder (M w_i) mod W, lowest key first.
 */
static void ref_maglev_quota(const struct nlb_pool_slot *slot, unsigned int n,
			     u32 *quota)
{
	bool extra[REF_MAGLEV_MAX] = {};
	u64 rem[REF_MAGLEV_MAX];
	u64 total = 0, sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		total += slot[i].weight;
	for (i = 0; i < n; i++) {
		u64 mw = (u64)M * slot[i].weight;

		quota[i] = div64_u64(mw, total);
		rem[i] = mw - quota[i] * total;
		sum += quota[i];
	}
	for (; sum < M; sum++) {
		int best = -1;

		for (i = 0; i < n; i++) {
			if (extra[i])
				continue;
			if (best < 0 || rem[i] > rem[best] ||
			    (rem[i] == rem[best] && ref_key_less(slot, i, best)))
				best = i;
		}
		extra[best] = true;
		quota[best]++;
	}
}

/*
 * Reference table: M turns; each goes to the slot, among those short of
 * their quota, whose next turn time (taken + 1) / w is the smallest, lowest
 * key first. It takes the first free entry (offset + j * skip) mod M for
 * j = its count of entries tried so far.
 */
static void ref_maglev_build(u16 *table, const struct nlb_pool_slot *slot,
			     unsigned int n)
{
	u32 quota[REF_MAGLEV_MAX], taken[REF_MAGLEV_MAX] = {};
	u64 j[REF_MAGLEV_MAX] = {};
	unsigned int i, step;

	ref_maglev_quota(slot, n, quota);
	for (i = 0; i < M; i++)
		table[i] = U16_MAX;
	for (step = 0; step < M; step++) {
		int b = -1;
		u32 e;

		for (i = 0; i < n; i++) {
			u64 ti, tb;

			if (taken[i] == quota[i])
				continue;
			if (b < 0) {
				b = i;
				continue;
			}
			ti = (u64)(taken[i] + 1) * slot[b].weight;
			tb = (u64)(taken[b] + 1) * slot[i].weight;
			if (ti < tb || (ti == tb && ref_key_less(slot, i, b)))
				b = i;
		}
		do {
			e = (slot[b].offset + j[b]++ * slot[b].skip) % M;
		} while (table[e] != U16_MAX);
		table[e] = b;
		taken[b]++;
	}
}

static void maglev_random_slots(struct nlb_pool_slot *slot, unsigned int n,
				struct rnd_state *rnd, u32 max_weight)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		slot[i] = (struct nlb_pool_slot){
			.weight = 1 + prandom_u32_state(rnd) % max_weight,
		};
		nlb_maglev_perm(prandom_u32_state(rnd), prandom_u32_state(rnd),
				&slot[i]);
	}
}

static void nlb_maglev_perm_range(struct kunit *test)
{
	static const u32 h[] = { 0, 1, M - 2, M - 1, M, M + 1, 2 * M - 2,
				 U32_MAX - 1, U32_MAX };
	struct nlb_pool_slot s = {};
	unsigned int a, b;

	for (a = 0; a < ARRAY_SIZE(h); a++) {
		for (b = 0; b < ARRAY_SIZE(h); b++) {
			nlb_maglev_perm(h[a], h[b], &s);
			KUNIT_EXPECT_EQ(test, s.offset, h[a] % M);
			KUNIT_EXPECT_EQ(test, s.skip, h[b] % (M - 1) + 1);
			KUNIT_EXPECT_LT(test, s.offset, (u32)M);
			KUNIT_EXPECT_GE(test, s.skip, 1u);
			KUNIT_EXPECT_LT(test, s.skip, (u32)M);
		}
	}
}

/* Count the entries of each slot, and check that every entry is a slot. */
static void maglev_count(struct kunit *test, const u16 *table,
			 unsigned int n, u32 *count)
{
	unsigned int e;

	memset(count, 0, n * sizeof(*count));
	for (e = 0; e < M; e++) {
		KUNIT_ASSERT_LT(test, (unsigned int)table[e], n);
		count[table[e]]++;
	}
}

/*
 * Same table as the reference, entry by entry, on random slots; with slots
 * equal in (offset, skip, weight) in some cases, to exercise every tie.
 */
static void nlb_maglev_matches_reference(struct kunit *test)
{
	struct nlb_pool_slot *slot;
	u16 *table, *want;
	u32 *count, *quota;
	struct rnd_state rnd;
	int iter;

	slot = kunit_kcalloc(test, REF_MAGLEV_MAX, sizeof(*slot), GFP_KERNEL);
	count = kunit_kcalloc(test, REF_MAGLEV_MAX, sizeof(*count), GFP_KERNEL);
	quota = kunit_kcalloc(test, REF_MAGLEV_MAX, sizeof(*quota), GFP_KERNEL);
	table = test_kvzalloc(test, M, sizeof(*table));
	want = test_kvzalloc(test, M, sizeof(*want));
	KUNIT_ASSERT_NOT_NULL(test, slot);
	KUNIT_ASSERT_NOT_NULL(test, count);
	KUNIT_ASSERT_NOT_NULL(test, quota);
	KUNIT_ASSERT_NOT_NULL(test, table);
	KUNIT_ASSERT_NOT_NULL(test, want);

	prandom_seed_state(&rnd, 17);
	for (iter = 0; iter < 8; iter++) {
		unsigned int n = 1 + prandom_u32_state(&rnd) % 50;
		unsigned int e, i;

		maglev_random_slots(slot, n, &rnd, iter % 3 == 2 ? 1 : 255);
		if (iter % 4 == 3) {
			/* Few distinct keys: ties everywhere. */
			for (i = 0; i < n; i++) {
				slot[i].offset %= 3;
				slot[i].skip = 1 + slot[i].skip % 2;
				slot[i].weight = 1 + slot[i].weight % 2;
			}
		}
		KUNIT_ASSERT_EQ(test, nlb_maglev_build(table, slot, n), 0);
		ref_maglev_build(want, slot, n);
		for (e = 0; e < M; e++)
			KUNIT_ASSERT_EQ_MSG(test, table[e], want[e],
					    "case %d, %u slots, entry %u", iter,
					    n, e);

		/* Counts: the apportionment, floor or ceil of the share. */
		maglev_count(test, table, n, count);
		ref_maglev_quota(slot, n, quota);
		for (i = 0; i < n; i++) {
			u64 total = 0, mw = (u64)M * slot[i].weight;
			unsigned int k;

			for (k = 0; k < n; k++)
				total += slot[k].weight;
			KUNIT_EXPECT_EQ(test, count[i], quota[i]);
			KUNIT_EXPECT_LT(test, (u64)count[i] * total,
					mw + total);
			KUNIT_EXPECT_GT(test, (u64)count[i] * total + total,
					mw);
		}
	}
}

/* Apportionment at the edges: no entry for a tiny share, n = max. */
static void nlb_maglev_apportionment(struct kunit *test)
{
	struct nlb_pool_slot *slot;
	u16 *table;
	u32 *count;
	unsigned int i, extra = 0;

	slot = test_kvzalloc(test, NLB_POOL_MAX, sizeof(*slot));
	count = test_kvzalloc(test, NLB_POOL_MAX, sizeof(*count));
	table = test_kvzalloc(test, M, sizeof(*table));
	KUNIT_ASSERT_NOT_NULL(test, slot);
	KUNIT_ASSERT_NOT_NULL(test, count);
	KUNIT_ASSERT_NOT_NULL(test, table);

	/*
	 * Weights 1 and 10^6: shares 0.0655 and 65536.93 entries; the
	 * larger remainder (934464 against 65537 of 1000001) is the heavy
	 * slot's, so it takes the whole table.
	 */
	slot[0] = (struct nlb_pool_slot){ .weight = 1, .skip = 1 };
	slot[1] = (struct nlb_pool_slot){ .weight = 1000000, .skip = 2 };
	KUNIT_ASSERT_EQ(test, nlb_maglev_build(table, slot, 2), 0);
	maglev_count(test, table, 2, count);
	KUNIT_EXPECT_EQ(test, count[0], 0u);
	KUNIT_EXPECT_EQ(test, count[1], (u32)M);

	/* Equal weights: one entry each, two for the two lowest offsets. */
	for (i = 0; i < NLB_POOL_MAX; i++) {
		slot[i] = (struct nlb_pool_slot){ .weight = 7 };
		nlb_maglev_perm(NLB_POOL_MAX - i, i * 2654435761U, &slot[i]);
	}
	KUNIT_ASSERT_EQ(test, nlb_maglev_build(table, slot, NLB_POOL_MAX), 0);
	maglev_count(test, table, NLB_POOL_MAX, count);
	for (i = 0; i < NLB_POOL_MAX; i++) {
		KUNIT_EXPECT_GE(test, count[i], 1u);
		KUNIT_EXPECT_LE(test, count[i], 2u);
		if (count[i] == 2) {
			/* offsets 1 and 2 (0 is not used) */
			KUNIT_EXPECT_LE(test, slot[i].offset, 2u);
			extra++;
		}
	}
	KUNIT_EXPECT_EQ(test, extra, M - NLB_POOL_MAX);
}

/*
 * Removing one of ten equal backends moves its entries and at most 1% of
 * the others (Maglev's promise is "few"; this rule moves about 0.3% on
 * average); adding it back, at another index, gives the same table again
 * up to the renaming of the indices.
 */
static void nlb_maglev_disruption(struct kunit *test)
{
	struct nlb_pool_slot slot[10], part[10];
	unsigned int name[10], extra_max = 0, extra_sum = 0;
	u16 *t0, *t1;
	struct rnd_state rnd;
	unsigned int e, i, r;
	int iter;

	t0 = test_kvzalloc(test, M, sizeof(*t0));
	t1 = test_kvzalloc(test, M, sizeof(*t1));
	KUNIT_ASSERT_NOT_NULL(test, t0);
	KUNIT_ASSERT_NOT_NULL(test, t1);

	prandom_seed_state(&rnd, 19);
	for (iter = 0; iter < 2; iter++) {
		maglev_random_slots(slot, 10, &rnd, 1);
		KUNIT_ASSERT_EQ(test, nlb_maglev_build(t0, slot, 10), 0);
		for (r = 0; r < 10; r++) {
			unsigned int moved = 0, extra = 0, mine = 0, k = 0;

			/* Without r, the others in their order. */
			for (i = 0; i < 10; i++) {
				if (i == r)
					continue;
				part[k] = slot[i];
				name[k++] = i;
			}
			KUNIT_ASSERT_EQ(test, nlb_maglev_build(t1, part, 9), 0);
			for (e = 0; e < M; e++) {
				if (t0[e] == r)
					mine++;
				if (name[t1[e]] == t0[e])
					continue;
				moved++;
				if (t0[e] != r)
					extra++;
			}
			KUNIT_EXPECT_EQ(test, moved, mine + extra);
			KUNIT_EXPECT_LE_MSG(test, extra, (unsigned int)M / 100,
					    "case %d, removing %u", iter, r);
			extra_max = max(extra_max, extra);
			extra_sum += extra;

			/* Back in, last. */
			part[9] = slot[r];
			name[9] = r;
			KUNIT_ASSERT_EQ(test, nlb_maglev_build(t1, part, 10), 0);
			for (e = 0; e < M; e++)
				KUNIT_ASSERT_EQ_MSG(test, name[t1[e]],
						    (unsigned int)t0[e],
						    "case %d, %u back, entry %u",
						    iter, r, e);
		}
	}
	kunit_info(test, "other entries moved: at most %u, on average %u of %u\n",
		   extra_max, extra_sum / 20, (unsigned int)M);
}

/* The table depends on the set of slots, not on their order. */
static void nlb_maglev_order(struct kunit *test)
{
	struct nlb_pool_slot *slot, *shuf;
	unsigned int name[50];
	u16 *t0, *t1;
	struct rnd_state rnd;
	unsigned int e, i;
	int iter;

	slot = kunit_kcalloc(test, ARRAY_SIZE(name), sizeof(*slot), GFP_KERNEL);
	shuf = kunit_kcalloc(test, ARRAY_SIZE(name), sizeof(*shuf), GFP_KERNEL);
	t0 = test_kvzalloc(test, M, sizeof(*t0));
	t1 = test_kvzalloc(test, M, sizeof(*t1));
	KUNIT_ASSERT_NOT_NULL(test, slot);
	KUNIT_ASSERT_NOT_NULL(test, shuf);
	KUNIT_ASSERT_NOT_NULL(test, t0);
	KUNIT_ASSERT_NOT_NULL(test, t1);

	prandom_seed_state(&rnd, 23);
	for (iter = 0; iter < 6; iter++) {
		unsigned int n = 2 + prandom_u32_state(&rnd) % 49;

		maglev_random_slots(slot, n, &rnd, iter % 2 ? 255 : 1);
		/* Equal offsets, or offsets and skips, in some slots. */
		slot[1].offset = slot[0].offset;
		if (n > 2) {
			slot[2].offset = slot[0].offset;
			slot[2].skip = slot[0].skip;
			slot[2].weight = slot[0].weight + 1;
		}
		for (i = 0; i < n; i++)
			name[i] = i;
		for (i = n - 1; i > 0; i--) {
			unsigned int j = prandom_u32_state(&rnd) % (i + 1);

			swap(name[i], name[j]);
		}
		for (i = 0; i < n; i++)
			shuf[i] = slot[name[i]];
		KUNIT_ASSERT_EQ(test, nlb_maglev_build(t0, slot, n), 0);
		KUNIT_ASSERT_EQ(test, nlb_maglev_build(t1, shuf, n), 0);
		for (e = 0; e < M; e++)
			KUNIT_ASSERT_EQ_MSG(test, name[t1[e]],
					    (unsigned int)t0[e],
					    "case %d, %u slots, entry %u", iter,
					    n, e);
	}
}

/* Slots out of range are refused, and the table left alone. */
static void nlb_maglev_invalid(struct kunit *test)
{
	struct nlb_pool_slot slot[2] = {
		{ .weight = 1, .offset = 0, .skip = 1 },
		{ .weight = 1, .offset = M - 1, .skip = M - 1 },
	};
	u16 *table = test_kvzalloc(test, M, sizeof(*table));
	unsigned int e, bad = 0;

	KUNIT_ASSERT_NOT_NULL(test, table);
	KUNIT_EXPECT_EQ(test, nlb_maglev_build(table, slot, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, nlb_maglev_build(table, slot, NLB_POOL_MAX + 1),
			-EINVAL);
	slot[1].weight = 0;
	KUNIT_EXPECT_EQ(test, nlb_maglev_build(table, slot, 2), -EINVAL);
	slot[1].weight = -1;
	KUNIT_EXPECT_EQ(test, nlb_maglev_build(table, slot, 2), -EINVAL);
	slot[1].weight = 1;
	slot[1].offset = M;
	KUNIT_EXPECT_EQ(test, nlb_maglev_build(table, slot, 2), -EINVAL);
	slot[1].offset = 0;
	slot[1].skip = 0;
	KUNIT_EXPECT_EQ(test, nlb_maglev_build(table, slot, 2), -EINVAL);
	slot[1].skip = M;
	KUNIT_EXPECT_EQ(test, nlb_maglev_build(table, slot, 2), -EINVAL);
	for (e = 0; e < M; e++)
		bad += table[e] != 0;
	KUNIT_EXPECT_EQ(test, bad, 0u);

	slot[1].skip = M - 1;
	KUNIT_EXPECT_EQ(test, nlb_maglev_build(table, slot, 2), 0);
}

/* Build time for 1000 backends, for the log. */
static void nlb_maglev_speed(struct kunit *test)
{
	struct nlb_pool_slot *slot;
	struct rnd_state rnd;
	u16 *table;
	int iter;

	slot = test_kvzalloc(test, 1000, sizeof(*slot));
	table = test_kvzalloc(test, M, sizeof(*table));
	KUNIT_ASSERT_NOT_NULL(test, slot);
	KUNIT_ASSERT_NOT_NULL(test, table);
	prandom_seed_state(&rnd, 29);
	for (iter = 0; iter < 2; iter++) {
		u64 t;

		maglev_random_slots(slot, 1000, &rnd, iter ? 255 : 1);
		t = ktime_get_ns();
		KUNIT_ASSERT_EQ(test, nlb_maglev_build(table, slot, 1000), 0);
		t = ktime_get_ns() - t;
		kunit_info(test, "1000 slots, weights %s: %llu us\n",
			   iter ? "1..255" : "equal", div_u64(t, 1000));
	}
}

/* Picking from a pool: NULL pool, single slot, and the lock path. */
static void nlb_pool_pick_backends(struct kunit *test)
{
	struct nlb_backend *be = (struct nlb_backend *)test;
	struct nlb_pool *pool;
	unsigned int k, hits = 0;

	KUNIT_EXPECT_NULL(test, nlb_pool_pick(NULL, 0, 0));

	pool = kunit_kzalloc(test, struct_size(pool, slot, 2), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	spin_lock_init(&pool->lock);
	pool->sched = NLB_SCHED_WRR;
	pool->n = 1;
	pool->total = 3;
	pool->slot[0] = (struct nlb_pool_slot){ .be = be, .weight = 3 };
	KUNIT_EXPECT_PTR_EQ(test, nlb_pool_pick(pool, 1, 2), be);

	pool->n = 2;
	pool->total = 4;
	pool->slot[1] = (struct nlb_pool_slot){ .be = NULL, .weight = 1 };
	for (k = 0; k < 40; k++)
		hits += nlb_pool_pick(pool, k, k) == be;
	KUNIT_EXPECT_EQ(test, hits, 30u);
}

/* Each scheduler of a pool reaches its pick function with its hash. */
static void nlb_pool_pick_dispatch(struct kunit *test)
{
	static const u8 sched[] = { NLB_SCHED_RR, NLB_SCHED_WRR, NLB_SCHED_WLC,
				    NLB_SCHED_SH, NLB_SCHED_MAGLEV };
	static const unsigned int wlc_want[] = { 1, 2, 1, 1 };
	struct nlb_backend *be[3];
	atomic_t active[3];
	struct nlb_pool *pool;
	struct rnd_state rnd;
	unsigned int i, k;
	u16 *table;

	pool = kunit_kzalloc(test, struct_size(pool, slot, 3), GFP_KERNEL);
	table = test_kvzalloc(test, M, sizeof(*table));
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_NOT_NULL(test, table);
	spin_lock_init(&pool->lock);
	for (i = 0; i < 3; i++) {
		be[i] = (struct nlb_backend *)&active[i];
		atomic_set(&active[i], i ? 2 : 5);
		pool->slot[i] = (struct nlb_pool_slot){
			.be = be[i], .active = &active[i], .weight = 1,
		};
		pool->total += pool->slot[i].weight;
		pool->slot[i].end = pool->total;
		nlb_maglev_perm(i * 7919, i * 104729, &pool->slot[i]);
	}
	KUNIT_ASSERT_EQ(test, nlb_maglev_build(table, pool->slot, 3), 0);

	/* One slot: that one, whatever the scheduler. */
	pool->n = 1;
	for (i = 0; i < ARRAY_SIZE(sched); i++) {
		pool->sched = sched[i];
		KUNIT_EXPECT_PTR_EQ(test, nlb_pool_pick(pool, i, i), be[0]);
	}
	pool->n = 3;

	/*
	 * wlc: slots 1 and 2 tie; the scan starts at ++pool->next % 3: 1,
	 * 2, then 0 and 1, both finding slot 1 first.
	 */
	pool->sched = NLB_SCHED_WLC;
	for (k = 0; k < ARRAY_SIZE(wlc_want); k++)
		KUNIT_EXPECT_PTR_EQ(test, nlb_pool_pick(pool, 0, 0),
				    be[wlc_want[k]]);
	KUNIT_EXPECT_EQ(test, atomic_read(&pool->next), 4);

	prandom_seed_state(&rnd, 31);
	for (k = 0; k < 100; k++) {
		u32 hs = prandom_u32_state(&rnd), hf = prandom_u32_state(&rnd);

		pool->sched = NLB_SCHED_SH;
		KUNIT_EXPECT_PTR_EQ(test, nlb_pool_pick(pool, hs, hf),
				    be[nlb_sh_pick(pool->slot, 3, 3, hs)]);
		pool->sched = NLB_SCHED_MAGLEV;
		pool->maglev = table;
		KUNIT_EXPECT_PTR_EQ(test, nlb_pool_pick(pool, hs, hf),
				    be[table[hf % M]]);
		/* Without a table: the source hash. */
		pool->maglev = NULL;
		KUNIT_EXPECT_PTR_EQ(test, nlb_pool_pick(pool, hs, hf),
				    be[nlb_sh_pick(pool->slot, 3, 3, hs)]);
	}

	/* rr: each slot in turn, from the pool's position, lock-free. */
	pool->sched = NLB_SCHED_RR;
	atomic_set(&pool->next, 0);
	for (k = 0; k < 6; k++)
		KUNIT_EXPECT_PTR_EQ(test, nlb_pool_pick(pool, 0, 0),
				    be[k % 3]);
	KUNIT_EXPECT_EQ(test, atomic_read(&pool->next), 6);
	/* Across the wrap of the position: 2^32 - 2, 2^32 - 1, 0. */
	atomic_set(&pool->next, -2);
	KUNIT_EXPECT_PTR_EQ(test, nlb_pool_pick(pool, 0, 0),
			    be[(U32_MAX - 1) % 3]);
	KUNIT_EXPECT_PTR_EQ(test, nlb_pool_pick(pool, 0, 0),
			    be[U32_MAX % 3]);
	KUNIT_EXPECT_PTR_EQ(test, nlb_pool_pick(pool, 0, 0), be[0]);
}

static struct kunit_case nlb_sched_test_cases[] = {
	KUNIT_CASE(nlb_wrr_matches_reference),
	KUNIT_CASE(nlb_wrr_exact_shares),
	KUNIT_CASE(nlb_wrr_smooth),
	KUNIT_CASE(nlb_wrr_round_robin),
	KUNIT_CASE(nlb_wlc_matches_reference),
	KUNIT_CASE(nlb_wlc_long_lived_shares),
	KUNIT_CASE(nlb_sh_matches_reference),
	KUNIT_CASE(nlb_sh_shares),
	KUNIT_CASE(nlb_maglev_perm_range),
	KUNIT_CASE(nlb_maglev_matches_reference),
	KUNIT_CASE(nlb_maglev_apportionment),
	KUNIT_CASE(nlb_maglev_disruption),
	KUNIT_CASE(nlb_maglev_order),
	KUNIT_CASE(nlb_maglev_invalid),
	KUNIT_CASE(nlb_maglev_speed),
	KUNIT_CASE(nlb_pool_pick_backends),
	KUNIT_CASE(nlb_pool_pick_dispatch),
	{}
};

static struct kunit_suite nlb_sched_test_suite = {
	.name = "nlb_sched",
	.test_cases = nlb_sched_test_cases,
};

kunit_test_suite(nlb_sched_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for nlb");
