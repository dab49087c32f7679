// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The steering program (bpf/xdp_steer.bpf.c) from userspace.
 *
 * Whatever attached the program (xpctl, ip link, bpftool, this library), the
 * maps we talk to are the ones the attached program uses: bpf_xdp_query()
 * gives the program id, its bpf_prog_info lists its map ids, and each map is
 * recognised by name and layout. Pin paths are never used, so two interfaces
 * loaded from the same object never share a map by accident.
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
#include <xdp/libxdp.h>

#include "xdp_private.h"
#include "xp_internal.h"
#include "xp_neigh.h"
#include "xp_steer.h"
#include "xdp_steer.skel.h"

/* libxdp names its multi-program dispatcher like this. */
#define XDP_DISPATCHER_NAME "xdp_dispatcher"

enum steer_map {
	MAP_XSKS,
	MAP_QPN,
	MAP_STATS,
	MAP_NR,
};

/* The layout each map of our program must have (include/xdpath/steer.h). */
static const struct {
	const char *name;
	__u32 type;
	__u32 key_size;
	__u32 value_size;
} map_abi[MAP_NR] = {
	[MAP_XSKS] = { XP_STEER_XSKS_MAP, BPF_MAP_TYPE_XSKMAP, sizeof(__u32), sizeof(__u32) },
	[MAP_QPN] = { XP_STEER_QPN_MAP, BPF_MAP_TYPE_HASH, sizeof(__u32),
		      sizeof(struct xp_qpn_entry) },
	[MAP_STATS] = { XP_STEER_STATS_MAP, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
			sizeof(struct xp_counter) },
};

struct steer_maps {
	int fd[MAP_NR]; /* -1 unless kept */
	__u32 id[MAP_NR];
	__u32 max_entries[MAP_NR];
};

struct xp_steer {
	int ifindex;
	__u32 prog_id;
	struct steer_maps maps;
};

/* libxdp's view of an interface's programs, NULL when it has none to give. */
static struct xdp_multiprog *multiprog_get(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);

	if (!mp || libxdp_get_error(mp))
		return NULL;
	return mp;
}

/* A valid ifindex in this namespace; its name goes to name (IF_NAMESIZE bytes). */
static int check_ifindex(const char *fn, int ifindex, char *name)
{
	if (ifindex <= 0) {
		pr_warn("%s: ifindex %d is invalid; pass a positive index (if_nametoindex())\n", fn,
			ifindex);
		return -EINVAL;
	}
	if (!if_indextoname(ifindex, name)) {
		pr_warn("%s: there is no interface with index %d in this network namespace\n", fn,
			ifindex);
		return -ENODEV;
	}
	return 0;
}

static void maps_init(struct steer_maps *m)
{
	int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < MAP_NR; i++)
		m->fd[i] = -1;
}

static void maps_close(struct steer_maps *m)
{
	int i;

	for (i = 0; i < MAP_NR; i++) {
		if (m->fd[i] >= 0)
			close(m->fd[i]);
		m->fd[i] = -1;
	}
}

/* Is map `idx` of our ABI laid out as include/xdpath/steer.h says? */
static bool map_abi_ok(int idx, const struct bpf_map_info *mi, const char *prog_desc)
{
	if (mi->type == map_abi[idx].type && mi->key_size == map_abi[idx].key_size &&
	    mi->value_size == map_abi[idx].value_size)
		return true;
	pr_debug(
		"%s: map '%s' (id %u) has type %u, key %u, value %u bytes; "
		"xdpath's ABI has type %u, key %u, value %u: built from another version of include/xdpath/steer.h\n",
		prog_desc, mi->name, mi->id, mi->type, mi->key_size, mi->value_size,
		map_abi[idx].type, map_abi[idx].key_size, map_abi[idx].value_size);
	return false;
}

