// SPDX-License-Identifier: GPL-2.0
/*
 * The messages of xp-write-bw and xp-read-lat (user/tools/lib/perf_msg.c):
 * the exact bytes the tools have always sent (old and new versions must
 * interoperate), every limit of the command lines at its edge and one
 * past it, the slots rule of --verify, malformed messages, and the text
 * a server refuses a client with. No privileges needed.
 *
 * The unit tests link libxdpath only, not the tools' helpers: perf_msg.c
 * (which needs nothing but libc) is compiled into this test.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "xp_test.h"
#include "../../user/tools/lib/perf_msg.h"

/* msg holds text and nothing but zeros after it, to len bytes. */
static bool is_msg(const char *msg, size_t len, const char *text)
{
	size_t n = strlen(text), i;

	if (n >= len || memcmp(msg, text, n + 1))
		return false;
	for (i = n; i < len; i++)
		if (msg[i])
			return false;
	return true;
}

/* A message of len bytes: text, then zeros. */
static void put(char *msg, size_t len, const char *text)
{
	memset(msg, 0, len);
	snprintf(msg, len, "%s", text);
}

static int bw_parse(const char *text, struct xpbw_params *p, char *why)
{
	char msg[XPBW_MSG_LEN];

	put(msg, sizeof(msg), text);
	why[0] = 0;
	return xpbw_params_parse(msg, p, why, XP_PERF_WHY_LEN);
}

static int lat_parse(const char *text, struct xplat_params *p, char *why)
{
	char msg[XPLAT_MSG_LEN];

	put(msg, sizeof(msg), text);
	why[0] = 0;
	return xplat_params_parse(msg, p, why, XP_PERF_WHY_LEN);
}

/* What xp-write-bw -s 65536 -n 300 --verify sends (as its versions before perf_msg.c). */
static const char bw_client[] =
	"XPBW-PARAMS size=65536 iters=300 depth=128 dur=0 bidir=0 verify=1 slots=16 "
	"addr=7f3a5c400000 rkey=2 seed=a5e3 mtu=1024";

static void test_bw_wire(void)
{
	struct xpbw_params p = { .size = 65536,
				 .iters = 300,
				 .depth = 128,
				 .verify = 1,
				 .slots = 16,
				 .addr = 0x7f3a5c400000ull,
				 .rkey = 2,
				 .seed = 0xa5e3,
				 .mtu = 1024 },
			   q;
	struct xpbw_result r = { .iters = 300,
				 .bytes = 19660800,
				 .ns = 20734561,
				 .peak = 1.04321e9 },
			   s;
	char msg[XPBW_MSG_LEN], why[XP_PERF_WHY_LEN];
	int err;

	memset(msg, 0x5a, sizeof(msg));
	xpbw_params_fmt(&p, msg);
	xt_check(is_msg(msg, sizeof(msg), bw_client),
		 "bw: the parameters as xp-write-bw always sent them, zero-filled to 192 bytes");
	memset(&q, 0, sizeof(q));
	err = bw_parse(bw_client, &q, why);
	xt_check(!err && q.size == 65536 && q.iters == 300 && q.depth == 128 && !q.duration &&
			 !q.bidir && q.verify == 1 && q.slots == 16 &&
			 q.addr == 0x7f3a5c400000ull && q.rkey == 2 && q.seed == 0xa5e3 &&
			 q.mtu == 1024,
		 "bw: they parse back (err %d)", err);

	memset(msg, 0x5a, sizeof(msg));
	xpbw_result_fmt(&r, msg);
	xt_check(
		is_msg(msg, sizeof(msg),
		       "XPBW-DONE iters=300 bytes=19660800 ns=20734561 peak=1.043210e+09 errors=0"),
		"bw: the result as xp-write-bw always sent it");
	err = xpbw_result_parse(msg, &s, why, sizeof(why));
	xt_check(!err && s.iters == 300 && s.bytes == 19660800 && s.ns == 20734561 &&
			 s.peak == 1.04321e9 && !s.errors,
		 "bw: the result parses back (err %d)", err);

	/* The old parser ignored what came after the last field. */
	err = bw_parse("XPBW-PARAMS size=1 iters=1 depth=1 dur=0 bidir=0 verify=0 slots=1 addr=0 "
		       "rkey=0 seed=0 mtu=256 and more",
		       &q, why);
	xt_check(!err, "bw: text after the last field is ignored (err %d)", err);
}

