// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * UMEM registration. The rules below are those of net/xdp/xdp_umem.c;
 * checking them here lets us say which one failed instead of passing on a
 * bare EINVAL. The fixed ones (the same on every kernel from 6.1 on) are
 * written here; the ones that differ between kernels come from
 * xp_xsk_rules(), which asked the running kernel.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xp_internal.h"
#include "xp_umem.h"
#include "xsk_private.h"

#define DEFAULT_CHUNK_SIZE 4096

static long page_size(void)
{
	static long ps;

	if (!ps)
		ps = sysconf(_SC_PAGESIZE);
	return ps;
}

static bool is_pow2(__u64 v)
{
	return v && !(v & (v - 1));
}

__u32 xp_umem_max_headroom(__u32 chunk_size)
{
	__u32 reserved = xp_xsk_rules()->headroom_reserve;

	return chunk_size > reserved ? chunk_size - reserved : 0;
}

static const char *umem_flag_name(__u32 flag)
{
	switch (flag) {
	case XDP_UMEM_UNALIGNED_CHUNK_FLAG:
		return "UNALIGNED_CHUNK";
	case XDP_UMEM_TX_SW_CSUM:
		return "TX_SW_CSUM";
	case XDP_UMEM_TX_METADATA_LEN:
		return "TX_METADATA_LEN";
	}
	return "?";
}

/* Flags this library knows that the running kernel does not. */
static int check_flags_known(__u32 flags, const struct xp_xsk_rules *rules)
{
	__u32 unknown = flags & ~rules->umem_flags;

	if (!unknown)
		return 0;
	pr_warn("umem flag XDP_UMEM_%s (0x%x) is not known to this kernel (%s): it refuses the registration; leave the flag out or use a newer kernel\n",
		umem_flag_name(unknown & -unknown), unknown & -unknown, rules->release);
	return -EINVAL;
}

/* Why the running kernel refuses this headroom, in its own terms. */
static void explain_headroom(__u32 headroom, __u32 chunk, const struct xp_xsk_rules *rules)
{
	__u32 max = xp_umem_max_headroom(chunk), reserve = rules->headroom_reserve;

	if (reserve == XP_XDP_PACKET_HEADROOM + XP_SKB_SHINFO_SIZE + XP_UMEM_TAILROOM)
		pr_warn("headroom %u is too large for %u-byte chunks: at most %u (chunk - %u XDP headroom - %u skb_shared_info - %u tailroom); lower it or use larger chunks\n",
			headroom, chunk, max, XP_XDP_PACKET_HEADROOM, XP_SKB_SHINFO_SIZE,
			XP_UMEM_TAILROOM);
	else if (reserve == XP_XDP_PACKET_HEADROOM + 1)
		pr_warn("headroom %u is too large for %u-byte chunks: at most %u (this kernel, %s, wants headroom below chunk - %u XDP headroom); lower it or use larger chunks\n",
			headroom, chunk, max, rules->release, XP_XDP_PACKET_HEADROOM);
	else
		pr_warn("headroom %u is too large for %u-byte chunks: at most %u (this kernel, %s, takes chunk - %u at most); lower it or use larger chunks\n",
			headroom, chunk, max, rules->release, reserve);
}

static int check_tx_meta(__u32 flags, __u32 tx_meta, const struct xp_xsk_rules *rules)
{
	char lens[160];

	if (!(flags & XDP_UMEM_TX_METADATA_LEN)) {
		if (!tx_meta)
			return 0;
		/* The kernel silently ignores it; refusing is kinder. */
		pr_warn("tx_metadata_len %u has no effect without XDP_UMEM_TX_METADATA_LEN; set the flag or pass 0\n",
			tx_meta);
		return -EINVAL;
	}
	if (tx_meta >= 8 * XP_TX_META_LENS || tx_meta % 8) {
		pr_warn("tx_metadata_len %u is invalid: it must be a multiple of 8 below 256\n",
			tx_meta);
		return -EINVAL;
	}
	if (rules->tx_meta_lens & (1u << (tx_meta / 8)))
		return 0;
	xp_tx_meta_lens_str(rules->tx_meta_lens, lens, sizeof(lens));
	pr_warn("tx_metadata_len %u is refused by this kernel (%s): with XDP_UMEM_TX_METADATA_LEN it takes %s (multiples of 8); use one of those\n",
		tx_meta, rules->release, lens);
	return -EINVAL;
}

