// SPDX-License-Identifier: GPL-2.0
/*
 * Every XDP_UMEM_REG rule at and around its boundary, in aligned and
 * unaligned chunk mode. Each row is checked three ways: xp_umem_check()'s
 * verdict and message, xp_umem_create()'s errno, and (when we may create
 * AF_XDP sockets) the running kernel's own verdict on the same request, so
 * the table cannot drift away from the kernel.
 *
 * A row is of one of two kinds. A fixed rule has the same verdict on every
 * kernel: the row's verdict is written down, and a kernel that disagrees has
 * a rule we do not know, which fails the row by name. A kernel-dependent rule
 * (K_DEPENDS) is learnt from the running kernel by the library
 * (xp_xsk_rules()): there the library must agree with the kernel, and a
 * refusal must name the rule or this kernel. The written verdict is then the
 * newest kernels' one, checked when the kernel cannot be asked. The table
 * runs on the host and in the 6.1 and 6.12 guests (vm/test_umem_rules).
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xp_log.h"
#include "xp_umem.h"
#include "xp_test.h"
#include "xp_xsk_rules.h"
#include "xsk_private.h"

#define U XDP_UMEM_UNALIGNED_CHUNK_FLAG
#define CSUM XDP_UMEM_TX_SW_CSUM
#define META XDP_UMEM_TX_METADATA_LEN
#define PG 4096ULL

enum kernel_view {
	K_SAME, /* a fixed rule: the kernel must agree with the row */
	K_DEPENDS, /* kernel-dependent: the library must agree with the kernel */
	K_ACCEPTS, /* we refuse on purpose, the kernel would accept */
	K_SKIP, /* not safe to hand to the kernel (bogus address) */
};

struct row {
	const char *name;
	__u32 chunk;
	__u32 headroom;
	__u32 flags;
	__u32 tml;
	__u64 len;
	__u64 misalign; /* added to a page-aligned area */
	int expect; /* 0 or -EINVAL (K_DEPENDS: on the newest kernels) */
	const char *msg; /* substring of our message when refused */
	enum kernel_view kernel;
	__u64 fake_addr; /* K_SKIP rows: use this address instead of a buffer */
};

