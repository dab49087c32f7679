// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_steer: RoCEv2 frames to AF_XDP sockets, everything else to the kernel.
 *
 * A RoCEv2 frame goes to the XSKMAP slot that xp_qpn names for its
 * destination QPN, or else to the slot of the rx queue it arrived on. If
 * that slot holds no socket the frame is passed to the kernel and counted
 * as redirect_failed. Malformed RoCEv2 is dropped and counted by reason.
 * The layout of the maps and counters is the ABI in <xdpath/steer.h>; the
 * decision is bpf/lib/steer.h, the parsing the rest of bpf/lib. See
 * docs/steer.md.
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

#include "lib/steer.h"

/* An unlisted QPN goes to the slot of the rx queue the frame came in on. */
static __always_inline long xp_steer_unlisted(struct xdp_md *ctx, const struct xp_roce *roce)
{
	return xp_steer_to_slot(ctx, ctx->rx_queue_index);
}

SEC("xdp")
int xdp_steer(struct xdp_md *ctx)
{
	return xp_steer(ctx);
}

/*
 * The same for interfaces whose frames may span several buffers (an MTU
 * above one page's worth, AF_XDP multi-buffer): a driver refuses a program
 * without xdp.frags there. Everything read here is in the first buffer.
 */
SEC("xdp.frags")
int xdp_steer_mb(struct xdp_md *ctx)
{
	return xp_steer(ctx);
}

char LICENSE[] SEC("license") = "GPL";
