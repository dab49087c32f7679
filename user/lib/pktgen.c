// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Traffic for the benchmarks (xp_pktgen.h): template frames, the live-frames
 * generator, the receiver-side check, and the in-kernel reference sinks.
 *
 * The generator does not build packets per frame: the kernel copies the
 * template into page-pool pages once, runs bpf/xdp_gen.bpf.c on each frame
 * (stamp the sequence number, rewrite the varied fields), and transmits on
 * XDP_TX out of the ingress interface of the context.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xdpath/bth.h>

#include "xp_internal.h"
#include "xp_pktgen.h"
#include "xdp_gen.skel.h"
#include "xdp_ref.skel.h"

#define PKTGEN_VLAN_HLEN 4
#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define UDP_HLEN 8

#define PKTGEN_BATCH_MAX (1u << 30) /* frames per call; repeat is an int */
#define PKTGEN_BATCH_DEFAULT (1u << 24)
#define PKTGEN_PROBE 65536 /* first call, to learn the rate */
#define PKTGEN_CALL_NS 1000000000ull
#define PKTGEN_SINGLE_RATE_MAX 20000 /* pps paced with one frame per call */
#define PKTGEN_KBATCH_MAX 256 /* TEST_XDP_MAX_BATCH in net/bpf/test_run.c */