static const struct row rows[] = {
	/* chunk size range: 2048..PAGE_SIZE */
	{ "chunk 2047 aligned", 2047, 0, 0, 0, 64 * PG, 0, -EINVAL, "out of range" },
	{ "chunk 2047 unaligned", 2047, 0, U, 0, 64 * PG, 0, -EINVAL, "out of range" },
	{ "chunk 2048 aligned", 2048, 0, 0, 0, 64 * PG, 0, 0 },
	{ "chunk 2048 unaligned", 2048, 0, U, 0, 64 * PG, 0, 0 },
	{ "chunk 4096 aligned", 4096, 0, 0, 0, 64 * PG, 0, 0 },
	{ "chunk 4096 unaligned", 4096, 0, U, 0, 64 * PG, 0, 0 },
	{ "chunk 4097 aligned", 4097, 0, 0, 0, 64 * PG, 0, -EINVAL, "out of range" },
	{ "chunk 4097 unaligned", 4097, 0, U, 0, 64 * PG, 0, -EINVAL, "out of range" },
	{ "chunk 8192 aligned", 8192, 0, 0, 0, 64 * PG, 0, -EINVAL, "4096 (PAGE_SIZE)" },
	{ "chunk 0 means default 4096", 0, 0, 0, 0, 64 * PG, 0, 0 },
	/* power of two unless unaligned */
	{ "chunk 3000 aligned", 3000, 0, 0, 0, 3000 * 64, 0, -EINVAL, "not a power of two" },
	{ "chunk 3000 unaligned", 3000, 0, U, 0, 64 * PG, 0, 0 },
	{ "chunk 2049 aligned", 2049, 0, 0, 0, 2049 * 64, 0, -EINVAL, "2049 is not a power" },
	{ "chunk 2049 unaligned", 2049, 0, U, 0, 64 * PG, 0, 0 },
	{ "chunk 4095 aligned", 4095, 0, 0, 0, 4095 * 64, 0, -EINVAL, "not a power of two" },
	{ "chunk 4095 unaligned", 4095, 0, U, 0, 64 * PG, 0, 0 },
	/* flags */
	{ "flag 0x8 unknown", 2048, 0, 0x8, 0, 64 * PG, 0, -EINVAL, "unknown bits 0x8" },
	{ "flag 0x10 unknown", 2048, 0, U | 0x10, 0, 64 * PG, 0, -EINVAL, "unknown bits 0x10" },
	{ "flag 1<<31 unknown", 2048, 0, 1u << 31, 0, 64 * PG, 0, -EINVAL, "unknown bits" },
	{ "flag TX_SW_CSUM", 2048, 0, CSUM, 0, 64 * PG, 0, 0, NULL, K_DEPENDS },
	{ "flag TX_SW_CSUM unaligned", 3000, 0, CSUM | U, 0, 64 * PG, 0, 0, NULL, K_DEPENDS },
	/* page-aligned area */
	{ "area +1 byte", 2048, 0, 0, 0, 32 * PG, 1, -EINVAL, "not page aligned" },
	{ "area +2048 aligned", 2048, 0, 0, 0, 32 * PG, 2048, -EINVAL, "not page aligned" },
	{ "area +2048 unaligned", 2048, 0, U, 0, 32 * PG, 2048, -EINVAL, "not page aligned" },
	{ "area +4095", 4096, 0, U, 0, 32 * PG, 4095, -EINVAL, "not page aligned" },
	/* length */
	{ "len 0", 2048, 0, 0, 0, 0, 0, -EINVAL, "holds no chunks" },
	{ "len 0 unaligned", 2048, 0, U, 0, 0, 0, -EINVAL, "holds no chunks" },
	{ "len chunk-1 aligned", 2048, 0, 0, 0, 2047, 0, -EINVAL, "holds no chunks" },
	{ "len chunk-1 unaligned", 2048, 0, U, 0, 2047, 0, -EINVAL, "holds no chunks" },
	{ "len chunk aligned", 2048, 0, 0, 0, 2048, 0, 0 },
	{ "len chunk unaligned", 3000, 0, U, 0, 3000, 0, 0 },
	{ "len chunk+1 aligned", 2048, 0, 0, 0, 2049, 0, -EINVAL,
	  "not a multiple of the chunk size" },
	{ "len chunk+1 unaligned", 2048, 0, U, 0, 2049, 0, 0 },
	{ "len 64 chunks-1 aligned", 4096, 0, 0, 0, 64 * PG - 1, 0, -EINVAL, "use 258048 bytes" },
	{ "len 64 chunks-1 unaligned", 4096, 0, U, 0, 64 * PG - 1, 0, 0 },
	{ "len 100 chunks+100 unaligned", 3000, 0, U, 0, 300100, 0, 0 },
	{ "len 3000*64 aligned 4096", 4096, 0, 0, 0, 3000 * 64, 0, -EINVAL, "not a multiple" },
	/* address wrap and size limits: never handed to the kernel */
	{ "area wraps", 4096, 0, 0, 0, 16 * PG, 0, -EINVAL, "wraps around", K_SKIP,
	  0xfffffffffffff000ULL },
	{ "len 2^32 pages", 4096, 0, 0, 0, (1ULL << 32) * PG, 0, -EINVAL, "2^32 pages", K_SKIP,
	  0x10000000ULL },
	{ "len 2^32 pages-1", 2048, 0, U, 0, ((1ULL << 32) - 1) * PG, 0, -EINVAL, "too many chunks",
	  K_SKIP, 0x10000000ULL },
	/* headroom: chunk - 256 - 320 - 128 at most */
	{ "headroom 0", 2048, 0, 0, 0, 64 * PG, 0, 0 },
	{ "headroom 1344 (max) 2K", 2048, 1344, 0, 0, 64 * PG, 0, 0 },
	{ "headroom 1345 2K", 2048, 1345, 0, 0, 64 * PG, 0, -EINVAL, "at most 1344", K_DEPENDS },
	{ "headroom 1791 2K (old rule)", 2048, 1791, 0, 0, 64 * PG, 0, -EINVAL, "at most 1344",
	  K_DEPENDS },
	{ "headroom 1792 2K (no rule takes it)", 2048, 1792, 0, 0, 64 * PG, 0, -EINVAL,
	  "too large" },
	{ "headroom 1344 2K unaligned", 2048, 1344, U, 0, 64 * PG, 0, 0 },
	{ "headroom 1345 2K unaligned", 2048, 1345, U, 0, 64 * PG, 0, -EINVAL, "at most 1344",
	  K_DEPENDS },
	{ "headroom 3392 (max) 4K", 4096, 3392, 0, 0, 64 * PG, 0, 0 },
	{ "headroom 3393 4K", 4096, 3393, 0, 0, 64 * PG, 0, -EINVAL, "at most 3392", K_DEPENDS },
	{ "headroom 3839 4K (old rule)", 4096, 3839, 0, 0, 64 * PG, 0, -EINVAL, "at most 3392",
	  K_DEPENDS },
	{ "headroom 3840 4K (no rule takes it)", 4096, 3840, 0, 0, 64 * PG, 0, -EINVAL,
	  "too large" },
	{ "headroom 2296 (max) 3000 unaligned", 3000, 2296, U, 0, 64 * PG, 0, 0 },
	{ "headroom 2297 3000 unaligned", 3000, 2297, U, 0, 64 * PG, 0, -EINVAL, "at most 2296",
	  K_DEPENDS },
	{ "headroom ~0", 4096, ~0u, 0, 0, 64 * PG, 0, -EINVAL, "too large" },
	/*
	 * tx metadata length: a multiple of 8 below 256, with its flag (which
	 * 6.1 does not know); some 6.18 builds refuse 0 and 8.
	 */
	{ "tx meta 0", 2048, 0, META, 0, 64 * PG, 0, -EINVAL, "refused by this kernel", K_DEPENDS },
	{ "tx meta 8", 2048, 0, META, 8, 64 * PG, 0, -EINVAL, "refused by this kernel", K_DEPENDS },
	{ "tx meta 16", 2048, 0, META, 16, 64 * PG, 0, 0, NULL, K_DEPENDS },
	{ "tx meta 24", 2048, 0, META, 24, 64 * PG, 0, 0, NULL, K_DEPENDS },
	{ "tx meta 248", 2048, 0, META, 248, 64 * PG, 0, 0, NULL, K_DEPENDS },
	{ "tx meta 248 unaligned", 3000, 0, META | U, 248, 64 * PG, 0, 0, NULL, K_DEPENDS },
	{ "tx meta 256", 2048, 0, META, 256, 64 * PG, 0, -EINVAL, "multiple of 8 below 256" },
	{ "tx meta 7", 2048, 0, META, 7, 64 * PG, 0, -EINVAL, "tx_metadata_len 7" },
	{ "tx meta 12", 4096, 0, META, 12, 64 * PG, 0, -EINVAL, "multiple of 8" },
	{ "tx meta 255 unaligned", 3000, 0, META | U, 255, 64 * PG, 0, -EINVAL, "multiple of 8" },
	{ "tx meta 248 + max headroom", 2048, 1344, META, 248, 64 * PG, 0, 0, NULL, K_DEPENDS },
	{ "tx meta without flag", 2048, 0, 0, 8, 64 * PG, 0, -EINVAL,
	  "without XDP_UMEM_TX_METADATA_LEN", K_ACCEPTS },
};

