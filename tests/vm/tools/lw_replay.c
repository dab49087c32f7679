// SPDX-License-Identifier: GPL-2.0
/*
 * lw_replay: list and replay a dm-log-writes log (Linux's "log-writes"
 * device-mapper target), so that a test can rebuild the state a device had
 * at any point of a workload: at every FLUSH, at a mark, at any entry.
 * Debian packages no replay tool (xfstests' replay-log is not in it). Built
 * static for the VM guests by tests/vm/test_logwrites.sh, test_writecache.sh
 * and test_wc_replay.sh.
 *
 * The on-disk format, as drivers/md/dm-log-writes.c writes it in 6.1 and
 * 6.12 (little endian throughout):
 *
 *   - one block of "sector size" bytes at byte 0: the super, magic
 *     0x6a736677736872, version 1, the number of entries, and the sector
 *     size, which is the logical block size of the logged device (the
 *     target writes each metadata block with one page, so 512..4096);
 *   - the entries from byte <sector size> on, one after the other: a block
 *     of sector size bytes that starts with {sector, nr_sectors, flags,
 *     data_len} (4 x u64; sector and nr_sectors count sector-size units),
 *     and for a mark the mark's text (data_len bytes, no NUL) right after
 *     those 32 bytes, the rest of the block zero; then, unless the entry is
 *     a discard, nr_sectors blocks of the data written;
 *   - the super counts only entries the target wrote it for (it rewrites
 *     the super after each FUA write and mark, and removing the target
 *     adds the mark "dm-log-writes-end"): whatever follows them is ignored.
 *
 * Writes are logged when a FLUSH that follows their completion completes
 * (then the FLUSH entry itself), FUA writes when they complete, marks when
 * the message arrives. So replaying the entries up to a FLUSH rebuilds
 * what a device that lost its volatile cache right after that FLUSH would
 * hold.
 *
 * The whole log is checked before DEV is written at all: a corrupt or
 * truncated log, or one that does not fit DEV, changes nothing.
 *
 * Exit status: 0 done, 1 error, 2 usage error.
 */
#define _GNU_SOURCE
#include <endian.h>
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
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/falloc.h>
#include <linux/fs.h>

#define LW_MAGIC 0x6a736677736872ULL
#define LW_VERSION 1ULL

#define LW_FLUSH (UINT64_C(1) << 0)
#define LW_FUA (UINT64_C(1) << 1)
#define LW_DISCARD (UINT64_C(1) << 2)
#define LW_MARK (UINT64_C(1) << 3)
#define LW_METADATA (UINT64_C(1) << 4)
#define LW_FLAGS_KNOWN (LW_FLUSH | LW_FUA | LW_DISCARD | LW_MARK | LW_METADATA)

/* Byte offsets inside the super block and inside an entry block. */
#define LW_SUPER_MAGIC 0
#define LW_SUPER_VERSION 8
#define LW_SUPER_NR_ENTRIES 16
#define LW_SUPER_SECTORSIZE 24

#define LW_ENTRY_SECTOR 0
#define LW_ENTRY_NR_SECTORS 8
#define LW_ENTRY_FLAGS 16
#define LW_ENTRY_DATA_LEN 24
#define LW_ENTRY_LEN 32

#define LW_SECTOR_MIN 512
#define LW_SECTOR_MAX 4096

/* Data is copied through a buffer of this size. */
#define LW_CHUNK (1U << 20)

struct lw_entry {
	uint64_t sector; /* in units of the log's sector size */
	uint64_t nr_sectors;
	uint64_t flags;
	uint64_t data_off; /* byte offset of the data in the log */
	char *mark; /* a mark's text, NUL-terminated; NULL otherwise */
};

struct lw_log {
	const char *path;
	int fd;
	uint64_t size; /* bytes */
	uint32_t sectorsize;
	uint64_t nr_entries;
	uint64_t end; /* byte after the last entry */
	struct lw_entry *e;
};

enum lw_stop { LW_STOP_ALL, LW_STOP_ENTRY, LW_STOP_MARK, LW_STOP_FLUSH };

struct lw_opts {
	enum lw_stop stop;
	uint64_t to; /* --to ENTRY or --to-flush K */
	const char *mark;
	uint64_t from; /* --from ENTRY: the first entry replayed */
	bool from_set;
	bool discard_zeroes;
	bool verbose;
};

