// SPDX-License-Identifier: GPL-2.0
/*
 * wc_crashload: a deterministic write workload and its checker, for the
 * xpcache crash-consistency replay test (tests/vm/test_wc_replay.sh, guest
 * script writecache_replay.sh). Built static for the VM guests.
 *
 *   wc_crashload plan SEED [--blocks N] [--batches B]
 *   wc_crashload write DEV SEED [--batches B] [--blocks N] [--mark DMNAME]
 *   wc_crashload check DEV SEED K [--between [--fua-done N]] [--blocks N]
 *                                 [--batches B] [--max-fail N]
 *
 * The plan: SEED alone (with the number of blocks of 4 KiB the workload
 * uses, by default all of DEV) gives B batches of writes, each of 1..16
 * blocks at a block-aligned offset: some over a hot region a tenth of the
 * space wide, some over the write just before, so blocks are overwritten
 * within a batch and across batches; about one in seven is written with
 * RWF_DSYNC (a FUA write). Writes are numbered by a generation (0, 1, ...
 * over the whole workload).
 *
 * write runs the plan on DEV (O_DIRECT for a block device), one write at a
 * time, and ends every batch with fdatasync (a FLUSH). A plain write is a
 * pwrite; a FUA write goes through Linux AIO (io_submit of one IOCB_CMD_PWRITE
 * with aio_rw_flags RWF_DSYNC, through the raw system calls) and is waited
 * for with io_getevents. On an O_DIRECT block device that is one bio with
 * REQ_FUA and nothing after it: block/fops.c flushes after a synchronous
 * RWF_DSYNC write (pwritev2), never after an asynchronous one, whose FUA
 * flag alone makes it durable. So a target that handled REQ_FUA as a plain
 * write would leave the write volatile when it completes. With --mark, after
 * each FLUSH has completed it sends the dm-log-writes target DMNAME the
 * mark "bK" (K = the batch, three digits; "b000" before the first batch),
 * and after the completion of the J-th FUA write of batch K the mark
 * "fK.J" ("f007.2"), through dmsetup message. So in the log, every write of
 * batches 1..K precedes mark bK, and FUA write J of batch K precedes mark
 * fK.J.
 *
 * Every 4 KiB block written describes itself: a header (magic, seed, the
 * block number, the generation, batch and index of its write, CRC-32C of
 * the header), then bytes that follow from seed, block and generation.
 * check reads all blocks of DEV back (O_DIRECT) and compares each with
 * what the plan allows:
 *
 *   check DEV SEED K              the state after batch K: a block whose
 *                                 last write is in batches 1..K holds that
 *                                 write's data; a block never written holds
 *                                 zeroes (DEV started zeroed);
 *   check DEV SEED K --between [--fua-done N]
 *                                 a point after mark bK and before mark
 *                                 b(K+1): the first N FUA writes of batch
 *                                 K+1 completed before it (their fK+1.J
 *                                 marks precede the point). A block holds
 *                                 what it must hold after batch K, or after
 *                                 the last of those N FUA writes covering
 *                                 it, or the data of a later write of
 *                                 batch K+1 to it: writes of batch K+1 not
 *                                 covered by a completed FUA are optional,
 *                                 never torn.
 *
 * Each bad block gets one line (the first --max-fail, default 10) saying
 * what it holds instead: zeroes, a torn block (a valid header, but the
 * rest differs), another block's data (misplaced), an older write's
 * (stale), a later write's, or no valid header at all. Then one line of
 * counts.
 *
 * Exit status: 0 the check passed (or write/plan done), 1 it failed or an
 * error, 2 usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/aio_abi.h>
#include <linux/fs.h>

#define WC_BLOCK 4096U
#define WC_MAGIC 0x64616f6c63777078ULL /* "xpwcload" */
#define WC_MAX_LEN 16U /* blocks per write */
#define WC_MAX_BLOCKS (UINT64_C(1) << 28) /* 1 TiB of 4 KiB blocks */
#define WC_MAX_BATCHES 999U
#define WC_CHUNK 256U /* blocks read at once by check */

