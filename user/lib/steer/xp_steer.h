/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The steering program (bpf/xdp_steer.bpf.c) as seen from userspace: attach
 * and detach it, and reach the maps of the instance attached to an interface
 * whichever tool attached it (ip link, bpftool, xpctl or this library). Maps
 * are always found through the attached program (prog info -> map ids), never
 * through pin paths, so two interfaces never share a map by accident.
 */
#ifndef XP_STEER_H
#define XP_STEER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include <xdpath/steer.h>

#include "xp_xdp.h" /* enum xp_attach_mode */

/* Which of the two steering programs to attach. */
enum xp_steer_frags {
	/* xdp_steer_mb above XP_STEER_SINGLE_BUF_MTU, else xdp_steer */
	XP_STEER_FRAGS_AUTO = 0,
	XP_STEER_FRAGS_OFF, /* xdp_steer: frames of one buffer only */
	XP_STEER_FRAGS_ON, /* xdp_steer_mb (SEC "xdp.frags"): several buffers */
};

/*
 * The largest MTU at which veth and virtio-net still take an XDP program
 * without xdp.frags (a frame, its headroom and skb_shared_info in a page:
 * 3504 and 3506 bytes); above it frames may span buffers.
 */
#define XP_STEER_SINGLE_BUF_MTU 3500

struct xp_steer_attach_opts {
	size_t sz;
	enum xp_attach_mode mode;
	/* Replace another program already attached to the interface. */
	bool force;
	/* Path of xdp_steer.bpf.o; NULL uses the skeleton built into the library. */
	const char *obj_path;
	enum xp_steer_frags frags;
	size_t : 0;
};

/*
 * Load a fresh instance of the steering program (with its own maps) and
 * attach it. If our program is already attached in a compatible mode, this
 * succeeds without touching it. If another program is attached, fails with
 * -EEXIST and a message naming it, unless opts->force.
 * On success *mode_out (may be NULL) says which mode is active.
 */
int xp_steer_attach(int ifindex, const struct xp_steer_attach_opts *opts,
		    enum xp_attach_mode *mode_out);

/*
 * Detach the XDP program from ifindex. A program that is not ours is left in
 * place (-EEXIST with a message) unless force. -ENOENT, without a message,
 * when nothing is attached.
 */
int xp_steer_detach(int ifindex, bool force);

struct xp_steer_info {
	__u32 prog_id; /* 0: nothing attached */
	enum xp_attach_mode mode;
	/*
	 * The attached program is ours with our maps: xdp_steer, or xdp_rxe
	 * (kernel_device), which gives the RoCEv2 frames of QPNs not in its
	 * map to the xp_rxe kernel device instead of passing them; the QPNs in
	 * the map go to their sockets the same way.
	 */
	bool ours;
	bool kernel_device;
	char prog_name[16];
	__u32 xsks_map_id;
	__u32 qpn_map_id;
	__u32 stats_map_id;
};

/* What is attached to ifindex, and whether it is ours. */
int xp_steer_query(int ifindex, struct xp_steer_info *info);

/* Handle on the maps of the steering program attached to an interface. */
struct xp_steer;

/*
 * Open the maps of the program attached to ifindex. NULL with errno ENOENT
 * when no program is attached, EMEDIUMTYPE when a foreign one is.
 */
struct xp_steer *xp_steer_open(int ifindex);
void xp_steer_close(struct xp_steer *steer);

/* Put an AF_XDP socket into XSKMAP slot `slot` (default: its rx queue). */
int xp_steer_set_xsk(struct xp_steer *steer, __u32 slot, int xsk_fd);
/* Empty a slot; clearing an empty slot is not an error. */
int xp_steer_clear_xsk(struct xp_steer *steer, __u32 slot);

/* Steer packets for destination QPN `qpn` (24 bits) to `slot`. */
int xp_steer_add_qpn(struct xp_steer *steer, __u32 qpn, __u32 slot);
int xp_steer_del_qpn(struct xp_steer *steer, __u32 qpn);
/*
 * Fill up to max entries; returns the number found, which can exceed max
 * (only max are filled), or -errno. qpns may be NULL only with max 0 (to
 * count), slots may be NULL.
 */
int xp_steer_list_qpns(struct xp_steer *steer, __u32 *qpns, __u32 *slots, int max);

/* Counters summed over all CPUs; out has XP_CNT_MAX entries. */
int xp_steer_read_counters(struct xp_steer *steer, struct xp_counter *out);

#endif /* XP_STEER_H */