static void lw_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void lw_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("lw_replay: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: lw_replay list LOG\n"
		   "       lw_replay flushes LOG\n"
		   "       lw_replay replay LOG DEV [--to ENTRY | --to-mark NAME | --to-flush K]\n"
		   "                        [--from ENTRY] [--discard-zeroes] [-v]\n"
		   "\n"
		   "LOG is a dm-log-writes log device (or a copy of one in a file).\n"
		   "  list     one line per entry: index, sector, sectors (both in units of\n"
		   "           the log's sector size), flags, mark text; then the counts\n"
		   "  flushes  the index of every FLUSH or FUA entry, one per line; replay\n"
		   "           with --to INDEX+1 to include that entry\n"
		   "  replay   write entries [0, limit) onto DEV in order: data with\n"
		   "           pwrite, fdatasync after each FLUSH or FUA entry, BLKDISCARD\n"
		   "           for a discard (a hole in a regular file). Without a limit,\n"
		   "           the whole log; with --from, from entry FROM on. The whole\n"
		   "           log is checked before DEV is written.\n"
		   "    --to ENTRY       stop before entry ENTRY (0..number of entries)\n"
		   "    --to-mark NAME   stop at the first mark named NAME\n"
		   "    --to-flush K     stop right after the K-th FLUSH entry (1-based; FUA\n"
		   "                     entries do not count, flushes lists both)\n"
		   "    --from ENTRY     start at entry ENTRY instead of 0: DEV already holds\n"
		   "                     entries [0, ENTRY), from an earlier replay that\n"
		   "                     stopped there (replays at growing limits, each\n"
		   "                     going on from the last); at most the limit\n"
		   "    --discard-zeroes write zeroes where the log has a discard\n"
		   "    -v               one line per entry replayed\n");
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static uint32_t get_le32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

/* pread exactly len bytes at off: 0, -errno, or -ENODATA at the end of the file. */
static int read_full(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = pread(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			return -ENODATA;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* The size in bytes of a block device or regular file. */
static int dev_size(int fd, const struct stat *st, const char *path, uint64_t *size)
{
	if (S_ISREG(st->st_mode)) {
		*size = (uint64_t)st->st_size;
		return 0;
	}
	if (S_ISBLK(st->st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size) < 0) {
			int err = errno;

			lw_err("%s: BLKGETSIZE64: %s", path, strerror(err));
			return -err;
		}
		return 0;
	}
	lw_err("%s is neither a block device nor a regular file", path);
	return -EINVAL;
}

/*
 * Open a block device with O_EXCL: it fails with EBUSY while a mount or a
 * device-mapper table holds the device. For the log, that refuses a log
 * the log-writes target is still writing (its super is not final yet); for
 * the replay target, a device something else is using.
 */
static int open_dev(const char *path, int flags, struct stat *st)
{
	int fd, err;

	if (stat(path, st) < 0) {
		err = errno;
		lw_err("%s: %s", path, strerror(err));
		return -err;
	}
	if (S_ISBLK(st->st_mode))
		flags |= O_EXCL;
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == EBUSY)
			lw_err("%s is in use (mounted, or held by a device-mapper target): "
			       "remove what holds it first (dmsetup remove)",
			       path);
		else
			lw_err("cannot open %s: %s", path, strerror(err));
		return -err;
	}
	if (fstat(fd, st) < 0) {
		err = errno;
		lw_err("%s: %s", path, strerror(err));
		close(fd);
		return -err;
	}
	return fd;
}

/* flags as "FLUSH,FUA", or "-"; names[i] is bit i's. */
static void flags_str(uint64_t flags, char *buf, size_t len)
{
	static const char *const names[] = { "FLUSH", "FUA", "DISCARD", "MARK", "METADATA" };
	size_t i, n = 0;

	snprintf(buf, len, "-");
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && n < len; i++)
		if (flags & (UINT64_C(1) << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", names[i]);
}

/* A mark's text for printing: bytes other than printable ASCII as \xNN. */
static void print_mark(FILE *f, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (*p > ' ' && *p < 0x7f && *p != '\\')
			fputc(*p, f);
		else
			fprintf(f, "\\x%02x", *p);
	}
}

