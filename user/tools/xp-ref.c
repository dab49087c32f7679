// SPDX-License-Identifier: GPL-2.0
/*
 * xp-ref: attach, read and detach the in-kernel reference programs
 * (bpf/xdp_ref.bpf.c) that the AF_XDP benchmarks compare against.
 *
 *   xp-ref attach IFACE drop|tx|pass [--generic|--native] [--force]
 *   xp-ref stats IFACE [-d SECONDS] [--json]
 *   xp-ref detach IFACE [--force]
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xp_log.h"
#include "xp_ref.h"

static const char *prog = "xp-ref";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s attach IFACE drop|tx|pass [--generic|--native] [--force]\n"
		"       %s stats IFACE [-d SECONDS] [--json]\n"
		"       %s detach IFACE [--force]\n"
		"\n"
		"In-kernel references for the benchmarks: drop counts and drops (rxdrop),\n"
		"tx swaps the MAC addresses and sends the frame back (l2fwd), pass counts\n"
		"and hands the frame to the stack. Counters start at zero on attach.\n"
		"\n"
		"  --generic        attach in skb (generic) mode\n"
		"  --native         attach in driver mode only (default: native, else generic)\n"
		"  --force          replace or remove a program that is not ours\n"
		"  -d, --duration   stats: count for SECONDS and print the rates\n"
		"  --json           stats: one JSON object\n"
		"  -v, --verbose    debug messages\n",
		prog, prog, prog);
}

static const struct option long_opts[] = {
	{ "generic", no_argument, NULL, 'g' }, { "native", no_argument, NULL, 'N' },
	{ "force", no_argument, NULL, 'f' },   { "duration", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },    { "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },    {},
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_stats(const char *iface, int ifindex, struct xp_ref_stats *st)
{
	int err = xp_ref_read(ifindex, st);

	if (err == -ENOENT)
		fprintf(stderr,
			"%s: %s has no XDP program attached; attach one first (%s attach %s drop)\n",
			prog, iface, prog, iface);
	else if (err == -EMEDIUMTYPE)
		fprintf(stderr,
			"%s: the XDP program on %s is not a reference program (xdp_ref_drop, _tx, _pass); it has no counters we know\n",
			prog, iface);
	return err;
}

static int cmd_stats(const char *iface, int ifindex, double duration, bool json)
{
	struct xp_ref_stats a, b;
	struct timespec ts;
	double t0, t1, secs;
	__u64 pk, by;
	int err;

	err = read_stats(iface, ifindex, &a);
	if (err)
		return err;
	if (duration <= 0) {
		pk = a.cnt[a.kind].packets;
		by = a.cnt[a.kind].bytes;
		if (json)
			printf("{\"iface\":\"%s\",\"kind\":\"%s\",\"prog_id\":%u,\"mode\":\"%s\",\"packets\":%llu,\"bytes\":%llu,\"short\":%llu}\n",
			       iface, xp_ref_kind_str(a.kind), a.prog_id,
			       xp_attach_mode_str(a.mode), (unsigned long long)pk,
			       (unsigned long long)by,
			       (unsigned long long)a.cnt[XP_REF_CNT_SHORT].packets);
		else
			printf("%s: xdp_ref_%s (id %u, %s): %llu packets, %llu bytes, %llu too short\n",
			       iface, xp_ref_kind_str(a.kind), a.prog_id,
			       xp_attach_mode_str(a.mode), (unsigned long long)pk,
			       (unsigned long long)by,
			       (unsigned long long)a.cnt[XP_REF_CNT_SHORT].packets);
		return 0;
	}

	t0 = now_s();
	ts.tv_sec = (time_t)duration;
	ts.tv_nsec = (long)((duration - ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	err = read_stats(iface, ifindex, &b);
	t1 = now_s();
	if (err)
		return err;
	if (b.prog_id != a.prog_id) {
		fprintf(stderr,
			"%s: the program on %s changed during the measurement (id %u -> %u); measure again\n",
			prog, iface, a.prog_id, b.prog_id);
		return -EAGAIN;
	}
	secs = t1 - t0;
	pk = b.cnt[b.kind].packets - a.cnt[a.kind].packets;
	by = b.cnt[b.kind].bytes - a.cnt[a.kind].bytes;
	if (json)
		printf("{\"iface\":\"%s\",\"kind\":\"%s\",\"prog_id\":%u,\"mode\":\"%s\",\"elapsed_s\":%.6f,\"packets\":%llu,\"bytes\":%llu,\"pps\":%.0f,\"bps\":%.0f}\n",
		       iface, xp_ref_kind_str(b.kind), b.prog_id, xp_attach_mode_str(b.mode), secs,
		       (unsigned long long)pk, (unsigned long long)by, pk / secs, by * 8 / secs);
	else
		printf("%s: xdp_ref_%s: %llu packets in %.3f s: %.3f Mpps, %.3f Gbit/s\n", iface,
		       xp_ref_kind_str(b.kind), (unsigned long long)pk, secs, pk / secs / 1e6,
		       by * 8 / secs / 1e9);
	return 0;
}

int main(int argc, char **argv)
{
	enum xp_attach_mode mode = XP_ATTACH_AUTO;
	bool force = false, json = false;
	const char *cmd, *iface;
	double duration = 0;
	int opt, ifindex, kind = -1, err;
	char *end;

	xp_log_capture_libbpf();
	while ((opt = getopt_long(argc, argv, "d:vh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'g':
			mode = XP_ATTACH_GENERIC;
			break;
		case 'N':
			mode = XP_ATTACH_NATIVE;
			break;
		case 'f':
			force = true;
			break;
		case 'd':
			errno = 0;
			duration = strtod(optarg, &end);
			if (errno || *end || !(duration > 0) || duration > 1e6) {
				fprintf(stderr,
					"%s: --duration '%s' is not a number of seconds in (0, 1000000]\n",
					prog, optarg);
				return EXIT_FAILURE;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'v':
			xp_set_log_level(XP_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (argc - optind < 2) {
		usage(stderr);
		return EXIT_FAILURE;
	}
	cmd = argv[optind];
	iface = argv[optind + 1];
	if (strcmp(cmd, "attach") && strcmp(cmd, "stats") && strcmp(cmd, "detach")) {
		fprintf(stderr, "%s: unknown command '%s'; use attach, stats or detach\n", prog,
			cmd);
		return EXIT_FAILURE;
	}
	if (!strcmp(cmd, "attach")) {
		if (argc - optind != 3) {
			fprintf(stderr, "%s: attach needs IFACE and one of drop, tx, pass\n", prog);
			return EXIT_FAILURE;
		}
		kind = xp_ref_kind_parse(argv[optind + 2]);
		if (kind < 0) {
			fprintf(stderr, "%s: reference '%s' is unknown; use drop, tx or pass\n",
				prog, argv[optind + 2]);
			return EXIT_FAILURE;
		}
	} else if (argc - optind != 2) {
		fprintf(stderr, "%s: unexpected argument '%s' after %s %s\n", prog,
			argv[optind + 2], cmd, iface);
		return EXIT_FAILURE;
	}
	ifindex = if_nametoindex(iface);
	if (!ifindex) {
		fprintf(stderr,
			"%s: there is no interface '%s' in this network namespace; run %s inside the interface's namespace (ip netns exec NS %s ...)\n",
			prog, iface, prog, prog);
		return EXIT_FAILURE;
	}

	if (!strcmp(cmd, "attach")) {
		err = xp_ref_attach(ifindex, kind, mode, force);
	} else if (!strcmp(cmd, "detach")) {
		err = xp_ref_detach(ifindex, force);
		if (err == -ENOENT) { /* idempotent, like ip link set dev X xdp off */
			fprintf(stderr, "%s: %s has no XDP program attached; nothing to detach\n",
				prog, iface);
			err = 0;
		}
	} else {
		err = cmd_stats(iface, ifindex, duration, json);
	}
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