/* Byte-wise stores and loads in network order: templates are byte buffers. */
static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __u64 get64(const __u8 *p)
{
	__u64 v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static __u16 ipv4_csum(const __u8 *hdr, size_t len)
{
	__u32 sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(hdr + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static const char *ifname_of(int ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%u", (unsigned int)ifindex % 1000000000u);
	return buf;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* --- templates ---------------------------------------------------------- */

struct tmpl_cfg {
	int family;
	__u16 vlan_id;
	__u8 vlan_prio;
	__u8 ttl, tos;
	__u16 src_port, dst_port;
	__u32 flows;
	__u8 opcode;
	__u32 dest_qpn, psn, qkey, src_qpn;
	__u32 frame_size;
	unsigned int hdr_len; /* up to and including the sequence number */
};

static void tmpl_cfg_get(const struct xp_pktgen_template_opts *o, struct tmpl_cfg *c)
{
	c->family = XP_OPTS_GET(o, family, 0) ?: AF_INET;
	c->vlan_id = XP_OPTS_GET(o, vlan_id, 0);
	c->vlan_prio = XP_OPTS_GET(o, vlan_prio, 0);
	c->ttl = XP_OPTS_GET(o, ttl, 0) ?: XP_PKTGEN_DEFAULT_TTL;
	c->tos = XP_OPTS_GET(o, tos, 0);
	c->src_port = XP_OPTS_GET(o, src_port, 0) ?: XP_PKTGEN_DEFAULT_SRC_PORT;
	c->dst_port = XP_OPTS_GET(o, dst_port, 0) ?: XP_ROCEV2_UDP_PORT;
	c->flows = XP_OPTS_GET(o, flows, 0) ?: 1;
	c->opcode = XP_OPTS_GET(o, opcode, 0) ?: XP_GEN_OP_RC_SEND_ONLY;
	c->dest_qpn = XP_OPTS_GET(o, dest_qpn, 0) ?: XP_PKTGEN_DEFAULT_QPN;
	c->psn = XP_OPTS_GET(o, psn, 0);
	c->qkey = XP_OPTS_GET(o, qkey, 0);
	c->src_qpn = XP_OPTS_GET(o, src_qpn, 0) ?: XP_PKTGEN_DEFAULT_QPN;
	c->frame_size = XP_OPTS_GET(o, frame_size, 0) ?: XP_GEN_FRAME_DEFAULT;
	c->hdr_len = ETH_HLEN + (c->vlan_id ? PKTGEN_VLAN_HLEN : 0) +
		     (c->family == AF_INET6 ? IPV6_HLEN : IPV4_HLEN) + UDP_HLEN + XP_BTH_LEN +
		     (XP_GEN_OP_IS_UD(c->opcode) ? XP_GEN_DETH_LEN : 0) + XP_GEN_SEQ_LEN;
}

static unsigned int min_size(const struct tmpl_cfg *c)
{
	return c->hdr_len > XP_GEN_FRAME_MIN ? c->hdr_len : XP_GEN_FRAME_MIN;
}

int xp_pktgen_min_size(const struct xp_pktgen_template_opts *opts)
{
	struct tmpl_cfg c;
	int err;

	err = xp_opts_valid(opts, xp_pktgen_template_opts);
	if (err)
		return err;
	tmpl_cfg_get(opts, &c);
	return min_size(&c);
}

static int tmpl_cfg_check(const struct tmpl_cfg *c)
{
	if (c->family != AF_INET && c->family != AF_INET6) {
		pr_warn("template: address family %d is not supported; use AF_INET (%d) or AF_INET6 (%d)\n",
			c->family, AF_INET, AF_INET6);
		return -EINVAL;
	}
	if (c->vlan_id > 4094) {
		pr_warn("template: VLAN id %u is out of range; use 1..4094 (0: no tag)\n",
			c->vlan_id);
		return -EINVAL;
	}
	if (c->vlan_prio > 7) {
		pr_warn("template: VLAN priority %u is out of range; use 0..7\n", c->vlan_prio);
		return -EINVAL;
	}
	if (c->flows > 65536 || c->src_port + c->flows - 1 > 65535) {
		pr_warn("template: %u flows from source port %u run past port 65535; lower the flow count or the first port\n",
			c->flows, c->src_port);
		return -EINVAL;
	}
	if (c->dest_qpn > XP_BTH_QPN_MASK || c->src_qpn > XP_BTH_QPN_MASK) {
		pr_warn("template: QPN %u does not fit in 24 bits; use 1..%u\n",
			c->dest_qpn > XP_BTH_QPN_MASK ? c->dest_qpn : c->src_qpn, XP_BTH_QPN_MASK);
		return -EINVAL;
	}
	if (c->psn > XP_BTH_PSN_MASK) {
		pr_warn("template: PSN %u does not fit in 24 bits; use 0..%u\n", c->psn,
			XP_BTH_PSN_MASK);
		return -EINVAL;
	}
	if (c->frame_size < min_size(c) || c->frame_size > XP_GEN_FRAME_MAX) {
		pr_warn("template: frame size %u is out of range; with these headers use %u..%u bytes (without FCS; the largest is what BPF_PROG_RUN live frames accept)\n",
			c->frame_size, min_size(c), XP_GEN_FRAME_MAX);
		return -EINVAL;
	}
	return 0;
}

int xp_pktgen_build(struct xp_pktgen_template *t, const struct xp_pktgen_template_opts *opts)
{
	static const __u8 zero_mac[ETH_ALEN];
	const __u8 *dmac, *smac;
	union xp_pktgen_addr src = {}, dst = {};
	unsigned int off, l3_len, i;
	struct tmpl_cfg c;
	__u8 *p;
	int err;

	if (!t) {
		pr_warn("xp_pktgen_build: template pointer is NULL; pass the struct to fill\n");
		return -EINVAL;
	}
	err = xp_opts_valid(opts, xp_pktgen_template_opts);
	if (err)
		return err;
	tmpl_cfg_get(opts, &c);
	err = tmpl_cfg_check(&c);
	if (err)
		return err;
	dmac = XP_OPTS_HAS(opts, dst_mac) ? opts->dst_mac : zero_mac;
	smac = XP_OPTS_HAS(opts, src_mac) ? opts->src_mac : zero_mac;
	if (XP_OPTS_HAS(opts, src_ip))
		src = opts->src_ip;
	if (XP_OPTS_HAS(opts, dst_ip))
		dst = opts->dst_ip;

	memset(t, 0, sizeof(*t));
	p = t->data;
	t->len = c.frame_size;
	t->family = c.family;
	t->vlan_id = c.vlan_id;
	t->flows = c.flows;
	t->src_port = c.src_port;

	/* Ethernet, optional 802.1Q tag */
	memcpy(p, dmac, ETH_ALEN);
	memcpy(p + ETH_ALEN, smac, ETH_ALEN);
	off = 2 * ETH_ALEN;
	if (c.vlan_id) {
		put16(p + off, ETH_P_8021Q);
		put16(p + off + 2, (__u16)(c.vlan_prio << 13 | c.vlan_id));
		off += PKTGEN_VLAN_HLEN;
	}
	put16(p + off, c.family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP);
	off += 2;

	/* IP */
	t->l3_off = off;
	l3_len = c.frame_size - off;
	if (c.family == AF_INET) {
		p[off] = 0x45;
		p[off + 1] = c.tos;
		put16(p + off + 2, l3_len);
		put16(p + off + 6, 0x4000); /* DF, as rxe sends */
		p[off + 8] = c.ttl;
		p[off + 9] = IPPROTO_UDP;
		memcpy(p + off + 12, &src.v4, 4);
		memcpy(p + off + 16, &dst.v4, 4);
		put16(p + off + 10, ipv4_csum(p + off, IPV4_HLEN));
		off += IPV4_HLEN;
	} else {
		put32(p + off, 6u << 28 | (__u32)c.tos << 20);
		put16(p + off + 4, l3_len - IPV6_HLEN);
		p[off + 6] = IPPROTO_UDP;
		p[off + 7] = c.ttl;
		memcpy(p + off + 8, &src.v6, 16);
		memcpy(p + off + 24, &dst.v6, 16);
		off += IPV6_HLEN;
	}

	/* UDP, checksum 0 */
	t->l4_off = off;
	put16(p + off, c.src_port);
	put16(p + off + 2, c.dst_port);
	put16(p + off + 4, c.frame_size - off);
	off += UDP_HLEN;

	/* BTH: SE=0 M=0 PadCnt=0 TVer=0, P_Key 0xffff, FECN/BECN 0, AckReq 0 */
	t->bth_off = off;
	p[off] = c.opcode;
	put16(p + off + 2, 0xffff);
	put32(p + off + 4, c.dest_qpn);
	put32(p + off + 8, c.psn);
	off += XP_BTH_LEN;
	if (XP_GEN_OP_IS_UD(c.opcode)) {
		put32(p + off, c.qkey);
		put32(p + off + 4, c.src_qpn);
		off += XP_GEN_DETH_LEN;
	}

	/* Sequence number (stamped per frame), then the pattern */
	t->seq_off = off;
	off += XP_GEN_SEQ_LEN;
	t->pattern_off = off;
	for (i = 0; off + i < c.frame_size; i++)
		p[off + i] = XP_GEN_PATTERN(i);
	return 0;
}

int xp_pktgen_seq(const struct xp_pktgen_template *t, const void *frame, size_t len, __u64 *seq)
{
	if (!t || !frame || len < (size_t)t->seq_off + XP_GEN_SEQ_LEN)
		return -EBADMSG;
	if (seq)
		*seq = get64((const __u8 *)frame + t->seq_off);
	return 0;
}

int xp_pktgen_verify_flags(const struct xp_pktgen_template *t, const void *frame, size_t len,
			   __u64 *seq, unsigned int flags)
{
	const __u8 *f = frame, *d;
	unsigned int sport;
	__u64 s;

	if (!t || !frame || len != t->len || t->len > sizeof(t->data))
		return -EBADMSG;
	d = t->data;
	s = get64(f + t->seq_off);

	if ((flags & XP_PKTGEN_VERIFY_MACS) && memcmp(f, d, 2 * ETH_ALEN))
		return -EBADMSG;
	if ((flags & XP_PKTGEN_VERIFY_SWAPPED_MACS) &&
	    (memcmp(f, d + ETH_ALEN, ETH_ALEN) || memcmp(f + ETH_ALEN, d, ETH_ALEN)))
		return -EBADMSG;

	/* Up to the UDP source port, the port itself, then up to the sequence number */
	if (memcmp(f + 2 * ETH_ALEN, d + 2 * ETH_ALEN, t->l4_off - 2 * ETH_ALEN))
		return -EBADMSG;
	sport = t->src_port + (t->flows > 1 ? s % t->flows : 0);
	if (get16(f + t->l4_off) != sport)
		return -EBADMSG;
	if (memcmp(f + t->l4_off + 2, d + t->l4_off + 2, t->seq_off - t->l4_off - 2))
		return -EBADMSG;
	if (memcmp(f + t->pattern_off, d + t->pattern_off, t->len - t->pattern_off))
		return -EBADMSG;
	if (seq)
		*seq = s;
	return 0;
}

/* --- generator ---------------------------------------------------------- */

struct xp_pktgen {
	struct xdp_gen *skel;
	struct bpf_link *xmit_link; /* NULL: driver transmits are not counted */
	int prog_fd;
	int stats_fd;
	int ifindex;
	int ncpus;
	volatile sig_atomic_t stop;
	struct xp_pktgen_template tmpl;
};

static int check_template(const struct xp_pktgen_template *t)
{
	if (!t || t->len < XP_GEN_FRAME_MIN || t->len > XP_GEN_FRAME_MAX ||
	    t->seq_off + XP_GEN_SEQ_LEN > (int)t->len || t->l4_off + UDP_HLEN > (int)t->len) {
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
	gen->ncpus = libbpf_num_possible_cpus();
	if (gen->ncpus <= 0) {
		err = gen->ncpus ?: -EINVAL;
		pr_warn("generator: cannot count the possible CPUs: %s\n", strerror(-err));
		goto out_free;
	}

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
	struct xp_gen_counter *vals;
	__u32 key;
	int cpu, err = 0;

	vals = calloc(gen->ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(out, 0, sizeof(*out) * XP_GEN_CNT_MAX);
	for (key = 0; key < XP_GEN_CNT_MAX; key++) {
		if (bpf_map_lookup_elem(gen->stats_fd, &key, vals)) {
			err = -errno;
			pr_warn("generator: reading counter %u failed: %s\n", key, strerror(-err));
			break;
		}
		for (cpu = 0; cpu < gen->ncpus; cpu++) {
			out[key].packets += vals[cpu].packets;
			out[key].bytes += vals[cpu].bytes;
		}
	}
	free(vals);
	return err;
}

static void explain_run_error(struct xp_pktgen *gen, int err, __u32 kbatch)
{
	char name[IF_NAMESIZE];

	ifname_of(gen->ifindex, name);
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

static void sleep_until(__u64 t_ns)
{
	struct timespec ts = {
		.tv_sec = t_ns / 1000000000ull,
		.tv_nsec = t_ns % 1000000000ull,
	};

	/* An interrupting signal just brings us back to the loop's checks. */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
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
	t0 = now_ns();
	for (;;) {
		if (gen->stop)
			break;
		done = __atomic_load_n(&bss->xp_gen_seq, __ATOMIC_RELAXED) - start_seq;
		if (count && done >= count)
			break;
		t = now_ns() - t0;
		if (duration && t >= duration)
			break;
		left = duration ? duration - t : ~0ull;

		if (single) {
			due = done * 1000000000ull / rate;
			if (due > t) {
				sleep_until(t0 + (duration && due > duration ? duration : due));
				continue;
			}
			n = 1;
		} else if (rate) {
			n = call_frames(rate, left);
			bss->pace_rate = rate;
			bss->pace_seq0 = start_seq + done;
			bss->pace_t0 = now_ns();
		} else {
			n = est_pps > 0 ? call_frames(est_pps, left) : PKTGEN_PROBE;
		}
		if (n > batch)
			n = batch;
		if (count && n > count - done)
			n = count - done;

		topts.repeat = (int)n;
		tc = now_ns();
		err = bpf_prog_test_run_opts(gen->prog_fd, &topts);
		tc = now_ns() - tc;
		if (err == -EINTR) {
			err = 0;
			continue;
		}
		if (err) {
			explain_run_error(gen, err, kbatch);
			break;
		}
		if (!rate && tc)
			est_pps = n * 1e9 / tc;
	}
	res->elapsed_ns = now_ns() - t0;
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

/* --- interface facts ---------------------------------------------------- */

int xp_pktgen_link_info(int ifindex, __u8 mac[6], unsigned int *mtu)
{
	struct ifreq ifr = {};
	int fd, err = 0;

	if (ifindex <= 0 || !if_indextoname(ifindex, ifr.ifr_name)) {
		pr_warn("there is no interface with index %d in this network namespace\n", ifindex);
		return -ENODEV;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (mac) {
		if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
			err = -errno;
			pr_warn("%s: cannot read the MAC address: %s\n", ifr.ifr_name,
				strerror(-err));
			goto out_close;
		}
		if (ifr.ifr_hwaddr.sa_family != 1 /* ARPHRD_ETHER */) {
			pr_warn("%s: link type %u is not Ethernet; the generator builds Ethernet frames\n",
				ifr.ifr_name, ifr.ifr_hwaddr.sa_family);
			err = -EOPNOTSUPP;
			goto out_close;
		}
		memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	}
	if (mtu) {
		if (ioctl(fd, SIOCGIFMTU, &ifr)) {
			err = -errno;
			pr_warn("%s: cannot read the MTU: %s\n", ifr.ifr_name, strerror(-err));
			goto out_close;
		}
		*mtu = ifr.ifr_mtu;
	}
out_close:
	close(fd);
	return err;
}

/* A neighbour entry in one of these states has a MAC we may use. */
#define NUD_USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP)

/* Look at one RTM_NEWNEIGH; 1 when it is the entry asked for. */
static int neigh_match(const struct nlmsghdr *nh, int ifindex, int family, const void *addr,
		       size_t alen, __u8 mac[6], __u16 *state)
{
	const struct ndmsg *nd = NLMSG_DATA(nh);
	const struct rtattr *rta;
	const void *lladdr = NULL;
	bool dst_ok = false;
	int len;

	if (nh->nlmsg_type != RTM_NEWNEIGH || nh->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)))
		return 0;
	if (nd->ndm_ifindex != ifindex || nd->ndm_family != family)
		return 0;
	len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
	for (rta = (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	     RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == alen)
			dst_ok = !memcmp(RTA_DATA(rta), addr, alen);
		else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == ETH_ALEN)
			lladdr = RTA_DATA(rta);
	}
	if (!dst_ok)
		return 0;
	*state = nd->ndm_state;
	if (!(nd->ndm_state & NUD_USABLE) || !lladdr)
		return 0;
	memcpy(mac, lladdr, ETH_ALEN);
	return 1;
}

int xp_pktgen_resolve_mac(int ifindex, int family, const union xp_pktgen_addr *addr, __u8 mac[6])
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req = {
		.nh = {
			.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)),
			.nlmsg_type = RTM_GETNEIGH,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.nd = { .ndm_family = family, .ndm_ifindex = ifindex },
	};
	size_t alen = family == AF_INET6 ? 16 : 4;
	char abuf[INET6_ADDRSTRLEN];
	__u16 state = 0;
	int fd, err = -ENOENT, found = 0, done = 0;
	char *buf;
	ssize_t n;

	if (family != AF_INET && family != AF_INET6) {
		pr_warn("resolve: address family %d is not supported; use AF_INET or AF_INET6\n",
			family);
		return -EINVAL;
	}
	buf = malloc(65536);
	if (!buf)
		return -ENOMEM;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		err = -errno;
		pr_warn("resolve: cannot open an rtnetlink socket: %s\n", strerror(-err));
		goto out_free;
	}
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		err = -errno;
		pr_warn("resolve: asking rtnetlink for the neighbour table failed: %s\n",
			strerror(-err));
		goto out_close;
	}
	/* Read the whole dump even after a match, so the socket drains cleanly. */
	while (!done) {
		struct nlmsghdr *nh;

		n = recv(fd, buf, 65536, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			pr_warn("resolve: reading the neighbour table failed: %s\n",
				strerror(-err));
			goto out_close;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				err = e->error ?: -EIO;
				pr_warn("resolve: rtnetlink refused the neighbour dump: %s\n",
					strerror(-err));
				goto out_close;
			}
			if (!found)
				found = neigh_match(nh, ifindex, family, addr, alen, mac, &state);
		}
		if (n == 0)
			break;
	}
	inet_ntop(family, addr, abuf, sizeof(abuf));
	if (found) {
		pr_debug("resolve: %s is %02x:%02x:%02x:%02x:%02x:%02x (state 0x%x)\n", abuf,
			 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], state);
		err = 0;
	} else {
		pr_debug("resolve: no usable neighbour entry for %s on ifindex %d (state 0x%x)\n",
			 abuf, ifindex, state);
		err = -ENOENT;
	}
