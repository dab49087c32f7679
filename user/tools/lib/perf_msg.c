// SPDX-License-Identifier: GPL-2.0
/* perf_msg: the messages of xp-write-bw and xp-read-lat; see perf_msg.h. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "perf_msg.h"

/* -ERANGE, after saying in why (when not NULL) what was wrong. */
__attribute__((format(printf, 3, 4))) static int out_of_range(char *why, size_t why_len,
							      const char *fmt, ...)
{
	va_list ap;

	if (why && why_len) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return -ERANGE;
}

/*
 * A number in a message and what is accepted. Every one is read with
 * %llu or %llx, so none wraps to a smaller one as %u would; a SIGNED one
 * (sent as %d) is taken as the two's complement that strtoull() makes
 * of "-1".
 */
struct field {
	const char *name;
	unsigned long long v, lo, hi;
	enum { DEC, SIGNED, HEX } base; /* as sent: %u, %d or %x */
};

static bool in_range(const struct field *f)
{
	if (f->base == SIGNED)
		return (long long)f->v >= (long long)f->lo && (long long)f->v <= (long long)f->hi;
	return f->v >= f->lo && f->v <= f->hi;
}

/* 0, or -ERANGE for the first field out of range: "size=0 (accepted: 1..1073741824)". */
static int check_fields(char *why, size_t why_len, const struct field *f, size_t n)
{
	for (; n--; f++) {
		if (in_range(f))
			continue;
		if (f->base == HEX)
			return out_of_range(why, why_len, "%s=%llx (accepted: %llx..%llx)", f->name,
					    f->v, f->lo, f->hi);
		if (f->base == SIGNED)
			return out_of_range(why, why_len, "%s=%lld (accepted: %lld..%lld)", f->name,
					    (long long)f->v, (long long)f->lo, (long long)f->hi);
		return out_of_range(why, why_len, "%s=%llu (accepted: %llu..%llu)", f->name, f->v,
				    f->lo, f->hi);
	}
	return 0;
}

/* ---- xp-write-bw ---- */

#define XPBW_PARAMS_TAG "XPBW-PARAMS"

__u32 xpbw_slots(__u32 size, int verify)
{
	__u32 slots;

	if (!verify || !size)
		return 1;
	slots = XPBW_VERIFY_MAX_BYTES / size;
	if (slots > XPBW_VERIFY_MAX_SLOTS)
		slots = XPBW_VERIFY_MAX_SLOTS;
	return slots ? slots : 1;
}

void xpbw_params_fmt(const struct xpbw_params *p, char msg[XPBW_MSG_LEN])
{
	memset(msg, 0, XPBW_MSG_LEN);
	snprintf(msg, XPBW_MSG_LEN,
		 XPBW_PARAMS_TAG " size=%u iters=%llu depth=%u dur=%u bidir=%d verify=%d slots=%u "
				 "addr=%llx rkey=%x seed=%x mtu=%u",
		 p->size, (unsigned long long)p->iters, p->depth, p->duration, p->bidir, p->verify,
		 p->slots, (unsigned long long)p->addr, p->rkey, p->seed, p->mtu);
}

/*
 * slots, after each field was checked: 1, or more with verify and at most
 * XPBW_VERIFY_MAX_BYTES together.
 */
static int check_slots(char *why, size_t why_len, const struct xpbw_params *p)
{
	if (p->slots == 1)
		return 0;
	if (!p->verify)
		return out_of_range(why, why_len, "slots=%u without verify (accepted: 1)",
				    p->slots);
	if ((__u64)p->slots * p->size > XPBW_VERIFY_MAX_BYTES)
		return out_of_range(
			why, why_len,
			"slots=%u of size=%u (accepted: 1, or at most %u bytes of slots)", p->slots,
			p->size, XPBW_VERIFY_MAX_BYTES);
	return 0;
}