/* Byte offsets in a block's header. */
#define WC_H_MAGIC 0
#define WC_H_SEED 8
#define WC_H_BLOCK 16
#define WC_H_GEN 24
#define WC_H_BATCH 32
#define WC_H_INDEX 36
#define WC_H_START 40
#define WC_H_NBLOCKS 48
#define WC_H_FLAGS 52
#define WC_H_CRC 56
#define WC_H_LEN 64 /* the payload starts here */

#define WC_F_FUA 1U

struct wc_write {
	uint64_t start; /* first block */
	uint32_t nblocks;
	uint32_t batch; /* 1.. */
	uint32_t index; /* within the batch, 0.. */
	uint32_t fua_nr; /* 1.. among the batch's FUA writes; 0: not FUA */
};

struct wc_plan {
	uint64_t seed;
	uint64_t blocks;
	uint32_t batches;
	uint64_t nr; /* writes */
	struct wc_write *w; /* indexed by generation */
	uint64_t *batch_first; /* generation of batch k's first write; [batches + 1] = nr */
};

static void wc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void wc_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("wc_crashload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: wc_crashload plan SEED [--blocks N] [--batches B]\n"
		   "       wc_crashload write DEV SEED [--blocks N] [--batches B] [--mark DMNAME]\n"
		   "       wc_crashload check DEV SEED K [--between [--fua-done N]] [--blocks N]\n"
		   "                          [--batches B] [--max-fail N]\n"
		   "\n"
		   "A workload of B batches (default 40) of O_DIRECT writes of 1..16 blocks of\n"
		   "4 KiB over the first N blocks of DEV (default: all of it), some with\n"
		   "RWF_DSYNC (io_submit, no flush after it), each batch ended by fdatasync;\n"
		   "all from SEED.\n"
		   "  plan    print the writes: generation, batch, index, first block, blocks,\n"
		   "          FUA\n"
		   "  write   run it on DEV (zeroed before); --mark DMNAME: after each batch's\n"
		   "          fdatasync send the dm-log-writes target DMNAME the mark bK\n"
		   "          (b000 before batch 1), after FUA write J of batch K the mark fK.J\n"
		   "  check   DEV must hold the state after batch K (0..B); --between: a point\n"
		   "          after mark bK and before mark b(K+1), where the first N FUA\n"
		   "          writes of batch K+1 had completed (--fua-done N, default 0)\n"
		   "    --max-fail N   print at most N bad blocks (default 10)\n");
}

/* ---- deterministic numbers ---- */

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n), n > 0. */
static uint64_t below(uint64_t *s, uint64_t n)
{
	return splitmix64(s) % n;
}

static uint32_t crc32c(const unsigned char *p, size_t len)
{
	uint32_t crc = ~0U;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78U & (0U - (crc & 1)));
	}
	return ~crc;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- the plan ---- */

static void plan_free(struct wc_plan *p)
{
	free(p->w);
	free(p->batch_first);
	p->w = NULL;
	p->batch_first = NULL;
}

/*
 * The writes of batches 1..batches over blocks [0, blocks). Batch k's
 * writes are generated after batch k-1's from one stream of numbers, so a
 * longer plan of the same seed starts with the shorter one.
 */
static int plan_make(struct wc_plan *p, uint64_t seed, uint64_t blocks, uint32_t batches)
{
	uint64_t s = seed, hot, cap, n, start, nb;
	uint32_t k, i, nw, fua;
	struct wc_write *w;

	memset(p, 0, sizeof(*p));
	p->seed = seed;
	p->blocks = blocks;
	p->batches = batches;
	hot = blocks / 10 > WC_MAX_LEN ? blocks / 10 : blocks;
	cap = (uint64_t)batches * 16 + 1;
	p->w = calloc(cap, sizeof(*p->w));
	p->batch_first = calloc((size_t)batches + 2, sizeof(*p->batch_first));
	if (!p->w || !p->batch_first) {
		wc_err("out of memory for a plan of %" PRIu32 " batches", batches);
		plan_free(p);
		return -ENOMEM;
	}
	n = 0;
	for (k = 1; k <= batches; k++) {
		p->batch_first[k] = n;
		nw = 4 + (uint32_t)below(&s, 13); /* 4..16 writes */
		fua = 0;
		for (i = 0; i < nw; i++) {
			w = &p->w[n];
			nb = 1 + below(&s, blocks < WC_MAX_LEN ? blocks : WC_MAX_LEN);
			switch (below(&s, 10)) {
			case 0:
			case 1:
				/* Over the write just before: a partial or full overwrite. */
				if (n) {
					start = w[-1].start + below(&s, w[-1].nblocks);
					break;
				}
				/* fall through */
			case 2:
			case 3:
			case 4:
				start = below(&s, hot);
				break;
			default:
				start = below(&s, blocks);
				break;
			}
			if (start + nb > blocks)
				start = blocks - nb;
			w->start = start;
			w->nblocks = (uint32_t)nb;
			w->batch = k;
			w->index = i;
			w->fua_nr = below(&s, 7) == 0 ? ++fua : 0;
			n++;
		}
	}
	p->batch_first[batches + 1] = n;
	p->nr = n;
	return 0;
}