static void lw_log_close(struct lw_log *log)
{
	uint64_t i;

	if (log->e) {
		for (i = 0; i < log->nr_entries; i++)
			free(log->e[i].mark);
		free(log->e);
		log->e = NULL;
	}
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
}

static int lw_read_super(struct lw_log *log)
{
	unsigned char sb[LW_SECTOR_MIN];
	uint64_t magic, version, max;
	uint32_t ss;
	int rc;

	if (log->size < LW_SECTOR_MIN) {
		lw_err("%s: %" PRIu64 " bytes is too small for a log: its super alone takes "
		       "one sector of at least %d bytes",
		       log->path, log->size, LW_SECTOR_MIN);
		return -EINVAL;
	}
	rc = read_full(log->fd, sb, sizeof(sb), 0);
	if (rc) {
		lw_err("%s: cannot read the super: %s", log->path, strerror(-rc));
		return rc;
	}
	magic = get_le64(sb + LW_SUPER_MAGIC);
	version = get_le64(sb + LW_SUPER_VERSION);
	log->nr_entries = get_le64(sb + LW_SUPER_NR_ENTRIES);
	ss = get_le32(sb + LW_SUPER_SECTORSIZE);
	if (magic != LW_MAGIC) {
		lw_err("%s: magic %#" PRIx64 " is not dm-log-writes' %#llx: not a log, or "
		       "a corrupt one",
		       log->path, magic, LW_MAGIC);
		return -EINVAL;
	}
	if (version != LW_VERSION) {
		lw_err("%s: log version %" PRIu64 " is not supported; this tool reads "
		       "version %llu",
		       log->path, version, LW_VERSION);
		return -EINVAL;
	}
	if (ss < LW_SECTOR_MIN || ss > LW_SECTOR_MAX || (ss & (ss - 1))) {
		lw_err("%s: sector size %" PRIu32 " is not a power of two from %d to %d "
		       "(the logical block size of a device)",
		       log->path, ss, LW_SECTOR_MIN, LW_SECTOR_MAX);
		return -EINVAL;
	}
	log->sectorsize = ss;
	if (log->size < ss) {
		lw_err("%s: %" PRIu64 " bytes is shorter than the super's own sector of "
		       "%" PRIu32 " bytes: the log is truncated",
		       log->path, log->size, ss);
		return -EINVAL;
	}
	/* Each entry takes at least one sector after the super's. */
	max = log->size / ss - 1;
	if (log->nr_entries > max) {
		lw_err("%s: the super counts %" PRIu64 " entries, but %" PRIu64 " bytes hold "
		       "at most %" PRIu64 " entries of one %" PRIu32 "-byte sector: the "
		       "super is corrupt or the log truncated",
		       log->path, log->nr_entries, log->size, max, ss);
		return -EINVAL;
	}
	return 0;
}