/* One of our programs' names; *kdev for xdp_rxe's (bpf/xdp_rxe.bpf.c). */
static bool steer_prog_name(const char *name, bool *kdev)
{
	*kdev = !strcmp(name, XP_RXE_PROG_NAME) || !strcmp(name, XP_RXE_PROG_NAME_MB);
	return *kdev || !strcmp(name, XP_STEER_PROG_NAME) || !strcmp(name, XP_STEER_PROG_NAME_MB);
}

/*
 * Fill info (name, ours, map ids) for a program. With keep, the fds of our
 * three maps stay open in *maps (only when the program is ours).
 */
static int inspect_prog(int prog_fd, struct xp_steer_info *info, struct steer_maps *maps, bool keep)
{
	struct bpf_prog_info pi;
	struct bpf_map_info mi;
	struct steer_maps m;
	char desc[64];
	__u32 *ids = NULL;
	int err, idx, fd;
	bool kdev;

	maps_init(&m);
	err = xp_prog_info(prog_fd, &pi, &ids);
	if (err) {
		pr_warn("cannot read the information of BPF program fd %d: %s\n", prog_fd,
			strerror(-err));
		return err;
	}
	info->prog_id = pi.id;
	memcpy(info->prog_name, pi.name, sizeof(info->prog_name));
	info->prog_name[sizeof(info->prog_name) - 1] = '\0';
	info->ours = false;
	info->kernel_device = false;
	snprintf(desc, sizeof(desc), "program '%s' (id %u)", info->prog_name, pi.id);

	if (pi.type != BPF_PROG_TYPE_XDP || !steer_prog_name(info->prog_name, &kdev))
		goto out;

	for (idx = 0; idx < MAP_NR; idx++) {
		fd = xp_map_by_name(ids, pi.nr_map_ids, map_abi[idx].name, &mi);
		if (fd < 0) {
			pr_debug("%s: has no map '%s': not our steering program\n", desc,
				 map_abi[idx].name);
			goto out;
		}
		m.fd[idx] = fd;
		if (!map_abi_ok(idx, &mi, desc))
			goto out;
		m.id[idx] = mi.id;
		m.max_entries[idx] = mi.max_entries;
	}
	info->ours = true;
	info->kernel_device = kdev;
	info->xsks_map_id = m.id[MAP_XSKS];
	info->qpn_map_id = m.id[MAP_QPN];
	info->stats_map_id = m.id[MAP_STATS];
	if (keep) {
		*maps = m;
		maps_init(&m);
	}
out:
	maps_close(&m);
	free(ids);
	return 0;
}

int xp_steer_query(int ifindex, struct xp_steer_info *info)
{
	struct xp_xdp_attached at;
	char name[IF_NAMESIZE];
	int err;

	if (!info) {
		pr_warn("xp_steer_query: info is NULL; pass a struct xp_steer_info to fill\n");
		return -EINVAL;
	}
	memset(info, 0, sizeof(*info));
	err = check_ifindex("xp_steer_query", ifindex, name);
	if (err)
		return err;
	err = xp_xdp_open_attached(ifindex, &at);
	if (err || !at.prog_id)
		return err;
	err = inspect_prog(at.prog_fd, info, NULL, false);
	close(at.prog_fd);
	if (err)
		return err;
	info->prog_id = at.prog_id;
	info->mode = at.mode;
	return 0;
}

/*
 * One line about a program attached to an interface, for messages:
 * "'foo' (id 42, native mode)", listing the programs behind a libxdp
 * dispatcher when there is one.
 */
static void describe(int ifindex, const struct xp_steer_info *info, char *buf, size_t size)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	size_t n;
	int i = 0;

	n = snprintf(buf, size, "'%s' (id %u, %s mode", info->prog_name, info->prog_id,
		     xp_attach_mode_str(info->mode));
	if (n >= size || strcmp(info->prog_name, XDP_DISPATCHER_NAME))
		goto out;

	mp = multiprog_get(ifindex);
	if (!mp)
		goto out;
	if (!xdp_multiprog__is_legacy(mp)) {
		for (p = xdp_multiprog__next_prog(NULL, mp); p && n < size;
		     p = xdp_multiprog__next_prog(p, mp), i++)
			n += snprintf(buf + n, size - n, "%s'%s' id %u",
				      i ? ", " : ", a libxdp dispatcher running ",
				      xdp_program__name(p), xdp_program__id(p));
	}
	xdp_multiprog__close(mp);
