// SPDX-License-Identifier: GPL-2.0
/*
 * The steering library's API contract: every argument is checked and a bad
 * one is refused with -EINVAL (or NULL and errno) and a message that names
 * the value; then, when we may create a network namespace (root), the whole
 * life cycle on that namespace's loopback: attach (auto falls back to
 * generic on lo), query, QPN entries, XSKMAP slots, counters fed through
 * BPF_PROG_RUN, detach.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "xp_diag.h"
#include "xp_log.h"
#include "xp_neigh.h"
#include "xp_steer.h"
#include "xp_test.h"

#define LO 1 /* loopback's ifindex in every network namespace */

static char last_msg[2048];

static int capture(enum xp_print_level level, const char *fmt, va_list ap)
{
	if (level <= XP_INFO)
		vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	return 0;
}

/* The last warning or info message contains s. */
static bool said(const char *s)
{
	bool ok = strstr(last_msg, s);

	if (!ok)
		xt_note("last message: %s (wanted '%s')", last_msg, s);
	return ok;
}

static void clear_msg(void)
{
	last_msg[0] = '\0';
}

static void test_arguments(void)
{
	struct xp_steer_attach_opts opts = { .sz = sizeof(opts) };
	struct {
		struct xp_steer_attach_opts o;
		long newer_field;
	} big = { .o.sz = sizeof(big), .newer_field = 1 };
	struct xp_steer_info info;
	struct xp_counter c[XP_CNT_MAX];
	__u32 q[1];
	int err;

	clear_msg();
	xt_check(xp_steer_query(0, &info) == -EINVAL && said("ifindex 0"), "query: ifindex 0");
	xt_check(xp_steer_query(-5, &info) == -EINVAL && said("ifindex -5"), "query: ifindex -5");
	xt_check(xp_steer_query(LO, NULL) == -EINVAL && said("info is NULL"), "query: NULL info");
	xt_check(xp_steer_query(INT_MAX, &info) == -ENODEV && said("index 2147483647"),
		 "query: ifindex that does not exist");

	xt_check(xp_steer_attach(0, NULL, NULL) == -EINVAL, "attach: ifindex 0");
	xt_check(xp_steer_attach(INT_MAX, NULL, NULL) == -ENODEV, "attach: no such ifindex");
	opts.sz = 4;
	xt_check(xp_steer_attach(LO, &opts, NULL) == -EINVAL && said("sz 4"),
		 "attach: opts.sz too small");
	opts.sz = sizeof(opts);
	xt_check(xp_steer_attach(LO, &big.o, NULL) == -EINVAL && said("unknown option"),
		 "attach: options the library does not know");
	opts.mode = 7;
	xt_check(xp_steer_attach(LO, &opts, NULL) == -EINVAL && said("attach mode 7"),
		 "attach: unknown mode");

	xt_check(xp_steer_detach(0, false) == -EINVAL, "detach: ifindex 0");
	xt_check(xp_steer_detach(INT_MAX, true) == -ENODEV, "detach: no such ifindex");

	errno = 0;
	xt_check(!xp_steer_open(0) && errno == EINVAL, "open: ifindex 0 gives NULL, EINVAL");
	errno = 0;
	xt_check(!xp_steer_open(INT_MAX) && errno == ENODEV,
		 "open: no such ifindex gives NULL, ENODEV");

	clear_msg();
	xt_check(xp_steer_set_xsk(NULL, 0, 3) == -EINVAL && said("steer is NULL"),
		 "set_xsk: NULL steer");
	xt_check(xp_steer_clear_xsk(NULL, 0) == -EINVAL, "clear_xsk: NULL steer");
	xt_check(xp_steer_add_qpn(NULL, 1, 0) == -EINVAL, "add_qpn: NULL steer");
	xt_check(xp_steer_del_qpn(NULL, 1) == -EINVAL, "del_qpn: NULL steer");
	xt_check(xp_steer_list_qpns(NULL, q, NULL, 1) == -EINVAL, "list_qpns: NULL steer");
	xt_check(xp_steer_read_counters(NULL, c) == -EINVAL, "read_counters: NULL steer");
	xp_steer_close(NULL);
	xt_pass("close: NULL is a no-op");

	xt_check(xp_xsk_diag_list(-1, NULL, 0) == -EINVAL, "xsk_diag_list: ifindex -1");
	xt_check(xp_xsk_diag_list(0, NULL, 1) == -EINVAL, "xsk_diag_list: NULL array with max 1");
	err = xp_xsk_diag_list(0, NULL, 0);
	xt_check(err >= 0 || err == -EOPNOTSUPP,
		 "xsk_diag_list: counting works or says EOPNOTSUPP (%d)", err);
	if (err == -EOPNOTSUPP)
		xt_note("this kernel has no xdp_diag (CONFIG_XDP_SOCKETS_DIAG)");
}

