// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The live-frames generator (xp_pktgen.h). It does not build packets per
 * frame: the kernel copies the template (pkt_template.c) into page-pool
 * pages once, runs bpf/xdp_gen.bpf.c on each frame (stamp the sequence
 * number, rewrite the varied fields), and transmits on XDP_TX out of the
 * ingress interface of the context.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pktgen_private.h"
#include "xdp_private.h"
#include "xp_internal.h"
#include "xp_pktgen.h"
#include "xdp_gen.skel.h"

#define PKTGEN_BATCH_MAX (1u << 30) /* frames per call; repeat is an int */
#define PKTGEN_BATCH_DEFAULT (1u << 24)
#define PKTGEN_PROBE 65536 /* first call, to learn the rate */
#define PKTGEN_CALL_NS 1000000000ull
#define PKTGEN_SINGLE_RATE_MAX 20000 /* pps paced with one frame per call */
#define PKTGEN_KBATCH_MAX 256 /* TEST_XDP_MAX_BATCH in net/bpf/test_run.c */

struct xp_pktgen {
	struct xdp_gen *skel;
	struct bpf_link *xmit_link; /* NULL: driver transmits are not counted */
	int prog_fd;
	int stats_fd;
	int ifindex;
	volatile sig_atomic_t stop;
	/* The kernel denied live frames: send through AF_PACKET instead. */
	bool packet;
	struct xp_pktgen_template tmpl;
};

static int check_template(const struct xp_pktgen_template *t)
{
	if (t && t->len > XP_GEN_FRAME_MAX && t->len <= XP_GEN_TEMPLATE_MAX) {
		pr_warn("generator: frames of %u bytes are larger than BPF_PROG_RUN live frames can be (%d); send larger ones from an AF_XDP socket with multi-buffer (xp-bench txonly --multi-buffer)\n",
			t->len, XP_GEN_FRAME_MAX);
		return -EINVAL;
	}
	if (!t || t->len < XP_GEN_FRAME_MIN || t->len > XP_GEN_FRAME_MAX ||
	    t->seq_off + XP_GEN_SEQ_LEN > (int)t->len ||
	    t->l4_off + (int)sizeof(struct udphdr) > (int)t->len) {
		pr_warn("generator: the template is not one xp_pktgen_build() made (length %u); build it first\n",
			t ? t->len : 0);
		return -EINVAL;
	}
	return 0;
}

static int gen_open_load(struct xp_pktgen *gen, __u64 first_seq, bool count_xmit)
{
	const struct xp_pktgen_template *t = &gen->tmpl;
	struct xdp_gen *skel;
	int err;

	skel = xdp_gen__open();
	if (!skel) {
		err = -errno;
		pr_warn("generator: cannot open the embedded xdp_gen object: %s\n", strerror(-err));
		return err;
	}
	skel->rodata->seq_off = t->seq_off;
	skel->rodata->sport_off = t->l4_off;
	skel->rodata->sport_base = t->src_port;
	skel->rodata->nflows = t->flows;
	memcpy((void *)skel->rodata->mac_words, t->data, 2 * ETH_ALEN);
	skel->rodata->gen_tgid = getpid();
	skel->rodata->gen_ifindex = gen->ifindex;
	skel->bss->xp_gen_seq = first_seq;
	if (!count_xmit)
		bpf_program__set_autoload(skel->progs.xp_gen_xmit, false);

	err = xdp_gen__load(skel);
	if (err) {
		xdp_gen__destroy(skel);
		return err;
	}
	gen->skel = skel;
	return 0;
}

