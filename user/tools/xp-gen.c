// SPDX-License-Identifier: GPL-2.0
/*
 * xp-gen: send RoCEv2 test frames from the kernel (BPF_PROG_RUN live frames,
 * see user/lib/gen/xp_pktgen.h), or check captured frames against the template.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf_common.h>

#include "xp_log.h"
#include "xp_neigh.h"
#include "xp_pcap.h"
#include "xp_pktgen.h"

static const char *prog = "xp-gen";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s -i IFACE [options]           send frames out of IFACE\n"
		"       %s --check-pcap FILE [options]  verify captured frames\n"
		"\n"
		"Frames are RoCEv2 (UDP 4791, BTH) with a sequence number and a fixed\n"
		"pattern (include/xdpath/gen.h). Run inside the network namespace of IFACE.\n"
		"On veth, the peer needs an XDP program to receive them (xp-ref attach PEER drop).\n"
		"\n"
		"  -i, --iface IFACE      interface to send out of\n"
		"      --dst-mac MAC      destination MAC (default: neighbour entry of --dst-ip)\n"
		"      --src-mac MAC      source MAC (default: IFACE's)\n"
		"      --src-ip ADDR      source IPv4 or IPv6 address (default 198.18.0.1)\n"
		"      --dst-ip ADDR      destination address (default 198.18.0.2)\n"
		"      --vlan ID          add one 802.1Q tag with this VLAN id (1..4094)\n"
		"      --port PORT        UDP destination port (default 4791)\n"
		"      --src-port PORT    first UDP source port (default 49152)\n"
		"      --flows N          vary the source port over N values (default 1)\n"
		"      --qpn N            BTH destination QPN (default 17)\n"
		"      --opcode OP        BTH opcode (default 0x04 RC SEND_ONLY; 0x64 UD SEND_ONLY)\n"
		"  -s, --size BYTES       frame size without FCS (default 64, at most %d)\n"
		"  -n, --count N          stop after N frames (k, M, G suffixes)\n"
		"  -d, --duration SEC     stop after SEC seconds (default: 10 s when no -n)\n"
		"      --rate PPS         at most PPS frames per second (k, M, G suffixes)\n"
		"      --batch N          at most N frames per BPF_PROG_RUN call (default 16M)\n"
		"      --kernel-batch N   frames per kernel batch, 1..256 (default 64)\n"
		"      --cpu N            pin the generator to CPU N\n"
		"      --print            print the template frame and exit\n"
		"      --check-pcap FILE  check every frame in a pcap file against the template\n"
		"      --check-macs       with --check-pcap, compare MACs too\n"
		"      --check-swapped-macs  ... expecting them swapped (frames bounced by an l2fwd)\n"
		"      --json             print the result as one JSON object\n"
		"  -v, --verbose          debug messages (libbpf's too)\n"
		"  -h, --help\n",
		prog, prog, XP_GEN_FRAME_MAX);
}

enum {
	OPT_DST_MAC = 256,
	OPT_SRC_MAC,
	OPT_SRC_IP,
	OPT_DST_IP,
	OPT_VLAN,
	OPT_PORT,
	OPT_SRC_PORT,
	OPT_FLOWS,
	OPT_QPN,
	OPT_OPCODE,
	OPT_RATE,
	OPT_BATCH,
	OPT_KBATCH,
	OPT_CPU,
	OPT_PRINT,
	OPT_CHECK_PCAP,
	OPT_CHECK_MACS,
	OPT_CHECK_SWAPPED,
	OPT_JSON,
};

static const struct option long_opts[] = {
	{ "iface", required_argument, NULL, 'i' },
	{ "dst-mac", required_argument, NULL, OPT_DST_MAC },
	{ "src-mac", required_argument, NULL, OPT_SRC_MAC },
	{ "src-ip", required_argument, NULL, OPT_SRC_IP },
	{ "dst-ip", required_argument, NULL, OPT_DST_IP },
	{ "vlan", required_argument, NULL, OPT_VLAN },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "src-port", required_argument, NULL, OPT_SRC_PORT },
	{ "flows", required_argument, NULL, OPT_FLOWS },
	{ "qpn", required_argument, NULL, OPT_QPN },
	{ "opcode", required_argument, NULL, OPT_OPCODE },
	{ "size", required_argument, NULL, 's' },
	{ "count", required_argument, NULL, 'n' },
	{ "duration", required_argument, NULL, 'd' },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "kernel-batch", required_argument, NULL, OPT_KBATCH },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "print", no_argument, NULL, OPT_PRINT },
	{ "check-pcap", required_argument, NULL, OPT_CHECK_PCAP },
	{ "check-macs", no_argument, NULL, OPT_CHECK_MACS },
	{ "check-swapped-macs", no_argument, NULL, OPT_CHECK_SWAPPED },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{},
};

struct cfg {
	const char *iface;
	const char *src_ip, *dst_ip;
	const char *pcap;
	bool have_dst_mac, have_src_mac;
	__u64 count, rate;
	double duration;
	__u32 batch, kbatch;
	int cpu;
	unsigned int check_flags;
	bool print, json;
	struct xp_pktgen_template_opts t;
};

static int parse_mac(const char *s, __u8 mac[6])
{
	unsigned int i, v;
	char *end;

	for (i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[0]))
			return -EINVAL;
		v = strtoul(s, &end, 16);
		if (end - s > 2 || v > 0xff)
			return -EINVAL;
		mac[i] = v;
		if (i < 5 && *end != ':' && *end != '-')
			return -EINVAL;
		s = end + (i < 5);
	}
	return *end ? -EINVAL : 0;
}

/* Unsigned number with an optional k/M/G (powers of 1000) suffix. */
static int parse_u64(const char *s, __u64 max, __u64 *out)
{
	unsigned long long v;
	__u64 mult = 1;
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	if (*end == 'k' || *end == 'K')
		mult = 1000, end++;
	else if (*end == 'M')
		mult = 1000000, end++;
	else if (*end == 'G')
		mult = 1000000000, end++;
	if (*end || (v && mult > max / v) || v * mult > max)
		return -EINVAL;
	*out = v * mult;
	return 0;
}