static char last_msg[1024];

static int capture(enum xp_print_level level, const char *fmt, va_list ap)
{
	if (level == XP_WARN)
		vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	return 0;
}

/* The kernel's own verdict: 0 or -errno. */
static int kernel_verdict(void *area, const struct row *r)
{
	struct xp_umem_reg reg = {
		.addr = (uintptr_t)area,
		.len = r->len,
		.chunk_size = r->chunk ?: 4096,
		.headroom = r->headroom,
		.flags = r->flags,
		.tx_metadata_len = r->tml,
	};
	int fd, err = 0;

	fd = socket(AF_XDP, SOCK_RAW, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)))
		err = -errno;
	close(fd);
	return err;
}

static bool kernel_usable(void)
{
	int fd = socket(AF_XDP, SOCK_RAW, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * A refusal names the rule (the row's msg) or, where the running kernel's
 * rule for the row is not the newest one, this kernel.
 */
static bool msg_ok(const struct row *r)
{
	const struct xp_xsk_rules *k = xp_xsk_rules();

	if (r->msg && strstr(last_msg, r->msg))
		return true;
	return (r->kernel == K_DEPENDS || (r->flags & ~k->umem_flags)) && k->release[0] &&
	       strstr(last_msg, k->release);
}

static const char *kind_str(const struct row *r, bool kernel)
{
	if (r->kernel != K_DEPENDS)
		return "fixed rule";
	return kernel ? "the kernel's verdict" : "the newest kernels' rule";
}

static void run_row(const struct row *r, bool kernel)
{
	struct xp_umem_opts o = {
		.sz = sizeof(o),
		.chunk_size = r->chunk,
		.headroom = r->headroom,
		.flags = r->flags,
		.tx_metadata_len = r->tml,
	};
	size_t maplen = (r->len + 2 * PG) & ~(PG - 1);
	int err, kerr = 0, want = r->expect;
	struct xp_umem *umem;
	void *map = NULL, *area;

	if (r->kernel == K_SKIP) {
		area = (void *)(uintptr_t)r->fake_addr;
		kernel = false;
	} else {
		map = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			   0);
		if (map == MAP_FAILED) {
			xt_fail("%s: mmap %zu: %s", r->name, maplen, strerror(errno));
			return;
		}
		area = (char *)map + r->misalign;
	}

	if (kernel) {
		kerr = kernel_verdict(area, r);
		switch (r->kernel) {
		case K_SAME:
			if (!xt_check(kerr == r->expect, "%s: the kernel keeps the fixed rule (%d)",
				      r->name, r->expect))
				xt_note("this kernel (%s) says %d: it has a rule the library does not know; classify it in docs/xsk.md",
					xp_xsk_rules()->release, kerr);
			break;
		case K_DEPENDS:
			xt_check(kerr == 0 || kerr == -EINVAL,
				 "%s: the kernel accepts or refuses with EINVAL (%d)", r->name,
				 kerr);
			want = kerr;
			break;
		default:
			xt_check(kerr == 0, "%s: kernel accepts what we refuse on purpose (%d)",
				 r->name, kerr);
			break;
		}
	}

	last_msg[0] = 0;
	err = xp_umem_check(area, r->len, &o);
	if (!xt_check(err == want, "%s: xp_umem_check returns %d (%s)", r->name, want,
		      kind_str(r, kernel)))
		xt_note("got %d, message: %s", err, last_msg);
	else if (want && !xt_check(msg_ok(r), "%s: message names the rule ('%s') or this kernel",
				   r->name, r->msg ?: xp_xsk_rules()->release))
		xt_note("message: %s", last_msg);

	if (kernel) {
		umem = xp_umem_create(area, r->len, &o);
		err = umem ? 0 : -errno;
		xt_check(err == want, "%s: xp_umem_create returns %d", r->name, err);
		if (umem)
			xt_check(xp_umem_destroy(umem) == 0, "%s: destroy", r->name);
	}
	if (map)
		munmap(map, maplen);
}

/*
 * The library's largest headroom is the kernel's, for power-of-two and odd
 * chunk sizes alike (the rule is "chunk - a constant" on every kernel we
 * know), and the constant is one we can explain.
 */
static void test_max_headroom(bool kernel)
{
	static const struct {
		__u32 chunk, flags;
	} c[] = { { 2048, 0 }, { 3000, U }, { 4096, 0 } };
	const struct xp_xsk_rules *k = xp_xsk_rules();
	void *area;
	size_t i;

	if (!kernel) {
		xt_check(xp_umem_max_headroom(2048) == 1344 && xp_umem_max_headroom(4096) == 3392,
			 "max headroom: newest rule 1344 (2K) and 3392 (4K)");
		return;
	}
	xt_check(
		k->headroom_reserve == 704 || k->headroom_reserve == 257,
		"max headroom: this kernel's rule is chunk - %u, a known one (704 since the tailroom rule, 257 before)",
		k->headroom_reserve);
	area = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		xt_fail("max headroom: mmap: %s", strerror(errno));
		return;
	}
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		__u32 max = xp_umem_max_headroom(c[i].chunk);
		struct row r = { "", c[i].chunk, max, c[i].flags, 0, 64 * PG };
		int at = kernel_verdict(area, &r), above;

		r.headroom = max + 1;
		above = kernel_verdict(area, &r);
		xt_check(
			!at && above == -EINVAL,
			"max headroom %u for chunk %u: the kernel takes it (%d) and refuses one more (%d)",
			max, c[i].chunk, at, above);
	}
	munmap(area, 64 * PG);
}

