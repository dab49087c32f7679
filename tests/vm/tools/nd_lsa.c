// SPDX-License-Identifier: GPL-2.0
/*
 * nd_lsa: check the bounds of a DIMM's label storage area through the
 * ioctls libnvdimm gives every DIMM (/dev/nmemN): ND_IOCTL_GET_CONFIG_SIZE,
 * ND_IOCTL_GET_CONFIG_DATA and ND_IOCTL_SET_CONFIG_DATA. libnvdimm sizes
 * the transfer buffer from the caller's length and leaves the range check
 * to the bus provider, so these requests reach the provider's ndctl
 * callback as given:
 *
 *   - reads and writes that start at the end, cross the end, wrap the u32
 *     offset, or are longer than the area must fail with EINVAL or ENXIO
 *     and leave the area as it was (a full read before and after);
 *   - a write of the last 16 bytes and its read-back succeed (the original
 *     bytes are written back afterwards);
 *   - a command the DIMM does not advertise (SMART) fails with ENOTTY.
 *
 * libnvdimm refuses label writes with EBUSY while a region of the DIMM is
 * enabled: disable it first (ndctl disable-region). Built static for the
 * VM guests by tests/vm/test_nvdimm.sh.
 *
 * Prints one line per check, "ok ..." or "not ok ...", and exits 1 if any
 * check failed, 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ndctl.h>

/* The uapi header no longer defines the SMART ioctl; its number stays. */
struct nd_lsa_smart {
	__u32 status;
	__u8 data[128];
};

#define ND_LSA_IOCTL_SMART _IOWR(ND_IOCTL, ND_CMD_SMART, struct nd_lsa_smart)

#define TAIL_LEN 16

struct lsa {
	int fd;
	const char *dev;
	__u32 size;
	__u32 max_xfer;
	__u8 *orig; /* the whole area as it was at the start */
	__u8 *now;
	int failed;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: nd_lsa [-s BYTES] /dev/nmemN\n"
		   "  Checks the label area bounds of one DIMM through libnvdimm's\n"
		   "  config ioctls. The DIMM's regions must be disabled (label\n"
		   "  writes are refused while they are enabled).\n"
		   "  -s BYTES  the area must be exactly this large\n");
}

static const char *errname(int err)
{
	switch (err) {
	case 0:
		return "success";
	case EINVAL:
		return "EINVAL";
	case ENXIO:
		return "ENXIO";
	case ENOTTY:
		return "ENOTTY";
	case EBUSY:
		return "EBUSY";
	case EPERM:
		return "EPERM";
	case EFAULT:
		return "EFAULT";
	case ENOMEM:
		return "ENOMEM";
	case EIO:
		return "EIO";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	default:
		return "other";
	}
}

