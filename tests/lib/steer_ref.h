/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference for bpf/xdp_steer in plain C, written from docs/steer.md
 * rather than from the BPF code, for differential tests: feed a frame to
 * both and they must agree on the verdict, the XSKMAP slot and the counter.
 *
 * The rules (docs/steer.md): Ethernet with at most one VLAN tag (802.1Q or
 * 802.1ad), IPv4 (IHL honoured) or IPv6 with up to 8 extension headers
 * (hop-by-hop, routing, destination options, AH, fragment), UDP to port
 * 4791, a 12-byte BTH. Anything that is not recognisably RoCEv2 goes to
 * the kernel; RoCEv2 that is a first fragment, ends inside the BTH, has a
 * UDP length beyond the IP payload or a BTH version other than 0 is
 * dropped with that reason; the rest goes to the slot its destination QPN
 * is mapped to, else to the slot of its rx queue.
 */
#ifndef XT_STEER_REF_H
#define XT_STEER_REF_H

#include <stddef.h>
#include <linux/types.h>

#include <xdpath/steer.h>

enum xt_steer_class {
	XT_STEER_OTHER, /* to the kernel: XP_CNT_PASSED */
	XT_STEER_ROCE, /* to a slot: REDIRECTED or REDIRECT_FAILED */
	XT_STEER_DROP, /* dropped: XP_CNT_DROP(drop) */
};

struct xt_steer_verdict {
	enum xt_steer_class cls;
	__u32 dest_qpn; /* XT_STEER_ROCE */
	enum xp_drop_reason drop; /* XT_STEER_DROP */
};

/* Classify frame[0..len) the way xdp_steer must. */
void xt_steer_ref(const __u8 *frame, size_t len, struct xt_steer_verdict *v);

#endif /* XT_STEER_REF_H */