/*
 * What the library says on kernels other than this one: the rules of 6.1
 * (no TX_SW_CSUM or TX_METADATA_LEN, headroom below chunk - 256), of the
 * 6.18 builds that take every tx_metadata_len, and of those that refuse 0
 * and 8, without asking the kernel.
 */
static void test_variants(void)
{
	static const struct xp_xsk_rules old = {
		.probed = true,
		.release = "6.1.0-test",
		.umem_flags = U,
		.headroom_reserve = 257,
		.bind_flags = XDP_SHARED_UMEM | XDP_COPY | XDP_ZEROCOPY | XDP_USE_NEED_WAKEUP,
	};
	static const struct xp_xsk_rules any_meta = {
		.probed = true,
		.release = "6.18.0-any",
		.umem_flags = U | CSUM | META,
		.headroom_reserve = 704,
		.tx_meta_lens = ~0u,
	};
	static const struct xp_xsk_rules strict_meta = {
		.probed = true,
		.release = "6.18.0-strict",
		.umem_flags = U | CSUM | META,
		.headroom_reserve = 704,
		.tx_meta_lens = ~0u << 2,
	};
	static const struct {
		const struct xp_xsk_rules *k;
		const char *name;
		__u32 chunk, headroom, flags, tml;
		int expect;
		const char *msg;
	} v[] = {
		{ &old, "6.1: TX_SW_CSUM", 2048, 0, CSUM, 0, -EINVAL,
		  "XDP_UMEM_TX_SW_CSUM (0x2) is not known to this kernel (6.1.0-test)" },
		{ &old, "6.1: tx meta 16", 2048, 0, META, 16, -EINVAL,
		  "XDP_UMEM_TX_METADATA_LEN (0x4) is not known to this kernel (6.1.0-test)" },
		{ &old, "6.1: headroom 1791 2K", 2048, 1791, 0, 0, 0 },
		{ &old, "6.1: headroom 1792 2K", 2048, 1792, 0, 0, -EINVAL,
		  "at most 1791 (this kernel, 6.1.0-test, wants headroom below chunk - 256" },
		{ &old, "6.1: headroom 3839 4K", 4096, 3839, 0, 0, 0 },
		{ &any_meta, "any: tx meta 0", 2048, 0, META, 0, 0 },
		{ &any_meta, "any: tx meta 8", 2048, 0, META, 8, 0 },
		{ &any_meta, "any: tx meta 12", 2048, 0, META, 12, -EINVAL,
		  "multiple of 8 below 256" },
		{ &strict_meta, "strict: tx meta 8", 2048, 0, META, 8, -EINVAL,
		  "tx_metadata_len 8 is refused by this kernel (6.18.0-strict): with XDP_UMEM_TX_METADATA_LEN it takes 16..248" },
		{ &strict_meta, "strict: tx meta 16", 2048, 0, META, 16, 0 },
		{ &strict_meta, "strict: headroom 1345 2K", 2048, 1345, 0, 0, -EINVAL,
		  "at most 1344 (chunk - 256 XDP headroom - 320 skb_shared_info - 128 tailroom)" },
	};
	void *area =
		mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[160];
	size_t i;

	if (area == MAP_FAILED) {
		xt_fail("variants: mmap: %s", strerror(errno));
		return;
	}
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct xp_umem_opts o = {
			.sz = sizeof(o),
			.chunk_size = v[i].chunk,
			.headroom = v[i].headroom,
			.flags = v[i].flags,
			.tx_metadata_len = v[i].tml,
		};
		int err;

		xp_xsk_rules_override(v[i].k);
		last_msg[0] = 0;
		err = xp_umem_check(area, 64 * PG, &o);
		if (xt_check(err == v[i].expect, "variant %s: xp_umem_check returns %d", v[i].name,
			     v[i].expect) &&
		    v[i].expect)
			xt_check(strstr(last_msg, v[i].msg), "variant %s: message '%s'", v[i].name,
				 v[i].msg);
		else if (err != v[i].expect)
			xt_note("got %d, message: %s", err, last_msg);
	}
	xp_xsk_rules_override(NULL);
	munmap(area, 64 * PG);

	xt_check(!xp_tx_meta_lens_str(~0u << 2, buf, sizeof(buf)) && !strcmp(buf, "16..248"),
		 "tx_metadata_len list 16..248 ('%s')", buf);
	xt_check(!xp_tx_meta_lens_str(0x5 | 1u << 31, buf, sizeof(buf)) &&
			 !strcmp(buf, "0, 16, 248"),
		 "tx_metadata_len list 0, 16, 248 ('%s')", buf);
	xt_check(!xp_tx_meta_lens_str(0, buf, sizeof(buf)) && !strcmp(buf, "none"),
		 "tx_metadata_len list none ('%s')", buf);
	xt_check(xp_tx_meta_lens_str(0x55555555, buf, 8) == -ENOSPC,
		 "tx_metadata_len list: a short buffer is ENOSPC");
}

