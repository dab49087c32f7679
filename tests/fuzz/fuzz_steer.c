// SPDX-License-Identifier: GPL-2.0
/*
 * Differential libFuzzer harness: bpf/xdp_steer through BPF_PROG_RUN
 * against the C reference of tests/lib/steer_ref.c, on every input frame.
 * Corpus: the frames of tests/bpf/test_steer's table and the captured rxe
 * frames (tests/fuzz/corpus/fuzz_steer).
 *
 * The bed, made once in a private network namespace: the program loaded
 * from its skeleton, a veth with 4 rx queues (so BPF_PROG_RUN accepts an
 * rx queue index), one copy-mode AF_XDP socket in XSKMAP slot SOCK_SLOT,
 * and QPN entries to slots 7, 3 (the socket's), 300 (beyond the map) and 0.
 * Each frame runs with rx queue (its length mod 4). Program and reference
 * must agree on:
 *   - the verdict: XDP_PASS for other traffic, XDP_DROP for malformed
 *     RoCEv2, XDP_REDIRECT exactly when the slot the reference computes
 *     (QPN entry, else rx queue) holds the socket, else XDP_PASS;
 *   - the counters: exactly one grows, by one packet and the frame's
 *     length: passed, the drop reason, redirected or redirect_failed;
 *   - the frame comes back unchanged.
 * Needs root (BPF, unshare); without it the harness says why and stops.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xdpath/steer.h>

#include "fuzz.h"
#include "steer_ref.h"
#include "xdp_steer.skel.h"
#include "xt_net.h"

#define VETH_QUEUES 4
#define SOCK_SLOT 3
/* The linear part BPF_PROG_RUN gives a program without xdp.frags: stay below. */
#define FRAME_MAX 3000

static const struct {
	__u32 qpn, slot;
} qpn_slots[] = {
	{ 0x000777, 7 },
	{ 0x123333, SOCK_SLOT },
	{ 0x000300, 300 },
	{ 0x000011, 0 },
};

static struct {
	struct xdp_steer *skel;
	int prog_fd, xsks_fd, qpn_fd, stats_fd;
	int ifindex, ncpus;
	struct xt_xsk xsk;
	struct xp_counter want[XP_CNT_MAX]; /* what the counters must read */
	struct xp_counter *percpu; /* XP_CNT_MAX x ncpus, as a batch lookup fills it */
	unsigned long runs, by_counter[XP_CNT_MAX];
} bed = { .xsk.fd = -1 };

static void die(const char *what, int err)
{
	fprintf(stderr, "fuzz_steer: %s: %s (the harness needs root: BPF, unshare)\n", what,
		strerror(err));
	exit(2);
}

/* Sum the per-CPU counters into out: one batch lookup, one system call. */
static void read_counters(struct xp_counter out[XP_CNT_MAX])
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 keys[XP_CNT_MAX], token, n = XP_CNT_MAX, i;
	int err, c;

	err = bpf_map_lookup_batch(bed.stats_fd, NULL, &token, keys, bed.percpu, &n, &opts);
	require_msg(!err || errno == ENOENT, "reading %s: %s", XP_STEER_STATS_MAP, strerror(errno));
	require_msg(n == XP_CNT_MAX, "reading %s: %u of %u counters", XP_STEER_STATS_MAP, n,
		    XP_CNT_MAX);
	for (i = 0; i < n; i++) {
		const struct xp_counter *v = &bed.percpu[(size_t)i * bed.ncpus];

		require_msg(keys[i] < XP_CNT_MAX, "counter key %u", keys[i]);
		out[keys[i]].packets = out[keys[i]].bytes = 0;
		for (c = 0; c < bed.ncpus; c++) {
			out[keys[i]].packets += v[c].packets;
			out[keys[i]].bytes += v[c].bytes;
		}
	}
}