out_close:
	close(fd);
out_free:
	free(buf);
	return err;
}

/* --- reference programs ------------------------------------------------- */

static const char *const ref_prog_names[XP_REF_KIND_MAX] = {
	[XP_REF_DROP] = XP_REF_PROG_DROP,
	[XP_REF_TX] = XP_REF_PROG_TX,
	[XP_REF_PASS] = XP_REF_PROG_PASS,
};

static const char *const ref_kind_names[XP_REF_KIND_MAX] = {
	[XP_REF_DROP] = "drop",
	[XP_REF_TX] = "tx",
	[XP_REF_PASS] = "pass",
};

const char *xp_ref_kind_str(enum xp_ref_kind kind)
{
	return (unsigned int)kind < XP_REF_KIND_MAX ? ref_kind_names[kind] : "unknown";
}

int xp_ref_kind_parse(const char *name)
{
	int i;

	for (i = 0; name && i < XP_REF_KIND_MAX; i++)
		if (!strcmp(name, ref_kind_names[i]))
			return i;
	return -EINVAL;
}

static const char *ref_mode_str(enum xp_attach_mode mode)
{
	return mode == XP_ATTACH_GENERIC ? "generic" : mode == XP_ATTACH_NATIVE ? "native" : "auto";
}

static __u32 ref_mode_flag(enum xp_attach_mode mode)
{
	return mode == XP_ATTACH_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

/* What is attached to an interface, and whether it is one of our references. */
struct ref_attached {
	__u32 prog_id; /* 0: nothing */
	enum xp_attach_mode mode;
	char name[BPF_OBJ_NAME_LEN];
	int kind; /* enum xp_ref_kind, or -1: not a reference */
	int stats_fd; /* xp_ref_stats of that program, when asked for */
};

/* Find xp_ref_stats among a program's maps; returns its fd or -errno. */
static int ref_find_stats(int prog_fd)
{
	struct bpf_prog_info info = {};
	struct bpf_map_info minfo;
	__u32 len = sizeof(info), mlen, *ids = NULL, i, nr;
	int err, fd;

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	nr = info.nr_map_ids;
	if (!nr)
		return -ENOENT;
	ids = calloc(nr, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = nr;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		err = -errno;
		goto out_free;
	}
	if (info.nr_map_ids < nr)
		nr = info.nr_map_ids;
	err = -ENOENT;
	for (i = 0; i < nr; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		memset(&minfo, 0, sizeof(minfo));
		mlen = sizeof(minfo);
		if (!bpf_obj_get_info_by_fd(fd, &minfo, &mlen) &&
		    !strcmp(minfo.name, XP_REF_STATS_MAP) &&
		    minfo.type == BPF_MAP_TYPE_PERCPU_ARRAY &&
		    minfo.value_size == sizeof(struct xp_gen_counter) &&
		    minfo.max_entries >= XP_REF_CNT_MAX) {
			err = fd;
			break;
		}
		close(fd);
	}
out_free:
	free(ids);
	return err;
}

static int ref_query(int ifindex, struct ref_attached *at, bool want_stats)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char name[IF_NAMESIZE];
	int err, fd, i;

	memset(at, 0, sizeof(*at));
	at->kind = -1;
	at->stats_fd = -1;
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err) {
		pr_warn("%s: cannot query its XDP program: %s\n", ifname_of(ifindex, name),
			strerror(-err));
		return err;
	}
	if (q.drv_prog_id) {
		at->prog_id = q.drv_prog_id;
		at->mode = XP_ATTACH_NATIVE;
	} else if (q.skb_prog_id) {
		at->prog_id = q.skb_prog_id;
		at->mode = XP_ATTACH_GENERIC;
	}
	if (!at->prog_id)
		return 0;

	fd = bpf_prog_get_fd_by_id(at->prog_id);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT) { /* detached meanwhile */
			at->prog_id = 0;
			return 0;
		}
		pr_warn("%s: cannot open XDP program id %u: %s\n", ifname_of(ifindex, name),
			at->prog_id, strerror(-err));
		return err;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		pr_warn("%s: cannot read XDP program id %u: %s\n", ifname_of(ifindex, name),
			at->prog_id, strerror(-err));
		goto out_close;
	}
	snprintf(at->name, sizeof(at->name), "%s", info.name);
	for (i = 0; i < XP_REF_KIND_MAX; i++)
		if (!strcmp(info.name, ref_prog_names[i]))
			break;
	if (i < XP_REF_KIND_MAX) {
		err = ref_find_stats(fd);
		if (err >= 0) {
			at->kind = i;
			if (want_stats)
				at->stats_fd = err;
			else
				close(err);
		}
	}
	err = 0;