static bool covers(const struct wc_write *w, uint64_t b)
{
	return b >= w->start && b - w->start < w->nblocks;
}

/* The content of block b as written by generation gen. */
static void make_block(const struct wc_plan *p, uint64_t gen, uint64_t b, unsigned char *buf)
{
	const struct wc_write *w = &p->w[gen];
	uint64_t s = p->seed ^ (b * 0xd6e8feb86659fd93ULL) ^ (gen * 0xa0761d6478bd642fULL);
	unsigned int off;

	memset(buf, 0, WC_H_LEN);
	put_le64(buf + WC_H_MAGIC, WC_MAGIC);
	put_le64(buf + WC_H_SEED, p->seed);
	put_le64(buf + WC_H_BLOCK, b);
	put_le64(buf + WC_H_GEN, gen);
	put_le32(buf + WC_H_BATCH, w->batch);
	put_le32(buf + WC_H_INDEX, w->index);
	put_le64(buf + WC_H_START, w->start);
	put_le32(buf + WC_H_NBLOCKS, w->nblocks);
	put_le32(buf + WC_H_FLAGS, w->fua_nr ? WC_F_FUA : 0);
	put_le32(buf + WC_H_CRC, crc32c(buf, WC_H_CRC));
	for (off = WC_H_LEN; off < WC_BLOCK; off += 8)
		put_le64(buf + off, splitmix64(&s));
}

/* ---- devices ---- */

static int open_dev(const char *path, bool wr, uint64_t *bytes)
{
	struct stat st;
	int fd, err, flags = (wr ? O_RDWR : O_RDONLY) | O_CLOEXEC;

	if (stat(path, &st) < 0) {
		err = errno;
		wc_err("%s: %s", path, strerror(err));
		return -err;
	}
	/* O_DIRECT on a block device: no page cache between us and the target. */
	if (S_ISBLK(st.st_mode))
		flags |= O_DIRECT;
	else if (!S_ISREG(st.st_mode)) {
		wc_err("%s is neither a block device nor a regular file", path);
		return -EINVAL;
	}
	fd = open(path, flags);
	if (fd < 0) {
		err = errno;
		wc_err("cannot open %s: %s", path, strerror(err));
		return -err;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, bytes) < 0) {
			err = errno;
			wc_err("%s: BLKGETSIZE64: %s", path, strerror(err));
			close(fd);
			return -err;
		}
	} else {
		*bytes = (uint64_t)st.st_size;
	}
	return fd;
}

/* The workload's size: --blocks, or all of DEV; 0 after an error message. */
static uint64_t dev_blocks(const char *path, uint64_t bytes, uint64_t want)
{
	uint64_t have = bytes / WC_BLOCK;

	if (!want)
		want = have;
	if (want < WC_MAX_LEN || want > WC_MAX_BLOCKS) {
		wc_err("a workload of %" PRIu64 " blocks of 4 KiB: it must be %u to %" PRIu64
		       " blocks (%s has %" PRIu64 " bytes)",
		       want, WC_MAX_LEN, WC_MAX_BLOCKS, path, bytes);
		return 0;
	}
	if (want > have) {
		wc_err("--blocks %" PRIu64 " does not fit %s: it has %" PRIu64 " bytes, %" PRIu64
		       " blocks of 4 KiB",
		       want, path, bytes, have);
		return 0;
	}
	return want;
}

