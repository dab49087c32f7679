// SPDX-License-Identifier: GPL-2.0
/*
 * xpctl stats: the steering program's counters, once or as per-second rates
 * every interval. Counters are per-CPU in the kernel; the library sums them.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xpctl.h"

struct stats_args {
	const char *ifname;
	int ifindex;
	struct xp_steer_info info;
	bool json;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static const struct xpctl_opt stats_opts[] = {
	{ "interval", 'i', "SECONDS", "print per-second rates every SECONDS until Ctrl-C" },
	{ "count", 'c', "COUNT", "with --interval: stop after COUNT intervals" },
	{ "json", 'j', NULL, "print JSON (one object per line with --interval)" },
	{},
};

/*
 * Name of counter idx ("passed", a drop reason, ...); NULL for an unused
 * reserved index. Indexes the ABI does not know yet get a numbered name.
 */
static const char *counter_name(unsigned int idx, char *buf, size_t size, bool *drop)
{
	const char *s;

	*drop = idx >= XP_CNT_DROP_BASE;
	if (idx == XP_CNT_DROP(XP_DROP_NONE))
		return NULL;
	s = xp_steer_counter_str(idx);
	if (s)
		return s;
	if (*drop)
		snprintf(buf, size, "reason_%u", idx - XP_CNT_DROP_BASE);
	else
		snprintf(buf, size, "counter_%u", idx);
	return buf;
}

/* Known counters always show; others only when they counted something. */
static bool shown(unsigned int idx, const struct xp_counter *c)
{
	bool drop;
	char buf[32];
	const char *name = counter_name(idx, buf, sizeof(buf), &drop);

	if (!name)
		return false;
	return name != buf || c->packets || c->bytes;
}

static void print_json_value(const struct xp_counter *c, double secs)
{
	if (secs > 0)
		printf("{\"packets_per_sec\":%.1f,\"bytes_per_sec\":%.1f}", c->packets / secs,
		       c->bytes / secs);
	else
		printf("{\"packets\":%llu,\"bytes\":%llu}", (unsigned long long)c->packets,
		       (unsigned long long)c->bytes);
}

/* secs > 0: c holds deltas over secs seconds, printed as rates. */
static void print_json(const struct stats_args *a, const struct xp_counter *c, double secs)
{
	unsigned int i, n;
	char buf[32];
	const char *name;
	bool drop;

	printf("{\"ifname\":");
	xpctl_json_str(a->ifname);
	printf(",\"ifindex\":%d,\"prog_id\":%u,\"mode\":\"%s\"", a->ifindex, a->info.prog_id,
	       xp_attach_mode_str(a->info.mode));
	if (secs > 0)
		printf(",\"interval\":%.3f", secs);
	for (i = 0; i < XP_CNT_DROP_BASE; i++) {
		if (!shown(i, &c[i]))
			continue;
		name = counter_name(i, buf, sizeof(buf), &drop);
		printf(",\"%s\":", name);
		print_json_value(&c[i], secs);
	}
	printf(",\"dropped\":{");
	for (i = XP_CNT_DROP_BASE, n = 0; i < XP_CNT_MAX; i++) {
		if (!shown(i, &c[i]))
			continue;
		name = counter_name(i, buf, sizeof(buf), &drop);
		printf("%s\"%s\":", n++ ? "," : "", name);
		print_json_value(&c[i], secs);
	}
	printf("}}\n");
}

static void print_text(const struct stats_args *a, const struct xp_counter *c)
{
	char buf[32], label[48];
	const char *name;
	unsigned int i;
	bool drop;

	printf("%s: %s id %u, %s mode\n", a->ifname, a->info.prog_name, a->info.prog_id,
	       xp_attach_mode_str(a->info.mode));
	printf("  %-28s %16s %18s\n", "counter", "packets", "bytes");
	for (i = 0; i < XP_CNT_MAX; i++) {
		if (!shown(i, &c[i]))
			continue;
		name = counter_name(i, buf, sizeof(buf), &drop);
		snprintf(label, sizeof(label), "%s%s", drop ? "dropped " : "", name);
		printf("  %-28s %16llu %18llu\n", label, (unsigned long long)c[i].packets,
		       (unsigned long long)c[i].bytes);
	}
}