struct xp_pktgen *xp_pktgen_create(int ifindex, const struct xp_pktgen_template *t,
				   const struct xp_pktgen_opts *opts)
{
	char name[IF_NAMESIZE];
	struct xp_pktgen *gen;
	__u64 first_seq;
	int err;

	err = xp_opts_valid(opts, xp_pktgen_opts);
	if (err)
		goto out_err;
	err = check_template(t);
	if (err)
		goto out_err;
	if (ifindex <= 0 || !if_indextoname(ifindex, name)) {
		pr_warn("generator: there is no interface with index %d in this network namespace; run the generator inside the namespace of the interface (ip netns exec NS ...)\n",
			ifindex);
		err = -ENODEV;
		goto out_err;
	}
	first_seq = XP_OPTS_GET(opts, first_seq, 0);

	gen = calloc(1, sizeof(*gen));
	if (!gen) {
		err = -ENOMEM;
		goto out_err;
	}
	gen->ifindex = ifindex;
	gen->tmpl = *t;

	/*
	 * The transmit counter is a tp_btf program on xdp:xdp_devmap_xmit;
	 * without that tracepoint we still generate, and say what we miss.
	 */
	err = gen_open_load(gen, first_seq, true);
	if (err) {
		pr_debug(
			"generator: loading with the transmit counter failed (%s), retrying without it\n",
			strerror(-err));
		err = gen_open_load(gen, first_seq, false);
		if (err) {
			pr_warn("generator: loading xdp_gen failed: %s; run as root (CAP_BPF and CAP_NET_ADMIN), -v shows the verifier's log\n",
				strerror(-err));
			goto out_free;
		}
		pr_warn("generator: cannot load the counter of driver transmits (tracepoint xdp_devmap_xmit); only generated frames will be reported\n");
	} else {
		gen->xmit_link = bpf_program__attach(gen->skel->progs.xp_gen_xmit);
		if (!gen->xmit_link) {
			pr_warn("generator: cannot attach to tracepoint xdp_devmap_xmit (%s); only generated frames will be reported\n",
				strerror(errno));
		}
	}
	gen->prog_fd = bpf_program__fd(gen->skel->progs.xdp_gen);
	gen->stats_fd = bpf_map__fd(gen->skel->maps.xp_gen_stats);
	pr_debug("generator: %s, %u-byte frames, sequence at offset %u, %u flow(s)\n", name, t->len,
		 t->seq_off, t->flows);
	return gen;

out_free:
	free(gen);
out_err:
	errno = -err;
	return NULL;
}

void xp_pktgen_destroy(struct xp_pktgen *gen)
{
	if (!gen)
		return;
	bpf_link__destroy(gen->xmit_link);
	xdp_gen__destroy(gen->skel);
	free(gen);
}

void xp_pktgen_stop(struct xp_pktgen *gen)
{
	if (gen)
		gen->stop = 1;
}

/* Counters summed over CPUs; out has XP_GEN_CNT_MAX entries. */
static int gen_read_counters(struct xp_pktgen *gen, struct xp_gen_counter *out)
{
	return xp_percpu_sum(gen->stats_fd, XP_GEN_CNT_MAX, sizeof(*out), out, "generator");
}

static void explain_run_error(struct xp_pktgen *gen, int err, __u32 kbatch)
{
	char name[IF_NAMESIZE];

	xp_ifname(gen->ifindex, name);
	switch (err) {
	case -ENODEV:
		pr_warn("generator: BPF_PROG_RUN cannot find %s (ifindex %d) in this network namespace; run the generator inside the namespace of the interface\n",
			name, gen->ifindex);
		break;
	case -E2BIG:
		pr_warn("generator: kernel batch %u is above the kernel's limit; use 1..%d\n",
			kbatch, PKTGEN_KBATCH_MAX);
		break;
	case -EINVAL:
		pr_warn("generator: BPF_PROG_RUN refused live frames on %s (EINVAL): the kernel needs BPF_F_TEST_XDP_LIVE_FRAMES (5.18+) and frames of at most %d bytes\n",
			name, XP_GEN_FRAME_MAX);
		break;
	case -EPERM:
	case -EACCES:
		pr_warn("generator: BPF_PROG_RUN was denied (%s); run as root\n", strerror(-err));
		break;
	default:
		pr_warn("generator: BPF_PROG_RUN on %s failed: %s\n", name, strerror(-err));
	}
}

