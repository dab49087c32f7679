// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_rxe: the front door of the xp_rxe kernel device (kmod/rxe).
 *
 * A valid RoCEv2 frame whose destination QPN is listed in xp_qpn goes to
 * that XSKMAP slot, to a QP of the AF_XDP engine on the same interface;
 * every other valid RoCEv2 frame goes to the xp_rxe device through its
 * kfunc, xp_rxe_xdp_rx(), which consumes the frame in the driver's buffer
 * (XDP_DROP, counted kernel_device) or gives it back (XDP_PASS, counted
 * kernel_device_declined: no device on this interface, not to this host, or
 * in several buffers; the device's rx_handler still takes what is its).
 * Malformed RoCEv2 is dropped and counted by reason; everything else passes
 * to the kernel. The maps and counters are xdp_steer's (<xdpath/steer.h>,
 * bpf/lib/steer.h).
 *
 * It loads only where the xp_rxe module (with its BTF) is loaded: the kfunc
 * is resolved in the module's BTF.
 *
 *	ip link set dev eth0 xdp obj xdp_rxe.bpf.o sec xdp
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <xdpath/bth.h>

#include "lib/steer.h"

extern int xp_rxe_xdp_rx(struct xdp_md *ctx) __ksym;

static __always_inline long xp_steer_unlisted(struct xdp_md *ctx, const struct xp_roce *roce)
{
	int act = xp_rxe_xdp_rx(ctx);

	if (act == XDP_DROP) {
		xp_stats_count(&xp_stats, ctx, XP_CNT_KDEV);
		return XDP_DROP;
	}
	xp_stats_count(&xp_stats, ctx, XP_CNT_KDEV_DECLINED);
	return XDP_PASS;
}

SEC("xdp")
int xdp_rxe(struct xdp_md *ctx)
{
	return xp_steer(ctx);
}

/* The same for interfaces whose frames may span several buffers. */
SEC("xdp.frags")
int xdp_rxe_mb(struct xdp_md *ctx)
{
	return xp_steer(ctx);
}

char LICENSE[] SEC("license") = "GPL";
