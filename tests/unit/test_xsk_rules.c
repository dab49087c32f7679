// SPDX-License-Identifier: GPL-2.0
/*
 * The bind rules that differ between kernels: the bind flags the running
 * kernel knows (XDP_USE_SG since 6.6), as the library learnt them, checked
 * against real binds on the loopback device in copy mode, and what the
 * library says on a kernel without multi-buffer. Runs on the host and in the
 * 6.1 and 6.12 guests (vm/test_xsk_rules).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xp_log.h"
#include "xp_test.h"
#include "xp_xsk.h"
#include "xp_xsk_rules.h"
#include "xsk_private.h"

#define NFRAMES 64
#define CHUNK 4096

static char last_msg[1024];

static int capture(enum xp_print_level level, const char *fmt, va_list ap)
{
	if (level == XP_WARN) {
		vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
		last_msg[strcspn(last_msg, "\n")] = 0;
	}
	return 0;
}

/* The kernel's verdict on bind flags before it looks for a device. */
static int kernel_bind_flag(__u16 flag)
{
	struct sockaddr_xdp sxdp = { .sxdp_family = AF_XDP, .sxdp_flags = flag };
	int fd, err = 0;

	fd = socket(AF_XDP, SOCK_RAW, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp)))
		err = -errno;
	close(fd);
	return err;
}

/* One copy-mode socket on lo queue 0, created and destroyed: 0 or -errno. */
static int lo_socket(void *area, bool use_sg, bool no_need_wakeup)
{
	struct xp_umem *umem;
	struct xp_pool *pool;
	struct xp_xsk *xsk;
	int err = 0;

	umem = xp_umem_create(area, NFRAMES * CHUNK, NULL);
	if (!umem)
		return -errno;
	pool = xp_pool_create(umem, NULL);
	if (!pool) {
		err = -errno;
		goto out_umem;
	}
	xsk = xp_xsk_create(umem, if_nametoindex("lo"), 0,
			    &(struct xp_xsk_opts){ .sz = sizeof(struct xp_xsk_opts),
						   .mode = XP_XSK_COPY,
						   .use_sg = use_sg,
						   .no_need_wakeup = no_need_wakeup,
						   .no_steer = true,
						   .pool = pool });
	if (!xsk)
		err = -errno;
	xp_xsk_destroy(xsk);
	xp_pool_destroy(pool);
out_umem:
	xp_umem_destroy(umem);
	return err;
}

static void test_kernel(void *area)
{
	static const struct {
		__u16 flag;
		const char *name;
	} flags[] = {
		{ XDP_SHARED_UMEM, "XDP_SHARED_UMEM" },
		{ XDP_COPY, "XDP_COPY" },
		{ XDP_ZEROCOPY, "XDP_ZEROCOPY" },
		{ XDP_USE_NEED_WAKEUP, "XDP_USE_NEED_WAKEUP" },
		{ XDP_USE_SG, "XDP_USE_SG" },
	};
	const struct xp_xsk_rules *k = xp_xsk_rules();
	size_t i;
	int err;

	xt_check(k->probed, "the library learnt this kernel's rules (%s, probe %d)", k->release,
		 k->probe_err);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		bool known = k->bind_flags & flags[i].flag;

		err = kernel_bind_flag(flags[i].flag);
		xt_check(err == (known ? -ENODEV : -EINVAL),
			 "bind flag %s: the library says %s, the kernel %d", flags[i].name,
			 known ? "known" : "unknown", err);
	}
	/* Every kernel we run on has these; one without is a new rule. */
	xt_check((k->bind_flags & 0xf) == 0xf,
		 "bind flags SHARED_UMEM, COPY, ZEROCOPY, NEED_WAKEUP are known (0x%x)",
		 k->bind_flags);
	for (i = 5; i < 16; i++) {
		err = kernel_bind_flag(1u << i);
		if (!xt_check(err == -EINVAL, "bind flag 0x%x is unknown to the kernel (%d)",
			      1u << i, err))
			xt_note("this kernel (%s) has a bind flag the library does not know; classify it in docs/xsk.md",
				k->release);
	}

	err = lo_socket(area, false, false);
	if (!xt_check(!err, "lo queue 0: a copy-mode socket binds (%d)", err)) {
		xt_note("%s", last_msg);
		return;
	}
	last_msg[0] = 0;
	err = lo_socket(area, true, false);
	if (k->bind_flags & XDP_USE_SG) {
		xt_check(!err, "lo queue 0: XDP_USE_SG binds on this kernel (%d)", err);
	} else {
		xt_check(err == -EINVAL, "lo queue 0: XDP_USE_SG refused with EINVAL (%d)", err);
		xt_check(strstr(last_msg, "does not know XDP_USE_SG") &&
				 strstr(last_msg, k->release),
			 "lo queue 0: the refusal names XDP_USE_SG and this kernel ('%s')",
			 last_msg);
	}
}

/* On a kernel without XDP_USE_SG (6.1), whatever this one is. */
static void test_old_kernel(void *area)
{
	struct xp_xsk_rules old = *xp_xsk_rules();

	snprintf(old.release, sizeof(old.release), "6.1.0-test");
	old.bind_flags &= ~XDP_USE_SG;
	xp_xsk_rules_override(&old);
	last_msg[0] = 0;
	xt_check(lo_socket(area, true, false) == -EINVAL &&
			 strstr(last_msg, "this kernel (6.1.0-test) does not know XDP_USE_SG"),
		 "6.1 rules: XDP_USE_SG refused before the bind, with why ('%s')", last_msg);
	xt_check(lo_socket(area, false, false) == 0, "6.1 rules: a socket without it binds");

	old.bind_flags &= ~XDP_USE_NEED_WAKEUP;
	last_msg[0] = 0;
	xt_check(lo_socket(area, false, false) == -EINVAL &&
			 strstr(last_msg, "does not know XDP_USE_NEED_WAKEUP"),
		 "no need_wakeup: refused, and no_need_wakeup is named ('%s')", last_msg);
	xt_check(lo_socket(area, false, true) == 0, "no need_wakeup: no_need_wakeup binds");
	xp_xsk_rules_override(NULL);
}

int main(void)
{
	void *area;
	int fd;

	xp_set_print(capture);
	fd = socket(AF_XDP, SOCK_RAW, 0);
	if (fd < 0) {
		xt_skip("bind rules: cannot create AF_XDP sockets here (%s)", strerror(errno));
		return xt_summary();
	}
	close(fd);
	if (!if_nametoindex("lo")) {
		xt_skip("bind rules: no loopback device in this network namespace");
		return xt_summary();
	}
	area = mmap(NULL, NFRAMES * CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	if (area == MAP_FAILED) {
		xt_fail("mmap: %s", strerror(errno));
		return xt_summary();
	}
	test_kernel(area);
	test_old_kernel(area);
	munmap(area, NFRAMES * CHUNK);
	return xt_summary();
}