int xp_umem_check(const void *area, __u64 len, const struct xp_umem_opts *opts)
{
	const struct xp_xsk_rules *rules = xp_xsk_rules();
	__u32 chunk, headroom, flags, tx_meta;
	uintptr_t addr = (uintptr_t)area;
	bool unaligned;
	__u64 chunks;
	int err;

	err = xp_opts_valid(opts, xp_umem_opts);
	if (err)
		return err;
	chunk = XP_OPTS_GET(opts, chunk_size, 0) ?: DEFAULT_CHUNK_SIZE;
	headroom = XP_OPTS_GET(opts, headroom, 0);
	flags = XP_OPTS_GET(opts, flags, 0);
	tx_meta = XP_OPTS_GET(opts, tx_metadata_len, 0);
	unaligned = flags & XDP_UMEM_UNALIGNED_CHUNK_FLAG;

	if (!area) {
		pr_warn("umem area is NULL; pass a page-aligned buffer (mmap() gives one)\n");
		return -EINVAL;
	}
	if (chunk < XP_UMEM_MIN_CHUNK || chunk > page_size()) {
		pr_warn("chunk size %u is out of range: the kernel takes %u..%ld (PAGE_SIZE); use 2048 or 4096\n",
			chunk, XP_UMEM_MIN_CHUNK, page_size());
		return -EINVAL;
	}
	if (flags & ~XP_UMEM_FLAGS_VALID) {
		pr_warn("umem flags 0x%x have unknown bits 0x%x; valid are UNALIGNED_CHUNK 0x1, TX_SW_CSUM 0x2, TX_METADATA_LEN 0x4\n",
			flags, flags & ~XP_UMEM_FLAGS_VALID);
		return -EINVAL;
	}
	err = check_flags_known(flags, rules);
	if (err)
		return err;
	if (!unaligned && !is_pow2(chunk)) {
		pr_warn("chunk size %u is not a power of two; use 2048 or 4096, or unaligned chunk mode (XDP_UMEM_UNALIGNED_CHUNK_FLAG, --unaligned)\n",
			chunk);
		return -EINVAL;
	}
	if (addr & (page_size() - 1)) {
		pr_warn("umem area %p is not page aligned (PAGE_SIZE %ld); allocate it with mmap() or aligned_alloc(%ld, ...)\n",
			area, page_size(), page_size());
		return -EINVAL;
	}
	if (addr + len < addr) {
		pr_warn("umem area %p + %llu bytes wraps around the address space\n", area,
			(unsigned long long)len);
		return -EINVAL;
	}
	if ((len + page_size() - 1) / page_size() > UINT32_MAX) {
		pr_warn("umem length %llu is more than 2^32 pages; use a smaller area\n",
			(unsigned long long)len);
		return -EINVAL;
	}
	chunks = len / chunk;
	if (!chunks || chunks > UINT32_MAX) {
		pr_warn("umem length %llu holds %s chunks of %u bytes; it must hold 1..2^32-1 chunks\n",
			(unsigned long long)len, chunks ? "too many" : "no", chunk);
		return -EINVAL;
	}
	if (!unaligned && len % chunk) {
		pr_warn("umem length %llu is not a multiple of the chunk size %u; use %llu bytes, or unaligned chunk mode\n",
			(unsigned long long)len, chunk, (unsigned long long)(chunks * chunk));
		return -EINVAL;
	}
	if (headroom > xp_umem_max_headroom(chunk)) {
		explain_headroom(headroom, chunk, rules);
		return -EINVAL;
	}
	return check_tx_meta(flags, tx_meta, rules);
}

static int umem_register(int fd, const struct xp_umem_reg *reg)
{
	return setsockopt(fd, SOL_XDP, XDP_UMEM_REG, reg, sizeof(*reg)) ? -errno : 0;
}

/*
 * ENOBUFS means the pinned pages would exceed RLIMIT_MEMLOCK and we lack
 * CAP_IPC_LOCK. Only now touch the limit (raising it needs CAP_SYS_RESOURCE,
 * which sandboxes often drop), and if that fails explain what to do.
 */