out:
	if (n < size)
		snprintf(buf + n, size - n, ")");
}

/*
 * Load a fresh instance of xdp_steer, or of xdp_steer_mb when multi; returns
 * the program fd, owned by *skel or *obj.
 */
static int load_prog(const char *obj_path, bool multi, struct xdp_steer **skel,
		     struct bpf_object **obj)
{
	const char *want = multi ? XP_STEER_PROG_NAME_MB : XP_STEER_PROG_NAME;
	struct bpf_program *prog;
	int err;

	if (!obj_path) {
		*skel = xdp_steer__open();
		if (!*skel) {
			err = -errno;
			pr_warn("cannot open the built-in steering program: %s\n", strerror(-err));
			return err;
		}
		bpf_program__set_autoload((*skel)->progs.xdp_steer, !multi);
		bpf_program__set_autoload((*skel)->progs.xdp_steer_mb, multi);
		err = xdp_steer__load(*skel);
		if (err) {
			pr_warn("the kernel refused the steering program %s: %s; run with -v for libbpf's log (the verifier's reasons)\n",
				want, strerror(-err));
			return err;
		}
		return bpf_program__fd(multi ? (*skel)->progs.xdp_steer_mb :
					       (*skel)->progs.xdp_steer);
	}

	*obj = bpf_object__open_file(obj_path, NULL);
	err = libbpf_get_error(*obj);
	if (err) {
		*obj = NULL;
		pr_warn("cannot open BPF object %s: %s\n", obj_path, strerror(-err));
		return err;
	}
	prog = bpf_object__find_program_by_name(*obj, want);
	if (!prog) {
		pr_warn("%s has no program named '%s'; pass the xdp_steer.bpf.o that make builds (build/bpf/)\n",
			obj_path, want);
		return -ENOENT;
	}
	if (bpf_program__type(prog) != BPF_PROG_TYPE_XDP) {
		pr_warn("program '%s' in %s is not an XDP program (type %d)\n", want, obj_path,
			bpf_program__type(prog));
		return -EINVAL;
	}
	/* Only our program: other programs in the object stay unloaded. */
	bpf_object__for_each_program(prog, *obj)
		bpf_program__set_autoload(prog, !strcmp(bpf_program__name(prog), want));
	err = bpf_object__load(*obj);
	if (err) {
		pr_warn("the kernel refused %s: %s; run with -v for libbpf's log (the verifier's reasons)\n",
			obj_path, strerror(-err));
		return err;
	}
	prog = bpf_object__find_program_by_name(*obj, want);
	return bpf_program__fd(prog);
}

/* Whether to attach xdp_steer_mb: asked for, or the MTU calls for it. */
static int want_frags(int ifindex, const char *name, enum xp_steer_frags frags, bool *multi)
{
	unsigned int mtu;
	int err;

	switch (frags) {
	case XP_STEER_FRAGS_OFF:
	case XP_STEER_FRAGS_ON:
		*multi = frags == XP_STEER_FRAGS_ON;
		return 0;
	case XP_STEER_FRAGS_AUTO:
		break;
	default:
		pr_warn("xp_steer_attach: frags %d is unknown; use XP_STEER_FRAGS_AUTO, _OFF or _ON\n",
			frags);
		return -EINVAL;
	}
	err = xp_link_info(ifindex, NULL, &mtu); /* it says why it failed */
	if (err)
		return err;
	*multi = mtu > XP_STEER_SINGLE_BUF_MTU;
	if (*multi)
		pr_debug("%s: MTU %u is above %u: attaching %s (xdp.frags)\n", name, mtu,
			 XP_STEER_SINGLE_BUF_MTU, XP_STEER_PROG_NAME_MB);
	return 0;
}