enum {
	BW_SIZE,
	BW_ITERS,
	BW_DEPTH,
	BW_DUR,
	BW_BIDIR,
	BW_VERIFY,
	BW_SLOTS,
	BW_ADDR,
	BW_RKEY,
	BW_SEED,
	BW_MTU,
	BW_FIELDS
};

int xpbw_params_parse(const char msg[XPBW_MSG_LEN], struct xpbw_params *p, char *why,
		      size_t why_len)
{
	struct field f[BW_FIELDS] = {
		[BW_SIZE] = { "size", 0, 1, XPBW_MAX_SIZE },
		[BW_ITERS] = { "iters", 0, 1, XPBW_MAX_ITERS },
		[BW_DEPTH] = { "depth", 0, 1, XPBW_MAX_DEPTH },
		[BW_DUR] = { "dur", 0, 0, XPBW_MAX_DURATION },
		[BW_BIDIR] = { "bidir", 0, 0, 1, SIGNED },
		[BW_VERIFY] = { "verify", 0, 0, 1, SIGNED },
		[BW_SLOTS] = { "slots", 0, 1, XPBW_VERIFY_MAX_SLOTS },
		[BW_ADDR] = { "addr", 0, 0, UINT64_MAX, HEX },
		[BW_RKEY] = { "rkey", 0, 0, UINT32_MAX, HEX },
		[BW_SEED] = { "seed", 0, 0, UINT32_MAX, HEX },
		[BW_MTU] = { "mtu", 0, 0, UINT32_MAX },
	};
	char buf[XPBW_MSG_LEN], tag[32];
	int err;

	memcpy(buf, msg, sizeof(buf));
	buf[sizeof(buf) - 1] = 0;
	if (sscanf(buf,
		   "%31s size=%llu iters=%llu depth=%llu dur=%llu bidir=%llu verify=%llu slots=%llu "
		   "addr=%llx rkey=%llx seed=%llx mtu=%llu",
		   tag, &f[BW_SIZE].v, &f[BW_ITERS].v, &f[BW_DEPTH].v, &f[BW_DUR].v, &f[BW_BIDIR].v,
		   &f[BW_VERIFY].v, &f[BW_SLOTS].v, &f[BW_ADDR].v, &f[BW_RKEY].v, &f[BW_SEED].v,
		   &f[BW_MTU].v) != 12 ||
	    strcmp(tag, XPBW_PARAMS_TAG))
		return -EPROTO;
	p->size = f[BW_SIZE].v;
	p->iters = f[BW_ITERS].v;
	p->depth = f[BW_DEPTH].v;
	p->duration = f[BW_DUR].v;
	p->bidir = f[BW_BIDIR].v;
	p->verify = f[BW_VERIFY].v;
	p->slots = f[BW_SLOTS].v;
	p->addr = f[BW_ADDR].v;
	p->rkey = f[BW_RKEY].v;
	p->seed = f[BW_SEED].v;
	p->mtu = f[BW_MTU].v;
	err = check_fields(why, why_len, f, BW_FIELDS);
	return err ?: check_slots(why, why_len, p);
}

void xpbw_result_fmt(const struct xpbw_result *r, char msg[XPBW_MSG_LEN])
{
	memset(msg, 0, XPBW_MSG_LEN);
	snprintf(msg, XPBW_MSG_LEN, "XPBW-DONE iters=%llu bytes=%llu ns=%llu peak=%.6e errors=%d",
		 (unsigned long long)r->iters, (unsigned long long)r->bytes,
		 (unsigned long long)r->ns, r->peak, r->errors);
}

int xpbw_result_parse(const char msg[XPBW_MSG_LEN], struct xpbw_result *r, char *why,
		      size_t why_len)
{
	struct field errors = { "errors", 0, 0, INT_MAX, SIGNED };
	unsigned long long iters, bytes, ns;
	char buf[XPBW_MSG_LEN];

	memcpy(buf, msg, sizeof(buf));
	buf[sizeof(buf) - 1] = 0;
	if (sscanf(buf, "XPBW-DONE iters=%llu bytes=%llu ns=%llu peak=%le errors=%llu", &iters,
		   &bytes, &ns, &r->peak, &errors.v) != 5)
		return -EPROTO;
	r->iters = iters;
	r->bytes = bytes;
	r->ns = ns;
	r->errors = errors.v;
	if (!isfinite(r->peak) || r->peak < 0)
		return out_of_range(why, why_len, "peak=%g (accepted: a finite rate, 0 or more)",
				    r->peak);
	return check_fields(why, why_len, &errors, 1);
}

