// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the text messages xp-write-bw and xp-read-lat send
 * over TCP (user/tools/lib/perf_msg.c), which a server sizes its buffers
 * from. The first input byte picks the message (modulo 3): 0 xp-write-bw's
 * parameters (xpbw_params_parse), 1 its result (xpbw_result_parse), 2
 * xp-read-lat's parameters (xplat_params_parse); the rest, zero-filled or
 * cut to the message's length, is the message. Corpus: messages as the
 * tools send them, limits at their edges, tests/fuzz/corpus/fuzz_perf_msg.
 *
 * Checks: the parser returns 0, -EPROTO or -ERANGE, the same with and
 * without a why buffer, and says why (a string inside the buffer) exactly
 * on -ERANGE; an accepted message has every field within the limits of the
 * tools' command lines (perf_msg.h); it formats back to a message that
 * parses to the same values (for the result's peak, printed with %.6e:
 * the second round trip prints the same text as the first); and with the
 * slots the tool itself would choose for its size and --verify, it still
 * parses.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../user/tools/lib/perf_msg.h"

#define MSG_MAX 256 /* the longer of XPBW_MSG_LEN and XPLAT_MSG_LEN */
#define WHY_MARK 0x5a

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

/* The parser's answer and why: why untouched unless -ERANGE, then a string in it. */
static void require_answer(int err, const char *why, size_t len)
{
	size_t i;

	require(err == 0 || err == -EPROTO || err == -ERANGE);
	if (err == -ERANGE) {
		require(memchr(why, 0, len) != NULL);
		require(why[0] != 0);
	} else {
		for (i = 0; i < len; i++)
			require((unsigned char)why[i] == WHY_MARK);
	}
}

static bool same_bw_params(const struct xpbw_params *a, const struct xpbw_params *b)
{
	return a->size == b->size && a->iters == b->iters && a->depth == b->depth &&
	       a->duration == b->duration && a->bidir == b->bidir && a->verify == b->verify &&
	       a->slots == b->slots && a->addr == b->addr && a->rkey == b->rkey &&
	       a->seed == b->seed && a->mtu == b->mtu;
}

static void bw_params(const char *msg)
{
	struct xpbw_params p, p2, p3;
	char why[XP_PERF_WHY_LEN], again[XPBW_MSG_LEN];
	int err;

	memset(why, WHY_MARK, sizeof(why));
	err = xpbw_params_parse(msg, &p, why, sizeof(why));
	require_answer(err, why, sizeof(why));
	require(xpbw_params_parse(msg, &p2, NULL, 0) == err);
	if (err)
		return;
	/* What a server may adopt: the command line's limits, 64 MiB of slots at most. */
	require(p.size >= 1 && p.size <= XPBW_MAX_SIZE);
	require(p.iters >= 1 && p.iters <= XPBW_MAX_ITERS);
	require(p.depth >= 1 && p.depth <= XPBW_MAX_DEPTH);
	require(p.duration <= XPBW_MAX_DURATION);
	require(p.bidir == 0 || p.bidir == 1);
	require(p.verify == 0 || p.verify == 1);
	require(p.slots >= 1 && p.slots <= XPBW_VERIFY_MAX_SLOTS);
	require(p.slots == 1 || (p.verify && (__u64)p.slots * p.size <= XPBW_VERIFY_MAX_BYTES));
	require(same_bw_params(&p, &p2));

	xpbw_params_fmt(&p, again);
	require(again[XPBW_MSG_LEN - 1] == 0);
	memset(&p3, 0xa5, sizeof(p3));
	require(xpbw_params_parse(again, &p3, why, sizeof(why)) == 0);
	require(same_bw_params(&p, &p3));

	/* The slots the tool picks for this size, without and with --verify. */
	for (p.verify = 0; p.verify <= 1; p.verify++) {
		p.slots = xpbw_slots(p.size, p.verify);
		xpbw_params_fmt(&p, again);
		require(xpbw_params_parse(again, &p3, why, sizeof(why)) == 0);
		require(same_bw_params(&p, &p3));
	}
}

static void bw_result(const char *msg)
{
	struct xpbw_result r, r2, r3;
	char why[XP_PERF_WHY_LEN], once[XPBW_MSG_LEN], twice[XPBW_MSG_LEN];
	int err;

	memset(why, WHY_MARK, sizeof(why));
	err = xpbw_result_parse(msg, &r, why, sizeof(why));
	require_answer(err, why, sizeof(why));
	require(xpbw_result_parse(msg, &r2, NULL, 0) == err);
	if (err)
		return;
	require(isfinite(r.peak) && r.peak >= 0);
	require(r.errors >= 0);

	xpbw_result_fmt(&r, once);
	require(once[XPBW_MSG_LEN - 1] == 0);
	require(xpbw_result_parse(once, &r2, why, sizeof(why)) == 0);
	require(r2.iters == r.iters && r2.bytes == r.bytes && r2.ns == r.ns &&
		r2.errors == r.errors);
	xpbw_result_fmt(&r2, twice);
	require(!memcmp(once, twice, XPBW_MSG_LEN));
	require(xpbw_result_parse(twice, &r3, why, sizeof(why)) == 0);
	require(r3.peak == r2.peak);
}

static bool same_lat_params(const struct xplat_params *a, const struct xplat_params *b)
{
	return a->op == b->op && a->size == b->size && a->iters == b->iters &&
	       a->verify == b->verify && a->addr == b->addr && a->rkey == b->rkey &&
	       a->seed == b->seed && a->mtu == b->mtu;
}

static void lat_params(const char *msg)
{
	struct xplat_params p, p2, p3;
	char why[XP_PERF_WHY_LEN], again[XPLAT_MSG_LEN];
	enum xplat_op op;
	int err;

	memset(why, WHY_MARK, sizeof(why));
	err = xplat_params_parse(msg, &p, why, sizeof(why));
	require_answer(err, why, sizeof(why));
	require(xplat_params_parse(msg, &p2, NULL, 0) == err);
	if (err)
		return;
	require((unsigned int)p.op < XPLAT_OP_NR);
	require(xplat_op_from_name(xplat_op_name(p.op), &op) == 0 && op == p.op);
	require(p.size >= 1 && p.size <= XPLAT_MAX_SIZE);
	require(p.iters >= 1 && p.iters <= XPLAT_MAX_ITERS);
	require(p.verify == 0 || p.verify == 1);
	require(same_lat_params(&p, &p2));

	xplat_params_fmt(&p, again);
	require(again[XPLAT_MSG_LEN - 1] == 0);
	memset(&p3, 0xa5, sizeof(p3));
	require(xplat_params_parse(again, &p3, why, sizeof(why)) == 0);
	require(same_lat_params(&p, &p3));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[MSG_MAX];
	size_t len;

	fuzz_selftest_point();
	if (!size)
		return 0;
	memset(msg, 0, sizeof(msg));
	len = size - 1 < sizeof(msg) ? size - 1 : sizeof(msg);
	memcpy(msg, data + 1, len);
	switch (data[0] % 3) {
	case 0:
		bw_params(msg);
		break;
	case 1:
		bw_result(msg);
		break;
	default:
		lat_params(msg);
		break;
	}
	return 0;
}