/*
 * Attach prog_fd in `mode`. A program already there (old_fd, in old_mode)
 * is replaced atomically when the modes agree (XDP_FLAGS_REPLACE fails if
 * someone swapped it meanwhile); across modes it has to be detached first,
 * since the kernel never runs native and generic programs side by side, and
 * it is put back if the new one does not attach.
 */
static int attach_mode(int ifindex, int prog_fd, enum xp_attach_mode mode, int old_fd,
		       enum xp_attach_mode old_mode)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
	char name[IF_NAMESIZE];
	int err, err2;

	if (old_fd < 0)
		return bpf_xdp_attach(ifindex, prog_fd,
				      xp_attach_mode_flag(mode) | XDP_FLAGS_UPDATE_IF_NOEXIST,
				      NULL);

	ao.old_prog_fd = old_fd;
	if (old_mode == mode)
		return bpf_xdp_attach(ifindex, prog_fd, xp_attach_mode_flag(mode), &ao);

	err = bpf_xdp_detach(ifindex, xp_attach_mode_flag(old_mode), &ao);
	if (err)
		return err;
	err = bpf_xdp_attach(ifindex, prog_fd,
			     xp_attach_mode_flag(mode) | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (!err)
		return 0;
	err2 = bpf_xdp_attach(ifindex, old_fd,
			      xp_attach_mode_flag(old_mode) | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (err2)
		pr_warn("%s: could not put the previous XDP program back in %s mode: %s\n",
			xp_ifname(ifindex, name), xp_attach_mode_str(old_mode), strerror(-err2));
	return err;
}

static void explain_attach_error(int ifindex, enum xp_attach_mode mode, bool multi, int err)
{
	char name[IF_NAMESIZE];
	unsigned int mtu = 0;

	xp_ifname(ifindex, name);
	xp_link_info(ifindex, NULL, &mtu);
	if (!multi && mtu > XP_STEER_SINGLE_BUF_MTU && err != -EEXIST && err != -EBUSY) {
		pr_warn("%s: the driver refuses %s at MTU %u: frames may span several buffers there; attach %s (frags on, or auto) or lower the MTU to %u\n",
			name, XP_STEER_PROG_NAME, mtu, XP_STEER_PROG_NAME_MB,
			XP_STEER_SINGLE_BUF_MTU);
		return;
	}
	if (multi && err != -EEXIST && err != -EBUSY) {
		pr_warn("%s: attaching %s (xdp.frags, for MTU %u) in %s mode failed: %s; this driver or kernel may have no multi-buffer XDP (virtio-net before 6.3): lower the MTU to %u\n",
			name, XP_STEER_PROG_NAME_MB, mtu, xp_attach_mode_str(mode), strerror(-err),
			XP_STEER_SINGLE_BUF_MTU);
		return;
	}
	switch (err) {
	case -EOPNOTSUPP:
		pr_warn("%s: the driver does not support %s XDP; use --mode generic (or auto)\n",
			name, xp_attach_mode_str(mode));
		break;
	case -EEXIST:
		pr_warn("%s: another XDP program was attached while we were loading ours; look with xpctl status %s and retry\n",
			name, name);
		break;
	case -EBUSY:
		pr_warn("%s: the XDP program there is held by a bpf_link (bpftool link list shows it); netlink cannot replace it, its owner must release the link\n",
			name);
		break;
	default:
		pr_warn("%s: attaching the steering program in %s mode failed: %s\n", name,
			xp_attach_mode_str(mode), strerror(-err));
	}
}

int xp_steer_attach(int ifindex, const struct xp_steer_attach_opts *opts,
		    enum xp_attach_mode *mode_out)
{
	static const enum xp_attach_mode auto_modes[] = { XP_ATTACH_NATIVE, XP_ATTACH_GENERIC };
	enum xp_attach_mode mode, tried = XP_ATTACH_NATIVE;
	struct xp_steer_info cur, mine;
	struct xdp_steer *skel = NULL;
	struct bpf_object *obj = NULL;
	char name[IF_NAMESIZE], desc[256];
	const char *obj_path;
	int err, prog_fd, old_fd = -1;
	bool force, multi;
	size_t i;

	err = xp_opts_valid(opts, xp_steer_attach_opts);
	if (err)
		return err;
	err = check_ifindex("xp_steer_attach", ifindex, name);
	if (err)
		return err;
	mode = XP_OPTS_GET(opts, mode, XP_ATTACH_AUTO);
	force = XP_OPTS_GET(opts, force, false);
	obj_path = XP_OPTS_GET(opts, obj_path, NULL);
	if (mode != XP_ATTACH_AUTO && mode != XP_ATTACH_NATIVE && mode != XP_ATTACH_GENERIC) {
		pr_warn("xp_steer_attach: attach mode %d is unknown; use XP_ATTACH_AUTO, _NATIVE or _GENERIC\n",
			mode);
		return -EINVAL;
	}
	err = want_frags(ifindex, name, XP_OPTS_GET(opts, frags, XP_STEER_FRAGS_AUTO), &multi);
	if (err)
		return err;

	err = xp_steer_query(ifindex, &cur);
	if (err)
		return err;
	if (cur.prog_id) {
		if (cur.ours && (mode == XP_ATTACH_AUTO || mode == cur.mode)) {
			pr_debug("%s: steering program id %u already attached in %s mode\n", name,
				 cur.prog_id, xp_attach_mode_str(cur.mode));
			if (mode_out)
				*mode_out = cur.mode;
			return 0;
		}
		describe(ifindex, &cur, desc, sizeof(desc));
		if (!force) {
			if (cur.ours)
				pr_warn("%s already has xdpath's steering program %s attached, not in the %s mode asked for; detach it first (xpctl detach %s) or pass --force to replace it (its maps start empty)\n",
					name, desc, xp_attach_mode_str(mode), name);
			else
				pr_warn("%s already has XDP program %s attached; detach it (xpctl detach %s --force, or ip link set dev %s xdp off) or pass --force to replace it\n",
					name, desc, name, name);
			return -EEXIST;
		}
		old_fd = bpf_prog_get_fd_by_id(cur.prog_id);
		if (old_fd < 0 && errno != ENOENT) {
			err = -errno;
			pr_warn("cannot open the XDP program %s on %s to replace it: %s\n", desc,
				name, strerror(-err));
			return err;
		}
	}

	prog_fd = load_prog(obj_path, multi, &skel, &obj);
	if (prog_fd < 0) {
		err = prog_fd;
		goto out_unload;
	}
	if (obj_path) {
		memset(&mine, 0, sizeof(mine));
		err = inspect_prog(prog_fd, &mine, NULL, false);
		if (err)
			goto out_unload;
		if (!mine.ours) {
			pr_warn("%s: program '%s' does not use the maps of include/xdpath/steer.h (%s, %s, %s); rebuild it from bpf/xdp_steer.bpf.c (run with -v for the difference)\n",
				obj_path, XP_STEER_PROG_NAME, XP_STEER_XSKS_MAP, XP_STEER_QPN_MAP,
				XP_STEER_STATS_MAP);
			err = -EINVAL;
			goto out_unload;
		}
	}

	if (mode == XP_ATTACH_AUTO) {
		err = -EOPNOTSUPP;
		for (i = 0; i < ARRAY_SIZE(auto_modes); i++) {
			tried = auto_modes[i];
			err = attach_mode(ifindex, prog_fd, tried, old_fd, cur.mode);
			if (!err || err == -EEXIST || err == -EBUSY)
				break;
			pr_debug("%s: %s mode failed (%s), trying the next one\n", name,
				 xp_attach_mode_str(tried), strerror(-err));
		}
	} else {
		tried = mode;
		err = attach_mode(ifindex, prog_fd, mode, old_fd, cur.mode);
	}
	if (err) {
		explain_attach_error(ifindex, tried, multi, err);
		goto out_unload;
	}
	pr_debug("%s: steering program %s attached in %s mode\n", name,
		 multi ? XP_STEER_PROG_NAME_MB : XP_STEER_PROG_NAME, xp_attach_mode_str(tried));
	if (old_fd >= 0)
		pr_info("%s: replaced XDP program %s\n", name, desc);
	if (mode_out)
		*mode_out = tried;

	/* The attached program holds its maps; our references can go. */
out_unload:
	xdp_steer__destroy(skel);
	bpf_object__close(obj);
	if (old_fd >= 0)
		close(old_fd);
	return err;
}

int xp_steer_detach(int ifindex, bool force)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
	char name[IF_NAMESIZE], desc[256];
	struct xp_steer_info cur;
	struct xdp_multiprog *mp;
	int err, fd;

	err = check_ifindex("xp_steer_detach", ifindex, name);
	if (err)
		return err;
	err = xp_steer_query(ifindex, &cur);
	if (err)
		return err;
	if (!cur.prog_id) {
		pr_debug("%s: no XDP program attached, nothing to detach\n", name);
		return -ENOENT;
	}
	describe(ifindex, &cur, desc, sizeof(desc));
	if (!cur.ours && !force) {
		pr_warn("%s has XDP program %s attached, which is not xdpath's steering program; left in place. Pass --force to detach it anyway\n",
			name, desc);
		return -EEXIST;
	}

	/* A libxdp dispatcher keeps state in bpffs: let libxdp take it down. */
	if (!strcmp(cur.prog_name, XDP_DISPATCHER_NAME)) {
		mp = multiprog_get(ifindex);
		if (mp && !xdp_multiprog__is_legacy(mp)) {
			err = xdp_multiprog__detach(mp);
			xdp_multiprog__close(mp);
			if (err)
				pr_warn("%s: libxdp could not detach its dispatcher %s: %s\n", name,
					desc, strerror(-err));
			return err;
		}
		if (mp)
			xdp_multiprog__close(mp);
	}

	fd = bpf_prog_get_fd_by_id(cur.prog_id);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			return 0; /* went away meanwhile */
		pr_warn("cannot open XDP program %s on %s: %s\n", desc, name, strerror(-err));
		return err;
	}
	/* Detach exactly that program, not one swapped in since the query. */
	ao.old_prog_fd = fd;
	err = bpf_xdp_detach(ifindex, xp_attach_mode_flag(cur.mode), &ao);
	close(fd);
	if (err == -EEXIST)
		pr_warn("%s: the XDP program changed while detaching %s; look with xpctl status %s\n",
			name, desc, name);
	else if (err == -EBUSY)
		pr_warn("%s: XDP program %s is held by a bpf_link (bpftool link list shows it); its owner must release the link\n",
			name, desc);
	else if (err)
		pr_warn("%s: detaching XDP program %s failed: %s\n", name, desc, strerror(-err));
	return err;
}

