// SPDX-License-Identifier: GPL-2.0
/*
 * The classic pcap reader (user/lib/gen/pcap_read.c): files written in either
 * byte order with microsecond or nanosecond time stamps read back the same;
 * empty, short, pcapng, garbage and truncated files fail with a message
 * that says what is wrong and where.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xp_pcap.h"
#include "xp_test.h"

struct img {
	__u8 b[20000];
	size_t n;
	bool swap;
};

static void put32(struct img *m, __u32 v)
{
	if (m->swap)
		v = __builtin_bswap32(v);
	memcpy(m->b + m->n, &v, 4);
	m->n += 4;
}

static void put16(struct img *m, __u16 v)
{
	if (m->swap)
		v = __builtin_bswap16(v);
	memcpy(m->b + m->n, &v, 2);
	m->n += 2;
}

static void file_hdr(struct img *m, bool swap, __u32 magic, __u32 linktype)
{
	m->n = 0;
	m->swap = swap;
	put32(m, magic);
	put16(m, 2);
	put16(m, 4);
	put32(m, 0);
	put32(m, 0);
	put32(m, 262144);
	put32(m, linktype);
}

static void record(struct img *m, __u32 sec, __u32 frac, __u32 caplen, __u32 len, __u8 fill)
{
	put32(m, sec);
	put32(m, frac);
	put32(m, caplen);
	put32(m, len);
	memset(m->b + m->n, fill, caplen);
	m->n += caplen;
}

/* The image as a file stream positioned at its start. */
static FILE *as_file(const struct img *m)
{
	FILE *f = tmpfile();

	if (!f)
		return NULL;
	if (m->n && fwrite(m->b, 1, m->n, f) != m->n) {
		fclose(f);
		return NULL;
	}
	rewind(f);
	return f;
}

/* Open the image; return the open status, leaving the reader open on success. */
static int open_img(struct xp_pcap *p, FILE **f, const struct img *m, unsigned int flags)
{
	int err;

	*f = as_file(m);
	if (!*f)
		return -EIO;
	err = xp_pcap_open_stream(p, *f, "img.pcap", flags);
	return err;
}

static void done(struct xp_pcap *p, FILE *f)
{
	xp_pcap_close(p);
	if (f)
		fclose(f);
}

static void test_good(bool swap, bool nsec)
{
	const char *what = swap ? (nsec ? "swapped, ns" : "swapped, us") :
				  (nsec ? "native, ns" : "native, us");
	__u32 magic = nsec ? XP_PCAP_MAGIC_NSEC : XP_PCAP_MAGIC_USEC;
	struct xp_pcap_rec r;
	struct xp_pcap p;
	struct img m;
	FILE *f;
	int err;

	file_hdr(&m, swap, magic, XP_PCAP_LINKTYPE_ETHERNET);
	record(&m, 1700000000, nsec ? 123456789 : 123456, 60, 60, 0xaa);
	record(&m, 1700000001, 999, 0, 64, 0);
	record(&m, 1700000002, 0, 9000, 9000, 0x55);
	err = open_img(&p, &f, &m, XP_PCAP_ETHERNET);
	xt_check(!err && p.swap == swap && p.nsec == nsec && p.version_major == 2 &&
			 p.version_minor == 4 && p.snaplen == 262144 && p.linktype == 1 &&
			 !p.fcs_len,
		 "%s: header read (%s)", what, err ? p.err : "ok");
	if (err) {
		done(&p, f);
		return;
	}
	err = xp_pcap_next(&p, &r);
	xt_check(err == 1 && r.sec == 1700000000 && r.nsec == 123456789u - (nsec ? 0 : 789) &&
			 r.caplen == 60 && r.len == 60 && r.data[0] == 0xaa && r.data[59] == 0xaa,
		 "%s: record 1: time stamp in ns, lengths, data", what);
	err = xp_pcap_next(&p, &r);
	xt_check(err == 1 && r.caplen == 0 && r.len == 64 && r.nsec == (nsec ? 999u : 999000u),
		 "%s: record 2: snapped to nothing", what);
	err = xp_pcap_next(&p, &r);
	xt_check(err == 1 && r.caplen == 9000 && r.data[8999] == 0x55,
		 "%s: record 3: 9000 bytes (the buffer grows)", what);
	err = xp_pcap_next(&p, &r);
	xt_check(err == 0 && p.records == 3 && p.offset == m.n,
		 "%s: clean end after 3 records at offset %llu", what,
		 (unsigned long long)p.offset);
	done(&p, f);
}

/* The image must fail to open, or fail at record bad_rec, with want in p.err. */
static void expect_bad(const char *what, const struct img *m, unsigned int flags, int bad_rec,
		       const char *want)
{
	struct xp_pcap_rec r;
	struct xp_pcap p;
	FILE *f;
	int err, i;

	err = open_img(&p, &f, m, flags);
	for (i = 1; !err && i <= bad_rec; i++) {
		err = xp_pcap_next(&p, &r);
		if (i < bad_rec)
			err = err == 1 ? 0 : err ? err : -ENODATA;
	}
	if (!xt_check(err == -EINVAL && strstr(p.err, want) && strstr(p.err, "img.pcap"),
		      "%s: refused, \"%s\"", what, want))
		xt_note("status %d, message: %s", err, p.err);
	else
		xt_note("%s", p.err);
	done(&p, f);
}