/* Entry i's header at byte off: check it and fill in log->e[i]. */
static int lw_read_entry(struct lw_log *log, uint64_t i, uint64_t off, unsigned char *blk)
{
	struct lw_entry *e = &log->e[i];
	uint64_t ss = log->sectorsize, data_len, room;
	int rc;

	if (log->size - off < ss) {
		lw_err("%s: entry %" PRIu64 " of %" PRIu64 " starts at byte %" PRIu64 ", but "
		       "the log ends at %" PRIu64 ": the log is truncated",
		       log->path, i, log->nr_entries, off, log->size);
		return -EINVAL;
	}
	rc = read_full(log->fd, blk, ss, off);
	if (rc) {
		lw_err("%s: cannot read entry %" PRIu64 " at byte %" PRIu64 ": %s", log->path, i,
		       off, strerror(-rc));
		return rc;
	}
	e->sector = get_le64(blk + LW_ENTRY_SECTOR);
	e->nr_sectors = get_le64(blk + LW_ENTRY_NR_SECTORS);
	e->flags = get_le64(blk + LW_ENTRY_FLAGS);
	data_len = get_le64(blk + LW_ENTRY_DATA_LEN);
	if (e->flags & ~LW_FLAGS_KNOWN) {
		lw_err("%s: entry %" PRIu64 " at byte %" PRIu64 ": flags %#" PRIx64 " have "
		       "unknown bits %#" PRIx64 " (known: FLUSH 0x1, FUA 0x2, DISCARD 0x4, "
		       "MARK 0x8, METADATA 0x10): a corrupt log",
		       log->path, i, off, e->flags, e->flags & ~LW_FLAGS_KNOWN);
		return -EINVAL;
	}
	if (e->flags & LW_MARK) {
		if (data_len > ss - LW_ENTRY_LEN) {
			lw_err("%s: entry %" PRIu64 ": mark text of %" PRIu64 " bytes does not "
			       "fit its sector (at most %" PRIu64 " bytes after the header)",
			       log->path, i, data_len, ss - LW_ENTRY_LEN);
			return -EINVAL;
		}
		if (e->nr_sectors) {
			lw_err("%s: entry %" PRIu64 ": a mark with %" PRIu64 " sectors of data; "
			       "marks carry none",
			       log->path, i, e->nr_sectors);
			return -EINVAL;
		}
		if (memchr(blk + LW_ENTRY_LEN, '\0', data_len)) {
			lw_err("%s: entry %" PRIu64 ": mark text of %" PRIu64 " bytes has a NUL "
			       "byte; the target stores the text without one",
			       log->path, i, data_len);
			return -EINVAL;
		}
		e->mark = strndup((const char *)blk + LW_ENTRY_LEN, data_len);
		if (!e->mark) {
			lw_err("out of memory");
			return -ENOMEM;
		}
	} else if (data_len) {
		/* Only marks carry data_len in 6.x (the DAX inline data is gone). */
		lw_err("%s: entry %" PRIu64 ": data_len %" PRIu64 " on an entry that is not a "
		       "mark (flags %#" PRIx64 "); only marks carry inline data",
		       log->path, i, data_len, e->flags);
		return -EINVAL;
	}
	off += ss;
	e->data_off = off;
	if (e->flags & LW_DISCARD)
		return 0;
	room = (log->size - off) / ss;
	if (e->nr_sectors > room) {
		lw_err("%s: entry %" PRIu64 ": %" PRIu64 " sectors of data from byte %" PRIu64
		       " do not fit in the log's %" PRIu64 " bytes: the log is truncated",
		       log->path, i, e->nr_sectors, off, log->size);
		return -EINVAL;
	}
	return 0;
}

/* Open LOG, check the super and every entry header, index the entries. */
static int lw_log_open(struct lw_log *log, const char *path)
{
	unsigned char *blk = NULL;
	struct stat st;
	uint64_t i, off;
	int rc;

	memset(log, 0, sizeof(*log));
	log->path = path;
	log->fd = open_dev(path, O_RDONLY, &st);
	if (log->fd < 0)
		return log->fd;
	rc = dev_size(log->fd, &st, path, &log->size);
	if (rc)
		goto out_close;
	rc = lw_read_super(log);
	if (rc)
		goto out_close;
	/* nr_entries <= size / 512 here, so this cannot overflow. */
	log->e = calloc(log->nr_entries ? log->nr_entries : 1, sizeof(*log->e));
	blk = malloc(log->sectorsize);
	if (!log->e || !blk) {
		lw_err("out of memory for %" PRIu64 " entries", log->nr_entries);
		rc = -ENOMEM;
		goto out_close;
	}
	off = log->sectorsize;
	for (i = 0; i < log->nr_entries; i++) {
		rc = lw_read_entry(log, i, off, blk);
		if (rc)
			goto out_close;
		off = log->e[i].data_off;
		if (!(log->e[i].flags & LW_DISCARD))
			off += log->e[i].nr_sectors * log->sectorsize;
	}
	log->end = off;
	free(blk);
	return 0;

out_close:
	free(blk);
	lw_log_close(log);
	return rc;
}

