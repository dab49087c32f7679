// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The in-kernel reference programs (xp_ref.h, bpf/xdp_ref.bpf.c) that the
 * AF_XDP benchmarks compare against. Each attach loads a fresh instance;
 * its counters are found through the program attached to the interface.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_private.h"
#include "xp_internal.h"
#include "xp_ref.h"
#include "xdp_ref.skel.h"

static const char *const ref_prog_names[XP_REF_KIND_MAX] = {
	[XP_REF_DROP] = XP_REF_PROG_DROP,
	[XP_REF_TX] = XP_REF_PROG_TX,
	[XP_REF_PASS] = XP_REF_PROG_PASS,
};

static const char *const ref_kind_names[XP_REF_KIND_MAX] = {
	[XP_REF_DROP] = "drop",
	[XP_REF_TX] = "tx",
	[XP_REF_PASS] = "pass",
};

const char *xp_ref_kind_str(enum xp_ref_kind kind)
{
	return (unsigned int)kind < XP_REF_KIND_MAX ? ref_kind_names[kind] : "unknown";
}

int xp_ref_kind_parse(const char *name)
{
	int i;

	for (i = 0; name && i < XP_REF_KIND_MAX; i++)
		if (!strcmp(name, ref_kind_names[i]))
			return i;
	return -EINVAL;
}

/* What is attached to an interface, and whether it is one of our references. */
struct ref_attached {
	char ifname[IF_NAMESIZE];
	__u32 prog_id; /* 0: nothing */
	enum xp_attach_mode mode;
	char name[BPF_OBJ_NAME_LEN];
	int kind; /* enum xp_ref_kind, or -1: not a reference */
	int stats_fd; /* xp_ref_stats of that program, when asked for */
};

/* Is this map the counters of a reference program? */
static bool ref_stats_ok(const struct bpf_map_info *mi)
{
	return mi->type == BPF_MAP_TYPE_PERCPU_ARRAY &&
	       mi->value_size == sizeof(struct xp_gen_counter) && mi->max_entries >= XP_REF_CNT_MAX;
}

/* Check ifindex, then look at what is attached to it. */
static int ref_query(int ifindex, struct ref_attached *at, bool want_stats)
{
	struct xp_xdp_attached xa;
	struct bpf_prog_info info;
	struct bpf_map_info mi;
	__u32 *ids = NULL;
	int err, fd, i;

	memset(at, 0, sizeof(*at));
	at->kind = -1;
	at->stats_fd = -1;
	err = xp_ifindex_name(ifindex, at->ifname);
	if (err)
		return err;
	err = xp_xdp_open_attached(ifindex, &xa);
	if (err || !xa.prog_id)
		return err;
	at->prog_id = xa.prog_id;
	at->mode = xa.mode;

	err = xp_prog_info(xa.prog_fd, &info, &ids);
	if (err) {
		pr_warn("%s: cannot read XDP program id %u: %s\n", at->ifname, at->prog_id,
			strerror(-err));
		goto out_close;
	}
	snprintf(at->name, sizeof(at->name), "%s", info.name);
	for (i = 0; i < XP_REF_KIND_MAX; i++)
		if (!strcmp(info.name, ref_prog_names[i]))
			break;
	if (i == XP_REF_KIND_MAX)
		goto out_free;
	fd = xp_map_by_name(ids, info.nr_map_ids, XP_REF_STATS_MAP, &mi);
	if (fd < 0)
		goto out_free;
	if (!ref_stats_ok(&mi)) {
		close(fd);
		goto out_free;
	}
	at->kind = i;
	if (want_stats)
		at->stats_fd = fd;
	else
		close(fd);
out_free:
	free(ids);
out_close:
	close(xa.prog_fd);
	return err;
}

