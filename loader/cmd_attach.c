// SPDX-License-Identifier: GPL-2.0
/* xpctl attach / detach: put the steering program on an interface, take it off. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpctl.h"

static const struct xpctl_opt attach_opts[] = {
	{ "mode", 'm', "MODE", "native, generic or auto (native, else generic); default auto" },
	{ "force", 'f', NULL, "replace another XDP program attached to IFACE" },
	{ "obj", 'o', "FILE", "load xdp_steer from FILE instead of the built-in copy" },
	{ "frags", 'F', "WHEN",
	  "on: xdp_steer_mb (xdp.frags, frames of several buffers), off: xdp_steer, auto: on above MTU 3500; default auto" },
	{},
};

static int parse_mode(const char *s, enum xp_attach_mode *mode)
{
	if (!strcmp(s, "native") || !strcmp(s, "drv")) {
		*mode = XP_ATTACH_NATIVE;
	} else if (!strcmp(s, "generic") || !strcmp(s, "skb")) {
		*mode = XP_ATTACH_GENERIC;
	} else if (!strcmp(s, "auto")) {
		*mode = XP_ATTACH_AUTO;
	} else {
		xpctl_err("attach mode '%s' is unknown; use native, generic or auto", s);
		return -EINVAL;
	}
	return 0;
}

static int parse_frags(const char *s, enum xp_steer_frags *frags)
{
	if (!strcmp(s, "on")) {
		*frags = XP_STEER_FRAGS_ON;
	} else if (!strcmp(s, "off")) {
		*frags = XP_STEER_FRAGS_OFF;
	} else if (!strcmp(s, "auto")) {
		*frags = XP_STEER_FRAGS_AUTO;
	} else {
		xpctl_err("--frags '%s' is unknown; use on, off or auto", s);
		return -EINVAL;
	}
	return 0;
}

static int do_attach(const struct xpctl_cmd *cmd, int argc, char **argv)
{
	struct xp_steer_attach_opts opts = { .sz = sizeof(opts) };
	struct xp_steer_info before, after;
	enum xp_attach_mode mode;
	const char *ifname;
	int c, ifindex, err;

	while ((c = xpctl_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'm':
			if (parse_mode(optarg, &opts.mode))
				return EXIT_FAILURE;
			break;
		case 'f':
			opts.force = true;
			break;
		case 'o':
			opts.obj_path = optarg;
			break;
		case 'F':
			if (parse_frags(optarg, &opts.frags))
				return EXIT_FAILURE;
			break;
		default:
			return xpctl_opt_exit(c);
		}
	}
	ifindex = xpctl_one_iface(cmd, argc, argv, &ifname);
	if (ifindex < 0)
		return EXIT_FAILURE;

	if (xp_steer_query(ifindex, &before))
		return EXIT_FAILURE;
	err = xp_steer_attach(ifindex, &opts, &mode);
	if (err)
		return EXIT_FAILURE;
	if (xp_steer_query(ifindex, &after))
		return EXIT_FAILURE;
	if (after.prog_id && after.prog_id == before.prog_id)
		printf("%s: steering program %s already attached (id %u), %s mode\n", ifname,
		       after.prog_name, after.prog_id, xp_attach_mode_str(mode));
	else
		printf("%s: steering program %s attached (id %u), %s mode\n", ifname,
		       after.prog_name, after.prog_id, xp_attach_mode_str(mode));
	return EXIT_SUCCESS;
}

static const struct xpctl_opt detach_opts[] = {
	{ "force", 'f', NULL, "detach whatever XDP program is attached, even a foreign one" },
	{},
};

static int do_detach(const struct xpctl_cmd *cmd, int argc, char **argv)
{
	struct xp_steer_info info;
	bool force = false;
	const char *ifname;
	int c, ifindex, err;

	while ((c = xpctl_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		default:
			return xpctl_opt_exit(c);
		}
	}
	ifindex = xpctl_one_iface(cmd, argc, argv, &ifname);
	if (ifindex < 0)
		return EXIT_FAILURE;

	if (xp_steer_query(ifindex, &info))
		return EXIT_FAILURE;
	err = xp_steer_detach(ifindex, force);
	if (err == -ENOENT) {
		printf("%s: no XDP program attached; nothing to detach\n", ifname);
		return EXIT_SUCCESS;
	}
	if (err)
		return EXIT_FAILURE;
	printf("%s: detached XDP program '%s' (id %u, %s mode)\n", ifname, info.prog_name,
	       info.prog_id, xp_attach_mode_str(info.mode));
	return EXIT_SUCCESS;
}

const struct xpctl_cmd xpctl_cmd_attach = {
	.name = "attach",
	.args = "IFACE [--mode native|generic|auto] [--frags on|off|auto] [--force] [--obj FILE]",
	.summary = "Attach the RoCEv2 steering program to IFACE (a no-op if it is already there).",
	.opts = attach_opts,
	.run = do_attach,
};

const struct xpctl_cmd xpctl_cmd_detach = {
	.name = "detach",
	.args = "IFACE [--force]",
	.summary = "Detach the steering program from IFACE; a foreign program only with --force.",
	.opts = detach_opts,
	.run = do_detach,
};