struct xp_steer *xp_steer_open(int ifindex)
{
	char name[IF_NAMESIZE], desc[256];
	struct xp_xdp_attached at;
	struct xp_steer_info info;
	struct xp_steer *s;
	int err;

	err = check_ifindex("xp_steer_open", ifindex, name);
	if (err)
		goto out_err;
	err = xp_xdp_open_attached(ifindex, &at);
	if (err)
		goto out_err;
	if (!at.prog_id)
		goto out_none;
	s = calloc(1, sizeof(*s));
	if (!s) {
		err = -ENOMEM;
		goto out_close;
	}
	maps_init(&s->maps);
	memset(&info, 0, sizeof(info));
	err = inspect_prog(at.prog_fd, &info, &s->maps, true);
	if (err)
		goto out_free;
	if (!info.ours) {
		info.prog_id = at.prog_id;
		info.mode = at.mode;
		describe(ifindex, &info, desc, sizeof(desc));
		pr_warn("%s runs XDP program %s, not xdpath's steering program; attach ours with xpctl attach %s --force\n",
			name, desc, name);
		err = -EMEDIUMTYPE;
		goto out_free;
	}
	s->ifindex = ifindex;
	s->prog_id = at.prog_id;
	close(at.prog_fd);
	return s;

out_free:
	maps_close(&s->maps);
	free(s);
out_close:
	close(at.prog_fd);
out_err:
	errno = -err;
	return NULL;
out_none:
	pr_warn("%s has no XDP program attached; attach the steering program first (xpctl attach %s)\n",
		name, name);
	errno = ENOENT;
	return NULL;
}