static void test_bad(void)
{
	struct xp_pcap p;
	struct img m;
	FILE *f;
	int err;

	m.n = 0;
	expect_bad("empty file", &m, 0, 0, "is empty");
	file_hdr(&m, false, XP_PCAP_MAGIC_USEC, 1);
	m.n = 10;
	expect_bad("10 bytes", &m, 0, 0, "shorter than a pcap header (10 of 24 bytes)");
	file_hdr(&m, false, 0x0a0d0d0a, 1);
	expect_bad("pcapng", &m, 0, 0, "pcapng");
	m.n = (size_t)snprintf((char *)m.b, sizeof(m.b), "this is a text file, not a capture\n");
	expect_bad("text", &m, 0, 0, "not a classic pcap file (magic 0x73696874)");
	file_hdr(&m, true, XP_PCAP_MAGIC_USEC, 1);
	m.b[5] = 1; /* big-endian major version 1 */
	expect_bad("version 1", &m, 0, 0, "version 1.4");
	file_hdr(&m, false, XP_PCAP_MAGIC_USEC, 113);
	expect_bad("cooked capture", &m, XP_PCAP_ETHERNET, 0, "not on 'any'");
	file_hdr(&m, false, XP_PCAP_MAGIC_USEC, 105);
	expect_bad("802.11", &m, XP_PCAP_ETHERNET, 0, "link type 105, not Ethernet");
	file_hdr(&m, false, XP_PCAP_MAGIC_USEC, 0x00120001);
	expect_bad("reserved link type bits", &m, 0, 0, "corrupt link type word");

	file_hdr(&m, false, XP_PCAP_MAGIC_USEC, 1);
	record(&m, 1, 2, 60, 60, 1);
	record(&m, 1, 2, 60, 60, 1);
	m.n -= 60 + 9;
	expect_bad(
		"cut in a record header", &m, 0, 2,
		"record 2 at offset 100: the file ends inside the record header (7 of 16 bytes)");
	file_hdr(&m, false, XP_PCAP_MAGIC_USEC, 1);
	record(&m, 1, 2, 60, 60, 1);
	m.n -= 20;
	expect_bad("cut in a frame", &m, 0, 1,
		   "record 1 at offset 24: the file ends inside the frame (40 of 60 bytes)");
	file_hdr(&m, true, XP_PCAP_MAGIC_USEC, 1);
	put32(&m, 1);
	put32(&m, 2);
	put32(&m, 0x7fffffff);
	put32(&m, 0x7fffffff);
	expect_bad("huge record", &m, 0, 1, "captured length 2147483647 is over 262144");
	file_hdr(&m, false, XP_PCAP_MAGIC_USEC, 1);
	record(&m, 1, 2, 61, 60, 1);
	expect_bad("caplen over len", &m, 0, 1, "captured length 61 is over the frame's length 60");
	file_hdr(&m, false, XP_PCAP_MAGIC_USEC, 1);
	record(&m, 1, 1000000, 60, 60, 1);
	expect_bad("microseconds out of range", &m, 0, 1, "fraction 1000000 is not below 1000000");
	file_hdr(&m, false, XP_PCAP_MAGIC_NSEC, 1);
	record(&m, 1, 1000000000, 60, 60, 1);
	expect_bad("nanoseconds out of range", &m, 0, 1,
		   "fraction 1000000000 is not below 1000000000");

	/* Not Ethernet, but not asked for: fine; the FCS bits are decoded. */
	file_hdr(&m, false, XP_PCAP_MAGIC_USEC, 113);
	err = open_img(&p, &f, &m, 0);
	xt_check(!err && p.linktype == 113, "cooked capture opens without XP_PCAP_ETHERNET");
	done(&p, f);
	file_hdr(&m, false, XP_PCAP_MAGIC_USEC, 1 | 1u << 28 | 2u << 29);
	err = open_img(&p, &f, &m, XP_PCAP_ETHERNET);
	xt_check(!err && p.linktype == 1 && p.fcs_len == 4,
		 "link type word with the FCS bits: Ethernet, 4-byte FCS");
	done(&p, f);

	err = xp_pcap_open(&p, "/nonexistent/x.pcap", 0);
	xt_check(err == -ENOENT && strstr(p.err, "/nonexistent/x.pcap: cannot open"),
		 "missing file: -ENOENT, \"%s\"", p.err);
	xp_pcap_close(&p);
}

static void test_path(void)
{
	char path[] = "/tmp/xp_test_pcap.XXXXXX";
	struct xp_pcap_rec r;
	struct xp_pcap p;
	struct img m;
	FILE *f;
	int fd, err, n = 0;

	file_hdr(&m, true, XP_PCAP_MAGIC_NSEC, 1);
	record(&m, 5, 6, 100, 1500, 7);
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!xt_check(f && fwrite(m.b, 1, m.n, f) == m.n && !fclose(f), "temporary file %s", path))
		return;
	err = xp_pcap_open(&p, path, XP_PCAP_ETHERNET);
	while (!err && (err = xp_pcap_next(&p, &r)) > 0) {
		n++;
		err = r.caplen == 100 && r.len == 1500 && r.sec == 5 && r.nsec == 6 ? 0 : -1;
	}
	xt_check(!err && n == 1, "xp_pcap_open on a path: one snapped record");
	xp_pcap_close(&p);
	unlink(path);
}

int main(void)
{
	test_good(false, false);
	test_good(true, false);
	test_good(false, true);
	test_good(true, true);
	test_bad();
	test_path();
	return xt_summary();
}
