/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Verdict and drop counters: a per-CPU array of struct xp_counter
 * (include/xdpath/steer.h), one slot per enum xp_steer_counter. Per-CPU
 * slots need no atomics: an XDP program runs to completion on one CPU.
 * Userspace sums the slots over all possible CPUs.
 */
#ifndef XP_BPF_STATS_H
#define XP_BPF_STATS_H

#include <xdpath/steer.h>

/* Count one frame (packets and bytes of linear data) in slot idx of map. */
static __always_inline void xp_stats_count(void *map, struct xdp_md *ctx, __u32 idx)
{
	struct xp_counter *c = bpf_map_lookup_elem(map, &idx);

	if (!c)
		return;
	c->packets++;
	c->bytes += ctx->data_end - ctx->data;
}

#endif /* XP_BPF_STATS_H */