/* At exit: how many frames ended in each counter (tests/fuzz/run.sh shows it). */
static void print_summary(void)
{
	__u32 k;

	fprintf(stderr, "fuzz_steer: %lu frames agreed:", bed.runs);
	for (k = 0; k < XP_CNT_MAX; k++)
		if (bed.by_counter[k])
			fprintf(stderr, " %s %lu",
				xp_steer_counter_str(k) ? xp_steer_counter_str(k) : "?",
				bed.by_counter[k]);
	fprintf(stderr, "\n");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char why[256];
	__u32 fd;
	size_t i;
	int err;

	fuzz_init();
	libbpf_set_print(NULL);
	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET)", errno);
	err = xt_veth_create("xpf0", "xpf1", VETH_QUEUES);
	if (err)
		die("creating veth xpf0", -err);
	bed.ifindex = if_nametoindex("xpf0");
	if (!bed.ifindex)
		die("xpf0", errno);
	if (xt_xsk_open(&bed.xsk, bed.ifindex, 0, why, sizeof(why))) {
		fprintf(stderr, "fuzz_steer: %s\n", why);
		exit(2);
	}
	bed.skel = xdp_steer__open_and_load();
	if (!bed.skel)
		die("loading xdp_steer", errno);
	bed.prog_fd = bpf_program__fd(bed.skel->progs.xdp_steer);
	bed.xsks_fd = bpf_map__fd(bed.skel->maps.xp_xsks);
	bed.qpn_fd = bpf_map__fd(bed.skel->maps.xp_qpn);
	bed.stats_fd = bpf_map__fd(bed.skel->maps.xp_stats);
	for (i = 0; i < sizeof(qpn_slots) / sizeof(qpn_slots[0]); i++) {
		struct xp_qpn_entry e = { .slot = qpn_slots[i].slot };

		if (bpf_map_update_elem(bed.qpn_fd, &qpn_slots[i].qpn, &e, BPF_ANY))
			die("filling xp_qpn", errno);
	}
	fd = bed.xsk.fd;
	if (bpf_map_update_elem(bed.xsks_fd, &(__u32){ SOCK_SLOT }, &fd, BPF_ANY))
		die("putting the socket in xp_xsks", errno);
	bed.ncpus = libbpf_num_possible_cpus();
	if (bed.ncpus <= 0)
		die("libbpf_num_possible_cpus", -bed.ncpus);
	bed.percpu = calloc((size_t)bed.ncpus * XP_CNT_MAX, sizeof(*bed.percpu));
	if (!bed.percpu)
		die("calloc", ENOMEM);
	read_counters(bed.want);
	atexit(print_summary);
	return 0;
}

/* The reference's slot for a RoCEv2 frame to dest_qpn on rx queue rxq. */
static __u32 ref_slot(__u32 dest_qpn, __u32 rxq)
{
	size_t i;

	for (i = 0; i < sizeof(qpn_slots) / sizeof(qpn_slots[0]); i++)
		if (qpn_slots[i].qpn == dest_qpn)
			return qpn_slots[i].slot;
	return rxq;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static __u8 out[FRAME_MAX + 256];
	struct xp_counter now[XP_CNT_MAX];
	struct xt_steer_verdict v;
	__u32 rxq = size % VETH_QUEUES, act;
	struct xdp_md ctx = {
		.data_end = size,
		.ingress_ifindex = bed.ifindex,
		.rx_queue_index = rxq,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = size, .data_out = out,
		    .data_size_out = sizeof(out), .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .repeat = 1);
	int err, cnt;
	__u32 k;

	fuzz_selftest_point();
	if (size > FRAME_MAX)
		return -1;
	err = bpf_prog_test_run_opts(bed.prog_fd, &opts);
	if (size < 14) {
		/* BPF_PROG_RUN wants at least an Ethernet header. */
		require_msg(err == -EINVAL, "%zu bytes: BPF_PROG_RUN returned %d", size, err);
		return 0;
	}
	require_msg(!err, "BPF_PROG_RUN on %zu bytes: %s", size, strerror(-err));

	xt_steer_ref(data, size, &v);
	switch (v.cls) {
	case XT_STEER_OTHER:
		act = XDP_PASS;
		cnt = XP_CNT_PASSED;
		break;
	case XT_STEER_DROP:
		act = XDP_DROP;
		cnt = XP_CNT_DROP(v.drop);
		break;
	default:
		if (ref_slot(v.dest_qpn, rxq) == SOCK_SLOT) {
			act = XDP_REDIRECT;
			cnt = XP_CNT_REDIRECTED;
		} else {
			act = XDP_PASS;
			cnt = XP_CNT_REDIRECT_FAILED;
		}
	}
	require_msg(
		opts.retval == act,
		"verdict %u, the reference says %u (class %d, reason %d, QPN 0x%06x, rx queue %u)",
		opts.retval, act, v.cls, v.drop, v.dest_qpn, rxq);
	require_msg(opts.data_size_out == size && !memcmp(out, data, size),
		    "the frame came back changed (%u bytes)", opts.data_size_out);

	bed.runs++;
	bed.by_counter[cnt]++;
	bed.want[cnt].packets++;
	bed.want[cnt].bytes += size;
	read_counters(now);
	for (k = 0; k < XP_CNT_MAX; k++)
		require_msg(
			now[k].packets == bed.want[k].packets && now[k].bytes == bed.want[k].bytes,
			"counter %s reads %llu packets %llu bytes, expected %llu %llu (this frame: %s)",
			xp_steer_counter_str(k) ? xp_steer_counter_str(k) : "?",
			(unsigned long long)now[k].packets, (unsigned long long)now[k].bytes,
			(unsigned long long)bed.want[k].packets,
			(unsigned long long)bed.want[k].bytes,
			xp_steer_counter_str(cnt) ? xp_steer_counter_str(cnt) : "?");
	return 0;
}