void xp_steer_close(struct xp_steer *steer)
{
	if (!steer)
		return;
	maps_close(&steer->maps);
	free(steer);
}

static int check_steer(const char *fn, const struct xp_steer *steer)
{
	if (!steer) {
		pr_warn("%s: steer is NULL; get one from xp_steer_open()\n", fn);
		return -EINVAL;
	}
	return 0;
}

static int check_slot(const char *fn, const struct xp_steer *steer, __u32 slot)
{
	__u32 n = steer->maps.max_entries[MAP_XSKS];

	if (n > XP_STEER_MAX_SLOTS)
		n = XP_STEER_MAX_SLOTS;
	if (slot >= n) {
		pr_warn("%s: slot %u is out of range; the steering map has slots 0 to %u (XP_STEER_MAX_SLOTS %u)\n",
			fn, slot, n ? n - 1 : 0, XP_STEER_MAX_SLOTS);
		return -EINVAL;
	}
	return 0;
}

static int check_qpn(const char *fn, __u32 qpn)
{
	if (qpn > 0xffffff) {
		pr_warn("%s: QPN %u (0x%x) is out of range; a QPN has 24 bits (0 to 0xffffff)\n",
			fn, qpn, qpn);
		return -EINVAL;
	}
	return 0;
}

int xp_steer_set_xsk(struct xp_steer *steer, __u32 slot, int xsk_fd)
{
	int err;

	err = check_steer("xp_steer_set_xsk", steer);
	if (err)
		return err;
	err = check_slot("xp_steer_set_xsk", steer, slot);
	if (err)
		return err;
	if (xsk_fd < 0) {
		pr_warn("xp_steer_set_xsk: socket fd %d is invalid; pass the fd of a bound AF_XDP socket\n",
			xsk_fd);
		return -EINVAL;
	}
	if (bpf_map_update_elem(steer->maps.fd[MAP_XSKS], &slot, &xsk_fd, BPF_ANY)) {
		err = -errno;
		if (err == -EOPNOTSUPP || err == -ENOTSOCK)
			pr_warn("xp_steer_set_xsk: fd %d is not an AF_XDP socket (%s)\n", xsk_fd,
				strerror(-err));
		else
			pr_warn("xp_steer_set_xsk: cannot put socket fd %d into slot %u of map %s (id %u): %s\n",
				xsk_fd, slot, XP_STEER_XSKS_MAP, steer->maps.id[MAP_XSKS],
				strerror(-err));
		return err;
	}
	return 0;
}