/* One row of rates; drop reasons that moved get a line of their own. */
static void print_rates(const struct xp_counter *d, double secs)
{
	__u64 dropped = 0;
	char buf[32];
	const char *name;
	unsigned int i;
	bool drop;

	for (i = XP_CNT_DROP_BASE; i < XP_CNT_MAX; i++)
		dropped += d[i].packets;
	printf("%8.2f %14.1f %14.1f %16.1f %14.1f %12.3f\n", secs, d[XP_CNT_PASSED].packets / secs,
	       d[XP_CNT_REDIRECTED].packets / secs, d[XP_CNT_REDIRECT_FAILED].packets / secs,
	       dropped / secs,
	       (d[XP_CNT_PASSED].bytes + d[XP_CNT_REDIRECTED].bytes) * 8 / secs / 1e6);
	for (i = XP_CNT_DROP_BASE; i < XP_CNT_MAX; i++) {
		if (!d[i].packets)
			continue;
		name = counter_name(i, buf, sizeof(buf), &drop);
		printf("%8s   dropped %s: %.1f packets/s\n", "", name ? name : "?",
		       d[i].packets / secs);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep until `until` (monotonic seconds); false when interrupted by a signal. */
static bool sleep_until(double until)
{
	struct timespec ts;
	double left;

	while (!stop && (left = until - now()) > 0) {
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		if (nanosleep(&ts, NULL) && errno != EINTR)
			return false;
	}
	return !stop;
}

static int watch(struct stats_args *a, struct xp_steer *steer, double interval, long count)
{
	struct xp_counter prev[XP_CNT_MAX], cur[XP_CNT_MAX], d[XP_CNT_MAX];
	struct sigaction sa = { .sa_handler = on_signal };
	struct xp_steer_info info;
	double t0, t1, next;
	unsigned int i;
	long n;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (xp_steer_read_counters(steer, prev))
		return EXIT_FAILURE;
	t0 = now();
	next = t0 + interval;
	if (!a->json) {
		printf("%s: %s id %u, %s mode; per-second rates every %g s (Ctrl-C stops)\n",
		       a->ifname, a->info.prog_name, a->info.prog_id,
		       xp_attach_mode_str(a->info.mode), interval);
		printf("%8s %14s %14s %16s %14s %12s\n", "seconds", "passed/s", "redirected/s",
		       "redir_failed/s", "dropped/s", "Mbit/s");
	}
	for (n = 0; !count || n < count; n++) {
		if (!sleep_until(next))
			break;
		next += interval;
		if (xp_steer_read_counters(steer, cur))
			return EXIT_FAILURE;
		t1 = now();
		for (i = 0; i < XP_CNT_MAX; i++) {
			d[i].packets = cur[i].packets - prev[i].packets;
			d[i].bytes = cur[i].bytes - prev[i].bytes;
		}
		if (a->json)
			print_json(a, d, t1 - t0);
		else
			print_rates(d, t1 - t0);
		memcpy(prev, cur, sizeof(prev));
		t0 = t1;

		/* Our fds keep the old maps alive: notice a program swap. */
		if (xp_steer_query(a->ifindex, &info))
			return EXIT_FAILURE;
		if (info.prog_id != a->info.prog_id) {
			xpctl_err(
				"%s: the steering program (id %u) was detached or replaced; stopping",
				a->ifname, a->info.prog_id);
			return EXIT_FAILURE;
		}
	}
	return EXIT_SUCCESS;
}

static int do_stats(const struct xpctl_cmd *cmd, int argc, char **argv)
{
	struct xp_counter c[XP_CNT_MAX];
	struct stats_args a = {};
	struct xp_steer *steer;
	double interval = 0;
	char *end;
	long count = 0;
	int opt, ret;

	while ((opt = xpctl_getopt(cmd, argc, argv)) != -1) {
		switch (opt) {
		case 'i':
			errno = 0;
			interval = strtod(optarg, &end);
			if (*end || errno || !isfinite(interval) || interval < 0.01 ||
			    interval > 86400) {
				xpctl_err(
					"interval '%s' is not a number of seconds from 0.01 to 86400",
					optarg);
				return EXIT_FAILURE;
			}
			break;
		case 'c':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (*end || errno || count < 1) {
				xpctl_err("count '%s' is not a whole number of intervals >= 1",
					  optarg);
				return EXIT_FAILURE;
			}
			break;
		case 'j':
			a.json = true;
			break;
		default:
			return xpctl_opt_exit(opt);
		}
	}
	if (count && !interval)
		return xpctl_bad_args(cmd, "--count needs --interval");
	a.ifindex = xpctl_one_iface(cmd, argc, argv, &a.ifname);
	if (a.ifindex < 0)
		return EXIT_FAILURE;

	steer = xp_steer_open(a.ifindex);
	if (!steer)
		return EXIT_FAILURE;
	ret = EXIT_FAILURE;
	if (xp_steer_query(a.ifindex, &a.info))
		goto out_close;
	if (interval) {
		ret = watch(&a, steer, interval, count);
		goto out_close;
	}
	if (xp_steer_read_counters(steer, c))
		goto out_close;
	if (a.json)
		print_json(&a, c, 0);
	else
		print_text(&a, c);
	ret = EXIT_SUCCESS;
out_close:
	xp_steer_close(steer);
	return ret;
}

const struct xpctl_cmd xpctl_cmd_stats = {
	.name = "stats",
	.args = "IFACE [-i SECONDS [-c COUNT]] [--json]",
	.summary = "Show the steering counters of IFACE; with -i, per-second rates.",
	.opts = stats_opts,
	.run = do_stats,
};
