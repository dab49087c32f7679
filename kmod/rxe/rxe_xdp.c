// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP receive path: a kfunc that XDP programs call to hand a RoCEv2
 * frame to the xp_rxe device of the netdev it arrived on.
 *
 *	extern int xp_rxe_xdp_rx(struct xdp_md *ctx) __ksym;
 *	...
 *	return xp_rxe_xdp_rx(ctx);
 *
 * It returns the verdict for the frame: XDP_DROP when the device took it
 * (its data is consumed before the call returns, so the driver recycles
 * the buffer), XDP_PASS when it is not the device's to take: no xp_rxe
 * device on the netdev, not RoCEv2 to this host, or a frame in several
 * buffers. A passed RoCEv2 frame still reaches the device, through its
 * rx_handler, as without XDP. bpf/xdp_rxe.bpf.c is the program that calls
 * it (docs/rxe.md "The XDP receive path").
 *
 * The kfunc needs the module's BTF (kmod/build.sh makes it for every
 * series); without it the module loads but no program can call it.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <net/xdp.h>

#include "xp_rxe.h"

/* 6.1 has neither the annotation nor the start/end markers. */
#ifndef __bpf_kfunc
#define __bpf_kfunc __used noinline
#endif

#ifdef __bpf_kfunc_start_defs
__bpf_kfunc_start_defs();
#endif

__bpf_kfunc int xp_rxe_xdp_rx(struct xdp_md *ctx)
{
	struct xdp_buff *xdp = (struct xdp_buff *)ctx;

	return xp_rxe_host_xdp_rx(xdp->rxq->dev, xdp->data, xdp->data_end - xdp->data,
				  xdp_buff_has_frags(xdp));
}

#ifdef __bpf_kfunc_end_defs
__bpf_kfunc_end_defs();
#endif

/* 6.9 and later refuse a kfunc set not marked as one (BTF_KFUNCS_START). */
#ifdef BTF_KFUNCS_START
BTF_KFUNCS_START(xp_rxe_kfuncs)
BTF_ID_FLAGS(func, xp_rxe_xdp_rx)
BTF_KFUNCS_END(xp_rxe_kfuncs)
#else
BTF_SET8_START(xp_rxe_kfuncs)
BTF_ID_FLAGS(func, xp_rxe_xdp_rx)
BTF_SET8_END(xp_rxe_kfuncs)
#endif

static const struct btf_kfunc_id_set xp_rxe_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &xp_rxe_kfuncs,
};

/*
 * At module init. Without module BTF the kernel registers nothing and
 * still returns 0; say so, since no program can then call the kfunc.
 */
int xp_rxe_xdp_register(void)
{
	int err;

	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP, &xp_rxe_kfunc_set);
	if (err) {
		pr_err("xp_rxe: registering the XDP kfunc: %d\n", err);
		return err;
	}
#ifdef CONFIG_DEBUG_INFO_BTF_MODULES
	if (THIS_MODULE->btf_data_size)
		return 0;
#endif
	pr_warn("xp_rxe: no module BTF: no XDP program can call xp_rxe_xdp_rx(); frames come through the rx_handler only\n");
	return 0;
}