int xp_steer_clear_xsk(struct xp_steer *steer, __u32 slot)
{
	int err;

	err = check_steer("xp_steer_clear_xsk", steer);
	if (err)
		return err;
	err = check_slot("xp_steer_clear_xsk", steer, slot);
	if (err)
		return err;
	if (bpf_map_delete_elem(steer->maps.fd[MAP_XSKS], &slot)) {
		err = -errno;
		if (err == -ENOENT)
			return 0; /* already empty */
		pr_warn("xp_steer_clear_xsk: cannot clear slot %u of map %s (id %u): %s\n", slot,
			XP_STEER_XSKS_MAP, steer->maps.id[MAP_XSKS], strerror(-err));
		return err;
	}
	return 0;
}

int xp_steer_add_qpn(struct xp_steer *steer, __u32 qpn, __u32 slot)
{
	struct xp_qpn_entry e = { .slot = slot };
	int err;

	err = check_steer("xp_steer_add_qpn", steer);
	if (err)
		return err;
	err = check_qpn("xp_steer_add_qpn", qpn);
	if (err)
		return err;
	err = check_slot("xp_steer_add_qpn", steer, slot);
	if (err)
		return err;
	if (bpf_map_update_elem(steer->maps.fd[MAP_QPN], &qpn, &e, BPF_ANY)) {
		err = -errno;
		if (err == -E2BIG || err == -ENOMEM)
			pr_warn("xp_steer_add_qpn: map %s (id %u) is full (%u QPNs); delete unused QPNs first\n",
				XP_STEER_QPN_MAP, steer->maps.id[MAP_QPN],
				steer->maps.max_entries[MAP_QPN]);
		else
			pr_warn("xp_steer_add_qpn: cannot add QPN 0x%06x to map %s (id %u): %s\n",
				qpn, XP_STEER_QPN_MAP, steer->maps.id[MAP_QPN], strerror(-err));
		return err;
	}
	return 0;
}

