/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * ABI of the traffic generator (bpf/xdp_gen.bpf.c) and of the in-kernel
 * reference programs (bpf/xdp_ref.bpf.c): frame layout, the payload pattern
 * receivers verify, program and map names, counter indexes.
 *
 * A generated frame, in order (all multi-byte fields in network order):
 *
 *   Ethernet          dst MAC, src MAC, ethertype
 *   [802.1Q tag]      optional, one tag
 *   IPv4 | IPv6       IPv4: DF, TTL 64, correct header checksum
 *   UDP               dst port 4791, checksum 0 (as RoCEv2 senders do)
 *   BTH               opcode, P_Key 0xffff, TVer 0, dest QPN, PSN
 *   [DETH]            only for UD opcodes (0x60..0x7f): Q_Key, source QPN
 *   sequence number   XP_GEN_SEQ_LEN bytes, big-endian, stamped per frame
 *   pattern           byte k (k = 0 right after the sequence number) is
 *                     XP_GEN_PATTERN(k), up to the end of the frame
 *
 * The frames carry no ICRC and no BTH pad: they exercise packet paths (steering,
 * AF_XDP rings, copies), not an RDMA transport that checks ICRC.
 *
 * The generator rewrites, on every frame, exactly these fields: both MAC
 * addresses, the sequence number, and (with more than one flow) the UDP source
 * port = base + seq % flows. Everything else is the template as built by
 * userspace. Live frames recycle pages, and a receiver may have changed the
 * page (an l2fwd swaps MACs), so the program never relies on old contents of
 * a field it varies.
 */
#ifndef XDPATH_GEN_H
#define XDPATH_GEN_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define XP_GEN_SEQ_LEN 8
#define XP_GEN_PATTERN(k) ((__u8)((k)*7 + 3))

/*
 * Frame sizes count from the first byte of the destination MAC to the last
 * payload byte (no FCS). The smallest frame is the headers plus the sequence
 * number, but never less than XP_GEN_FRAME_MIN.
 *
 * The largest: BPF_PROG_RUN with live frames refuses anything above
 * PAGE_SIZE - XDP_PACKET_HEADROOM (256) - sizeof(struct xdp_page_head) (112)
 * - SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) (320) on 6.18 x86_64 with
 * 4 KiB pages, which is 3408.
 */
#define XP_GEN_FRAME_MIN 60
#define XP_GEN_FRAME_MAX 3408
/*
 * The largest frame a template holds: a 9000-byte MTU with an 802.1Q tag.
 * Only AF_XDP senders with multi-buffer frames (xp-bench txonly -M) go
 * above XP_GEN_FRAME_MAX.
 */
#define XP_GEN_TEMPLATE_MAX 9018
#define XP_GEN_FRAME_DEFAULT 64

/* BTH opcodes the generator is usually asked for (IBTA vol. 1, 9.2). */
#define XP_GEN_OP_RC_SEND_ONLY 0x04
#define XP_GEN_OP_UD_SEND_ONLY 0x64
/* UD opcodes (0x60..0x7f) carry a DETH after the BTH. */
#define XP_GEN_OP_IS_UD(op) (((op)&0xe0) == 0x60)
#define XP_GEN_DETH_LEN 8

/* Names as the kernel reports them (15 characters at most). */
#define XP_GEN_PROG_NAME "xdp_gen"
#define XP_GEN_STATS_MAP "xp_gen_stats"

/* xp_gen_stats: per-CPU array of struct xp_gen_counter, indexed as below. */
enum xp_gen_counter_idx {
	/* frames stamped and returned with XDP_TX; bytes as built */
	XP_GEN_CNT_TX = 0,
	/* frames the driver accepted (tracepoint xdp:xdp_devmap_xmit) */
	XP_GEN_CNT_XMIT = 1,
	/* frames the driver refused: ring full, frame above the MTU, or (veth)
	 * a peer without an XDP program
	 */
	XP_GEN_CNT_XMIT_DROP = 2,
	/* template shorter than the offsets the program was given: XDP_DROP */
	XP_GEN_CNT_SHORT = 3,
	XP_GEN_CNT_MAX = 4,
};

struct xp_gen_counter {
	__u64 packets;
	__u64 bytes;
};

/*
 * Reference programs: one object, three programs, each counting into its own
 * slot of one per-CPU array map. An instance is loaded per attach, so the
 * counters of an interface start at zero when its program is attached.
 */
#define XP_REF_PROG_DROP "xdp_ref_drop"
#define XP_REF_PROG_TX "xdp_ref_tx"
#define XP_REF_PROG_PASS "xdp_ref_pass"
#define XP_REF_STATS_MAP "xp_ref_stats"

enum xp_ref_kind {
	XP_REF_DROP = 0, /* count, XDP_DROP (rxdrop reference) */
	XP_REF_TX = 1, /* swap MACs, count, XDP_TX (l2fwd reference) */
	XP_REF_PASS = 2, /* count, XDP_PASS */
	XP_REF_KIND_MAX = 3,
};

/* xp_ref_stats indexes: enum xp_ref_kind, then frames too short to swap. */
#define XP_REF_CNT_SHORT 3
#define XP_REF_CNT_MAX 4

#endif /* XDPATH_GEN_H */
