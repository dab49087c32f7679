// SPDX-License-Identifier: GPL-2.0
/*
 * Frame pool invariants. A long random sequence of the moves the data path
 * makes (fill, receive, recycle, transmit, complete, free) runs against the
 * pool and against a plain model of who owns each frame; after every step the
 * counts must match the model, and xp_pool_check() must pass. Then every kind
 * of misuse (double free, wrong state, foreign address) must be refused
 * without changing anything.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xp_log.h"
#include "xp_pool.h"
#include "xp_test.h"

#define CHUNK 2048
#define NFRAMES 512
#define FIRST 64 /* the pool is a slice of a larger umem */
#define STEPS 200000

static __u8 model[NFRAMES];
static __u32 rng_state = 12345;

static __u32 rnd(__u32 n)
{
	/* xorshift32: deterministic, so a failure reproduces */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state % n;
}

static __u64 addr_of(__u32 slot)
{
	return (__u64)(FIRST + slot) * CHUNK;
}

/* Collect up to max frames the model has in state st, in random order. */
static __u32 pick(enum xp_frame_owner st, __u64 *out, __u32 max)
{
	__u32 n = 0, start = rnd(NFRAMES), i;

	for (i = 0; i < NFRAMES && n < max; i++) {
		__u32 s = (start + i) % NFRAMES;

		if (model[s] == st)
			out[n++] = addr_of(s);
	}
	return n;
}

static void model_set(__u64 addr, enum xp_frame_owner st)
{
	model[addr / CHUNK - FIRST] = st;
}

static bool counts_match(const struct xp_pool *pool)
{
	__u32 c[XP_OWN__MAX] = { 0 }, i;

	for (i = 0; i < NFRAMES; i++)
		c[model[i]]++;
	for (i = 0; i < XP_OWN__MAX; i++)
		if (c[i] != xp_pool_count(pool, i))
			return false;
	return true;
}

static bool owners_match(const struct xp_pool *pool)
{
	__u32 i;

	for (i = 0; i < NFRAMES; i++)
		if (xp_pool_owner(pool, addr_of(i)) != model[i])
			return false;
	return true;
}

static int random_walk(struct xp_pool *pool, bool debug)
{
	__u64 buf[64];
	__u32 step, n, got, i;
	int bad = 0;

	for (step = 0; step < STEPS && !bad; step++) {
		switch (rnd(8)) {
		case 0: /* fill ring refill */
		case 1: /* application allocates for tx */
		{
			enum xp_frame_owner to = rnd(2) ? XP_OWN_FILL : XP_OWN_APP;

			n = 1 + rnd(64);
			got = xp_pool_alloc(pool, buf, n, to);
			for (i = 0; i < got; i++) {
				if (model[buf[i] / CHUNK - FIRST] != XP_OWN_FREE)
					bad = 1;
				model_set(buf[i], to);
			}
			break;
		}
		case 2: /* kernel delivered: fill -> rx; addresses point into the frame */
			n = pick(XP_OWN_FILL, buf, 1 + rnd(64));
			for (i = 0; i < n; i++) {
				if (xp_pool_move(pool, buf[i] + 256 + rnd(512), XP_OWN_FILL,
						 XP_OWN_RX))
					bad = 1;
				model_set(buf[i], XP_OWN_RX);
			}
			break;
		case 3: /* recycle rx -> fill, or forward rx -> tx */
		{
			enum xp_frame_owner to = rnd(2) ? XP_OWN_FILL : XP_OWN_TX;

			n = pick(XP_OWN_RX, buf, 1 + rnd(64));
			for (i = 0; i < n; i++) {
				if (xp_pool_move(pool, buf[i], XP_OWN_RX, to))
					bad = 1;
				model_set(buf[i], to);
			}
			break;
		}
		case 4: /* application transmits */
			n = pick(XP_OWN_APP, buf, 1 + rnd(64));
			for (i = 0; i < n; i++) {
				if (xp_pool_move(pool, buf[i], XP_OWN_APP, XP_OWN_TX))
					bad = 1;
				model_set(buf[i], XP_OWN_TX);
			}
			break;
		case 5: /* completion ring */
			n = pick(XP_OWN_TX, buf, 1 + rnd(64));
			for (i = 0; i < n; i++) {
				if (xp_pool_move(pool, buf[i], XP_OWN_TX, XP_OWN_COMP))
					bad = 1;
				model_set(buf[i], XP_OWN_COMP);
			}
			break;
		case 6: /* free completed or received frames */
		{
			enum xp_frame_owner from = rnd(2) ? XP_OWN_COMP : XP_OWN_RX;

			n = pick(from, buf, 1 + rnd(64));
			if (xp_pool_free(pool, buf, n, from))
				bad = 1;
			for (i = 0; i < n; i++)
				model_set(buf[i], XP_OWN_FREE);
			break;
		}
		case 7: /* application drops what it allocated */
			n = pick(XP_OWN_APP, buf, 1 + rnd(8));
			if (xp_pool_free(pool, buf, n, XP_OWN_APP))
				bad = 1;
			for (i = 0; i < n; i++)
				model_set(buf[i], XP_OWN_FREE);
			break;
		}
		if (!counts_match(pool))
			bad = 2;
		if (debug && step % 97 == 0 && !owners_match(pool))
			bad = 3;
		if (step % 1009 == 0 && xp_pool_check(pool))
			bad = 4;
	}
	if (bad)
		xt_note("stopped at step %u: reason %d", step, bad);
	return bad;
}