int xp_steer_del_qpn(struct xp_steer *steer, __u32 qpn)
{
	char name[IF_NAMESIZE];
	int err;

	err = check_steer("xp_steer_del_qpn", steer);
	if (err)
		return err;
	err = check_qpn("xp_steer_del_qpn", qpn);
	if (err)
		return err;
	if (bpf_map_delete_elem(steer->maps.fd[MAP_QPN], &qpn)) {
		err = -errno;
		if (err == -ENOENT)
			pr_warn("QPN 0x%06x is not steered on %s; qpn list shows the QPNs that are\n",
				qpn, xp_ifname(steer->ifindex, name));
		else
			pr_warn("xp_steer_del_qpn: cannot delete QPN 0x%06x from map %s (id %u): %s\n",
				qpn, XP_STEER_QPN_MAP, steer->maps.id[MAP_QPN], strerror(-err));
		return err;
	}
	return 0;
}

int xp_steer_list_qpns(struct xp_steer *steer, __u32 *qpns, __u32 *slots, int max)
{
	struct xp_qpn_entry e;
	__u32 key, next;
	int err, fd, n = 0;
	void *prev = NULL;

	err = check_steer("xp_steer_list_qpns", steer);
	if (err)
		return err;
	if (max < 0 || (max > 0 && !qpns)) {
		pr_warn("xp_steer_list_qpns: max %d with qpns %p; pass an array of max >= 0 entries (NULL only with max 0)\n",
			max, (void *)qpns);
		return -EINVAL;
	}
	fd = steer->maps.fd[MAP_QPN];
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &e)) {
			if (errno == ENOENT) /* deleted while we walk */
				continue;
			err = -errno;
			pr_warn("xp_steer_list_qpns: cannot read QPN 0x%06x from map %s (id %u): %s\n",
				key, XP_STEER_QPN_MAP, steer->maps.id[MAP_QPN], strerror(-err));
			return err;
		}
		if (n < max) {
			qpns[n] = key;
			if (slots)
				slots[n] = e.slot;
		}
		n++;
	}
	if (errno != ENOENT) {
		err = -errno;
		pr_warn("xp_steer_list_qpns: cannot walk map %s (id %u): %s\n", XP_STEER_QPN_MAP,
			steer->maps.id[MAP_QPN], strerror(-err));
		return err;
	}
	return n;
}

int xp_steer_read_counters(struct xp_steer *steer, struct xp_counter *out)
{
	char what[64];
	__u32 nr;
	int err;

	err = check_steer("xp_steer_read_counters", steer);
	if (err)
		return err;
	if (!out) {
		pr_warn("xp_steer_read_counters: out is NULL; pass an array of XP_CNT_MAX (%d) counters\n",
			XP_CNT_MAX);
		return -EINVAL;
	}
	memset(out, 0, XP_CNT_MAX * sizeof(*out));
	nr = steer->maps.max_entries[MAP_STATS];
	if (nr > XP_CNT_MAX)
		nr = XP_CNT_MAX;
	snprintf(what, sizeof(what), "xp_steer_read_counters: map %s (id %u)", XP_STEER_STATS_MAP,
		 steer->maps.id[MAP_STATS]);
	return xp_percpu_sum(steer->maps.fd[MAP_STATS], nr, sizeof(*out), out, what);
}
