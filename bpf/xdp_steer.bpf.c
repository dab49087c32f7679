// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_steer: RoCEv2 frames to AF_XDP sockets, everything else to the kernel.
 *
 * A RoCEv2 frame goes to the XSKMAP slot that xp_qpn names for its
 * destination QPN, or else to the slot of the rx queue it arrived on. If
 * that slot holds no socket the frame is passed to the kernel and counted
 * as redirect_failed. Malformed RoCEv2 is dropped and counted by reason.
 * The layout of the maps and counters is the ABI in <xdpath/steer.h>; the
 * parsing lives in bpf/lib. See docs/steer.md.
 *
 * xdp_steer_mb is the same program for frames of several buffers (xdp.frags);
 * the loader picks one of the two by the interface's MTU.
 *
 * The maps are deliberately not pinned: every load gets its own, so two
 * interfaces never share steering state by accident.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <xdpath/bth.h>
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

/* The XSKMAP slot for a destination QPN: its own entry, else the rx queue. */
static __always_inline __u32 xp_steer_slot(struct xdp_md *ctx, __u32 dest_qpn)
{
	/*
	 * Read the context field before the branch: a conditional load lets
	 * clang form ctx+offset in a register, which the verifier refuses.
	 */
	__u32 slot = ctx->rx_queue_index;
	struct xp_qpn_entry *entry;

	entry = bpf_map_lookup_elem(&xp_qpn, &dest_qpn);
	if (entry)
		slot = entry->slot;
	return slot;
}

static __always_inline int steer(struct xdp_md *ctx)
{
	struct xp_roce roce = {};
	struct xp_cursor cur;
	long act;

	xp_cursor_init(&cur, ctx);
	switch (xp_roce_classify(&cur, &roce)) {
	case XP_ROCE_VALID:
		/* An empty slot returns the fallback action, XDP_PASS. */
		act = bpf_redirect_map(&xp_xsks, xp_steer_slot(ctx, roce.dest_qpn), XDP_PASS);
		xp_stats_count(&xp_stats, ctx,
			       act == XDP_REDIRECT ? XP_CNT_REDIRECTED : XP_CNT_REDIRECT_FAILED);
		return act;
	case XP_ROCE_INVALID:
		xp_stats_count(&xp_stats, ctx, XP_CNT_DROP(roce.drop));
		return XDP_DROP;
	default:
		xp_stats_count(&xp_stats, ctx, XP_CNT_PASSED);
		return XDP_PASS;
	}
}

SEC("xdp")
int xdp_steer(struct xdp_md *ctx)
{
	return steer(ctx);
}

/*
 * The same for interfaces whose frames may span several buffers (an MTU
 * above one page's worth, AF_XDP multi-buffer): a driver refuses a program
 * without xdp.frags there. Everything read here is in the first buffer.
 */
SEC("xdp.frags")
int xdp_steer_mb(struct xdp_md *ctx)
{
	return steer(ctx);
}

char LICENSE[] SEC("license") = "GPL";