static int umem_register_memlock(int fd, const struct xp_umem_reg *reg)
{
	struct rlimit rl;
	int err;

	err = umem_register(fd, reg);
	if (err != -ENOBUFS)
		return err;
	if (!getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur != RLIM_INFINITY) {
		struct rlimit want = { RLIM_INFINITY, RLIM_INFINITY };

		if (!setrlimit(RLIMIT_MEMLOCK, &want)) {
			pr_info("raised RLIMIT_MEMLOCK to unlimited to register the umem\n");
			err = umem_register(fd, reg);
			if (err != -ENOBUFS)
				return err;
		}
	}
	pr_warn("registering a %llu-byte umem failed (ENOBUFS): its pinned pages exceed RLIMIT_MEMLOCK (%llu bytes) and the process lacks CAP_IPC_LOCK; run with CAP_IPC_LOCK, raise the limit (ulimit -l, LimitMEMLOCK=), or use a smaller umem\n",
		(unsigned long long)reg->len,
		(unsigned long long)(getrlimit(RLIMIT_MEMLOCK, &rl) ? 0 : rl.rlim_cur));
	return -ENOBUFS;
}

/* A new AF_XDP socket with the umem registered on it; fd or -errno. */
static int umem_open_socket(const struct xp_umem *umem)
{
	struct xp_umem_reg reg = {
		.addr = (uintptr_t)umem->area,
		.len = umem->len,
		.chunk_size = umem->chunk_size,
		.headroom = umem->headroom,
		.flags = umem->flags,
		.tx_metadata_len = umem->tx_metadata_len,
	};
	int fd, err;

	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		pr_warn("cannot create an AF_XDP socket: %s%s\n", strerror(errno),
			errno == EAFNOSUPPORT ? " (kernel built without CONFIG_XDP_SOCKETS?)" : "");
		return err;
	}
	err = umem_register_memlock(fd, &reg);
	if (err) {
		if (err != -ENOBUFS)
			pr_warn("XDP_UMEM_REG failed: %s (chunk %u, headroom %u, flags 0x%x, %llu bytes)\n",
				strerror(-err), reg.chunk_size, reg.headroom, reg.flags,
				(unsigned long long)reg.len);
		close(fd);
		return err;
	}
	return fd;
}

/*
 * Ring sizes can be set only once per socket. When the first bind on the
 * umem's own socket fails (say, zero-copy refused), that socket is spent:
 * register the umem on a fresh one so the caller can try again.
 */
int xp_umem_renew_fd(struct xp_umem *umem)
{
	int fd = umem_open_socket(umem);

	if (fd < 0)
		return fd;
	close(umem->fd);
	umem->fd = fd;
	return 0;
}

struct xp_umem *xp_umem_create(void *area, __u64 len, const struct xp_umem_opts *opts)
{
	struct xp_umem *umem;
	int err;

	err = xp_umem_check(area, len, opts);
	if (err)
		goto out_err;

	umem = calloc(1, sizeof(*umem));
	if (!umem) {
		err = -ENOMEM;
		goto out_err;
	}
	umem->area = area;
	umem->len = len;
	umem->chunk_size = XP_OPTS_GET(opts, chunk_size, 0) ?: DEFAULT_CHUNK_SIZE;
	umem->headroom = XP_OPTS_GET(opts, headroom, 0);
	umem->flags = XP_OPTS_GET(opts, flags, 0);
	umem->tx_metadata_len = XP_OPTS_GET(opts, tx_metadata_len, 0);
	umem->nframes = len / umem->chunk_size;

	umem->fd = umem_open_socket(umem);
	if (umem->fd < 0) {
		err = umem->fd;
		goto out_free;
	}
	return umem;

out_free:
	free(umem);
out_err:
	errno = -err;
	return NULL;
}

int xp_umem_destroy(struct xp_umem *umem)
{
	if (!umem)
		return 0;
	if (umem->refcount) {
		pr_warn("umem still has %u socket(s); destroy them first\n", umem->refcount);
		return -EBUSY;
	}
	/* Unmap the rings before closing the socket they belong to. */
	xp_umem_release_ctxs(umem);
	close(umem->fd);
	free(umem);
	return 0;
}

int xp_umem_fd(const struct xp_umem *umem)
{
	return umem->fd;
}

void *xp_umem_area(const struct xp_umem *umem)
{
	return umem->area;
}

__u64 xp_umem_len(const struct xp_umem *umem)
{
	return umem->len;
}

__u32 xp_umem_chunk_size(const struct xp_umem *umem)
{
	return umem->chunk_size;
}

__u32 xp_umem_headroom(const struct xp_umem *umem)
{
	return umem->headroom;
}

__u32 xp_umem_flags(const struct xp_umem *umem)
{
	return umem->flags;
}

__u32 xp_umem_nframes(const struct xp_umem *umem)
{
	return umem->nframes;
}