/* opts struct grown by a newer caller: unknown non-zero bytes are refused. */
static void test_opts_abi(void)
{
	struct {
		struct xp_umem_opts o;
		__u64 future;
	} big = { .o = { .sz = sizeof(big), .chunk_size = 2048 }, .future = 1 };
	struct xp_umem_opts small = { .sz = 4 };
	void *area =
		mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	xt_check(xp_umem_check(area, 64 * PG, &big.o) == -EINVAL,
		 "opts: unknown trailing option refused");
	big.future = 0;
	xt_check(xp_umem_check(area, 64 * PG, &big.o) == 0, "opts: zero trailing bytes accepted");
	xt_check(xp_umem_check(area, 64 * PG, &small) == -EINVAL, "opts: sz too small refused");
	xt_check(xp_umem_check(area, 64 * PG, NULL) == 0, "opts: NULL means defaults");
	xt_check(xp_umem_check(NULL, 64 * PG, NULL) == -EINVAL, "opts: NULL area refused");
	munmap(area, 64 * PG);
}

static int drop_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	data[CAP_IPC_LOCK / 32].permitted &= ~(1u << (CAP_IPC_LOCK % 32));
	data[CAP_SYS_RESOURCE / 32].effective &= ~(1u << (CAP_SYS_RESOURCE % 32));
	data[CAP_SYS_RESOURCE / 32].permitted &= ~(1u << (CAP_SYS_RESOURCE % 32));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/*
 * Without CAP_IPC_LOCK the pinned pages count against RLIMIT_MEMLOCK: a
 * registration above the limit gets ENOBUFS, and we must say what to do.
 * Runs in a child so dropping capabilities does not affect the other tests.
 */