static void count_entries(const struct lw_log *log, uint64_t from, uint64_t to, FILE *f)
{
	uint64_t i, writes = 0, sectors = 0, flush = 0, fua = 0, discard = 0, mark = 0, meta = 0;
	const struct lw_entry *e;

	for (i = from; i < to; i++) {
		e = &log->e[i];
		if (!(e->flags & (LW_DISCARD | LW_MARK)) && e->nr_sectors) {
			writes++;
			sectors += e->nr_sectors;
		}
		flush += !!(e->flags & LW_FLUSH);
		fua += !!(e->flags & LW_FUA);
		discard += !!(e->flags & LW_DISCARD);
		mark += !!(e->flags & LW_MARK);
		meta += !!(e->flags & LW_METADATA);
	}
	fprintf(f,
		"%" PRIu64 " entries: %" PRIu64 " write, %" PRIu64 " flush, %" PRIu64 " fua, "
		"%" PRIu64 " discard, %" PRIu64 " mark, %" PRIu64 " metadata; %" PRIu64
		" sectors of %" PRIu32 " bytes written",
		to - from, writes, flush, fua, discard, mark, meta, sectors, log->sectorsize);
}

static int cmd_list(const char *path)
{
	struct lw_log log;
	char flags[64];
	uint64_t i;
	int rc;

	rc = lw_log_open(&log, path);
	if (rc)
		return rc;
	printf("# %s: dm-log-writes version %llu, sector size %" PRIu32 ", %" PRIu64
	       " entries in bytes [%" PRIu32 ", %" PRIu64 ") of %" PRIu64 "\n",
	       path, LW_VERSION, log.sectorsize, log.nr_entries, log.sectorsize, log.end, log.size);
	printf("# entry sector sectors flags mark\n");
	for (i = 0; i < log.nr_entries; i++) {
		flags_str(log.e[i].flags, flags, sizeof(flags));
		printf("%" PRIu64 " %" PRIu64 " %" PRIu64 " %s", i, log.e[i].sector,
		       log.e[i].nr_sectors, flags);
		if (log.e[i].mark) {
			putchar(' ');
			print_mark(stdout, log.e[i].mark);
		}
		putchar('\n');
	}
	printf("total ");
	count_entries(&log, 0, log.nr_entries, stdout);
	putchar('\n');
	lw_log_close(&log);
	return 0;
}

static int cmd_flushes(const char *path)
{
	struct lw_log log;
	uint64_t i;
	int rc;

	rc = lw_log_open(&log, path);
	if (rc)
		return rc;
	for (i = 0; i < log.nr_entries; i++)
		if (log.e[i].flags & (LW_FLUSH | LW_FUA))
			printf("%" PRIu64 "\n", i);
	lw_log_close(&log);
	return 0;
}

/* The number of entries to replay for opts, or -errno after saying why. */
static int replay_limit(const struct lw_log *log, const struct lw_opts *o, uint64_t *limit)
{
	uint64_t i, k = 0;

	switch (o->stop) {
	case LW_STOP_ALL:
		*limit = log->nr_entries;
		return 0;
	case LW_STOP_ENTRY:
		if (o->to > log->nr_entries) {
			lw_err("--to %" PRIu64 " is beyond the log: %s has %" PRIu64 " entries, "
			       "so ENTRY must be 0..%" PRIu64,
			       o->to, log->path, log->nr_entries, log->nr_entries);
			return -ERANGE;
		}
		*limit = o->to;
		return 0;
	case LW_STOP_MARK:
		for (i = 0; i < log->nr_entries; i++) {
			if (log->e[i].mark && !strcmp(log->e[i].mark, o->mark)) {
				*limit = i + 1;
				return 0;
			}
		}
		lw_err("%s has no mark named '%s' (lw_replay list shows its marks)", log->path,
		       o->mark);
		return -ENOENT;
	case LW_STOP_FLUSH:
		for (i = 0; i < log->nr_entries; i++) {
			if ((log->e[i].flags & LW_FLUSH) && ++k == o->to) {
				*limit = i + 1;
				return 0;
			}
		}
		lw_err("--to-flush %" PRIu64 " is beyond the log: %s has %" PRIu64 " FLUSH "
		       "entries",
		       o->to, log->path, k);
		return -ERANGE;
	}
	return -EINVAL;
}

/*
 * Whether DEV can discard: a block device's queue/discard_max_bytes in
 * sysfs (the queue of a partition's disk), asked before anything is
 * written so that a replay never stops half way for want of it. true when
 * sysfs cannot tell; BLKDISCARD then decides.
 */