/* Run the attached program `repeat` times on a small non-RoCE frame. */
static int run_prog(__u32 prog_id, int repeat)
{
	unsigned char frame[64] = { [12] = 0x08, [13] = 0x06 }; /* ARP */
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = repeat);
	int fd, err;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;
	err = bpf_prog_test_run_opts(fd, &topts);
	close(fd);
	if (err)
		return err;
	return topts.retval;
}

static void test_lifecycle(void)
{
	struct xp_steer_attach_opts opts = { .sz = sizeof(opts) };
	struct xp_counter c[XP_CNT_MAX];
	struct xp_steer_info info;
	__u32 qpns[4], slots[4];
	enum xp_attach_mode mode = XP_ATTACH_AUTO;
	struct xp_steer *steer;
	const char *want;
	unsigned int mtu = 0;
	int err, n, sock;

	if (unshare(CLONE_NEWNET)) {
		xt_skip("life cycle on a private loopback: unshare(CLONE_NEWNET) failed (%s); run as root",
			strerror(errno));
		return;
	}

	errno = 0;
	clear_msg();
	xt_check(!xp_steer_open(LO) && errno == ENOENT && said("no XDP program attached"),
		 "open without a program: NULL, ENOENT, says so");
	xt_check(xp_steer_detach(LO, false) == -ENOENT, "detach without a program: -ENOENT");
	xt_check(xp_steer_query(LO, &info) == 0 && info.prog_id == 0,
		 "query without a program: prog_id 0");

	opts.obj_path = "/nonexistent/xdp_steer.bpf.o";
	clear_msg();
	err = xp_steer_attach(LO, &opts, NULL);
	xt_check(err < 0 && said("/nonexistent/xdp_steer.bpf.o"),
		 "attach from a missing object fails and names it (%d)", err);
	opts.obj_path = NULL;

	/* lo has no native XDP: auto must fall back to generic. */
	err = xp_steer_attach(LO, &opts, &mode);
	if (!xt_check(!err && mode == XP_ATTACH_GENERIC,
		      "attach auto on lo -> generic (err %d, mode %d)", err, mode))
		return;
	/* The MTU picks the program: lo's is 65536, above one buffer's worth. */
	xp_link_info(LO, NULL, &mtu);
	want = mtu > XP_STEER_SINGLE_BUF_MTU ? XP_STEER_PROG_NAME_MB : XP_STEER_PROG_NAME;
	err = xp_steer_query(LO, &info);
	xt_check(!err && info.prog_id && info.ours && !strcmp(info.prog_name, want) &&
			 info.mode == XP_ATTACH_GENERIC,
		 "query: ours, named %s (lo's MTU %u: %s), generic", info.prog_name, mtu, want);
	xt_check(info.xsks_map_id && info.qpn_map_id && info.stats_map_id &&
			 info.xsks_map_id != info.qpn_map_id &&
			 info.qpn_map_id != info.stats_map_id,
		 "query: three distinct map ids (%u %u %u)", info.xsks_map_id, info.qpn_map_id,
		 info.stats_map_id);
	mode = XP_ATTACH_AUTO;
	xt_check(!xp_steer_attach(LO, &opts, &mode) && mode == XP_ATTACH_GENERIC,
		 "attach again: no-op, reports generic");
	opts.mode = XP_ATTACH_NATIVE;
	clear_msg();
	xt_check(xp_steer_attach(LO, &opts, NULL) == -EEXIST && said("native mode asked for"),
		 "attach native over our generic program: -EEXIST");

	steer = xp_steer_open(LO);
	if (!xt_check(steer != NULL, "open: %s", steer ? "ok" : strerror(errno)))
		goto out_detach;

	clear_msg();
	xt_check(xp_steer_add_qpn(steer, 0x1000000, 0) == -EINVAL && said("0x1000000") &&
			 said("24 bits"),
		 "add_qpn: QPN 2^24 refused with the rule");
	clear_msg();
	xt_check(xp_steer_add_qpn(steer, 1, XP_STEER_MAX_SLOTS) == -EINVAL && said("slot 256"),
		 "add_qpn: slot 256 refused");
	xt_check(!xp_steer_add_qpn(steer, 1, 2) && !xp_steer_add_qpn(steer, 0xffffff, 255),
		 "add_qpn: 1 -> 2 and 0xffffff -> 255");
	xt_check(xp_steer_list_qpns(steer, NULL, NULL, 0) == 2, "list_qpns: counts 2 with max 0");
	xt_check(xp_steer_list_qpns(steer, qpns, NULL, 1) == 2,
		 "list_qpns: returns 2 when only 1 fits");
	xt_check(xp_steer_list_qpns(steer, NULL, slots, 1) == -EINVAL,
		 "list_qpns: NULL qpns with max 1 refused");
	xt_check(xp_steer_list_qpns(steer, qpns, slots, -1) == -EINVAL,
		 "list_qpns: negative max refused");
	n = xp_steer_list_qpns(steer, qpns, slots, 4);
	xt_check(n == 2 && ((qpns[0] == 1 && slots[0] == 2 && qpns[1] == 0xffffff &&
			     slots[1] == 255) ||
			    (qpns[1] == 1 && slots[1] == 2 && qpns[0] == 0xffffff &&
			     slots[0] == 255)),
		 "list_qpns: both entries with their slots");
	clear_msg();
	xt_check(xp_steer_del_qpn(steer, 5) == -ENOENT && said("not steered"),
		 "del_qpn: a QPN not there gives -ENOENT");
	xt_check(xp_steer_del_qpn(steer, 0x1000000) == -EINVAL, "del_qpn: QPN 2^24 refused");
	xt_check(!xp_steer_del_qpn(steer, 1) && xp_steer_list_qpns(steer, NULL, NULL, 0) == 1,
		 "del_qpn: one left");

	clear_msg();
	xt_check(xp_steer_set_xsk(steer, XP_STEER_MAX_SLOTS, 0) == -EINVAL && said("slot 256"),
		 "set_xsk: slot 256 refused");
	xt_check(xp_steer_set_xsk(steer, 0, -1) == -EINVAL && said("fd -1"),
		 "set_xsk: fd -1 refused");
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	clear_msg();
	err = xp_steer_set_xsk(steer, 0, sock);
	xt_check(err < 0 && said("not an AF_XDP socket"), "set_xsk: a UDP socket refused (%d)",
		 err);
	close(sock);
	xt_check(xp_steer_clear_xsk(steer, 3) == 0, "clear_xsk: an empty slot is fine");
	xt_check(xp_steer_clear_xsk(steer, 300) == -EINVAL, "clear_xsk: slot 300 refused");

	xt_check(xp_steer_read_counters(steer, NULL) == -EINVAL, "read_counters: NULL out");
	err = run_prog(info.prog_id, 5);
	xt_check(err == 2 /* XDP_PASS */, "BPF_PROG_RUN of the attached program passes ARP (%d)",
		 err);
	err = xp_steer_read_counters(steer, c);
	xt_check(!err && c[XP_CNT_PASSED].packets == 5 && c[XP_CNT_PASSED].bytes == 5 * 64 &&
			 c[XP_CNT_REDIRECTED].packets == 0,
		 "read_counters: passed 5 packets, 320 bytes (%llu, %llu)",
		 (unsigned long long)c[XP_CNT_PASSED].packets,
		 (unsigned long long)c[XP_CNT_PASSED].bytes);

	xp_steer_close(steer);
out_detach:
	xt_check(xp_steer_detach(LO, false) == 0, "detach ours");
	xt_check(!xp_steer_query(LO, &info) && info.prog_id == 0, "nothing attached after detach");

	/* Either program on request, and an unknown choice refused. */
	opts.mode = XP_ATTACH_GENERIC;
	opts.frags = XP_STEER_FRAGS_OFF;
	err = xp_steer_attach(LO, &opts, NULL);
	xt_check(!err && !xp_steer_query(LO, &info) &&
			 !strcmp(info.prog_name, XP_STEER_PROG_NAME) && info.ours,
		 "frags off: %s attached, ours (err %d)", info.prog_name, err);
	xp_steer_detach(LO, false);
	opts.frags = XP_STEER_FRAGS_ON;
	err = xp_steer_attach(LO, &opts, NULL);
	xt_check(!err && !xp_steer_query(LO, &info) &&
			 !strcmp(info.prog_name, XP_STEER_PROG_NAME_MB) && info.ours,
		 "frags on: %s attached, ours (err %d)", info.prog_name, err);
	xp_steer_detach(LO, false);
	opts.frags = 7;
	clear_msg();
	err = xp_steer_attach(LO, &opts, NULL);
	xt_check(err == -EINVAL && said("frags 7 is unknown"), "frags 7 refused (%d): %s", err,
		 last_msg);
	xt_check(!xp_steer_query(LO, &info) && info.prog_id == 0, "nothing attached after all");
}

int main(void)
{
	xp_log_capture_libbpf();
	xp_set_print(capture);
	test_arguments();
	test_lifecycle();
	return xt_summary();
}