/* ---- xp-read-lat ---- */

static const char *const xplat_op_names[XPLAT_OP_NR] = { "read", "send", "write" };

const char *xplat_op_name(enum xplat_op op)
{
	return (unsigned int)op < XPLAT_OP_NR ? xplat_op_names[op] : "?";
}

int xplat_op_from_name(const char *name, enum xplat_op *op)
{
	unsigned int i;

	for (i = 0; i < XPLAT_OP_NR; i++) {
		if (!strcmp(name, xplat_op_names[i])) {
			*op = i;
			return 0;
		}
	}
	return -EINVAL;
}

void xplat_params_fmt(const struct xplat_params *p, char msg[XPLAT_MSG_LEN])
{
	memset(msg, 0, XPLAT_MSG_LEN);
	snprintf(msg, XPLAT_MSG_LEN,
		 "XPLAT-PARAMS op=%s size=%u iters=%llu verify=%d addr=%llx rkey=%x seed=%x mtu=%u",
		 xplat_op_name(p->op), p->size, (unsigned long long)p->iters, p->verify,
		 (unsigned long long)p->addr, p->rkey, p->seed, p->mtu);
}

enum { LAT_SIZE, LAT_ITERS, LAT_VERIFY, LAT_ADDR, LAT_RKEY, LAT_SEED, LAT_MTU, LAT_FIELDS };

int xplat_params_parse(const char msg[XPLAT_MSG_LEN], struct xplat_params *p, char *why,
		       size_t why_len)
{
	struct field f[LAT_FIELDS] = {
		[LAT_SIZE] = { "size", 0, 1, XPLAT_MAX_SIZE },
		[LAT_ITERS] = { "iters", 0, 1, XPLAT_MAX_ITERS },
		[LAT_VERIFY] = { "verify", 0, 0, 1, SIGNED },
		[LAT_ADDR] = { "addr", 0, 0, UINT64_MAX, HEX },
		[LAT_RKEY] = { "rkey", 0, 0, UINT32_MAX, HEX },
		[LAT_SEED] = { "seed", 0, 0, UINT32_MAX, HEX },
		[LAT_MTU] = { "mtu", 0, 0, UINT32_MAX },
	};
	char buf[XPLAT_MSG_LEN], op[16];
	int err;

	memcpy(buf, msg, sizeof(buf));
	buf[sizeof(buf) - 1] = 0;
	if (sscanf(buf,
		   "XPLAT-PARAMS op=%15s size=%llu iters=%llu verify=%llu addr=%llx rkey=%llx "
		   "seed=%llx mtu=%llu",
		   op, &f[LAT_SIZE].v, &f[LAT_ITERS].v, &f[LAT_VERIFY].v, &f[LAT_ADDR].v,
		   &f[LAT_RKEY].v, &f[LAT_SEED].v, &f[LAT_MTU].v) != 8)
		return -EPROTO;
	err = xplat_op_from_name(op, &p->op);
	if (err)
		p->op = XPLAT_OP_NR;
	p->size = f[LAT_SIZE].v;
	p->iters = f[LAT_ITERS].v;
	p->verify = f[LAT_VERIFY].v;
	p->addr = f[LAT_ADDR].v;
	p->rkey = f[LAT_RKEY].v;
	p->seed = f[LAT_SEED].v;
	p->mtu = f[LAT_MTU].v;
	if (err)
		return out_of_range(why, why_len, "op=%s (accepted: read, send or write)", op);
	return check_fields(why, why_len, f, LAT_FIELDS);
}