static bool dev_can_discard(const struct stat *st)
{
	static const char *const up[] = { "", "../" };
	unsigned long long max;
	char path[128];
	size_t i;
	FILE *f;
	int n;

	if (!S_ISBLK(st->st_mode))
		return true;
	for (i = 0; i < sizeof(up) / sizeof(up[0]); i++) {
		snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/%squeue/discard_max_bytes",
			 major(st->st_rdev), minor(st->st_rdev), up[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		n = fscanf(f, "%llu", &max);
		fclose(f);
		if (n == 1)
			return max != 0;
	}
	return true;
}

/* Check every entry against DEV before anything is written. */
static int check_fits(const struct lw_log *log, const char *dev, uint64_t dev_bytes,
		      const struct stat *st, const struct lw_opts *o, uint64_t limit)
{
	uint64_t dev_sectors = dev_bytes / log->sectorsize, i;
	const struct lw_entry *e;

	for (i = 0; i < log->nr_entries; i++) {
		e = &log->e[i];
		/* Marks and empty FLUSHes write nothing, wherever they point. */
		if ((e->flags & LW_MARK) || !e->nr_sectors)
			continue;
		if (e->sector > dev_sectors || e->nr_sectors > dev_sectors - e->sector) {
			lw_err("%s: entry %" PRIu64 " covers sectors [%" PRIu64 ", +%" PRIu64 ") "
			       "of %" PRIu32 " bytes, but %s has %" PRIu64 " such sectors (%" PRIu64
			       " bytes): a corrupt log, or the wrong DEV",
			       log->path, i, e->sector, e->nr_sectors, log->sectorsize, dev,
			       dev_sectors, dev_bytes);
			return -EINVAL;
		}
	}
	if (o->discard_zeroes || dev_can_discard(st))
		return 0;
	for (i = o->from; i < limit; i++) {
		if ((log->e[i].flags & LW_DISCARD) && log->e[i].nr_sectors) {
			lw_err("%s cannot discard (queue/discard_max_bytes is 0) and entry %" PRIu64
			       " is a discard: pass --discard-zeroes to write zeroes instead",
			       dev, i);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

static int replay_discard(int fd, const struct stat *st, uint64_t off, uint64_t len, bool zeroes,
			  char *buf)
{
	uint64_t range[2] = { off, len };
	size_t n;
	int rc;

	if (!len)
		return 0;
	if (zeroes) {
		memset(buf, 0, LW_CHUNK);
		while (len) {
			n = len < LW_CHUNK ? (size_t)len : LW_CHUNK;
			rc = write_full(fd, buf, n, off);
			if (rc)
				return rc;
			off += n;
			len -= n;
		}
		return 0;
	}
	/* Writes before the discard reach DEV first, as they did in the log. */
	if (fdatasync(fd) < 0)
		return -errno;
	if (S_ISBLK(st->st_mode))
		rc = ioctl(fd, BLKDISCARD, range);
	else
		rc = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
			       (off_t)len);
	return rc < 0 ? -errno : 0;
}

static int replay_entry(const struct lw_log *log, uint64_t i, int fd, const struct stat *st,
			const char *dev, const struct lw_opts *o, char *buf)
{
	const struct lw_entry *e = &log->e[i];
	uint64_t ss = log->sectorsize;
	uint64_t off = e->sector * ss, len = e->nr_sectors * ss, src = e->data_off;
	size_t n;
	int rc = 0;

	if (e->flags & LW_MARK)
		return 0;
	if (e->flags & LW_DISCARD) {
		rc = replay_discard(fd, st, off, len, o->discard_zeroes, buf);
		if (rc) {
			lw_err("entry %" PRIu64 ": discard of bytes [%" PRIu64 ", +%" PRIu64
			       ") on %s: %s%s",
			       i, off, len, dev, strerror(-rc),
			       rc == -EOPNOTSUPP ?
				       "; pass --discard-zeroes to write zeroes instead" :
				       "");
			return rc;
		}
	}
	while (!(e->flags & LW_DISCARD) && len) {
		n = len < LW_CHUNK ? (size_t)len : LW_CHUNK;
		rc = read_full(log->fd, buf, n, src);
		if (rc) {
			lw_err("entry %" PRIu64 ": cannot read %zu bytes of data at byte %" PRIu64
			       " of %s: %s",
			       i, n, src, log->path, strerror(-rc));
			return rc;
		}
		rc = write_full(fd, buf, n, off);
		if (rc) {
			lw_err("entry %" PRIu64 ": cannot write %zu bytes at byte %" PRIu64
			       " of %s: %s",
			       i, n, off, dev, strerror(-rc));
			return rc;
		}
		src += n;
		off += n;
		len -= n;
	}
	/*
	 * Everything before a FLUSH entry, and a FUA entry's own data, had
	 * reached media there: sync DEV at the same points, so that a replay
	 * cut short keeps the log's order of durability.
	 */
	if ((e->flags & (LW_FLUSH | LW_FUA)) && fdatasync(fd) < 0) {
		rc = -errno;
		lw_err("entry %" PRIu64 ": fdatasync %s: %s", i, dev, strerror(-rc));
	}
	return rc;
}

static int cmd_replay(const char *path, const char *dev, const struct lw_opts *o)
{
	struct lw_log log;
	struct stat lst, dst;
	uint64_t limit, i, dev_bytes;
	char flags[64], *buf = NULL;
	int fd, rc;

	rc = lw_log_open(&log, path);
	if (rc)
		return rc;
	if (fstat(log.fd, &lst) < 0) {
		rc = -errno;
		lw_err("%s: %s", path, strerror(-rc));
		goto out_log;
	}
	rc = replay_limit(&log, o, &limit);
	if (rc)
		goto out_log;
	if (o->from > limit) {
		lw_err("--from %" PRIu64 " is past the limit: the replay would stop before entry "
		       "%" PRIu64 " of %s's %" PRIu64 " entries; FROM must be at most that",
		       o->from, limit, path, log.nr_entries);
		rc = -ERANGE;
		goto out_log;
	}
	/* Before open_dev: its O_EXCL would call the log's own device busy. */
	if (stat(dev, &dst) == 0 &&
	    ((S_ISBLK(lst.st_mode) && S_ISBLK(dst.st_mode) && lst.st_rdev == dst.st_rdev) ||
	     (lst.st_dev == dst.st_dev && lst.st_ino == dst.st_ino))) {
		lw_err("DEV %s is the log %s itself: replay onto another device", dev, path);
		rc = -EINVAL;
		goto out_log;
	}

	fd = open_dev(dev, O_RDWR, &dst);
	if (fd < 0) {
		rc = fd;
		goto out_log;
	}
	rc = dev_size(fd, &dst, dev, &dev_bytes);
	if (rc)
		goto out_dev;
	rc = check_fits(&log, dev, dev_bytes, &dst, o, limit);
	if (rc)
		goto out_dev;
	buf = malloc(LW_CHUNK);
	if (!buf) {
		lw_err("out of memory");
		rc = -ENOMEM;
		goto out_dev;
	}

	for (i = o->from; i < limit; i++) {
		if (o->verbose) {
			flags_str(log.e[i].flags, flags, sizeof(flags));
			printf("entry %" PRIu64 " sector %" PRIu64 " sectors %" PRIu64 " %s", i,
			       log.e[i].sector, log.e[i].nr_sectors, flags);
			if (log.e[i].mark) {
				putchar(' ');
				print_mark(stdout, log.e[i].mark);
			}
			putchar('\n');
		}
		rc = replay_entry(&log, i, fd, &dst, dev, o, buf);
		if (rc)
			goto out_buf;
	}
	if (fdatasync(fd) < 0) {
		rc = -errno;
		lw_err("fdatasync %s: %s", dev, strerror(-rc));
		goto out_buf;
	}
	printf("replayed entries [%" PRIu64 ", %" PRIu64 ") of %" PRIu64 " from %s onto %s: ",
	       o->from, limit, log.nr_entries, path, dev);
	count_entries(&log, o->from, limit, stdout);
	if (limit > o->from) {
		flags_str(log.e[limit - 1].flags, flags, sizeof(flags));
		printf("; last entry %" PRIu64 " %s", limit - 1, flags);
		if (log.e[limit - 1].mark) {
			putchar(' ');
			print_mark(stdout, log.e[limit - 1].mark);
		}
	}
	printf("; discards %s\n", o->discard_zeroes ? "zeroed" : "discarded");

out_buf:
	free(buf);
out_dev:
	close(fd);
out_log:
	lw_log_close(&log);
	return rc;
}

/* A decimal number: digits only, no sign, no overflow. */
static int parse_u64(const char *opt, const char *s, uint64_t *v)
{
	unsigned long long n;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	n = strtoull(s, &end, 10);
	if (errno || *end)
		goto bad;
	*v = n;
	return 0;
bad:
	lw_err("%s '%s' is not a number (decimal digits, at most %llu)", opt, s, ~0ULL);
	return -EINVAL;
}

static int set_stop(struct lw_opts *o, enum lw_stop stop, const char *opt)
{
	static const char *const names[] = { "", "--to", "--to-mark", "--to-flush" };

	if (o->stop == stop) {
		lw_err("%s given twice: give one limit", opt);
		return -EINVAL;
	}
	if (o->stop != LW_STOP_ALL) {
		lw_err("%s and %s exclude each other: give one limit", names[o->stop], opt);
		return -EINVAL;
	}
	o->stop = stop;
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_TO = 256, OPT_TO_MARK, OPT_TO_FLUSH, OPT_FROM, OPT_DISCARD_ZEROES };
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, OPT_TO },
		{ "to-mark", required_argument, NULL, OPT_TO_MARK },
		{ "to-flush", required_argument, NULL, OPT_TO_FLUSH },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "discard-zeroes", no_argument, NULL, OPT_DISCARD_ZEROES },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lw_opts o = { .stop = LW_STOP_ALL };
	const char *cmd;
	int opt, rc, nargs;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "list") && strcmp(cmd, "flushes") && strcmp(cmd, "replay")) {
		lw_err("unknown command '%s': use list, flushes or replay", cmd);
		usage(stderr);
		return 2;
	}
	/* Options after the command, in any order with the operands. */
	optind = 2;
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		rc = 0;
		switch (opt) {
		case OPT_TO:
			rc = set_stop(&o, LW_STOP_ENTRY, "--to");
			if (!rc)
				rc = parse_u64("--to", optarg, &o.to);
			break;
		case OPT_TO_MARK:
			rc = set_stop(&o, LW_STOP_MARK, "--to-mark");
			o.mark = optarg;
			if (!rc && !*optarg) {
				lw_err("--to-mark needs a mark's name, not an empty string");
				rc = -EINVAL;
			}
			break;
		case OPT_TO_FLUSH:
			rc = set_stop(&o, LW_STOP_FLUSH, "--to-flush");
			if (!rc)
				rc = parse_u64("--to-flush", optarg, &o.to);
			if (!rc && !o.to) {
				lw_err("--to-flush 0: K counts FLUSH entries from 1 (use --to 0 "
				       "to replay nothing)");
				rc = -EINVAL;
			}
			break;
		case OPT_FROM:
			if (o.from_set) {
				lw_err("--from given twice: give one start");
				rc = -EINVAL;
				break;
			}
			o.from_set = true;
			rc = parse_u64("--from", optarg, &o.from);
			break;
		case OPT_DISCARD_ZEROES:
			o.discard_zeroes = true;
			break;
		case 'v':
			o.verbose = true;
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
	if (strcmp(cmd, "replay")) {
		if (nargs != 1 || o.stop != LW_STOP_ALL || o.from_set || o.discard_zeroes ||
		    o.verbose) {
			lw_err("%s takes only LOG%s", cmd,
			       nargs != 1 ? "" : " (replay's options do not apply)");
			usage(stderr);
			return 2;
		}
		rc = !strcmp(cmd, "list") ? cmd_list(argv[optind]) : cmd_flushes(argv[optind]);
	} else {
		if (nargs != 2) {
			lw_err("replay takes LOG and DEV, %d operand%s given", nargs,
			       nargs == 1 ? " was" : "s were");
			usage(stderr);
			return 2;
		}
		rc = cmd_replay(argv[optind], argv[optind + 1], &o);
	}
	if (fflush(stdout) || ferror(stdout)) {
		lw_err("cannot write the output: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	return rc ? EXIT_FAILURE : EXIT_SUCCESS;
}
