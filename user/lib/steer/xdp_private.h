/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Helpers shared by the files that load, attach and inspect our XDP
 * programs (steer.c, xdp_ref.c, pktgen.c); they live in xdp_prog.c.
 */
#ifndef XDP_PRIVATE_H
#define XDP_PRIVATE_H

#include <stddef.h>
#include <linux/bpf.h>
#include <linux/types.h>

#include "xp_xdp.h"

/* XDP_FLAGS_SKB_MODE for generic, else XDP_FLAGS_DRV_MODE. */
__u32 xp_attach_mode_flag(enum xp_attach_mode mode);

/* The XDP program attached to an interface, opened. */
struct xp_xdp_attached {
	__u32 prog_id; /* 0: nothing attached */
	enum xp_attach_mode mode;
	int prog_fd; /* -1 when prog_id is 0 */
};

/*
 * Look up the program attached to ifindex and open it. One detached between
 * the query and the open counts as none. 0 or -errno with a message.
 */
int xp_xdp_open_attached(int ifindex, struct xp_xdp_attached *at);

/*
 * A program's bpf_prog_info, and the ids of its info->nr_map_ids maps in
 * *map_ids (the caller frees it). -errno, without a message.
 */
int xp_prog_info(int prog_fd, struct bpf_prog_info *info, __u32 **map_ids);

/*
 * Open the first of the maps ids[0..nr-1] named `name`: its fd, with its
 * bpf_map_info in *info, or -ENOENT. Maps that cannot be opened or read
 * are passed over (with a debug message).
 */
int xp_map_by_name(const __u32 *ids, __u32 nr, const char *name, struct bpf_map_info *info);

/*
 * Sum entries 0..nr-1 of a per-CPU array over the possible CPUs into out:
 * nr values of value_size bytes, each made of __u64 counters (struct
 * xp_counter, struct xp_gen_counter). -errno with a message that starts
 * with `what` (the map, for people) on failure.
 */
int xp_percpu_sum(int map_fd, __u32 nr, size_t value_size, void *out, const char *what);

#endif /* XDP_PRIVATE_H */