static int opt_u64(const char *name, const char *s, __u64 max, __u64 *out)
{
	if (parse_u64(s, max, out)) {
		fprintf(stderr,
			"%s: %s '%s' is not a number in 0..%llu (k, M, G suffixes allowed)\n", prog,
			name, s, (unsigned long long)max);
		return -EINVAL;
	}
	return 0;
}

static int opt_u32(const char *name, const char *s, __u32 min, __u32 max, __u32 *out)
{
	__u64 v;

	if (parse_u64(s, max, &v) || v < min) {
		fprintf(stderr, "%s: %s '%s' is out of range; use %u..%u\n", prog, name, s, min,
			max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* Address family of a string, and the address. */
static int parse_ip(const char *s, union xp_pktgen_addr *a)
{
	if (inet_pton(AF_INET, s, &a->v4) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, &a->v6) == 1)
		return AF_INET6;
	return -EINVAL;
}

static int parse_args(int argc, char **argv, struct cfg *c)
{
	__u32 v;
	char *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "i:s:n:d:vh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			c->iface = optarg;
			break;
		case OPT_DST_MAC:
			if (parse_mac(optarg, c->t.dst_mac)) {
				fprintf(stderr,
					"%s: --dst-mac '%s' is not a MAC address; write six hex bytes like 02:00:00:00:00:01\n",
					prog, optarg);
				return -EINVAL;
			}
			c->have_dst_mac = true;
			break;
		case OPT_SRC_MAC:
			if (parse_mac(optarg, c->t.src_mac)) {
				fprintf(stderr,
					"%s: --src-mac '%s' is not a MAC address; write six hex bytes like 02:00:00:00:00:01\n",
					prog, optarg);
				return -EINVAL;
			}
			c->have_src_mac = true;
			break;
		case OPT_SRC_IP:
			c->src_ip = optarg;
			break;
		case OPT_DST_IP:
			c->dst_ip = optarg;
			break;
		case OPT_VLAN:
			if (opt_u32("--vlan", optarg, 1, 4094, &v))
				return -EINVAL;
			c->t.vlan_id = v;
			break;
		case OPT_PORT:
			if (opt_u32("--port", optarg, 1, 65535, &v))
				return -EINVAL;
			c->t.dst_port = v;
			break;
		case OPT_SRC_PORT:
			if (opt_u32("--src-port", optarg, 1, 65535, &v))
				return -EINVAL;
			c->t.src_port = v;
			break;
		case OPT_FLOWS:
			if (opt_u32("--flows", optarg, 1, 65535, &c->t.flows))
				return -EINVAL;
			break;
		case OPT_QPN:
			if (opt_u32("--qpn", optarg, 1, 0xffffff, &c->t.dest_qpn))
				return -EINVAL;
			break;
		case OPT_OPCODE:
			if (opt_u32("--opcode", optarg, 1, 0xff, &v))
				return -EINVAL;
			c->t.opcode = v;
			break;
		case 's':
			if (opt_u32("--size", optarg, XP_GEN_FRAME_MIN, XP_GEN_FRAME_MAX,
				    &c->t.frame_size))
				return -EINVAL;
			break;
		case 'n':
			if (opt_u64("--count", optarg, 1ull << 62, &c->count))
				return -EINVAL;
			if (!c->count) {
				fprintf(stderr,
					"%s: --count 0 sends nothing; give at least 1 (or -d to run for a time)\n",
					prog);
				return -EINVAL;
			}
			break;
		case 'd':
			errno = 0;
			c->duration = strtod(optarg, &end);
			if (errno || *end || !(c->duration > 0) || c->duration > 1e6) {
				fprintf(stderr,
					"%s: --duration '%s' is not a number of seconds in (0, 1000000]\n",
					prog, optarg);
				return -EINVAL;
			}
			break;
		case OPT_RATE:
			if (opt_u64("--rate", optarg, 1000000000000ull, &c->rate))
				return -EINVAL;
			break;
		case OPT_BATCH:
			if (opt_u32("--batch", optarg, 1, 1u << 30, &c->batch))
				return -EINVAL;
			break;
		case OPT_KBATCH:
			if (opt_u32("--kernel-batch", optarg, 1, 256, &c->kbatch))
				return -EINVAL;
			break;
		case OPT_CPU:
			if (opt_u32("--cpu", optarg, 0, CPU_SETSIZE - 1, &v))
				return -EINVAL;
			c->cpu = v;
			break;
		case OPT_PRINT:
			c->print = true;
			break;
		case OPT_CHECK_PCAP:
			c->pcap = optarg;
			break;
		case OPT_CHECK_MACS:
			c->check_flags = XP_PKTGEN_VERIFY_MACS;
			break;
		case OPT_CHECK_SWAPPED:
			c->check_flags = XP_PKTGEN_VERIFY_SWAPPED_MACS;
			break;
		case OPT_JSON:
			c->json = true;
			break;
		case 'v':
			xp_set_log_level(XP_DEBUG);
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'; see %s --help\n", prog, argv[optind],
			prog);
		return -EINVAL;
	}
	return 0;
}