static int mark(const char *dm, const char *name)
{
	char cmd[256];
	int st;

	snprintf(cmd, sizeof(cmd), "dmsetup message %s 0 mark %s", dm, name);
	st = system(cmd);
	if (st) {
		wc_err("'%s' failed (status %#x)", cmd, st);
		return -EIO;
	}
	return 0;
}

static int write_full(int fd, const unsigned char *buf, size_t len, uint64_t off)
{
	ssize_t n = pwrite(fd, buf, len, (off_t)off);

	if (n < 0)
		return -errno;
	/* O_DIRECT writes of whole blocks are never short but on an error. */
	return (size_t)n == len ? 0 : -EIO;
}

/*
 * A FUA write: one IOCB_CMD_PWRITE with RWF_DSYNC submitted on ctx, then
 * its completion. No fsync follows, in the kernel or here.
 */
static int write_fua(aio_context_t ctx, int fd, const unsigned char *buf, size_t len, uint64_t off)
{
	struct iocb cb = {
		.aio_lio_opcode = IOCB_CMD_PWRITE,
		.aio_fildes = (uint32_t)fd,
		.aio_buf = (uint64_t)(uintptr_t)buf,
		.aio_nbytes = len,
		.aio_offset = (int64_t)off,
		.aio_rw_flags = RWF_DSYNC,
	};
	struct iocb *cbs[1] = { &cb };
	struct io_event ev;
	long n;

	n = syscall(SYS_io_submit, ctx, 1L, cbs);
	if (n < 0)
		return -errno;
	if (n != 1)
		return -EIO;
	do
		n = syscall(SYS_io_getevents, ctx, 1L, 1L, &ev, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != 1 || ev.obj != (uint64_t)(uintptr_t)&cb)
		return -EIO;
	if (ev.res < 0)
		return (int)ev.res;
	return (uint64_t)ev.res == len ? 0 : -EIO;
}

static int cmd_write(const char *dev, uint64_t seed, uint64_t want, uint32_t batches,
		     const char *dm)
{
	uint64_t bytes, blocks, g, b, nblocks = 0, nfua = 0;
	struct wc_plan p;
	unsigned char *buf = NULL;
	aio_context_t ctx = 0;
	char name[32];
	uint32_t k;
	int fd, rc;

	fd = open_dev(dev, true, &bytes);
	if (fd < 0)
		return fd;
	if (syscall(SYS_io_setup, 1L, &ctx) < 0) {
		rc = -errno;
		wc_err("io_setup: %s: the FUA writes need Linux AIO (CONFIG_AIO, room in "
		       "/proc/sys/fs/aio-max-nr)",
		       strerror(-rc));
		goto out_close;
	}
	blocks = dev_blocks(dev, bytes, want);
	if (!blocks) {
		rc = -EINVAL;
		goto out_aio;
	}
	rc = plan_make(&p, seed, blocks, batches);
	if (rc)
		goto out_aio;
	if (posix_memalign((void **)&buf, WC_BLOCK, (size_t)WC_MAX_LEN * WC_BLOCK)) {
		wc_err("out of memory");
		rc = -ENOMEM;
		goto out_plan;
	}
	if (fdatasync(fd) < 0) {
		rc = -errno;
		wc_err("fdatasync %s: %s", dev, strerror(-rc));
		goto out_buf;
	}
	if (dm) {
		rc = mark(dm, "b000");
		if (rc)
			goto out_buf;
	}
	for (k = 1; k <= batches; k++) {
		for (g = p.batch_first[k]; g < p.batch_first[k + 1]; g++) {
			const struct wc_write *w = &p.w[g];

			for (b = 0; b < w->nblocks; b++)
				make_block(&p, g, w->start + b, buf + b * WC_BLOCK);
			if (w->fua_nr)
				rc = write_fua(ctx, fd, buf, (size_t)w->nblocks * WC_BLOCK,
					       w->start * WC_BLOCK);
			else
				rc = write_full(fd, buf, (size_t)w->nblocks * WC_BLOCK,
						w->start * WC_BLOCK);
			if (rc) {
				wc_err("batch %" PRIu32 " write %" PRIu32 " (generation %" PRIu64
				       "): %s of %" PRIu32 " blocks at block %" PRIu64 " of %s: %s",
				       k, w->index, g, w->fua_nr ? "io_submit RWF_DSYNC" : "pwrite",
				       w->nblocks, w->start, dev, strerror(-rc));
				goto out_buf;
			}
			nblocks += w->nblocks;
			if (w->fua_nr) {
				nfua++;
				if (dm) {
					snprintf(name, sizeof(name), "f%03" PRIu32 ".%" PRIu32, k,
						 w->fua_nr);
					rc = mark(dm, name);
					if (rc)
						goto out_buf;
				}
			}
		}
		if (fdatasync(fd) < 0) {
			rc = -errno;
			wc_err("batch %" PRIu32 ": fdatasync %s: %s", k, dev, strerror(-rc));
			goto out_buf;
		}
		if (dm) {
			snprintf(name, sizeof(name), "b%03" PRIu32, k);
			rc = mark(dm, name);
			if (rc)
				goto out_buf;
		}
	}
	printf("wrote seed %" PRIu64 ": %" PRIu32 " batches, %" PRIu64 " writes (%" PRIu64
	       " with io_submit RWF_DSYNC), %" PRIu64 " blocks of 4 KiB over %" PRIu64
	       " blocks of %s%s\n",
	       seed, batches, p.nr, nfua, nblocks, blocks, dev, dm ? ", with marks" : "");
out_buf:
	free(buf);
out_plan:
	plan_free(&p);
out_aio:
	syscall(SYS_io_destroy, ctx);
out_close:
	if (close(fd) < 0 && !rc) {
		rc = -errno;
		wc_err("close %s: %s", dev, strerror(-rc));
	}
	return rc;
}

