// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Learning the kernel-dependent AF_XDP rules from the running kernel.
 *
 * Every probe is one request on a throw-away AF_XDP socket: a one-page umem
 * registration that differs from a known-good one in a single field, or a
 * bind to ifindex 0, which the kernel refuses with ENODEV once it has accepted
 * the flags and with EINVAL when it does not know one of them. The answers
 * are kept for the life of the process (pthread_once): about fifty system
 * calls on first use, none after.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "xp_internal.h"
#include "xp_xsk_rules.h"
#include "xsk_private.h"

#define PROBE_CHUNK 4096
#define BIND_FLAGS_ALL \
	(XDP_SHARED_UMEM | XDP_COPY | XDP_ZEROCOPY | XDP_USE_NEED_WAKEUP | XDP_USE_SG)

static struct xp_xsk_rules probed_rules;
static const struct xp_xsk_rules *override;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

/* The rules of the newest kernels we know, for when we cannot ask. */
static void rules_newest(struct xp_xsk_rules *r)
{
	r->umem_flags = XP_UMEM_FLAGS_VALID;
	r->headroom_reserve = XP_XDP_PACKET_HEADROOM + XP_SKB_SHINFO_SIZE + XP_UMEM_TAILROOM;
	/* Some 6.18 builds refuse 0 and 8; assume the stricter rule. */
	r->tx_meta_lens = ~0u << 2;
	r->bind_flags = BIND_FLAGS_ALL;
}

struct probe {
	void *page;
	__u64 len;
};

/* The kernel's verdict on one registration: 0 or -errno. */
static int probe_reg(const struct probe *p, __u32 headroom, __u32 flags, __u32 tx_meta)
{
	struct xp_umem_reg reg = {
		.addr = (uintptr_t)p->page,
		.len = p->len,
		.chunk_size = PROBE_CHUNK,
		.headroom = headroom,
		.flags = flags,
		.tx_metadata_len = tx_meta,
	};
	int fd, err = 0;

	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)))
		err = -errno;
	close(fd);
	return err;
}

/* A bind flag is known when binding with it gets as far as the device. */
static bool probe_bind_flag(__u16 flag)
{
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_ifindex = 0,
		.sxdp_flags = flag,
	};
	int fd, err = 0;

	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp)))
		err = errno;
	close(fd);
	return err == ENODEV;
}

/* The largest headroom accepted for PROBE_CHUNK: the last "yes" of a bisection. */
static __u32 probe_max_headroom(const struct probe *p)
{
	__u32 yes = 0, no = PROBE_CHUNK;

	while (no - yes > 1) {
		__u32 mid = yes + (no - yes) / 2;

		if (probe_reg(p, mid, 0, 0))
			no = mid;
		else
			yes = mid;
	}
	return yes;
}

static void probe_kernel(void)
{
	struct xp_xsk_rules *r = &probed_rules;
	static const __u32 opt_flags[] = { XDP_UMEM_TX_SW_CSUM };
	struct utsname u;
	struct probe p;
	unsigned int i;
	int err;

	rules_newest(r);
	if (!uname(&u))
		snprintf(r->release, sizeof(r->release), "%s", u.release);

	p.len = sysconf(_SC_PAGESIZE);
	if (p.len < PROBE_CHUNK) {
		r->probe_err = -EOPNOTSUPP;
		return;
	}
	p.page = mmap(NULL, p.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p.page == MAP_FAILED) {
		r->probe_err = -errno;
		return;
	}
	/* A request every kernel takes; if it fails, asking is pointless. */
	err = probe_reg(&p, 0, 0, 0);
	if (err) {
		r->probe_err = err;
		pr_debug(
			"cannot probe AF_XDP rules on this kernel (%s); assuming the newest ones\n",
			strerror(-err));
		goto out_unmap;
	}

	r->umem_flags = XDP_UMEM_UNALIGNED_CHUNK_FLAG;
	for (i = 0; i < ARRAY_SIZE(opt_flags); i++)
		if (!probe_reg(&p, 0, opt_flags[i], 0))
			r->umem_flags |= opt_flags[i];
	r->tx_meta_lens = 0;
	for (i = 0; i < XP_TX_META_LENS; i++)
		if (!probe_reg(&p, 0, XDP_UMEM_TX_METADATA_LEN, 8 * i))
			r->tx_meta_lens |= 1u << i;
	if (r->tx_meta_lens)
		r->umem_flags |= XDP_UMEM_TX_METADATA_LEN;
	r->headroom_reserve = PROBE_CHUNK - probe_max_headroom(&p);

	r->bind_flags = 0;
	for (i = 0; i < 16; i++)
		if ((BIND_FLAGS_ALL & (1u << i)) && probe_bind_flag(1u << i))
			r->bind_flags |= 1u << i;
	r->probed = true;
	pr_debug(
		"AF_XDP rules of %s: umem flags 0x%x, headroom chunk-%u, tx_metadata_len mask 0x%x, bind flags 0x%x\n",
		r->release, r->umem_flags, r->headroom_reserve, r->tx_meta_lens, r->bind_flags);
out_unmap:
	munmap(p.page, p.len);
}

const struct xp_xsk_rules *xp_xsk_rules(void)
{
	if (override)
		return override;
	pthread_once(&probe_once, probe_kernel);
	return &probed_rules;
}

void xp_xsk_rules_override(const struct xp_xsk_rules *rules)
{
	override = rules;
}

int xp_tx_meta_lens_str(__u32 mask, char *buf, size_t size)
{
	size_t off = 0;
	int i = 0, n;

	buf[0] = 0;
	while (i < XP_TX_META_LENS) {
		int j = i;

		if (!(mask & (1u << i))) {
			i++;
			continue;
		}
		while (j + 1 < XP_TX_META_LENS && (mask & (1u << (j + 1))))
			j++;
		if (j == i)
			n = snprintf(buf + off, size - off, "%s%d", off ? ", " : "", 8 * i);
		else
			n = snprintf(buf + off, size - off, "%s%d..%d", off ? ", " : "", 8 * i,
				     8 * j);
		if (n < 0 || (size_t)n >= size - off)
			return -ENOSPC;
		off += n;
		i = j + 1;
	}
	if (!off)
		return snprintf(buf, size, "none") < (int)size ? 0 : -ENOSPC;
	return 0;
}
