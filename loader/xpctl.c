// SPDX-License-Identifier: GPL-2.0
/*
 * xpctl: attach the RoCEv2 steering program, look at it, steer QPNs.
 *
 *   xpctl [-v] COMMAND [ARGS]     xpctl COMMAND --help for each command
 *
 * Each command lives in its own file (cmd_*.c) with its table of options;
 * this file holds the command table, the option plumbing they share and
 * main(). The work itself is done by the library (user/lib/steer/xp_steer.h).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xp_log.h"
#include "xpctl.h"

#define MAX_OPTS 16

static const struct xpctl_cmd *const cmds[] = {
	&xpctl_cmd_attach, &xpctl_cmd_detach, &xpctl_cmd_status, &xpctl_cmd_stats, &xpctl_cmd_qpn,
};

/* Added to every command's own options. */
static const struct xpctl_opt common_opts[] = {
	{ "verbose", 'v', NULL, "show debug output, libbpf's and libxdp's included" },
	{ "help", 'h', NULL, "show this help" },
	{},
};

void xpctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("xpctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void print_opts(const struct xpctl_opt *o)
{
	char left[48];

	for (; o && o->name; o++) {
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->val, o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		printf("  %-26s %s\n", left, o->help);
	}
}

void xpctl_usage(const struct xpctl_cmd *cmd)
{
	printf("Usage: xpctl %s %s\n\n%s\n\nOptions:\n", cmd->name, cmd->args, cmd->summary);
	print_opts(cmd->opts);
	print_opts(common_opts);
}

int xpctl_bad_args(const struct xpctl_cmd *cmd, const char *what)
{
	xpctl_err("%s: %s; usage: xpctl %s %s (see xpctl %s --help)", cmd->name, what, cmd->name,
		  cmd->args, cmd->name);
	return EXIT_FAILURE;
}

static void add_opts(const struct xpctl_opt *o, struct option *lo, int *n, char *so, size_t *sn)
{
	for (; o && o->name && *n < MAX_OPTS; o++, (*n)++) {
		lo[*n] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL,
					  o->val };
		so[(*sn)++] = o->val;
		if (o->arg)
			so[(*sn)++] = ':';
	}
}

int xpctl_getopt(const struct xpctl_cmd *cmd, int argc, char **argv)
{
	static struct option lo[MAX_OPTS + 1];
	static char so[3 * MAX_OPTS + 1];
	static const struct xpctl_cmd *built;
	size_t sn = 0;
	int n = 0, c;

	if (built != cmd) {
		memset(lo, 0, sizeof(lo));
		memset(so, 0, sizeof(so));
		add_opts(cmd->opts, lo, &n, so, &sn);
		add_opts(common_opts, lo, &n, so, &sn);
		built = cmd;
		optind = 0; /* glibc: start over, argv is a new vector */
	}
	for (;;) {
		c = getopt_long(argc, argv, so, lo, NULL);
		switch (c) {
		case 'v':
			xp_set_log_level(XP_DEBUG);
			continue;
		case 'h':
			xpctl_usage(cmd);
			return XPCTL_OPT_HELP;
		case '?':
		case ':':
			fprintf(stderr, "Try 'xpctl %s --help'.\n", cmd->name);
			return XPCTL_OPT_ERR;
		default:
			return c;
		}
	}
}

int xpctl_opt_exit(int c)
{
	return c == XPCTL_OPT_HELP ? EXIT_SUCCESS : EXIT_FAILURE;
}

int xpctl_ifindex(const char *name)
{
	unsigned int idx;

	if (strlen(name) >= IF_NAMESIZE) {
		xpctl_err("no interface named '%s' (names have at most %d characters)", name,
			  IF_NAMESIZE - 1);
		return -ENODEV;
	}
	idx = if_nametoindex(name);
	if (!idx) {
		if (errno == ENODEV || errno == ENXIO)
			xpctl_err("no interface named '%s' (ip link lists those that exist)", name);
		else
			xpctl_err("cannot look up interface '%s': %s", name, strerror(errno));
		return -ENODEV;
	}
	return (int)idx;
}

int xpctl_one_iface(const struct xpctl_cmd *cmd, int argc, char **argv, const char **ifname)
{
	if (argc - optind != 1) {
		xpctl_bad_args(cmd, "expected one interface");
		return -EINVAL;
	}
	*ifname = argv[optind];
	return xpctl_ifindex(*ifname);
}

int xpctl_parse_u32(const char *s, const char *what, __u32 max, __u32 *out)
{
	const char *digits = s;
	unsigned long long v;
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		digits = s + 2;
	}
	/* strtoull takes blanks and a sign in front: insist on a digit. */
	if (base == 16 ? !isxdigit((unsigned char)*digits) : !isdigit((unsigned char)*digits))
		goto out_nan;
	errno = 0;
	v = strtoull(digits, &end, base);
	if (*end)
		goto out_nan;
	if (errno || v > max) {
		xpctl_err("%s %s is out of range: it goes from 0 to %u (0x%x)", what, s, max, max);
		return -ERANGE;
	}
	*out = (__u32)v;
	return 0;

out_nan:
	xpctl_err("%s '%s' is not a number; write it in decimal or as 0x hex", what, s);
	return -EINVAL;
}

void xpctl_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void main_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: xpctl [-v] COMMAND [ARGS]\n\n"
		   "Attach xdpath's RoCEv2 steering XDP program and manage it.\n\nCommands:\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-8s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(f, "\nxpctl COMMAND --help shows a command's arguments and options.\n"
		   "-v, --verbose before or after COMMAND shows debug output.\n");
}

int main(int argc, char **argv)
{
	static char prog[64];
	const char *name;
	size_t i;

	xp_log_capture_libbpf();
	setvbuf(stdout, NULL, _IOLBF, 0);

	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose")) {
			xp_set_log_level(XP_DEBUG);
		} else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			main_usage(stdout);
			return EXIT_SUCCESS;
		} else {
			xpctl_err("unknown option '%s' before the command; see xpctl --help",
				  argv[1]);
			return EXIT_FAILURE;
		}
		argc--;
		argv++;
	}
	if (argc < 2) {
		main_usage(stderr);
		return EXIT_FAILURE;
	}
	name = argv[1];
	if (!strcmp(name, "help")) {
		if (argc < 3) {
			main_usage(stdout);
			return EXIT_SUCCESS;
		}
		name = argv[2];
		for (i = 0; i < ARRAY_SIZE(cmds); i++) {
			if (!strcmp(name, cmds[i]->name)) {
				xpctl_usage(cmds[i]);
				return EXIT_SUCCESS;
			}
		}
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(name, cmds[i]->name))
			continue;
		/* getopt's messages then start with "xpctl attach:". */
		snprintf(prog, sizeof(prog), "xpctl %s", cmds[i]->name);
		argv[1] = prog;
		return cmds[i]->run(cmds[i], argc - 1, argv + 1);
	}
	xpctl_err(
		"unknown command '%s'; the commands are attach, detach, status, stats and qpn (xpctl --help)",
		name);
	return EXIT_FAILURE;
}
