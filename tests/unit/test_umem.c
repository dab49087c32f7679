// SPDX-License-Identifier: GPL-2.0
/*
 * Every XDP_UMEM_REG rule at and around its boundary, in aligned and
 * unaligned chunk mode. Each row is checked three ways: xp_umem_check()'s
 * verdict and message, xp_umem_create()'s errno, and (when we may create
 * AF_XDP sockets) the running kernel's own verdict on the same request, so
 * the table cannot drift away from the kernel.
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

#define U XDP_UMEM_UNALIGNED_CHUNK_FLAG
#define CSUM XDP_UMEM_TX_SW_CSUM
#define META XDP_UMEM_TX_METADATA_LEN
#define PG 4096ULL

enum kernel_view {
	K_SAME, /* the kernel must agree with us */
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
	int expect; /* 0 or -EINVAL */
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
	{ "flag TX_SW_CSUM", 2048, 0, CSUM, 0, 64 * PG, 0, 0 },
	{ "flag TX_SW_CSUM unaligned", 3000, 0, CSUM | U, 0, 64 * PG, 0, 0 },
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
	{ "headroom 1345 2K", 2048, 1345, 0, 0, 64 * PG, 0, -EINVAL, "at most 1344" },
	{ "headroom 1791 2K (old rule)", 2048, 1791, 0, 0, 64 * PG, 0, -EINVAL, "at most 1344" },
	{ "headroom 1344 2K unaligned", 2048, 1344, U, 0, 64 * PG, 0, 0 },
	{ "headroom 1345 2K unaligned", 2048, 1345, U, 0, 64 * PG, 0, -EINVAL, "at most 1344" },
	{ "headroom 3392 (max) 4K", 4096, 3392, 0, 0, 64 * PG, 0, 0 },
	{ "headroom 3393 4K", 4096, 3393, 0, 0, 64 * PG, 0, -EINVAL, "at most 3392" },
	{ "headroom 2296 (max) 3000 unaligned", 3000, 2296, U, 0, 64 * PG, 0, 0 },
	{ "headroom 2297 3000 unaligned", 3000, 2297, U, 0, 64 * PG, 0, -EINVAL, "at most 2296" },
	{ "headroom ~0", 4096, ~0u, 0, 0, 64 * PG, 0, -EINVAL, "too large" },
	/* tx metadata length: multiple of 8 below 256, with its flag */
	{ "tx meta 0", 2048, 0, META, 0, 64 * PG, 0, 0 },
	{ "tx meta 8", 2048, 0, META, 8, 64 * PG, 0, 0 },
	{ "tx meta 248", 2048, 0, META, 248, 64 * PG, 0, 0 },
	{ "tx meta 248 unaligned", 3000, 0, META | U, 248, 64 * PG, 0, 0 },
	{ "tx meta 256", 2048, 0, META, 256, 64 * PG, 0, -EINVAL, "multiple of 8 below 256" },
	{ "tx meta 7", 2048, 0, META, 7, 64 * PG, 0, -EINVAL, "tx_metadata_len 7" },
	{ "tx meta 12", 4096, 0, META, 12, 64 * PG, 0, -EINVAL, "multiple of 8" },
	{ "tx meta 255 unaligned", 3000, 0, META | U, 255, 64 * PG, 0, -EINVAL, "multiple of 8" },
	{ "tx meta 248 + max headroom", 2048, 1344, META, 248, 64 * PG, 0, 0 },
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
	struct xp_umem *umem;
	void *map = NULL, *area;
	int err, kerr;

	if (r->kernel == K_SKIP) {
		area = (void *)(uintptr_t)r->fake_addr;
	} else {
		map = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			   0);
		if (map == MAP_FAILED) {
			xt_fail("%s: mmap %zu: %s", r->name, maplen, strerror(errno));
			return;
		}
		area = (char *)map + r->misalign;
	}

	last_msg[0] = 0;
	err = xp_umem_check(area, r->len, &o);
	if (xt_check(err == r->expect, "%s: xp_umem_check returns %d", r->name, r->expect)) {
		if (r->expect)
			xt_check(r->msg && strstr(last_msg, r->msg),
				 "%s: message names the rule ('%s')", r->name, r->msg);
	} else {
		xt_note("got %d, message: %s", err, last_msg);
	}

	if (r->kernel == K_SKIP)
		goto out;

	if (kernel) {
		kerr = kernel_verdict(area, r);
		if (r->kernel == K_SAME)
			xt_check(kerr == r->expect, "%s: kernel agrees (%d)", r->name, kerr);
		else
			xt_check(kerr == 0, "%s: kernel accepts what we refuse on purpose",
				 r->name);

		umem = xp_umem_create(area, r->len, &o);
		err = umem ? 0 : -errno;
		xt_check(err == r->expect, "%s: xp_umem_create returns %d", r->name, err);
		if (umem)
			xt_check(xp_umem_destroy(umem) == 0, "%s: destroy", r->name);
	}
out:
	if (map)
		munmap(map, maplen);
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
	size_t i;

	xp_set_print(capture);
	if (!kernel)
		xt_skip("kernel cross-check: cannot create AF_XDP sockets (%s); checking our rules only",
			strerror(errno));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i], kernel);
	test_opts_abi();
	if (kernel)
		test_memlock();
	else
		xt_skip("memlock: needs AF_XDP sockets");
	xt_check(xp_umem_max_headroom(2048) == 1344 && xp_umem_max_headroom(4096) == 3392,
		 "max headroom 1344 (2K) and 3392 (4K)");
	return xt_summary();
}
