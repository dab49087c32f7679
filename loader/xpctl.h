/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xpctl's private interface: the subcommand table, option handling shared by
 * every subcommand, and argument parsers that print what was wrong.
 */
#ifndef XPCTL_H
#define XPCTL_H

#include <stdbool.h>
#include <linux/types.h>

#include "xp_steer.h"

/* One option of a subcommand; the tables end with an all-zero entry. */
struct xpctl_opt {
	const char *name; /* long name */
	int val; /* short letter (and getopt's return value) */
	const char *arg; /* NULL: takes no argument; else its name in --help */
	const char *help;
};

struct xpctl_cmd {
	const char *name;
	const char *args; /* positional arguments, for usage lines */
	const char *summary;
	const struct xpctl_opt *opts; /* --help and --verbose are added */
	int (*run)(const struct xpctl_cmd *cmd, int argc, char **argv);
};

/* getopt_long over cmd's options, after --help and --verbose are handled. */
#define XPCTL_OPT_HELP -2 /* --help was printed: exit with success */
#define XPCTL_OPT_ERR -3 /* a bad option was reported: exit with failure */
int xpctl_getopt(const struct xpctl_cmd *cmd, int argc, char **argv);
/* The exit status for XPCTL_OPT_HELP / XPCTL_OPT_ERR (and any other value). */
int xpctl_opt_exit(int c);

void xpctl_usage(const struct xpctl_cmd *cmd);
/* Report wrong positional arguments; returns EXIT_FAILURE. */
int xpctl_bad_args(const struct xpctl_cmd *cmd, const char *what);

void xpctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Interface name -> index, "no interface named 'x'" when there is none. */
int xpctl_ifindex(const char *name);
/*
 * For commands that take one interface and nothing else: after the options,
 * its index, with its name in *ifname; < 0 when that was wrong (reported).
 */
int xpctl_one_iface(const struct xpctl_cmd *cmd, int argc, char **argv, const char **ifname);
/* Decimal or 0x-hex number up to max, named `what` in messages. */
int xpctl_parse_u32(const char *s, const char *what, __u32 max, __u32 *out);

/* Print s as a JSON string, quoted and escaped. */
void xpctl_json_str(const char *s);

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

extern const struct xpctl_cmd xpctl_cmd_attach;
extern const struct xpctl_cmd xpctl_cmd_detach;
extern const struct xpctl_cmd xpctl_cmd_status;
extern const struct xpctl_cmd xpctl_cmd_stats;
extern const struct xpctl_cmd xpctl_cmd_qpn;

#endif /* XPCTL_H */
