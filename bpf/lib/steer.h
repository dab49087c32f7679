/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The steering decision and its maps, shared by the programs that sit on a
 * receiving interface: xdp_steer (every RoCEv2 frame to AF_XDP) and xdp_rxe
 * (RoCEv2 to the xp_rxe kernel device, QPs listed in xp_qpn to AF_XDP).
 *
 * A program that includes this file defines xp_steer_unlisted(): the
 * verdict for a valid RoCEv2 frame whose destination QPN has no entry in
 * xp_qpn. Everything else is decided here: a listed QPN goes to its XSKMAP
 * slot, malformed RoCEv2 is dropped and counted by reason, and every other
 * frame passes to the kernel. The maps and counters are the ABI of
 * <xdpath/steer.h>.
 */
#ifndef XP_BPF_STEER_H
#define XP_BPF_STEER_H

#include <xdpath/steer.h>

#include "lib/parse.h"
#include "lib/roce.h"
#include "lib/stats.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XP_STEER_MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} xp_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XP_STEER_MAX_QPNS);
	__type(key, __u32); /* destination QPN, 24 bits */
	__type(value, struct xp_qpn_entry);
} xp_qpn SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XP_CNT_MAX);
	__type(key, __u32);
	__type(value, struct xp_counter);
} xp_stats SEC(".maps");

/* Defined by the program: a valid RoCEv2 frame, its QPN not in xp_qpn. */
static __always_inline long xp_steer_unlisted(struct xdp_md *ctx, const struct xp_roce *roce);

/* To an AF_XDP socket in slot; an empty slot passes the frame (counted). */
static __always_inline long xp_steer_to_slot(struct xdp_md *ctx, __u32 slot)
{
	long act = bpf_redirect_map(&xp_xsks, slot, XDP_PASS);

	xp_stats_count(&xp_stats, ctx,
		       act == XDP_REDIRECT ? XP_CNT_REDIRECTED : XP_CNT_REDIRECT_FAILED);
	return act;
}

static __always_inline long xp_steer(struct xdp_md *ctx)
{
	struct xp_roce roce = {};
	struct xp_qpn_entry *entry;
	struct xp_cursor cur;

	xp_cursor_init(&cur, ctx);
	switch (xp_roce_classify(&cur, &roce)) {
	case XP_ROCE_VALID:
		entry = bpf_map_lookup_elem(&xp_qpn, &roce.dest_qpn);
		if (entry)
			return xp_steer_to_slot(ctx, entry->slot);
		return xp_steer_unlisted(ctx, &roce);
	case XP_ROCE_INVALID:
		xp_stats_count(&xp_stats, ctx, XP_CNT_DROP(roce.drop));
		return XDP_DROP;
	default:
		xp_stats_count(&xp_stats, ctx, XP_CNT_PASSED);
		return XDP_PASS;
	}
}

#endif /* XP_BPF_STEER_H */