out_close:
	close(fd);
	return err;
}

int xp_ref_attach(int ifindex, enum xp_ref_kind kind, enum xp_attach_mode mode, bool force)
{
	static const enum xp_attach_mode auto_modes[] = { XP_ATTACH_NATIVE, XP_ATTACH_GENERIC };
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
	enum xp_attach_mode modes[2];
	struct bpf_program *prog;
	struct ref_attached cur;
	struct xdp_ref *skel;
	char name[IF_NAMESIZE];
	int err, prog_fd, old_fd = -1, ntry, i;

	if ((unsigned int)kind >= XP_REF_KIND_MAX) {
		pr_warn("reference kind %d is unknown; use drop, tx or pass\n", kind);
		return -EINVAL;
	}
	if (mode != XP_ATTACH_AUTO && mode != XP_ATTACH_NATIVE && mode != XP_ATTACH_GENERIC) {
		pr_warn("attach mode %d is unknown; use auto, native or generic\n", mode);
		return -EINVAL;
	}
	if (ifindex <= 0 || !if_indextoname(ifindex, name)) {
		pr_warn("there is no interface with index %d in this network namespace\n", ifindex);
		return -ENODEV;
	}
	err = ref_query(ifindex, &cur, false);
	if (err)
		return err;
	if (cur.prog_id && !force) {
		pr_warn("%s already has XDP program %s (id %u, %s mode) attached; detach it first (xp-ref detach %s%s) or pass --force to replace it\n",
			name, cur.name, cur.prog_id, ref_mode_str(cur.mode), name,
			cur.kind < 0 ? " --force" : "");
		return -EEXIST;
	}

	skel = xdp_ref__open_and_load();
	if (!skel) {
		err = -errno;
		pr_warn("loading the reference programs failed: %s; run as root, -v shows the verifier's log\n",
			strerror(-err));
		return err;
	}
	prog = kind == XP_REF_DROP ? skel->progs.xdp_ref_drop :
	       kind == XP_REF_TX   ? skel->progs.xdp_ref_tx :
				     skel->progs.xdp_ref_pass;
	prog_fd = bpf_program__fd(prog);

	if (cur.prog_id) {
		old_fd = bpf_prog_get_fd_by_id(cur.prog_id);
		if (old_fd < 0 && errno != ENOENT) {
			err = -errno;
			pr_warn("%s: cannot open XDP program id %u to replace it: %s\n", name,
				cur.prog_id, strerror(-err));
			goto out_destroy;
		}
	}

	if (mode == XP_ATTACH_AUTO) {
		/* Stay in the mode of the program we replace, else native first. */
		if (old_fd >= 0) {
			modes[0] = cur.mode;
			ntry = 1;
		} else {
			memcpy(modes, auto_modes, sizeof(modes));
			ntry = 2;
		}
	} else {
		modes[0] = mode;
		ntry = 1;
	}

	if (old_fd >= 0 && modes[0] != cur.mode) {
		/* Native and generic never coexist: take the old one off first. */
		ao.old_prog_fd = old_fd;
		err = bpf_xdp_detach(ifindex, ref_mode_flag(cur.mode), &ao);
		if (err) {
			pr_warn("%s: detaching XDP program id %u failed: %s\n", name, cur.prog_id,
				strerror(-err));
			goto out_close;
		}
		close(old_fd);
		old_fd = -1;
	}

	err = -EOPNOTSUPP;
	for (i = 0; i < ntry; i++) {
		if (old_fd >= 0) {
			/* Same mode: replace atomically, and only that program. */
			ao.old_prog_fd = old_fd;
			err = bpf_xdp_attach(ifindex, prog_fd, ref_mode_flag(modes[i]), &ao);
		} else {
			err = bpf_xdp_attach(ifindex, prog_fd,
					     ref_mode_flag(modes[i]) | XDP_FLAGS_UPDATE_IF_NOEXIST,
					     NULL);
		}
		if (!err || err == -EEXIST || err == -EBUSY)
			break;
		pr_debug("%s: attaching in %s mode failed (%s)\n", name, ref_mode_str(modes[i]),
			 strerror(-err));
	}
	if (err == -EOPNOTSUPP)
		pr_warn("%s: the driver does not support %s XDP; use --generic\n", name,
			ref_mode_str(modes[ntry - 1]));
	else if (err == -EEXIST)
		pr_warn("%s: another XDP program was attached meanwhile; look with ip link show %s and retry\n",
			name, name);
	else if (err == -EBUSY)
		pr_warn("%s: its XDP program is held by a bpf_link (bpftool link list shows it); its owner must release it\n",
			name);
	else if (err)
		pr_warn("%s: attaching %s failed: %s\n", name, ref_prog_names[kind],
			strerror(-err));
	else
		pr_debug("%s: %s attached in %s mode\n", name, ref_prog_names[kind],
			 ref_mode_str(modes[i]));

	/* The attached program holds its map; our references can go. */
out_close:
	if (old_fd >= 0)
		close(old_fd);
out_destroy:
	xdp_ref__destroy(skel);
	return err;
}