static void mac_str(const __u8 *m, char *buf)
{
	sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* Fill the template's addresses from the options and the system. */
static int setup_template(struct cfg *c, int ifindex)
{
	const char *src = c->src_ip ?: "198.18.0.1", *dst = c->dst_ip ?: "198.18.0.2";
	int sfam, dfam, err;
	char ping[8] = "ping";

	sfam = parse_ip(src, &c->t.src_ip);
	if (sfam < 0) {
		fprintf(stderr, "%s: --src-ip '%s' is neither an IPv4 nor an IPv6 address\n", prog,
			src);
		return -EINVAL;
	}
	dfam = parse_ip(dst, &c->t.dst_ip);
	if (dfam < 0) {
		fprintf(stderr, "%s: --dst-ip '%s' is neither an IPv4 nor an IPv6 address\n", prog,
			dst);
		return -EINVAL;
	}
	if (sfam != dfam) {
		fprintf(stderr,
			"%s: source %s and destination %s are of different IP versions; give both --src-ip and --dst-ip as IPv4, or both as IPv6\n",
			prog, src, dst);
		return -EINVAL;
	}
	c->t.family = sfam;

	if (!c->have_src_mac) {
		if (!ifindex) {
			fprintf(stderr,
				"%s: no source MAC: pass --src-mac, or -i IFACE to use its address\n",
				prog);
			return -EINVAL;
		}
		err = xp_link_info(ifindex, c->t.src_mac, NULL);
		if (err)
			return err;
	}
	if (!c->have_dst_mac) {
		if (!ifindex) {
			fprintf(stderr,
				"%s: no destination MAC: pass --dst-mac, or -i IFACE to look %s up in its neighbour table\n",
				prog, dst);
			return -EINVAL;
		}
		err = xp_neigh_resolve(ifindex, dfam, &c->t.dst_ip, c->t.dst_mac);
		if (err == -ENOENT) {
			if (dfam == AF_INET6)
				strcpy(ping, "ping -6");
			fprintf(stderr,
				"%s: %s has no resolved neighbour entry on %s; ping it first (%s -c1 -I %s %s) so the kernel learns its MAC, or pass --dst-mac\n",
				prog, dst, c->iface, ping, c->iface, dst);
			return err;
		}
		if (err)
			return err;
	}
	return 0;
}

static void print_template(const struct xp_pktgen_template *t)
{
	char smac[18], dmac[18];
	unsigned int i;

	mac_str(t->data, dmac);
	mac_str(t->data + 6, smac);
	printf("template: %u bytes, %s -> %s, IPv%d, vlan %u, IP at %u, UDP at %u, BTH at %u, sequence at %u, pattern at %u, %u flow(s) from port %u\n",
	       t->len, smac, dmac, t->family == AF_INET6 ? 6 : 4, t->vlan_id, t->l3_off, t->l4_off,
	       t->bth_off, t->seq_off, t->pattern_off, t->flows, t->src_port);
	for (i = 0; i < t->len; i++)
		printf("%02x%s", t->data[i], (i % 16 == 15 || i + 1 == t->len) ? "\n" : " ");
}

/* --- pcap check ---------------------------------------------------------- */

static int check_pcap(const struct cfg *c, const struct xp_pktgen_template *t)
{
	unsigned int flags = c->check_flags;
	__u64 frames = 0, good = 0, bad = 0, seq, smin = ~0ull, smax = 0, first_bad = 0;
	struct xp_pcap_rec rec;
	struct xp_pcap pc;
	int err;

	err = xp_pcap_open(&pc, c->pcap, XP_PCAP_ETHERNET);
	if (err) {
		fprintf(stderr, "%s: %s\n", prog, pc.err);
		return err;
	}
	while ((err = xp_pcap_next(&pc, &rec)) > 0) {
		frames++;
		if (rec.caplen == rec.len &&
		    !xp_pktgen_verify_flags(t, rec.data, rec.caplen, &seq, flags)) {
			good++;
			smin = seq < smin ? seq : smin;
			smax = seq > smax ? seq : smax;
		} else {
			if (!bad)
				first_bad = frames;
			bad++;
		}
	}
	if (err) {
		fprintf(stderr, "%s: %s\n", prog, pc.err);
		goto out;
	}
	if (c->json)
		printf("{\"frames\":%llu,\"match\":%llu,\"differ\":%llu,\"seq_min\":%llu,\"seq_max\":%llu}\n",
		       (unsigned long long)frames, (unsigned long long)good,
		       (unsigned long long)bad, (unsigned long long)(good ? smin : 0),
		       (unsigned long long)smax);
	else
		printf("%s: %llu frames, %llu match the template, %llu differ; sequence numbers %llu..%llu\n",
		       c->pcap, (unsigned long long)frames, (unsigned long long)good,
		       (unsigned long long)bad, (unsigned long long)(good ? smin : 0),
		       (unsigned long long)smax);
	if (bad)
		fprintf(stderr,
			"%s: frame %llu of %s is the first that differs from the template (length, headers or pattern); compare it with %s --print\n",
			prog, (unsigned long long)first_bad, c->pcap, prog);
	if (!frames || bad)
		err = -EBADMSG;
out:
	xp_pcap_close(&pc);
	return err;
}

/* --- send ---------------------------------------------------------------- */

static struct xp_pktgen *running;

static void on_signal(int sig)
{
	xp_pktgen_stop(running);
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "%s: cannot pin to CPU %d: %s; the CPUs here are 0..%ld\n", prog,
			cpu, strerror(errno), sysconf(_SC_NPROCESSORS_ONLN) - 1);
		return -errno;
	}
	return 0;
}

