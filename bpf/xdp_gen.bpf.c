// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Traffic generator. Userspace runs xdp_gen through BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES on a template frame: every run stamps the next
 * sequence number (and the varied fields, see include/xdpath/gen.h) and
 * returns XDP_TX, which the kernel turns into a real transmit out of the
 * ingress interface named in the context.
 *
 * xp_gen_xmit counts what the driver then accepted, so a sender can tell
 * frames generated from frames that left (veth refuses frames when the
 * peer's ring is full or the peer has no XDP program).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

#include <xdpath/gen.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by userspace before load; read-only to the program. */
const volatile __u32 seq_off; /* frame offset of the sequence number */
const volatile __u32 sport_off; /* frame offset of the UDP source port */
const volatile __u32 sport_base;
const volatile __u32 nflows; /* > 1: vary the UDP source port */
const volatile __u32 mac_words[3]; /* dst MAC, src MAC as written each time */
const volatile __u32 gen_tgid; /* process whose transmits xp_gen_xmit counts */
const volatile __u32 gen_ifindex;

/* Next sequence number; userspace reads it through the mmap'ed .bss. */
__u64 xp_gen_seq;

/*
 * Pacing, set by userspace through the mmap'ed .bss before each
 * BPF_PROG_RUN call (pace_rate 0: as fast as possible). Frame seq leaves no
 * earlier than pace_t0 + (seq - pace_seq0) / pace_rate seconds.
 */
__u64 pace_rate;
__u64 pace_t0;
__u64 pace_seq0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XP_GEN_CNT_MAX);
	__type(key, __u32);
	__type(value, struct xp_gen_counter);
} xp_gen_stats SEC(".maps");

static __always_inline void count(__u32 idx, __u64 packets, __u64 bytes)
{
	struct xp_gen_counter *c = bpf_map_lookup_elem(&xp_gen_stats, &idx);

	if (c) {
		c->packets += packets;
		c->bytes += bytes;
	}
}

static long pace_wait(__u64 i, void *due)
{
	return bpf_ktime_get_ns() >= *(__u64 *)due;
}

/*
 * Busy-wait for the frame's slot. One BPF_PROG_RUN call is costly to set up
 * (the XDP dispatcher is updated twice, each time waiting for an RCU grace
 * period), so pacing by short calls from userspace cannot reach high rates;
 * the generator owns its CPU anyway. The kernel flushes transmits once per
 * live-frames batch, so userspace keeps that batch small when pacing.
 */
static __always_inline void pace(__u64 seq)
{
	__u64 rate = pace_rate, due;

	if (!rate)
		return;
	due = pace_t0 + (seq - pace_seq0) * 1000000000ull / rate;
	if (bpf_ktime_get_ns() < due)
		bpf_loop(1 << 22, pace_wait, &due, 0);
}

SEC("xdp")
int xdp_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 off = seq_off;
	__u32 *mac = data;
	__u64 seq;

	/* Userspace checked the offsets against the template; this keeps the
	 * verifier (and a wrong caller) honest.
	 */
	if (off > XP_GEN_FRAME_MAX || sport_off > XP_GEN_FRAME_MAX ||
	    data + off + XP_GEN_SEQ_LEN > data_end || data + 12 > data_end ||
	    data + sport_off + 2 > data_end) {
		count(XP_GEN_CNT_SHORT, 1, data_end - data);
		return XDP_DROP;
	}

	mac[0] = mac_words[0];
	mac[1] = mac_words[1];
	mac[2] = mac_words[2];

	seq = __sync_fetch_and_add(&xp_gen_seq, 1);
	*(__u64 *)(data + off) = bpf_cpu_to_be64(seq);

	if (nflows > 1)
		*(__u16 *)(data + sport_off) = bpf_htons((__u16)(sport_base + seq % nflows));

	pace(seq);

	count(XP_GEN_CNT_TX, 1, data_end - data);
	return XDP_TX;
}

/*
 * Live frames become devmap transmits back out of the ingress device, flushed
 * in bulk from the generator's own task, so the tracepoint fires in its
 * context: filter on our tgid and on from == to == our interface (a
 * receiver's redirect that runs in the same softirq has a different source).
 */
SEC("tp_btf/xdp_devmap_xmit")
int BPF_PROG(xp_gen_xmit, const struct net_device *from_dev, const struct net_device *to_dev,
	     int sent, int drops, int err)
{
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) != gen_tgid)
		return 0;
	if (from_dev->ifindex != (int)gen_ifindex || to_dev->ifindex != (int)gen_ifindex)
		return 0;
	if (sent > 0)
		count(XP_GEN_CNT_XMIT, sent, 0);
	if (drops > 0)
		count(XP_GEN_CNT_XMIT_DROP, drops, 0);
	return 0;
}