static void result(struct lsa *l, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void result(struct lsa *l, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (!ok)
		l->failed++;
	printf("%s %s: ", ok ? "ok" : "not ok", l->dev);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * One GET_CONFIG_DATA of [off, off + len) into out (NULL: discard).
 * 0, or -errno of the ioctl, or -EIO when the command came back with a
 * non-zero firmware status (in *status).
 */
static int lsa_read(struct lsa *l, __u32 off, __u32 len, __u8 *out, __u32 *status)
{
	struct nd_cmd_get_config_data_hdr *cmd;
	int rc = 0;

	cmd = calloc(1, sizeof(*cmd) + (size_t)len);
	if (!cmd)
		return -ENOMEM;
	cmd->in_offset = off;
	cmd->in_length = len;
	cmd->status = 0xdeadbeef; /* the provider must set it */
	if (ioctl(l->fd, ND_IOCTL_GET_CONFIG_DATA, cmd) < 0)
		rc = -errno;
	else if (cmd->status)
		rc = -EIO;
	*status = cmd->status;
	if (!rc && out)
		memcpy(out, cmd->out_buf, len);
	free(cmd);
	return rc;
}

/* One SET_CONFIG_DATA of len bytes of data at off; like lsa_read. */
static int lsa_write(struct lsa *l, __u32 off, __u32 len, const __u8 *data, __u32 *status)
{
	struct nd_cmd_set_config_hdr *cmd;
	__u32 *st;
	int rc = 0;

	/* The firmware status follows the data. */
	cmd = calloc(1, sizeof(*cmd) + (size_t)len + sizeof(*st));
	if (!cmd)
		return -ENOMEM;
	cmd->in_offset = off;
	cmd->in_length = len;
	memcpy(cmd->in_buf, data, len);
	st = (__u32 *)(cmd->in_buf + len);
	*st = 0xdeadbeef;
	if (ioctl(l->fd, ND_IOCTL_SET_CONFIG_DATA, cmd) < 0)
		rc = -errno;
	else if (*st)
		rc = -EIO;
	*status = *st;
	free(cmd);
	return rc;
}

/* The whole area into buf, max_xfer bytes at a time. */
static int lsa_read_all(struct lsa *l, __u8 *buf)
{
	__u32 off, len, status;
	int rc;

	for (off = 0; off < l->size; off += len) {
		len = l->size - off;
		if (len > l->max_xfer)
			len = l->max_xfer;
		rc = lsa_read(l, off, len, buf + off, &status);
		if (rc)
			return rc;
	}
	return 0;
}

/* The area still holds what it held at the start; WHAT names the step. */
static void check_unchanged(struct lsa *l, const char *what)
{
	__u32 i;
	int rc;

	rc = lsa_read_all(l, l->now);
	if (rc) {
		result(l, false, "full read after %s failed: %s (%s)", what, errname(-rc),
		       strerror(-rc));
		return;
	}
	for (i = 0; i < l->size && l->now[i] == l->orig[i]; i++)
		;
	if (i < l->size)
		result(l, false,
		       "area changed after %s: first difference at %#x (%#04x, was %#04x)", what, i,
		       l->now[i], l->orig[i]);
	else
		result(l, true, "area unchanged after %s", what);
}

/* A refused request must come back as EINVAL or ENXIO. */
static void expect_refused(struct lsa *l, const char *op, __u32 off, __u32 len, int rc,
			   __u32 status)
{
	bool ok = rc == -EINVAL || rc == -ENXIO;

	if (!rc)
		result(l, false,
		       "%s offset %#x length %#x accepted (status %#x); it lies outside the %#x-byte area",
		       op, off, len, status, l->size);
	else if (rc == -EIO)
		result(l, false,
		       "%s offset %#x length %#x: ioctl succeeded with status %#x, want EINVAL or ENXIO",
		       op, off, len, status);
	else
		result(l, ok, "%s offset %#x length %#x refused: %s (%s)%s", op, off, len,
		       errname(-rc), strerror(-rc), ok ? "" : ", want EINVAL or ENXIO");
}

struct span {
	__u32 off;
	__u32 len;
	const char *why;
};

static void check_bounds(struct lsa *l)
{
	const struct span spans[] = {
		{ l->size, 2, "at the end" },
		{ l->size - 1, 2, "across the end" },
		{ 0xffffff00u, 0x200, "offset + length wraps" },
		{ 0, l->size + 1, "longer than the area" },
	};
	__u8 *data;
	__u32 status;
	size_t i, j;
	int rc;

	data = malloc((size_t)l->size + 0x200);
	if (!data) {
		result(l, false, "out of memory");
		return;
	}
	for (i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		printf("# %s\n", spans[i].why);
		rc = lsa_read(l, spans[i].off, spans[i].len, NULL, &status);
		expect_refused(l, "read", spans[i].off, spans[i].len, rc, status);
	}
	check_unchanged(l, "refused reads");
	for (i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		/*
		 * Data that differs from every byte it could land on inside
		 * the area, so a partial write shows.
		 */
		for (j = 0; j < spans[i].len; j++) {
			__u32 at = spans[i].off + (__u32)j;

			data[j] = at < l->size ? (__u8)~l->orig[at] : 0xa5;
		}
		printf("# %s\n", spans[i].why);
		rc = lsa_write(l, spans[i].off, spans[i].len, data, &status);
		expect_refused(l, "write", spans[i].off, spans[i].len, rc, status);
		check_unchanged(l, "that refused write");
	}
	free(data);
}

/* The last TAIL_LEN bytes: write their complement, read it back, restore. */
static void check_tail(struct lsa *l)
{
	__u32 off = l->size - TAIL_LEN, status, i;
	__u8 flip[TAIL_LEN], back[TAIL_LEN];
	int rc;

	for (i = 0; i < TAIL_LEN; i++)
		flip[i] = (__u8)~l->orig[off + i];
	rc = lsa_write(l, off, TAIL_LEN, flip, &status);
	if (rc) {
		result(l, false,
		       "write of the last %d bytes (offset %#x) failed: %s (%s), status %#x%s",
		       TAIL_LEN, off, errname(-rc), strerror(-rc), status,
		       rc == -EBUSY ? "; is a region of this DIMM still enabled?" : "");
		return;
	}
	result(l, true, "write of the last %d bytes (offset %#x)", TAIL_LEN, off);
	rc = lsa_read(l, off, TAIL_LEN, back, &status);
	if (rc)
		result(l, false, "read-back of the last %d bytes failed: %s (%s), status %#x",
		       TAIL_LEN, errname(-rc), strerror(-rc), status);
	else
		result(l, !memcmp(back, flip, TAIL_LEN), "read-back of the last %d bytes %s",
		       TAIL_LEN,
		       memcmp(back, flip, TAIL_LEN) ? "differs from what was written" : "matches");
	rc = lsa_write(l, off, TAIL_LEN, l->orig + off, &status);
	if (rc)
		result(l, false, "restoring the last %d bytes failed: %s (%s), status %#x",
		       TAIL_LEN, errname(-rc), strerror(-rc), status);
	check_unchanged(l, "restoring the last bytes");
}

static void check_unsupported(struct lsa *l)
{
	struct nd_lsa_smart smart;
	int rc = 0;

	memset(&smart, 0, sizeof(smart));
	if (ioctl(l->fd, ND_LSA_IOCTL_SMART, &smart) < 0)
		rc = errno;
	if (!rc)
		result(l, false, "SMART accepted (status %#x); the DIMM does not advertise it",
		       smart.status);
	else
		result(l, rc == ENOTTY, "SMART refused: %s (%s)%s", errname(rc), strerror(rc),
		       rc == ENOTTY ? "" : ", want ENOTTY");
}

int main(int argc, char **argv)
{
	struct nd_cmd_get_config_size sz;
	struct lsa l = { .fd = -1 };
	unsigned long want = 0;
	char *end;
	int opt, rc;

	while ((opt = getopt(argc, argv, "s:h")) != -1) {
		switch (opt) {
		case 's':
			errno = 0;
			want = strtoul(optarg, &end, 0);
			if (errno || *end || !want) {
				fprintf(stderr, "nd_lsa: -s %s is not a size in bytes\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	l.dev = argv[optind];
	/* Label writes need the device open for writing (EPERM otherwise). */
	l.fd = open(l.dev, O_RDWR);
	if (l.fd < 0) {
		fprintf(stderr, "nd_lsa: cannot open %s: %s\n", l.dev, strerror(errno));
		return 1;
	}

	memset(&sz, 0, sizeof(sz));
	rc = ioctl(l.fd, ND_IOCTL_GET_CONFIG_SIZE, &sz) < 0 ? errno : 0;
	if (rc || sz.status) {
		result(&l, false, "GET_CONFIG_SIZE failed: %s (%s), status %#x", errname(rc),
		       strerror(rc), sz.status);
		goto out;
	}
	l.size = sz.config_size;
	l.max_xfer = sz.max_xfer;
	result(&l, l.size > TAIL_LEN && l.max_xfer && (!want || l.size == want),
	       "GET_CONFIG_SIZE: size %u, max_xfer %u%s", l.size, l.max_xfer,
	       want && l.size != want ? " (want that size)" : "");
	if (l.size <= TAIL_LEN || !l.max_xfer)
		goto out;

	l.orig = malloc(l.size);
	l.now = malloc(l.size);
	if (!l.orig || !l.now) {
		result(&l, false, "out of memory for two copies of %u bytes", l.size);
		goto out_free;
	}
	rc = lsa_read_all(&l, l.orig);
	result(&l, !rc, "full read of %u bytes%s%s", l.size, rc ? ": " : "",
	       rc ? strerror(-rc) : "");
	if (rc)
		goto out_free;

	check_bounds(&l);
	check_tail(&l);
	check_unsupported(&l);

out_free:
	free(l.now);
	free(l.orig);
out:
	close(l.fd);
	printf("%s: %d check(s) failed\n", l.dev, l.failed);
	return l.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
