/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * ABI between the steering programs (bpf/xdp_steer.bpf.c, and
 * bpf/xdp_rxe.bpf.c in front of the xp_rxe kernel device) and userspace:
 * map names, map layouts,
 * counter indexes and drop reasons. Numbers here are stable: a drop reason
 * or counter index, once released, is never reused for something else.
 */
#ifndef XDPATH_STEER_H
#define XDPATH_STEER_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* RoCEv2 is BTH over UDP to this destination port (IBTA Annex A17). */
#define XP_ROCEV2_UDP_PORT 4791

/*
 * Names as the kernel reports them in bpf_prog_info / bpf_map_info
 * (BPF_OBJ_NAME_LEN, 15 characters at most). Userspace finds the maps of a
 * program attached to an interface through these names.
 */
#define XP_STEER_PROG_NAME "xdp_steer"
/* The same program in SEC("xdp.frags"), for frames of several buffers. */
#define XP_STEER_PROG_NAME_MB "xdp_steer_mb"
/* The program for the xp_rxe kernel device (docs/rxe.md), and its xdp.frags twin. */
#define XP_RXE_PROG_NAME "xdp_rxe"
#define XP_RXE_PROG_NAME_MB "xdp_rxe_mb"
#define XP_STEER_XSKS_MAP "xp_xsks"
#define XP_STEER_QPN_MAP "xp_qpn"
#define XP_STEER_STATS_MAP "xp_stats"

/* xp_xsks: XSKMAP indexed by slot; by default slot == rx queue index. */
#define XP_STEER_MAX_SLOTS 256
/* xp_qpn: hash of destination QPN (24 bits) -> struct xp_qpn_entry. */
#define XP_STEER_MAX_QPNS 16384

struct xp_qpn_entry {
	__u32 slot; /* XSKMAP slot that receives this QPN's packets */
};

/* Drop reasons. Never renumber, never reuse a retired number. */
enum xp_drop_reason {
	XP_DROP_NONE = 0, /* not a drop; never counted */
	XP_DROP_SHORT_BTH = 1, /* frame or UDP datagram ends inside the BTH */
	XP_DROP_BTH_VERSION = 2, /* BTH transport header version is not 0 */
	XP_DROP_IPV4_FRAGMENT = 3, /* RoCEv2 in a first IPv4 fragment (offset 0, MF) */
	XP_DROP_UDP_LENGTH = 4, /* UDP length disagrees with the IP payload */
	XP_DROP_IPV6_FRAGMENT = 5, /* RoCEv2 behind an IPv6 fragment header */
	XP_DROP_REASON_MAX, /* one past the last reason in use */
};

/* xp_stats: per-CPU array of struct xp_counter, indexed as below. */
enum xp_steer_counter {
	XP_CNT_PASSED = 0, /* handed to the kernel stack (XDP_PASS) */
	XP_CNT_REDIRECTED = 1, /* redirected to an AF_XDP socket */
	XP_CNT_REDIRECT_FAILED = 2, /* RoCEv2, but no socket in the slot: passed */
	XP_CNT_KDEV = 3, /* xdp_rxe: taken by the xp_rxe device (kfunc) */
	XP_CNT_KDEV_DECLINED = 4, /* xdp_rxe: RoCEv2 the device did not take: passed */
	/* 5..15 reserved for future verdict counters */
	XP_CNT_DROP_BASE = 16, /* XP_CNT_DROP_BASE + enum xp_drop_reason */
	XP_CNT_MAX = 48,
};

#define XP_CNT_DROP(reason) (XP_CNT_DROP_BASE + (reason))

_Static_assert(XP_CNT_DROP(XP_DROP_REASON_MAX) <= XP_CNT_MAX, "counter array too small");

struct xp_counter {
	__u64 packets;
	__u64 bytes;
};

#ifndef __bpf__
static inline const char *xp_drop_reason_str(unsigned int reason)
{
	switch (reason) {
	case XP_DROP_SHORT_BTH:
		return "short_bth";
	case XP_DROP_BTH_VERSION:
		return "bth_version";
	case XP_DROP_IPV4_FRAGMENT:
		return "ipv4_fragment";
	case XP_DROP_UDP_LENGTH:
		return "udp_length";
	case XP_DROP_IPV6_FRAGMENT:
		return "ipv6_fragment";
	default:
		return NULL;
	}
}

/* Name of a counter index (drops by their reason), NULL if unused. */
static inline const char *xp_steer_counter_str(unsigned int idx)
{
	switch (idx) {
	case XP_CNT_PASSED:
		return "passed";
	case XP_CNT_REDIRECTED:
		return "redirected";
	case XP_CNT_REDIRECT_FAILED:
		return "redirect_failed";
	case XP_CNT_KDEV:
		return "kernel_device";
	case XP_CNT_KDEV_DECLINED:
		return "kernel_device_declined";
	}
	return idx >= XP_CNT_DROP_BASE ? xp_drop_reason_str(idx - XP_CNT_DROP_BASE) : NULL;
}
#endif

#endif /* XDPATH_STEER_H */
