/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Traffic for the benchmarks: RoCEv2 template frames and the check a
 * receiver runs on what arrived (pkt_template.c), and a generator that
 * sends them from the kernel (BPF_PROG_RUN with live frames,
 * bpf/xdp_gen.bpf.c; pktgen.c). The addresses a template needs from the
 * system come from xp_neigh.h; the in-kernel sinks the benchmarks compare
 * against are in xp_ref.h.
 *
 * Frame layout, pattern and counters: include/xdpath/gen.h.
 */
#ifndef XP_PKTGEN_H
#define XP_PKTGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <linux/types.h>

#include <xdpath/gen.h>

#define XP_PKTGEN_DEFAULT_SRC_PORT 0xc000 /* rxe's source port range */
#define XP_PKTGEN_DEFAULT_QPN 17 /* rxe's first QP number */
#define XP_PKTGEN_DEFAULT_TTL 64

union xp_pktgen_addr {
	struct in_addr v4;
	struct in6_addr v6;
};

/*
 * What to build. Zero selects the default given on each field, so
 * `LIBBPF_OPTS(xp_pktgen_template_opts, o, .frame_size = 128)` style
 * initialisation works (struct with .sz = sizeof).
 */
struct xp_pktgen_template_opts {
	size_t sz;
	__u8 dst_mac[6];
	__u8 src_mac[6];
	int family; /* AF_INET (default) or AF_INET6 */
	union xp_pktgen_addr src_ip;
	union xp_pktgen_addr dst_ip;
	__u16 vlan_id; /* 1..4094 adds one 802.1Q tag; 0: untagged */
	__u8 vlan_prio; /* PCP, 0..7 */
	__u8 ttl; /* IPv4 TTL / IPv6 hop limit; 0: 64 */
	__u8 tos; /* IPv4 TOS / IPv6 traffic class */
	__u16 src_port; /* 0: 0xc000; first port when flows > 1 */
	__u16 dst_port; /* 0: 4791 */
	__u32 flows; /* source ports src_port .. src_port + flows - 1; 0: 1 */
	__u8 opcode; /* BTH opcode; 0: RC SEND_ONLY (0x04) */
	__u32 dest_qpn; /* 24 bits; 0: 17 */
	__u32 psn; /* 24 bits */
	__u32 qkey; /* DETH Q_Key (UD opcodes only) */
	__u32 src_qpn; /* DETH source QP (UD opcodes only); 0: 17 */
	__u32 frame_size; /* bytes without FCS; 0: 64 */
	size_t : 0;
};
#define xp_pktgen_template_opts__last_field frame_size

/* A built template. Read-only for users; xp_pktgen_build() fills it. */
struct xp_pktgen_template {
	__u8 data[XP_GEN_TEMPLATE_MAX];
	__u32 len;
	__u16 l3_off; /* IP header */
	__u16 l4_off; /* UDP header */
	__u16 bth_off;
	__u16 seq_off; /* XP_GEN_SEQ_LEN bytes, big-endian */
	__u16 pattern_off; /* first byte of the pattern; == len when none */
	__u16 src_port; /* base UDP source port */
	__u32 flows;
	int family;
	__u16 vlan_id;
};

/* Smallest frame_size the given options allow (headers + sequence number). */
int xp_pktgen_min_size(const struct xp_pktgen_template_opts *opts);

/* Build a template. 0 or -EINVAL with a message naming the bad option. */
int xp_pktgen_build(struct xp_pktgen_template *t, const struct xp_pktgen_template_opts *opts);

/* Sequence number of a generated frame; -EBADMSG if the frame is too short. */
int xp_pktgen_seq(const struct xp_pktgen_template *t, const void *frame, size_t len, __u64 *seq);

/* Also compare the MAC addresses with the template's. */
#define XP_PKTGEN_VERIFY_MACS (1U << 0)
/* Also compare them, expecting them swapped (the frame went through an l2fwd). */
#define XP_PKTGEN_VERIFY_SWAPPED_MACS (1U << 1)

/*
 * Check a received frame against the template: the same length, and every
 * byte after the two MAC addresses equal to the template, except the
 * sequence number (returned in *seq, may be NULL) and, with several flows,
 * the UDP source port, which must be the one the generator wrote for that
 * sequence number. 0 when it matches, -EBADMSG when not (no message: a
 * receiver calls this per frame).
 */
int xp_pktgen_verify_flags(const struct xp_pktgen_template *t, const void *frame, size_t len,
			   __u64 *seq, unsigned int flags);

static inline int xp_pktgen_verify(const struct xp_pktgen_template *t, const void *frame,
				   size_t len, __u64 *seq)
{
	return xp_pktgen_verify_flags(t, frame, len, seq, 0);
}

/* Generator: one loaded instance of xdp_gen bound to an interface. */
struct xp_pktgen;

struct xp_pktgen_opts {
	size_t sz;
	/* First sequence number stamped (continues from there across runs). */
	__u64 first_seq;
	size_t : 0;
};
#define xp_pktgen_opts__last_field first_seq

/*
 * Load the generator for a template, to transmit out of ifindex. The
 * interface is looked up in the caller's network namespace, as BPF_PROG_RUN
 * does. NULL with errno set on failure.
 */
struct xp_pktgen *xp_pktgen_create(int ifindex, const struct xp_pktgen_template *t,
				   const struct xp_pktgen_opts *opts);
void xp_pktgen_destroy(struct xp_pktgen *gen);

struct xp_pktgen_run_opts {
	size_t sz;
	__u64 count; /* stop after this many frames; 0: no limit */
	__u64 duration_ns; /* stop after this long; 0: no limit */
	__u64 rate_pps; /* 0: as fast as the CPU goes */
	__u32 batch; /* at most this many frames per BPF_PROG_RUN call; 0: 1 << 24 */
	__u32 kernel_batch; /* live-frames batch_size, 1..256; 0: 64, less when paced */
	size_t : 0;
};
#define xp_pktgen_run_opts__last_field kernel_batch

struct xp_pktgen_result {
	__u64 generated; /* frames stamped and returned XDP_TX */
	__u64 bytes; /* their bytes */
	__u64 sent; /* frames the driver accepted */
	__u64 xmit_dropped; /* frames the driver refused */
	bool xmit_counted; /* sent/xmit_dropped are known (tracepoint attached) */
	__u64 elapsed_ns;
};

/*
 * Generate until count frames, duration or xp_pktgen_stop(). Without a count
 * or a duration it runs until stopped. Fills *res even on error.
 * A call at a time per generator; different generators may run in parallel.
 */
int xp_pktgen_run(struct xp_pktgen *gen, const struct xp_pktgen_run_opts *opts,
		  struct xp_pktgen_result *res);

/* Make a running xp_pktgen_run() return soon. Async-signal-safe. */
void xp_pktgen_stop(struct xp_pktgen *gen);

#endif /* XP_PKTGEN_H */
