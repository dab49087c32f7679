// SPDX-License-Identifier: GPL-2.0
/* xpctl qpn add|del|list: steer RoCEv2 destination QPNs to XSKMAP slots. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpctl.h"

#define QPN_MAX 0xffffffu /* 24 bits */

static const struct xpctl_opt no_opts[] = {
	{},
};

static const struct xpctl_opt list_opts[] = {
	{ "json", 'j', NULL, "print JSON" },
	{},
};

/* Parse options (none but the common ones) and check the argument count. */
static int qpn_args(const struct xpctl_cmd *cmd, int argc, char **argv, int nargs, bool *json)
{
	int c;

	while ((c = xpctl_getopt(cmd, argc, argv)) != -1) {
		if (c == 'j' && json) {
			*json = true;
			continue;
		}
		return xpctl_opt_exit(c);
	}
	if (argc - optind != nargs)
		return xpctl_bad_args(cmd, nargs == 1 ? "expected IFACE" :
					   nargs == 2 ? "expected IFACE QPN" :
							"expected IFACE QPN SLOT");
	return -1;
}

static struct xp_steer *open_iface(const char *ifname)
{
	int ifindex = xpctl_ifindex(ifname);

	return ifindex < 0 ? NULL : xp_steer_open(ifindex);
}

static int do_add(const struct xpctl_cmd *cmd, int argc, char **argv)
{
	struct xp_steer *steer;
	__u32 qpn, slot;
	int ret;

	ret = qpn_args(cmd, argc, argv, 3, NULL);
	if (ret >= 0)
		return ret;
	if (xpctl_parse_u32(argv[optind + 1], "QPN", QPN_MAX, &qpn) ||
	    xpctl_parse_u32(argv[optind + 2], "slot", XP_STEER_MAX_SLOTS - 1, &slot))
		return EXIT_FAILURE;
	steer = open_iface(argv[optind]);
	if (!steer)
		return EXIT_FAILURE;
	ret = xp_steer_add_qpn(steer, qpn, slot) ? EXIT_FAILURE : EXIT_SUCCESS;
	if (ret == EXIT_SUCCESS)
		printf("%s: QPN 0x%06x (%u) -> slot %u\n", argv[optind], qpn, qpn, slot);
	xp_steer_close(steer);
	return ret;
}

static int do_del(const struct xpctl_cmd *cmd, int argc, char **argv)
{
	struct xp_steer *steer;
	__u32 qpn;
	int ret;

	ret = qpn_args(cmd, argc, argv, 2, NULL);
	if (ret >= 0)
		return ret;
	if (xpctl_parse_u32(argv[optind + 1], "QPN", QPN_MAX, &qpn))
		return EXIT_FAILURE;
	steer = open_iface(argv[optind]);
	if (!steer)
		return EXIT_FAILURE;
	ret = xp_steer_del_qpn(steer, qpn) ? EXIT_FAILURE : EXIT_SUCCESS;
	if (ret == EXIT_SUCCESS)
		printf("%s: QPN 0x%06x (%u) no longer steered\n", argv[optind], qpn, qpn);
	xp_steer_close(steer);
	return ret;
}

struct qpn_row {
	__u32 qpn;
	__u32 slot;
};

static int cmp_row(const void *a, const void *b)
{
	const struct qpn_row *x = a, *y = b;

	return x->qpn < y->qpn ? -1 : x->qpn > y->qpn;
}