static struct xp_pool *new_pool(bool debug)
{
	struct xp_pool_opts o = {
		.sz = sizeof(o), .first_frame = FIRST, .nframes = NFRAMES, .debug = debug
	};

	memset(model, XP_OWN_FREE, sizeof(model));
	return xp_pool_create_raw(CHUNK, &o);
}

static void test_walk(bool debug)
{
	const char *tag = debug ? "debug" : "counting";
	struct xp_pool *pool = new_pool(debug);

	if (!xt_check(pool != NULL, "%s pool: create", tag))
		return;
	xt_check(xp_pool_debug(pool) == debug, "%s pool: debug flag", tag);
	xt_check(random_walk(pool, debug) == 0, "%s pool: %d random moves keep counts%s", tag,
		 STEPS, debug ? " and owners" : "");
	xt_check(xp_pool_check(pool) == 0, "%s pool: audit after the walk", tag);
	xp_pool_destroy(pool);
}

static void test_misuse(void)
{
	struct xp_pool *pool = new_pool(true);
	__u64 a[4], outside;
	__u32 before[XP_OWN__MAX], i;
	bool same = true;

	if (!xt_check(pool != NULL, "misuse: create"))
		return;
	xt_check(xp_pool_alloc(pool, a, 4, XP_OWN_APP) == 4, "misuse: alloc 4");
	xt_check(a[0] == addr_of(0) && a[1] == addr_of(1), "misuse: first frames come in order");
	for (i = 0; i < XP_OWN__MAX; i++)
		before[i] = xp_pool_count(pool, i);

	xt_check(xp_pool_free(pool, a, 1, XP_OWN_APP) == 0, "misuse: free once");
	xt_check(xp_pool_free(pool, a, 1, XP_OWN_APP) == -EUCLEAN, "misuse: double free refused");
	xt_check(xp_pool_move(pool, a[1], XP_OWN_FILL, XP_OWN_RX) == -EUCLEAN,
		 "misuse: move from the wrong owner refused");
	xt_check(xp_pool_owner(pool, a[1]) == XP_OWN_APP, "misuse: refused move left the owner");
	xt_check(xp_pool_move(pool, a[1], XP_OWN_APP, XP_OWN_FREE) == -EINVAL,
		 "misuse: move to FREE must go through free");
	outside = (__u64)(FIRST + NFRAMES) * CHUNK;
	xt_check(xp_pool_free(pool, &outside, 1, XP_OWN_APP) == -EINVAL,
		 "misuse: frame past the slice refused");
	outside = (__u64)(FIRST - 1) * CHUNK;
	xt_check(xp_pool_free(pool, &outside, 1, XP_OWN_APP) == -EINVAL,
		 "misuse: frame before the slice refused");
	xt_check(xp_pool_owns(pool, a[2]) && !xp_pool_owns(pool, outside), "misuse: owns()");
	xt_check(xp_pool_move(pool, a[2], XP_OWN_COMP, XP_OWN_FREE) == -EINVAL,
		 "misuse: move into FREE refused");
	before[XP_OWN_APP]--;
	before[XP_OWN_FREE]++;
	for (i = 0; i < XP_OWN__MAX; i++)
		same &= before[i] == xp_pool_count(pool, i);
	xt_check(same, "misuse: refused operations changed no count");
	xt_check(xp_pool_check(pool) == 0, "misuse: audit still passes");

	/* Exhaustion: alloc returns what is left, then nothing. */
	{
		__u64 *all = calloc(NFRAMES, sizeof(*all));
		__u32 got = xp_pool_alloc(pool, all, NFRAMES, XP_OWN_FILL);

		xt_check(got == NFRAMES - 3, "exhaust: got the %u free frames", NFRAMES - 3);
		xt_check(xp_pool_alloc(pool, all, 1, XP_OWN_FILL) == 0, "exhaust: empty pool");
		xt_check(xp_pool_count(pool, XP_OWN_FREE) == 0, "exhaust: free count 0");
		xt_check(xp_pool_check(pool) == 0, "exhaust: audit");
		free(all);
	}
	xp_pool_destroy(pool);
}

/* A lost frame (state says FREE, but not on the stack) must be found. */
static void test_audit_catches(void)
{
	struct xp_pool_opts o = { .sz = sizeof(o), .nframes = 8 };
	struct xp_pool *pool = xp_pool_create_raw(CHUNK, &o);
	__u64 a;

	xp_pool_alloc(pool, &a, 1, XP_OWN_APP);
	/* Account a move for which no frame exists: counts stop adding up. */
	xp_pool_move_count(pool, 1, XP_OWN_FREE, XP_OWN_TX);
	xt_check(xp_pool_check(pool) == -EUCLEAN, "audit: count mismatch detected");
	xp_pool_destroy(pool);

	xt_check(xp_pool_create_raw(CHUNK, &(struct xp_pool_opts){ .sz = sizeof(o) }) == NULL &&
			 errno == EINVAL,
		 "create: zero frames refused");
	xt_check(xp_pool_create_raw(0, &o) == NULL && errno == EINVAL, "create: chunk 0 refused");
	xt_check(xp_pool_create(NULL, &o) == NULL && errno == EINVAL, "create: NULL umem refused");
}

static int quiet_print(enum xp_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(void)
{
	xp_set_print(quiet_print);
	test_walk(true);
	test_walk(false);
	test_misuse();
	test_audit_catches();
	return xt_summary();
}
