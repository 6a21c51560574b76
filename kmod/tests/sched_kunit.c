// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the scheduler. The unit under test is compiled into this
 * module, so that the tests run without nlb.ko and its netns state.
 */
#include <kunit/test.h>
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

/* Picking from a pool: NULL pool, single slot, and the lock path. */
static void nlb_pool_pick_backends(struct kunit *test)
{
	struct nlb_backend *be = (struct nlb_backend *)test;
	struct nlb_pool *pool;
	unsigned int k, hits = 0;

	KUNIT_EXPECT_NULL(test, nlb_pool_pick(NULL));

	pool = kunit_kzalloc(test, struct_size(pool, slot, 2), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	spin_lock_init(&pool->lock);
	pool->n = 1;
	pool->total = 3;
	pool->slot[0] = (struct nlb_pool_slot){ .be = be, .weight = 3 };
	KUNIT_EXPECT_PTR_EQ(test, nlb_pool_pick(pool), be);

	pool->n = 2;
	pool->total = 4;
	pool->slot[1] = (struct nlb_pool_slot){ .be = NULL, .weight = 1 };
	for (k = 0; k < 40; k++)
		hits += nlb_pool_pick(pool) == be;
	KUNIT_EXPECT_EQ(test, hits, 30u);
}

static struct kunit_case nlb_sched_test_cases[] = {
	KUNIT_CASE(nlb_wrr_matches_reference),
	KUNIT_CASE(nlb_wrr_exact_shares),
	KUNIT_CASE(nlb_wrr_smooth),
	KUNIT_CASE(nlb_wrr_round_robin),
	KUNIT_CASE(nlb_pool_pick_backends),
	{}
};

static struct kunit_suite nlb_sched_test_suite = {
	.name = "nlb_sched",
	.test_cases = nlb_sched_test_cases,
};

kunit_test_suite(nlb_sched_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for nlb");
