/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reference programs (bpf/xdp_ref.bpf.c): the in-kernel sinks the AF_XDP
 * benchmarks compare against. Each attach loads a fresh instance with its
 * own counters; the counters are always found through the program attached
 * to the interface, whoever attached it (this library or
 * `ip link ... xdp obj xdp_ref.bpf.o program xdp_ref_drop`).
 *
 * Program and map names, counter indexes: include/xdpath/gen.h.
 */
#ifndef XP_REF_H
#define XP_REF_H

#include <stdbool.h>
#include <linux/types.h>

#include <xdpath/gen.h>

#include "xp_xdp.h" /* enum xp_attach_mode */

const char *xp_ref_kind_str(enum xp_ref_kind kind);
/* "drop", "tx", "pass" -> kind; -EINVAL otherwise. */
int xp_ref_kind_parse(const char *name);

/*
 * Attach reference `kind` to ifindex. Refuses (-EEXIST, with a message
 * naming it) to replace a program that is attached already, unless force.
 */
int xp_ref_attach(int ifindex, enum xp_ref_kind kind, enum xp_attach_mode mode, bool force);

/*
 * Detach a reference program from ifindex. -ENOENT when nothing is
 * attached; -EEXIST when the program is not one of ours, unless force.
 */
int xp_ref_detach(int ifindex, bool force);

struct xp_ref_stats {
	__u32 prog_id;
	enum xp_ref_kind kind; /* which reference is attached */
	enum xp_attach_mode mode;
	struct xp_gen_counter cnt[XP_REF_CNT_MAX]; /* summed over CPUs */
};

/*
 * Counters of the reference attached to ifindex. -ENOENT when nothing is
 * attached, -EMEDIUMTYPE when the attached program is not a reference.
 */
int xp_ref_read(int ifindex, struct xp_ref_stats *st);

#endif /* XP_REF_H */