static int cmd_plan(uint64_t seed, uint64_t blocks, uint32_t batches)
{
	struct wc_plan p;
	uint64_t g;
	int rc;

	if (!blocks) {
		wc_err("plan needs --blocks N (the workload's size in blocks of 4 KiB)");
		return -EINVAL;
	}
	rc = plan_make(&p, seed, blocks, batches);
	if (rc)
		return rc;
	printf("# seed %" PRIu64 ", %" PRIu64 " blocks, %" PRIu32 " batches, %" PRIu64
	       " writes\n# gen batch index start blocks fua\n",
	       seed, blocks, batches, p.nr);
	for (g = 0; g < p.nr; g++)
		printf("%" PRIu64 " %" PRIu32 " %" PRIu32 " %" PRIu64 " %" PRIu32 " %" PRIu32 "\n",
		       g, p.w[g].batch, p.w[g].index, p.w[g].start, p.w[g].nblocks, p.w[g].fua_nr);
	plan_free(&p);
	return 0;
}

/* ---- check ---- */

#define WC_NONE UINT64_MAX /* never written: zeroes */

enum wc_verdict {
	WC_OK_STATE, /* the required content */
	WC_OK_LATER, /* an optional later write of batch K+1 */
	WC_ZEROES,
	WC_TORN,
	WC_MISPLACED,
	WC_STALE,
	WC_LATER,
	WC_GARBAGE,
	WC_NR_VERDICTS,
};

static const char *const verdict_names[WC_NR_VERDICTS] = {
	[WC_OK_STATE] = "as required", [WC_OK_LATER] = "from batch K+1",
	[WC_ZEROES] = "zeroes",	       [WC_TORN] = "torn",
	[WC_MISPLACED] = "misplaced",  [WC_STALE] = "stale",
	[WC_LATER] = "too new",	       [WC_GARBAGE] = "garbage",
};

struct wc_check {
	const struct wc_plan *p;
	uint32_t k;
	bool between;
	uint32_t fua_done;
	uint64_t *req; /* per block: the generation it must hold at least, or WC_NONE */
	unsigned char *want; /* a block's expected content */
	uint64_t count[WC_NR_VERDICTS];
	uint64_t printed, max_fail;
};

static void describe(const struct wc_plan *p, uint64_t gen, char *buf, size_t len)
{
	if (gen == WC_NONE)
		snprintf(buf, len, "zeroes (never written)");
	else if (gen < p->nr)
		snprintf(buf, len, "batch %" PRIu32 " write %" PRIu32 " (gen %" PRIu64 "%s)",
			 p->w[gen].batch, p->w[gen].index, gen, p->w[gen].fua_nr ? ", FUA" : "");
	else
		snprintf(buf, len, "gen %" PRIu64 " (beyond the plan's %" PRIu64 " writes)", gen,
			 p->nr);
}