int xp_ref_attach(int ifindex, enum xp_ref_kind kind, enum xp_attach_mode mode, bool force)
{
	static const enum xp_attach_mode auto_modes[] = { XP_ATTACH_NATIVE, XP_ATTACH_GENERIC };
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
	enum xp_attach_mode modes[2];
	struct bpf_program *prog;
	struct ref_attached cur;
	struct xdp_ref *skel;
	const char *name;
	int err, prog_fd, old_fd = -1, ntry, i;

	if ((unsigned int)kind >= XP_REF_KIND_MAX) {
		pr_warn("reference kind %d is unknown; use drop, tx or pass\n", kind);
		return -EINVAL;
	}
	if (mode != XP_ATTACH_AUTO && mode != XP_ATTACH_NATIVE && mode != XP_ATTACH_GENERIC) {
		pr_warn("attach mode %d is unknown; use auto, native or generic\n", mode);
		return -EINVAL;
	}
	err = ref_query(ifindex, &cur, false);
	if (err)
		return err;
	name = cur.ifname;
	if (cur.prog_id && !force) {
		pr_warn("%s already has XDP program %s (id %u, %s mode) attached; detach it first (xp-ref detach %s%s) or pass --force to replace it\n",
			name, cur.name, cur.prog_id, xp_attach_mode_str(cur.mode), name,
			cur.kind < 0 ? " --force" : "");
		return -EEXIST;
	}

	skel = xdp_ref__open_and_load();
	if (!skel) {
		err = -errno;
		pr_warn("loading the reference programs failed: %s; run as root, -v shows the verifier's log\n",
			strerror(-err));
		return err;
	}
	prog = kind == XP_REF_DROP ? skel->progs.xdp_ref_drop :
	       kind == XP_REF_TX   ? skel->progs.xdp_ref_tx :
				     skel->progs.xdp_ref_pass;
	prog_fd = bpf_program__fd(prog);

	if (cur.prog_id) {
		old_fd = bpf_prog_get_fd_by_id(cur.prog_id);
		if (old_fd < 0 && errno != ENOENT) {
			err = -errno;
			pr_warn("%s: cannot open XDP program id %u to replace it: %s\n", name,
				cur.prog_id, strerror(-err));
			goto out_destroy;
		}
	}

	if (mode == XP_ATTACH_AUTO) {
		/* Stay in the mode of the program we replace, else native first. */
		if (old_fd >= 0) {
			modes[0] = cur.mode;
			ntry = 1;
		} else {
			memcpy(modes, auto_modes, sizeof(modes));
			ntry = 2;
		}
	} else {
		modes[0] = mode;
		ntry = 1;
	}

	if (old_fd >= 0 && modes[0] != cur.mode) {
		/* Native and generic never coexist: take the old one off first. */
		ao.old_prog_fd = old_fd;
		err = bpf_xdp_detach(ifindex, xp_attach_mode_flag(cur.mode), &ao);
		if (err) {
			pr_warn("%s: detaching XDP program id %u failed: %s\n", name, cur.prog_id,
				strerror(-err));
			goto out_close;
		}
		close(old_fd);
		old_fd = -1;
	}

	err = -EOPNOTSUPP;
	for (i = 0; i < ntry; i++) {
		if (old_fd >= 0) {
			/* Same mode: replace atomically, and only that program. */
			ao.old_prog_fd = old_fd;
			err = bpf_xdp_attach(ifindex, prog_fd, xp_attach_mode_flag(modes[i]), &ao);
		} else {
			err = bpf_xdp_attach(
				ifindex, prog_fd,
				xp_attach_mode_flag(modes[i]) | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
		}
		if (!err || err == -EEXIST || err == -EBUSY)
			break;
		pr_debug("%s: attaching in %s mode failed (%s)\n", name,
			 xp_attach_mode_str(modes[i]), strerror(-err));
	}
	if (err == -EOPNOTSUPP)
		pr_warn("%s: the driver does not support %s XDP; use --generic\n", name,
			xp_attach_mode_str(modes[ntry - 1]));
	else if (err == -EEXIST)
		pr_warn("%s: another XDP program was attached meanwhile; look with ip link show %s and retry\n",
			name, name);
	else if (err == -EBUSY)
		pr_warn("%s: its XDP program is held by a bpf_link (bpftool link list shows it); its owner must release it\n",
			name);
	else if (err)
		pr_warn("%s: attaching %s failed: %s\n", name, ref_prog_names[kind],
			strerror(-err));
	else
		pr_debug("%s: %s attached in %s mode\n", name, ref_prog_names[kind],
			 xp_attach_mode_str(modes[i]));

	/* The attached program holds its map; our references can go. */
out_close:
	if (old_fd >= 0)
		close(old_fd);
out_destroy:
	xdp_ref__destroy(skel);
	return err;
}

int xp_ref_detach(int ifindex, bool force)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
	struct ref_attached cur;
	int err, fd;

	err = ref_query(ifindex, &cur, false);
	if (err)
		return err;
	if (!cur.prog_id)
		return -ENOENT;
	if (cur.kind < 0 && !force) {
		pr_warn("%s has XDP program %s (id %u) attached, which is not a reference program; left in place. Pass --force to detach it anyway\n",
			cur.ifname, cur.name, cur.prog_id);
		return -EEXIST;
	}
	fd = bpf_prog_get_fd_by_id(cur.prog_id);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	ao.old_prog_fd = fd; /* exactly that program, not one swapped in since */
	err = bpf_xdp_detach(ifindex, xp_attach_mode_flag(cur.mode), &ao);
	close(fd);
	if (err)
		pr_warn("%s: detaching XDP program %s (id %u) failed: %s\n", cur.ifname, cur.name,
			cur.prog_id, strerror(-err));
	return err;
}

int xp_ref_read(int ifindex, struct xp_ref_stats *st)
{
	char what[IF_NAMESIZE + BPF_OBJ_NAME_LEN + 2];
	struct ref_attached cur;
	int err;

	if (!st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	err = ref_query(ifindex, &cur, true);
	if (err)
		return err;
	if (!cur.prog_id)
		return -ENOENT;
	if (cur.kind < 0)
		return -EMEDIUMTYPE;
	st->prog_id = cur.prog_id;
	st->kind = cur.kind;
	st->mode = cur.mode;

	snprintf(what, sizeof(what), "%s: %s", cur.ifname, cur.name);
	err = xp_percpu_sum(cur.stats_fd, XP_REF_CNT_MAX, sizeof(st->cnt[0]), st->cnt, what);
	close(cur.stats_fd);
	return err;
}