static int do_list(const struct xpctl_cmd *cmd, int argc, char **argv)
{
	__u32 *qpns = NULL, *slots = NULL;
	struct qpn_row *rows = NULL;
	struct xp_steer *steer;
	bool json = false;
	int ret, n, i;

	ret = qpn_args(cmd, argc, argv, 1, &json);
	if (ret >= 0)
		return ret;
	steer = open_iface(argv[optind]);
	if (!steer)
		return EXIT_FAILURE;
	ret = EXIT_FAILURE;
	qpns = calloc(XP_STEER_MAX_QPNS, sizeof(*qpns));
	slots = calloc(XP_STEER_MAX_QPNS, sizeof(*slots));
	rows = calloc(XP_STEER_MAX_QPNS, sizeof(*rows));
	if (!qpns || !slots || !rows) {
		xpctl_err("out of memory");
		goto out_free;
	}
	n = xp_steer_list_qpns(steer, qpns, slots, XP_STEER_MAX_QPNS);
	if (n < 0)
		goto out_free;
	if (n > XP_STEER_MAX_QPNS)
		n = XP_STEER_MAX_QPNS;
	for (i = 0; i < n; i++)
		rows[i] = (struct qpn_row){ qpns[i], slots[i] };
	qsort(rows, n, sizeof(*rows), cmp_row);

	if (json) {
		printf("[");
		for (i = 0; i < n; i++)
			printf("%s{\"qpn\":%u,\"slot\":%u}", i ? "," : "", rows[i].qpn,
			       rows[i].slot);
		printf("]\n");
	} else if (!n) {
		printf("%s: no QPNs steered (RoCEv2 goes to the slot of its rx queue)\n",
		       argv[optind]);
	} else {
		for (i = 0; i < n; i++)
			printf("qpn 0x%06x (%u) -> slot %u\n", rows[i].qpn, rows[i].qpn,
			       rows[i].slot);
	}
	ret = EXIT_SUCCESS;
out_free:
	free(rows);
	free(slots);
	free(qpns);
	xp_steer_close(steer);
	return ret;
}

static const struct xpctl_cmd qpn_cmds[] = {
	{ "qpn add", "IFACE QPN SLOT",
	  "Steer RoCEv2 packets for destination QPN (24 bits, decimal or 0x hex) to XSKMAP slot SLOT (0-255), replacing an earlier slot.",
	  no_opts, do_add },
	{ "qpn del", "IFACE QPN",
	  "Stop steering QPN; its packets go to their rx queue's slot again.", no_opts, do_del },
	{ "qpn list", "IFACE [--json]", "List the steered QPNs and their slots.", list_opts,
	  do_list },
};

static void qpn_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage:\n");
	for (i = 0; i < ARRAY_SIZE(qpn_cmds); i++)
		fprintf(f, "  xpctl %s %s\n", qpn_cmds[i].name, qpn_cmds[i].args);
	fprintf(f,
		"\nQPN: 0 to 0xffffff, decimal or 0x hex. SLOT: XSKMAP slot 0 to %d.\n"
		"xpctl qpn COMMAND --help describes each command.\n",
		XP_STEER_MAX_SLOTS - 1);
}

static int do_qpn(const struct xpctl_cmd *cmd, int argc, char **argv)
{
	static char prog[64];
	size_t i;

	if (argc < 2) {
		qpn_usage(stderr);
		return EXIT_FAILURE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		qpn_usage(stdout);
		return EXIT_SUCCESS;
	}
	for (i = 0; i < ARRAY_SIZE(qpn_cmds); i++) {
		if (strcmp(argv[1], qpn_cmds[i].name + 4))
			continue;
		snprintf(prog, sizeof(prog), "xpctl %s", qpn_cmds[i].name);
		argv[1] = prog;
		return qpn_cmds[i].run(&qpn_cmds[i], argc - 1, argv + 1);
	}
	xpctl_err("qpn: unknown command '%s'; use add, del or list (xpctl qpn --help)", argv[1]);
	return EXIT_FAILURE;
}

const struct xpctl_cmd xpctl_cmd_qpn = {
	.name = "qpn",
	.args = "add IFACE QPN SLOT | del IFACE QPN | list IFACE",
	.summary = "Steer RoCEv2 destination QPNs to AF_XDP socket slots.",
	.opts = no_opts,
	.run = do_qpn,
};