/*
 * Live frames denied (EPERM although we may load and run XDP programs):
 * some hardened kernels do that. Send the rest through AF_PACKET, and
 * keep the sequence numbers going.
 */
static int run_packet(struct xp_pktgen *gen, __u64 count, __u64 duration, __u64 rate,
		      struct xp_pktgen_result *res)
{
	struct xdp_gen__bss *bss = gen->skel->bss;
	struct pktgen_packet_run run = {
		.ifindex = gen->ifindex,
		.tmpl = &gen->tmpl,
		.stop = &gen->stop,
		.first_seq = bss->xp_gen_seq,
		.count = count,
		.duration_ns = duration,
		.rate_pps = rate,
	};
	int err;

	if (!gen->packet)
		pr_info("generator: this kernel denies BPF_PROG_RUN live frames (EPERM) although the program loaded; sending through an AF_PACKET socket with qdisc bypass instead, which is slower\n");
	gen->packet = true;
	err = pktgen_packet_run(&run, res);
	bss->xp_gen_seq += res->generated;
	return err;
}

/* Frames per call, sized so a call lasts about this long (see below). */
static __u64 call_frames(double pps, __u64 left_ns)
{
	double secs = PKTGEN_CALL_NS / 1e9, n;

	if (left_ns < PKTGEN_CALL_NS)
		secs = left_ns / 1e9;
	n = pps * secs;
	return n < 1 ? 1 : n > (double)(1ull << 40) ? 1ull << 40 : (__u64)n;
}

/*
 * One BPF_PROG_RUN call with repeat > 1 costs two RCU grace periods on top of
 * its frames (the program enters and leaves the XDP dispatcher), tens of ms
 * on a small VM. So calls are long: sized from the measured rate to last
 * about PKTGEN_CALL_NS, or the time left. A set rate is kept by the program
 * itself (busy-waiting for each frame's slot), except for low rates, where
 * single-frame calls (repeat 1 skips the dispatcher) paced from here are
 * cheaper. Paced calls start on time, they do not catch up on the gap
 * between calls: no bursts, and the average stays a little under the rate.
 */