static void report(const struct cfg *c, const struct xp_pktgen_template *t,
		   const struct xp_pktgen_result *r)
{
	double secs = r->elapsed_ns / 1e9;
	double pps = secs > 0 ? r->generated / secs : 0;
	double bps = secs > 0 ? r->bytes * 8.0 / secs : 0;

	if (c->json) {
		printf("{\"iface\":\"%s\",\"frame_size\":%u,\"generated\":%llu,\"sent\":", c->iface,
		       t->len, (unsigned long long)r->generated);
		if (r->xmit_counted)
			printf("%llu,\"xmit_dropped\":%llu", (unsigned long long)r->sent,
			       (unsigned long long)r->xmit_dropped);
		else
			printf("null,\"xmit_dropped\":null");
		printf(",\"bytes\":%llu,\"elapsed_s\":%.6f,\"pps\":%.0f,\"bps\":%.0f}\n",
		       (unsigned long long)r->bytes, secs, pps, bps);
		return;
	}
	printf("%s: %llu frames of %u bytes in %.3f s: %.3f Mpps, %.3f Gbit/s\n", c->iface,
	       (unsigned long long)r->generated, t->len, secs, pps / 1e6, bps / 1e9);
	if (r->xmit_counted)
		printf("sent %llu (accepted by the driver), %llu refused by the driver\n",
		       (unsigned long long)r->sent, (unsigned long long)r->xmit_dropped);
	else
		printf("sent: unknown (no transmit counter on this kernel)\n");
}

