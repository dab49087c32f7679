// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * In-kernel references for the AF_XDP benchmarks: the cheapest program that
 * does the same job as the benchmark mode, measured in the same run.
 *
 *   xdp_ref_drop   count, XDP_DROP          (rxdrop)
 *   xdp_ref_tx     swap MACs, count, XDP_TX (l2fwd)
 *   xdp_ref_pass   count, XDP_PASS          (what the stack gets)
 *
 * All three sit in SEC("xdp"); pick one by name: the skeleton
 * (skel->progs.xdp_ref_tx), or iproute2 with libbpf:
 *   ip link set dev X xdp obj xdp_ref.bpf.o program xdp_ref_tx
 * Counters: xp_ref_stats, indexed by enum xp_ref_kind (include/xdpath/gen.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include <xdpath/gen.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XP_REF_CNT_MAX);
	__type(key, __u32);
	__type(value, struct xp_gen_counter);
} xp_ref_stats SEC(".maps");

static __always_inline void count(__u32 idx, struct xdp_md *ctx)
{
	struct xp_gen_counter *c = bpf_map_lookup_elem(&xp_ref_stats, &idx);

	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
}

SEC("xdp")
int xdp_ref_drop(struct xdp_md *ctx)
{
	count(XP_REF_DROP, ctx);
	return XDP_DROP;
}

SEC("xdp")
int xdp_ref_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u16 *p = data;
	__u16 t0, t1, t2;

	if (data + 12 > data_end) {
		count(XP_REF_CNT_SHORT, ctx);
		return XDP_DROP;
	}
	t0 = p[0];
	t1 = p[1];
	t2 = p[2];
	p[0] = p[3];
	p[1] = p[4];
	p[2] = p[5];
	p[3] = t0;
	p[4] = t1;
	p[5] = t2;
	count(XP_REF_TX, ctx);
	return XDP_TX;
}

SEC("xdp")
int xdp_ref_pass(struct xdp_md *ctx)
{
	count(XP_REF_PASS, ctx);
	return XDP_PASS;
}
