// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Our XDP programs as the kernel shows them (xp_xdp.h, xdp_private.h):
 * which program is attached to an interface and in which mode, a program's
 * maps found by name through its bpf_prog_info, and per-CPU counters
 * summed. Nothing here goes through pin paths: an interface's maps are
 * always those of the program attached to it.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_private.h"
#include "xp_internal.h"
#include "xp_xdp.h"

const char *xp_attach_mode_str(enum xp_attach_mode mode)
{
	switch (mode) {
	case XP_ATTACH_NATIVE:
		return "native";
	case XP_ATTACH_GENERIC:
		return "generic";
	default:
		return "auto";
	}
}

__u32 xp_attach_mode_flag(enum xp_attach_mode mode)
{
	return mode == XP_ATTACH_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

int xp_xdp_query(int ifindex, __u32 *prog_id, enum xp_attach_mode *mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char name[IF_NAMESIZE];
	int err;

	*prog_id = 0;
	*mode = XP_ATTACH_AUTO;
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err) {
		pr_warn("cannot query the XDP program of %s: %s\n", xp_ifname(ifindex, name),
			strerror(-err));
		return err;
	}
	/* The kernel refuses native and generic programs side by side. */
	if (q.drv_prog_id) {
		*prog_id = q.drv_prog_id;
		*mode = XP_ATTACH_NATIVE;
	} else if (q.skb_prog_id) {
		*prog_id = q.skb_prog_id;
		*mode = XP_ATTACH_GENERIC;
	}
	if (q.hw_prog_id)
		pr_debug("%s: ignoring hardware-offloaded XDP program id %u\n",
			 xp_ifname(ifindex, name), q.hw_prog_id);
	return 0;
}

int xp_xdp_open_attached(int ifindex, struct xp_xdp_attached *at)
{
	char name[IF_NAMESIZE];
	int err;

	at->prog_fd = -1;
	err = xp_xdp_query(ifindex, &at->prog_id, &at->mode);
	if (err || !at->prog_id)
		return err;
	at->prog_fd = bpf_prog_get_fd_by_id(at->prog_id);
	if (at->prog_fd < 0) {
		err = -errno;
		at->prog_fd = -1;
		if (err == -ENOENT) { /* detached since the query */
			at->prog_id = 0;
			return 0;
		}
		pr_warn("%s: cannot open XDP program id %u: %s\n", xp_ifname(ifindex, name),
			at->prog_id, strerror(-err));
		return err;
	}
	return 0;
}

/* Two calls: the first tells how many maps there are. */
int xp_prog_info(int prog_fd, struct bpf_prog_info *info, __u32 **map_ids)
{
	__u32 len = sizeof(*info), nr;
	__u32 *ids;
	int err;

	memset(info, 0, sizeof(*info));
	err = bpf_obj_get_info_by_fd(prog_fd, info, &len);
	if (err)
		return -errno;
	nr = info->nr_map_ids;
	ids = calloc(nr ? nr : 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	memset(info, 0, sizeof(*info));
	info->nr_map_ids = nr;
	info->map_ids = (__u64)(unsigned long)ids;
	len = sizeof(*info);
	err = bpf_obj_get_info_by_fd(prog_fd, info, &len);
	if (err) {
		err = -errno;
		free(ids);
		return err;
	}
	/* Maps may have been added meanwhile (never for a loaded program). */
	if (info->nr_map_ids > nr)
		info->nr_map_ids = nr;
	*map_ids = ids;
	return 0;
}

int xp_map_by_name(const __u32 *ids, __u32 nr, const char *name, struct bpf_map_info *info)
{
	__u32 len, i;
	int fd;

	for (i = 0; i < nr; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0) {
			pr_debug("cannot open map id %u: %s\n", ids[i], strerror(errno));
			continue;
		}
		memset(info, 0, sizeof(*info));
		len = sizeof(*info);
		if (bpf_obj_get_info_by_fd(fd, info, &len)) {
			pr_debug("cannot read map id %u: %s\n", ids[i], strerror(errno));
			close(fd);
			continue;
		}
		if (!strcmp(info->name, name))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

int xp_percpu_sum(int map_fd, __u32 nr, size_t value_size, void *out, const char *what)
{
	size_t words = value_size / sizeof(__u64), w;
	__u64 *sum = out, *vals;
	int ncpus, cpu, err = 0;
	__u32 key;

	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		err = ncpus ?: -EINVAL;
		pr_warn("cannot tell the number of possible CPUs: %s\n", strerror(-err));
		return err;
	}
	/* Per-CPU values come back 8-byte aligned; ours are made of __u64s. */
	vals = calloc(ncpus, value_size);
	if (!vals)
		return -ENOMEM;
	memset(out, 0, nr * value_size);
	for (key = 0; key < nr; key++, sum += words) {
		if (bpf_map_lookup_elem(map_fd, &key, vals)) {
			err = -errno;
			pr_warn("%s: cannot read counter %u: %s\n", what, key, strerror(-err));
			break;
		}
		for (cpu = 0; cpu < ncpus; cpu++)
			for (w = 0; w < words; w++)
				sum[w] += vals[cpu * words + w];
	}
	free(vals);
	return err;
}