static int send_frames(struct cfg *c, int ifindex, const struct xp_pktgen_template *t)
{
	LIBBPF_OPTS(xp_pktgen_run_opts, ro);
	struct xp_pktgen_result res;
	struct sigaction sa = { .sa_handler = on_signal };
	struct xp_pktgen *gen;
	unsigned int mtu;
	int err;

	err = xp_link_info(ifindex, NULL, &mtu);
	if (err)
		return err;
	if (t->len > mtu + 14 + (t->vlan_id ? 4 : 0))
		fprintf(stderr,
			"%s: warning: %u-byte frames are larger than %s's MTU %u plus the Ethernet header; most drivers refuse them (raise it: ip link set dev %s mtu %u)\n",
			prog, t->len, c->iface, mtu, c->iface, t->len - 14 - (t->vlan_id ? 4 : 0));
	if (c->cpu >= 0) {
		err = pin_cpu(c->cpu);
		if (err)
			return err;
	}

	gen = xp_pktgen_create(ifindex, t, NULL);
	if (!gen)
		return -errno;
	running = gen;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ro.count = c->count;
	ro.duration_ns = c->duration > 0 ? (__u64)(c->duration * 1e9) :
			 c->count	 ? 0 :
					   10000000000ull;
	ro.rate_pps = c->rate;
	ro.batch = c->batch;
	ro.kernel_batch = c->kbatch;
	err = xp_pktgen_run(gen, &ro, &res);
	running = NULL;
	xp_pktgen_destroy(gen);
	report(c, t, &res);
	if (err)
		return err;
	if (res.xmit_counted && res.generated && !res.sent) {
		fprintf(stderr,
			"%s: the driver of %s refused all %llu frames; on veth the peer interface needs an XDP program (xp-ref attach PEER drop), and frames must fit the peer's MTU\n",
			prog, c->iface, (unsigned long long)res.generated);
		return -EIO;
	}
	if (res.xmit_counted && res.xmit_dropped)
		fprintf(stderr,
			"%s: warning: the driver refused %llu of %llu frames (transmit ring full); lower --rate or --kernel-batch\n",
			prog, (unsigned long long)res.xmit_dropped,
			(unsigned long long)res.generated);
	return 0;
}

int main(int argc, char **argv)
{
	struct cfg c = { .cpu = -1 };
	struct xp_pktgen_template t;
	int ifindex = 0, err;

	c.t.sz = sizeof(c.t);
	xp_log_capture_libbpf();
	if (parse_args(argc, argv, &c))
		return EXIT_FAILURE;

	if (c.iface) {
		ifindex = if_nametoindex(c.iface);
		if (!ifindex) {
			fprintf(stderr,
				"%s: there is no interface '%s' in this network namespace; run %s inside the interface's namespace (ip netns exec NS %s ...)\n",
				prog, c.iface, prog, prog);
			return EXIT_FAILURE;
		}
	} else if (!c.print && !c.pcap) {
		fprintf(stderr, "%s: no interface given; pass -i IFACE (see %s --help)\n", prog,
			prog);
		return EXIT_FAILURE;
	}
	err = setup_template(&c, ifindex);
	if (err)
		return EXIT_FAILURE;
	err = xp_pktgen_build(&t, &c.t);
	if (err)
		return EXIT_FAILURE;
	if (c.print) {
		print_template(&t);
		return EXIT_SUCCESS;
	}
	if (c.pcap)
		return check_pcap(&c, &t) ? EXIT_FAILURE : EXIT_SUCCESS;
	return send_frames(&c, ifindex, &t) ? EXIT_FAILURE : EXIT_SUCCESS;
}