int xp_pktgen_run(struct xp_pktgen *gen, const struct xp_pktgen_run_opts *opts,
		  struct xp_pktgen_result *res)
{
	struct xp_gen_counter c0[XP_GEN_CNT_MAX], c1[XP_GEN_CNT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	__u64 count, duration, rate, start_seq, done, t0, t, due, n, left, tc;
	struct xdp_gen__bss *bss = gen ? gen->skel->bss : NULL;
	struct xdp_md md = {};
	double est_pps = 0;
	__u32 batch, kbatch;
	bool single;
	int err, err2;

	if (res)
		memset(res, 0, sizeof(*res));
	if (!gen || !res) {
		pr_warn("xp_pktgen_run: generator and result must not be NULL\n");
		return -EINVAL;
	}
	err = xp_opts_valid(opts, xp_pktgen_run_opts);
	if (err)
		return err;
	count = XP_OPTS_GET(opts, count, 0);
	duration = XP_OPTS_GET(opts, duration_ns, 0);
	rate = XP_OPTS_GET(opts, rate_pps, 0);
	batch = XP_OPTS_GET(opts, batch, 0) ?: PKTGEN_BATCH_DEFAULT;
	kbatch = XP_OPTS_GET(opts, kernel_batch, 0);
	if (batch > PKTGEN_BATCH_MAX) {
		pr_warn("generator: batch %u is too large; use at most %u frames per call\n", batch,
			PKTGEN_BATCH_MAX);
		return -EINVAL;
	}
	if (kbatch > PKTGEN_KBATCH_MAX) {
		pr_warn("generator: kernel batch %u is above the kernel's limit; use 1..%d (0: the kernel's default, 64)\n",
			kbatch, PKTGEN_KBATCH_MAX);
		return -EINVAL;
	}
	single = rate && rate <= PKTGEN_SINGLE_RATE_MAX;
	/* Transmits are flushed once per kernel batch: keep paced bursts short. */
	if (rate && !kbatch) {
		kbatch = rate / 50000;
		kbatch = kbatch < 1 ? 1 : kbatch > 64 ? 64 : kbatch;
	}

	if (gen->packet)
		return run_packet(gen, count, duration, rate, res);

	md.data_end = gen->tmpl.len; /* the kernel wants data_end == the data size */
	md.ingress_ifindex = gen->ifindex;
	topts.data_in = gen->tmpl.data;
	topts.data_size_in = gen->tmpl.len;
	topts.ctx_in = &md;
	topts.ctx_size_in = sizeof(md);
	topts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
	topts.batch_size = kbatch;

	err = gen_read_counters(gen, c0);
	if (err)
		return err;
	start_seq = __atomic_load_n(&bss->xp_gen_seq, __ATOMIC_RELAXED);
	bss->pace_rate = 0;
	gen->stop = 0;
	t0 = pktgen_now_ns();
	for (;;) {
		if (gen->stop)
			break;
		done = __atomic_load_n(&bss->xp_gen_seq, __ATOMIC_RELAXED) - start_seq;
		if (count && done >= count)
			break;
		t = pktgen_now_ns() - t0;
		if (duration && t >= duration)
			break;
		left = duration ? duration - t : ~0ull;

		if (single) {
			due = done * 1000000000ull / rate;
			if (due > t) {
				pktgen_sleep_until(t0 +
						   (duration && due > duration ? duration : due));
				continue;
			}
			n = 1;
		} else if (rate) {
			n = call_frames(rate, left);
			bss->pace_rate = rate;
			bss->pace_seq0 = start_seq + done;
			bss->pace_t0 = pktgen_now_ns();
		} else {
			n = est_pps > 0 ? call_frames(est_pps, left) : PKTGEN_PROBE;
		}
		if (n > batch)
			n = batch;
		if (count && n > count - done)
			n = count - done;

		topts.repeat = (int)n;
		tc = pktgen_now_ns();
		err = bpf_prog_test_run_opts(gen->prog_fd, &topts);
		tc = pktgen_now_ns() - tc;
		if (err == -EINTR) {
			err = 0;
			continue;
		}
		if ((err == -EPERM || err == -EACCES) && !done) {
			bss->pace_rate = 0;
			return run_packet(gen, count, duration, rate, res);
		}
		if (err) {
			explain_run_error(gen, err, kbatch);
			break;
		}
		if (!rate && tc)
			est_pps = n * 1e9 / tc;
	}
	res->elapsed_ns = pktgen_now_ns() - t0;
	bss->pace_rate = 0;
	res->generated = __atomic_load_n(&bss->xp_gen_seq, __ATOMIC_RELAXED) - start_seq;

	err2 = gen_read_counters(gen, c1);
	if (!err2) {
		res->bytes = c1[XP_GEN_CNT_TX].bytes - c0[XP_GEN_CNT_TX].bytes;
		res->xmit_counted = gen->xmit_link != NULL;
		res->sent = c1[XP_GEN_CNT_XMIT].packets - c0[XP_GEN_CNT_XMIT].packets;
		res->xmit_dropped =
			c1[XP_GEN_CNT_XMIT_DROP].packets - c0[XP_GEN_CNT_XMIT_DROP].packets;
		if (c1[XP_GEN_CNT_SHORT].packets != c0[XP_GEN_CNT_SHORT].packets)
			pr_warn("generator: %llu frames were shorter than the template's offsets and dropped; this is a bug\n",
				(unsigned long long)(c1[XP_GEN_CNT_SHORT].packets -
						     c0[XP_GEN_CNT_SHORT].packets));
	}
	if (!res->xmit_counted)
		res->sent = res->generated;
	return err ?: err2;
}