static void test_memlock(void)
{
	int pipefd[2], status;
	char buf[1100] = { 0 };
	pid_t pid;

	if (pipe(pipefd)) {
		xt_fail("memlock: pipe: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 64 * 1024, 64 * 1024 };
		struct xp_umem *umem;
		void *area;
		int code;

		close(pipefd[0]);
		if (drop_caps() || setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(3);
		area = mmap(NULL, 256 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			    0);
		umem = xp_umem_create(area, 256 * PG, NULL);
		code = umem ? 1 : errno == ENOBUFS ? 0 : 2;
		if (write(pipefd[1], last_msg, strlen(last_msg)) < 0)
			code = 4;
		_exit(code);
	}
	close(pipefd[1]);
	if (read(pipefd[0], buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
		xt_skip("memlock: cannot drop CAP_IPC_LOCK or lower RLIMIT_MEMLOCK here");
		return;
	}
	xt_check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "memlock: over-limit umem fails with ENOBUFS (child exit %d)",
		 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	xt_check(strstr(buf, "RLIMIT_MEMLOCK") && strstr(buf, "CAP_IPC_LOCK"),
		 "memlock: message names RLIMIT_MEMLOCK and CAP_IPC_LOCK");
}

int main(void)
{
	bool kernel = kernel_usable();
	const struct xp_xsk_rules *k;
	size_t i;

	xp_set_print(capture);
	if (!kernel)
		xt_skip("kernel cross-check: cannot create AF_XDP sockets (%s); checking the newest rules only",
			strerror(errno));
	k = xp_xsk_rules();
	if (kernel)
		xt_check(k->probed, "the library learnt this kernel's rules (%s, probe %d)",
			 k->release, k->probe_err);
	xt_note("kernel %s: umem flags 0x%x, headroom chunk - %u, tx_metadata_len %s 0x%x, bind flags 0x%x",
		k->release, k->umem_flags, k->headroom_reserve, k->probed ? "probed" : "assumed",
		k->tx_meta_lens, k->bind_flags);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i], kernel);
	test_max_headroom(kernel);
	test_variants();
	test_opts_abi();
	if (kernel)
		test_memlock();
	else
		xt_skip("memlock: needs AF_XDP sockets");
	return xt_summary();
}