struct edge {
	const char *text;
	int err;
	const char *why; /* -ERANGE: what the parser must say; else the check's name */
};

static void check_edges(const char *what, const struct edge *e, size_t n, bool lat)
{
	char why[XP_PERF_WHY_LEN];
	struct xplat_params lp;
	struct xpbw_params bp;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = lat ? lat_parse(e[i].text, &lp, why) : bw_parse(e[i].text, &bp, why);
		if (!xt_check(err == e[i].err && (err != -ERANGE || !strcmp(why, e[i].why)),
			      "%s: %s: %s", what,
			      e[i].err == -ERANGE ? "out of range" :
			      e[i].err		  ? "malformed" :
						    "accepted",
			      e[i].why))
			xt_note("'%s' gave %d, '%s'", e[i].text, err, why);
	}
}

#define BW(size, iters, depth, dur, bidir, verify, slots, rest)                              \
	"XPBW-PARAMS size=" size " iters=" iters " depth=" depth " dur=" dur " bidir=" bidir \
	" verify=" verify " slots=" slots " addr=7f3a5c400000 " rest

static const struct edge bw_edges[] = {
	{ BW("1", "1", "1", "0", "0", "0", "1", "rkey=0 seed=0 mtu=256"), 0,
	  "the smallest value of each field" },
	{ BW("1073741824", "1099511627776", "4096", "3600", "1", "1", "1",
	     "rkey=ffffffff seed=ffffffff mtu=4294967295"),
	  0, "the largest value of each field (one slot of 1 GiB with verify)" },
	{ BW("0", "1", "1", "0", "0", "0", "1", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "size=0 (accepted: 1..1073741824)" },
	{ BW("1073741825", "1", "1", "0", "0", "0", "1", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "size=1073741825 (accepted: 1..1073741824)" },
	/* Wider than 32 bits: not wrapped to size=1 (what %u did). */
	{ BW("4294967297", "1", "1", "0", "0", "0", "1", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "size=4294967297 (accepted: 1..1073741824)" },
	{ BW("-1", "1", "1", "0", "0", "0", "1", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "size=18446744073709551615 (accepted: 1..1073741824)" },
	{ BW("1", "0", "1", "0", "0", "0", "1", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "iters=0 (accepted: 1..1099511627776)" },
	{ BW("1", "1099511627777", "1", "0", "0", "0", "1", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "iters=1099511627777 (accepted: 1..1099511627776)" },
	{ BW("1", "1", "0", "0", "0", "0", "1", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "depth=0 (accepted: 1..4096)" },
	{ BW("1", "1", "4097", "0", "0", "0", "1", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "depth=4097 (accepted: 1..4096)" },
	{ BW("1", "1", "1", "3601", "0", "0", "1", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "dur=3601 (accepted: 0..3600)" },
	{ BW("1", "1", "1", "0", "2", "0", "1", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "bidir=2 (accepted: 0..1)" },
	{ BW("1", "1", "1", "0", "0", "-1", "1", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "verify=-1 (accepted: 0..1)" },
	{ BW("1", "1", "1", "0", "0", "1", "0", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "slots=0 (accepted: 1..16)" },
	{ BW("1", "1", "1", "0", "0", "1", "17", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "slots=17 (accepted: 1..16)" },
	{ BW("1", "1", "1", "0", "0", "0", "2", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "slots=2 without verify (accepted: 1)" },
	/* 16 slots of 4 MiB are the 64 MiB --verify allows; one byte more is not. */
	{ BW("4194304", "1", "1", "0", "0", "1", "16", "rkey=0 seed=0 mtu=256"), 0,
	  "16 slots of 4 MiB with verify" },
	{ BW("4194305", "1", "1", "0", "0", "1", "16", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "slots=16 of size=4194305 (accepted: 1, or at most 67108864 bytes of slots)" },
	{ BW("1", "1", "1", "0", "0", "0", "1", "rkey=100000000 seed=0 mtu=256"), -ERANGE,
	  "rkey=100000000 (accepted: 0..ffffffff)" },
	{ BW("1", "1", "1", "0", "0", "0", "1", "rkey=0 seed=100000000 mtu=256"), -ERANGE,
	  "seed=100000000 (accepted: 0..ffffffff)" },
	{ BW("1", "1", "1", "0", "0", "0", "1", "rkey=0 seed=0 mtu=4294967296"), -ERANGE,
	  "mtu=4294967296 (accepted: 0..4294967295)" },
	/* The path MTU is the server's to judge (rt_rc_adopt_mtu()). */
	{ BW("1", "1", "1", "0", "0", "0", "1", "rkey=0 seed=0 mtu=1000"), 0, "mtu=1000" },
	/* Not such a message. */
	{ "XPBW-PARAMZ size=1 iters=1 depth=1 dur=0 bidir=0 verify=0 slots=1 addr=0 rkey=0 "
	  "seed=0 mtu=256",
	  -EPROTO, "another tag" },
	{ "XPBW-PARAMS size=1 iters=1 depth=1 dur=0 bidir=0 verify=0 slots=1 addr=0 rkey=0 seed=0",
	  -EPROTO, "no mtu" },
	{ "XPBW-PARAMS size=x iters=1 depth=1 dur=0 bidir=0 verify=0 slots=1 addr=0 rkey=0 "
	  "seed=0 mtu=256",
	  -EPROTO, "size=x" },
	{ "", -EPROTO, "an empty message" },
};

/* Every size xp-write-bw takes, with the slots it picks: the server must accept it. */
static void test_bw_slots(void)
{
	static const __u32 sizes[] = {
		1,	 2,	  1000,	    65536,    4194303,	4194304,
		4194305, 8388608, 67108863, 67108864, 67108865, XPBW_MAX_SIZE
	};
	struct xpbw_params p = { .iters = 1, .depth = 1, .mtu = 1024 }, q;
	char msg[XPBW_MSG_LEN], why[XP_PERF_WHY_LEN];
	unsigned int i, bad = 0;

	xt_check(xpbw_slots(65536, 1) == 16 && xpbw_slots(4194305, 1) == 15 &&
			 xpbw_slots(67108864, 1) == 1 && xpbw_slots(XPBW_MAX_SIZE, 1) == 1 &&
			 xpbw_slots(65536, 0) == 1,
		 "bw: --verify keeps 16 slots, at most 64 MiB of them, at least one");
	for (i = 0; i < 2 * sizeof(sizes) / sizeof(sizes[0]); i++) {
		p.size = sizes[i / 2];
		p.verify = i & 1;
		p.slots = xpbw_slots(p.size, p.verify);
		xpbw_params_fmt(&p, msg);
		if (xpbw_params_parse(msg, &q, why, sizeof(why))) {
			xt_note("'%s': %s", msg, why);
			bad++;
		}
	}
	xt_check(!bad, "bw: every size the tool takes, with its slots, parses (%u refused)", bad);
}

static void test_bw_result(void)
{
	static const char *const bad[] = { "peak=nan errors=0", "peak=inf errors=0",
					   "peak=-1.000000e+00 errors=0", "peak=0 errors=-1",
					   "peak=0 errors=2147483648" };
	static const char *const why_want[] = {
		"peak=nan (accepted: a finite rate, 0 or more)",
		"peak=inf (accepted: a finite rate, 0 or more)",
		"peak=-1 (accepted: a finite rate, 0 or more)",
		"errors=-1 (accepted: 0..2147483647)",
		"errors=2147483648 (accepted: 0..2147483647)",
	};
	char msg[XPBW_MSG_LEN], text[XPBW_MSG_LEN], why[XP_PERF_WHY_LEN];
	struct xpbw_result r;
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "XPBW-DONE iters=1 bytes=1 ns=1 %s", bad[i]);
		put(msg, sizeof(msg), text);
		why[0] = 0;
		err = xpbw_result_parse(msg, &r, why, sizeof(why));
		if (!xt_check(err == -ERANGE && !strcmp(why, why_want[i]), "bw result: %s",
			      why_want[i]))
			xt_note("gave %d, '%s'", err, why);
	}
	put(msg, sizeof(msg),
	    "XPBW-DONE iters=18446744073709551615 bytes=0 ns=0 peak=1.797693e+308 errors=0");
	err = xpbw_result_parse(msg, &r, NULL, 0);
	xt_check(!err && r.iters == UINT64_MAX, "bw result: the largest values parse (err %d)",
		 err);
	put(msg, sizeof(msg), "XPBW-DONE iters=1 bytes=1 ns=1 peak=0");
	xt_check(xpbw_result_parse(msg, &r, NULL, 0) == -EPROTO, "bw result: a missing field");
}

static void test_lat_wire(void)
{
	static const char want[] = "XPLAT-PARAMS op=write size=3000 iters=500 verify=1 "
				   "addr=7f6e9b200bc0 rkey=1 seed=4c01 mtu=1024";
	struct xplat_params p = { .op = XPLAT_OP_WRITE,
				  .size = 3000,
				  .iters = 500,
				  .verify = 1,
				  .addr = 0x7f6e9b200bc0ull,
				  .rkey = 1,
				  .seed = 0x4c01,
				  .mtu = 1024 },
			    q;
	char msg[XPLAT_MSG_LEN], why[XP_PERF_WHY_LEN];
	enum xplat_op op;
	int err;

	memset(msg, 0x5a, sizeof(msg));
	xplat_params_fmt(&p, msg);
	xt_check(is_msg(msg, sizeof(msg), want),
		 "lat: the parameters as xp-read-lat always sent them, zero-filled to 256 bytes");
	err = lat_parse(want, &q, why);
	xt_check(!err && q.op == XPLAT_OP_WRITE && q.size == 3000 && q.iters == 500 &&
			 q.verify == 1 && q.addr == 0x7f6e9b200bc0ull && q.rkey == 1 &&
			 q.seed == 0x4c01 && q.mtu == 1024,
		 "lat: they parse back (err %d)", err);
	xt_check(!strcmp(xplat_op_name(XPLAT_OP_READ), "read") &&
			 !strcmp(xplat_op_name(XPLAT_OP_SEND), "send") &&
			 !strcmp(xplat_op_name(XPLAT_OP_WRITE), "write") &&
			 !strcmp(xplat_op_name(XPLAT_OP_NR), "?"),
		 "lat: the operations' names");
	xt_check(!xplat_op_from_name("send", &op) && op == XPLAT_OP_SEND &&
			 xplat_op_from_name("Send", &op) == -EINVAL,
		 "lat: names to operations");
}

#define LAT(op, size, iters, verify, rest) \
	"XPLAT-PARAMS op=" op " size=" size " iters=" iters " verify=" verify " addr=0 " rest

static const struct edge lat_edges[] = {
	{ LAT("read", "1", "1", "0", "rkey=0 seed=0 mtu=256"), 0,
	  "the smallest value of each field" },
	{ LAT("send", "16777216", "100000000", "1", "rkey=ffffffff seed=ffffffff mtu=4096"), 0,
	  "the largest value of each field" },
	{ LAT("atomic", "1", "1", "0", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "op=atomic (accepted: read, send or write)" },
	{ LAT("read", "0", "1", "0", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "size=0 (accepted: 1..16777216)" },
	{ LAT("read", "16777217", "1", "0", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "size=16777217 (accepted: 1..16777216)" },
	{ LAT("read", "1", "0", "0", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "iters=0 (accepted: 1..100000000)" },
	{ LAT("read", "1", "100000001", "0", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "iters=100000001 (accepted: 1..100000000)" },
	{ LAT("read", "1", "1", "2", "rkey=0 seed=0 mtu=256"), -ERANGE,
	  "verify=2 (accepted: 0..1)" },
	{ LAT("read", "1", "1", "0", "rkey=1ffffffff seed=0 mtu=256"), -ERANGE,
	  "rkey=1ffffffff (accepted: 0..ffffffff)" },
	{ LAT("read", "1", "1", "0", "rkey=0 seed=0"), -EPROTO, "no mtu" },
	{ "XPLAT-PARAMS op=readreadreadreadread size=1 iters=1 verify=0 addr=0 rkey=0 seed=0 "
	  "mtu=256",
	  -EPROTO, "an operation name of 20 characters" },
	{ "XPBW-PARAMS op=read size=1 iters=1 verify=0 addr=0 rkey=0 seed=0 mtu=256", -EPROTO,
	  "another tag" },
};

int main(void)
{
	test_bw_wire();
	check_edges("bw edge", bw_edges, sizeof(bw_edges) / sizeof(bw_edges[0]), false);
	test_bw_slots();
	test_bw_result();
	test_lat_wire();
	check_edges("lat edge", lat_edges, sizeof(lat_edges) / sizeof(lat_edges[0]), true);
	return xt_summary();
}