int xp_ref_detach(int ifindex, bool force)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
	struct ref_attached cur;
	char name[IF_NAMESIZE];
	int err, fd;

	if (ifindex <= 0 || !if_indextoname(ifindex, name)) {
		pr_warn("there is no interface with index %d in this network namespace\n", ifindex);
		return -ENODEV;
	}
	err = ref_query(ifindex, &cur, false);
	if (err)
		return err;
	if (!cur.prog_id)
		return -ENOENT;
	if (cur.kind < 0 && !force) {
		pr_warn("%s has XDP program %s (id %u) attached, which is not a reference program; left in place. Pass --force to detach it anyway\n",
			name, cur.name, cur.prog_id);
		return -EEXIST;
	}
	fd = bpf_prog_get_fd_by_id(cur.prog_id);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	ao.old_prog_fd = fd; /* exactly that program, not one swapped in since */
	err = bpf_xdp_detach(ifindex, ref_mode_flag(cur.mode), &ao);
	close(fd);
	if (err)
		pr_warn("%s: detaching XDP program %s (id %u) failed: %s\n", name, cur.name,
			cur.prog_id, strerror(-err));
	return err;
}

int xp_ref_read(int ifindex, struct xp_ref_stats *st)
{
	struct xp_gen_counter *vals = NULL;
	struct ref_attached cur;
	char name[IF_NAMESIZE];
	int err, ncpus, cpu;
	__u32 key;

	if (!st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	if (ifindex <= 0 || !if_indextoname(ifindex, name)) {
		pr_warn("there is no interface with index %d in this network namespace\n", ifindex);
		return -ENODEV;
	}
	err = ref_query(ifindex, &cur, true);
	if (err)
		return err;
	if (!cur.prog_id)
		return -ENOENT;
	if (cur.kind < 0)
		return -EMEDIUMTYPE;
	st->prog_id = cur.prog_id;
	st->kind = cur.kind;
	st->mode = cur.mode;

	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		err = ncpus ?: -EINVAL;
		goto out_close;
	}
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals) {
		err = -ENOMEM;
		goto out_close;
	}
	for (key = 0; key < XP_REF_CNT_MAX; key++) {
		if (bpf_map_lookup_elem(cur.stats_fd, &key, vals)) {
			err = -errno;
			pr_warn("%s: reading counter %u of %s failed: %s\n", name, key, cur.name,
				strerror(-err));
			goto out_free;
		}
		for (cpu = 0; cpu < ncpus; cpu++) {
			st->cnt[key].packets += vals[cpu].packets;
			st->cnt[key].bytes += vals[cpu].bytes;
		}
	}
out_free:
	free(vals);
out_close:
	close(cur.stats_fd);
	return err;
}