static void report(struct wc_check *c, enum wc_verdict v, uint64_t b, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(struct wc_check *c, enum wc_verdict v, uint64_t b, const char *fmt, ...)
{
	char want[96];
	va_list ap;

	c->count[v]++;
	if (c->printed++ >= c->max_fail)
		return;
	describe(c->p, c->req[b], want, sizeof(want));
	printf("block %" PRIu64 ": %s: ", b, verdict_names[v]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("; want %s%s\n", want, c->between ? " or a later write of batch K+1" : "");
}

/* Bytes of a that differ from b, and the first of them in *first. */
static unsigned int differ(const unsigned char *a, const unsigned char *b, unsigned int *first)
{
	unsigned int i, n = 0;

	*first = WC_BLOCK;
	for (i = 0; i < WC_BLOCK; i++) {
		if (a[i] != b[i]) {
			if (!n)
				*first = i;
			n++;
		}
	}
	return n;
}

static bool all_zero(const unsigned char *a)
{
	unsigned int i;

	for (i = 0; i < WC_BLOCK; i++)
		if (a[i])
			return false;
	return true;
}

static void check_block(struct wc_check *c, uint64_t b, const unsigned char *got)
{
	const struct wc_plan *p = c->p;
	uint64_t req = c->req[b], gen, hb, seed;
	unsigned int n, first;
	char what[96];

	if (all_zero(got)) {
		if (req == WC_NONE)
			c->count[WC_OK_STATE]++;
		else
			report(c, WC_ZEROES, b, "all zeroes");
		return;
	}
	if (get_le64(got + WC_H_MAGIC) != WC_MAGIC ||
	    get_le32(got + WC_H_CRC) != crc32c(got, WC_H_CRC)) {
		if (req == WC_NONE) {
			report(c, WC_GARBAGE, b, "no valid header (first bytes %016" PRIx64 ")",
			       get_le64(got));
		} else {
			make_block(p, req, b, c->want);
			n = differ(got, c->want, &first);
			report(c, WC_GARBAGE, b,
			       "no valid header; %u of %u bytes differ from the wanted content, "
			       "the first at byte %u",
			       n, WC_BLOCK, first);
		}
		return;
	}
	seed = get_le64(got + WC_H_SEED);
	hb = get_le64(got + WC_H_BLOCK);
	gen = get_le64(got + WC_H_GEN);
	if (seed != p->seed) {
		report(c, WC_GARBAGE, b, "a block of another workload (seed %" PRIu64 ")", seed);
		return;
	}
	if (gen >= p->nr) {
		describe(p, gen, what, sizeof(what));
		report(c, WC_LATER, b, "a header naming %s", what);
		return;
	}
	describe(p, gen, what, sizeof(what));
	make_block(p, gen, hb, c->want);
	n = differ(got, c->want, &first);
	if (n) {
		report(c, WC_TORN, b,
		       "the header of %s, but %u of %u bytes differ from its data, the first at "
		       "byte %u",
		       what, n, WC_BLOCK, first);
		return;
	}
	if (hb != b || !covers(&p->w[gen], b)) {
		report(c, WC_MISPLACED, b, "block %" PRIu64 "'s data of %s", hb, what);
		return;
	}
	if (gen == req) {
		c->count[WC_OK_STATE]++;
		return;
	}
	if (req != WC_NONE && gen < req) {
		report(c, WC_STALE, b, "%s", what);
		return;
	}
	/* Newer than required: allowed only from batch K+1, between marks. */
	if (c->between && p->w[gen].batch == c->k + 1)
		c->count[WC_OK_LATER]++;
	else
		report(c, WC_LATER, b, "%s", what);
}

static int cmd_check(const char *dev, uint64_t seed, uint32_t k, bool between, uint32_t fua_done,
		     uint64_t want, uint32_t batches, uint64_t max_fail)
{
	struct wc_check c = {
		.k = k, .between = between, .fua_done = fua_done, .max_fail = max_fail
	};
	uint64_t bytes, blocks, g, b, i, n, bad = 0, nfua = 0;
	unsigned char *buf = NULL;
	struct wc_plan p;
	ssize_t got;
	int fd, rc;

	fd = open_dev(dev, false, &bytes);
	if (fd < 0)
		return fd;
	blocks = dev_blocks(dev, bytes, want);
	if (!blocks) {
		rc = -EINVAL;
		goto out_close;
	}
	if (k > batches) {
		wc_err("K %" PRIu32 " is beyond the workload's %" PRIu32 " batches (--batches)", k,
		       batches);
		rc = -EINVAL;
		goto out_close;
	}
	if (between && k == batches) {
		wc_err("--between after the last batch (%" PRIu32 "): there is no batch K+1", k);
		rc = -EINVAL;
		goto out_close;
	}
	rc = plan_make(&p, seed, blocks, batches);
	if (rc)
		goto out_close;
	c.p = &p;
	if (between) {
		for (g = p.batch_first[k + 1]; g < p.batch_first[k + 2]; g++)
			nfua += !!p.w[g].fua_nr;
		if (fua_done > nfua) {
			wc_err("--fua-done %" PRIu32 ": batch %" PRIu32 " has %" PRIu64
			       " FUA writes",
			       fua_done, k + 1, nfua);
			rc = -EINVAL;
			goto out_plan;
		}
	}
	c.req = malloc(blocks * sizeof(*c.req));
	if (!c.req || posix_memalign((void **)&buf, WC_BLOCK, (size_t)WC_CHUNK * WC_BLOCK) ||
	    posix_memalign((void **)&c.want, WC_BLOCK, WC_BLOCK)) {
		wc_err("out of memory");
		rc = -ENOMEM;
		goto out_free;
	}
	/* What each block must hold at least: batches 1..K, then completed FUA writes. */
	for (b = 0; b < blocks; b++)
		c.req[b] = WC_NONE;
	for (g = 0; g < p.batch_first[k + 1]; g++)
		for (b = 0; b < p.w[g].nblocks; b++)
			c.req[p.w[g].start + b] = g;
	for (g = p.batch_first[k + 1]; between && g < p.batch_first[k + 2]; g++)
		if (p.w[g].fua_nr && p.w[g].fua_nr <= fua_done)
			for (b = 0; b < p.w[g].nblocks; b++)
				c.req[p.w[g].start + b] = g;

	for (b = 0; b < blocks; b += n) {
		n = blocks - b < WC_CHUNK ? blocks - b : WC_CHUNK;
		got = pread(fd, buf, n * WC_BLOCK, (off_t)(b * WC_BLOCK));
		if (got < 0 || (uint64_t)got != n * WC_BLOCK) {
			rc = got < 0 ? -errno : -EIO;
			wc_err("reading blocks [%" PRIu64 ", +%" PRIu64 ") of %s: %s", b, n, dev,
			       got < 0 ? strerror(-rc) : "short read");
			goto out_free;
		}
		for (i = 0; i < n; i++)
			check_block(&c, b + i, buf + i * WC_BLOCK);
	}
	for (i = WC_ZEROES; i < WC_NR_VERDICTS; i++)
		bad += c.count[i];
	if (c.printed > c.max_fail)
		printf("... and %" PRIu64 " more bad blocks\n", c.printed - c.max_fail);
	printf("check %s seed %" PRIu64 " after batch %" PRIu32, dev, seed, k);
	if (between)
		printf(" and before batch %" PRIu32 "'s mark (%" PRIu32 " of its %" PRIu64
		       " FUA writes done)",
		       k + 1, fua_done, nfua);
	printf(": %" PRIu64 " blocks, %" PRIu64 " as required", blocks, c.count[WC_OK_STATE]);
	if (between)
		printf(", %" PRIu64 " from batch %" PRIu32, c.count[WC_OK_LATER], k + 1);
	printf(", %" PRIu64 " bad", bad);
	for (i = WC_ZEROES; i < WC_NR_VERDICTS; i++)
		if (c.count[i])
			printf(", %s %" PRIu64, verdict_names[i], c.count[i]);
	printf("\n");
	rc = bad ? 1 : 0;
out_free:
	free(c.want);
	free(buf);
	free(c.req);
out_plan:
	plan_free(&p);
out_close:
	close(fd);
	return rc;
}

/* ---- arguments ---- */

static int parse_u64(const char *what, const char *s, uint64_t max, uint64_t *v)
{
	unsigned long long n;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	n = strtoull(s, &end, 10);
	if (errno || *end || n > max)
		goto bad;
	*v = n;
	return 0;
bad:
	wc_err("%s '%s' is not a number from 0 to %" PRIu64, what, s, max);
	return -EINVAL;
}

static bool dm_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

int main(int argc, char **argv)
{
	enum { OPT_BLOCKS = 256, OPT_BATCHES, OPT_MARK, OPT_BETWEEN, OPT_FUA_DONE, OPT_MAX_FAIL };
	static const struct option longopts[] = {
		{ "blocks", required_argument, NULL, OPT_BLOCKS },
		{ "batches", required_argument, NULL, OPT_BATCHES },
		{ "mark", required_argument, NULL, OPT_MARK },
		{ "between", no_argument, NULL, OPT_BETWEEN },
		{ "fua-done", required_argument, NULL, OPT_FUA_DONE },
		{ "max-fail", required_argument, NULL, OPT_MAX_FAIL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t blocks = 0, batches = 40, fua_done = 0, max_fail = 10, seed, k;
	bool between = false, fua_given = false;
	const char *cmd, *dm = NULL;
	int opt, nargs, rc, want;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "plan"))
		want = 1;
	else if (!strcmp(cmd, "write"))
		want = 2;
	else if (!strcmp(cmd, "check"))
		want = 3;
	else {
		wc_err("unknown command '%s': use plan, write or check", cmd);
		usage(stderr);
		return 2;
	}
	optind = 2;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		rc = 0;
		switch (opt) {
		case OPT_BLOCKS:
			rc = parse_u64("--blocks", optarg, WC_MAX_BLOCKS, &blocks);
			break;
		case OPT_BATCHES:
			rc = parse_u64("--batches", optarg, WC_MAX_BATCHES, &batches);
			if (!rc && !batches) {
				wc_err("--batches 0: the workload needs at least one batch");
				rc = -EINVAL;
			}
			break;
		case OPT_MARK:
			dm = optarg;
			if (!dm_name_ok(dm)) {
				wc_err("--mark '%s' is not a device-mapper name we accept "
				       "(1..64 of A-Z a-z 0-9 _ -)",
				       dm);
				rc = -EINVAL;
			}
			break;
		case OPT_BETWEEN:
			between = true;
			break;
		case OPT_FUA_DONE:
			fua_given = true;
			rc = parse_u64("--fua-done", optarg, UINT32_MAX, &fua_done);
			break;
		case OPT_MAX_FAIL:
			rc = parse_u64("--max-fail", optarg, UINT32_MAX, &max_fail);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		if (rc)
			return 2;
	}
	nargs = argc - optind;
	if (nargs != want) {
		wc_err("%s takes %d operand%s, %d given", cmd, want, want == 1 ? "" : "s", nargs);
		usage(stderr);
		return 2;
	}
	if ((dm && want != 2) || ((between || fua_given) && want != 3)) {
		wc_err("%s is an option of %s only", dm ? "--mark" : "--between/--fua-done",
		       dm ? "write" : "check");
		return 2;
	}
	if (fua_given && !between) {
		wc_err("--fua-done counts FUA writes of batch K+1: it needs --between");
		return 2;
	}
	if (parse_u64("SEED", argv[optind + (want > 1)], UINT64_MAX, &seed))
		return 2;
	if (want == 1)
		rc = cmd_plan(seed, blocks, (uint32_t)batches);
	else if (want == 2)
		rc = cmd_write(argv[optind], seed, blocks, (uint32_t)batches, dm);
	else if (parse_u64("K", argv[optind + 2], WC_MAX_BATCHES, &k))
		return 2;
	else
		rc = cmd_check(argv[optind], seed, (uint32_t)k, between, (uint32_t)fua_done, blocks,
			       (uint32_t)batches, max_fail);
	if (fflush(stdout) || ferror(stdout)) {
		wc_err("cannot write the output: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	return rc ? EXIT_FAILURE : EXIT_SUCCESS;
}
