// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Classic pcap reader (xp_pcap.h). The file header is 24 bytes: magic,
 * version 2.4, two unused words, snap length, link type; each record is a
 * 16-byte header (seconds, microseconds or nanoseconds, captured length,
 * original length) and the captured bytes. All in the writer's byte order,
 * which the magic tells.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xp_pcap.h"

#define PCAPNG_MAGIC 0x0a0d0d0au
#define LINKTYPE_LINUX_SLL 113
#define LINKTYPE_LINUX_SLL2 276
/* Link type word: FCS length (3 bits), F, reserved (12 bits), link type. */
#define LT_TYPE_MASK 0x0000ffffu
#define LT_RESERVED_MASK 0x0fff0000u
#define LT_FCS_PRESENT (1u << 28)
#define LT_FCS_SHIFT 29

static __attribute__((format(printf, 3, 4))) int pcap_err(struct xp_pcap *p, int err,
							  const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(p->err, sizeof(p->err), "%s: ", p->name);
	if (n < sizeof(p->err)) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, sizeof(p->err) - n, fmt, ap);
		va_end(ap);
	}
	return err;
}

static __u32 rd32(const struct xp_pcap *p, const __u8 *b)
{
	__u32 v;

	memcpy(&v, b, 4);
	return p->swap ? __builtin_bswap32(v) : v;
}

static __u16 rd16(const struct xp_pcap *p, const __u8 *b)
{
	__u16 v;

	memcpy(&v, b, 2);
	return p->swap ? __builtin_bswap16(v) : v;
}

static int read_header(struct xp_pcap *p, unsigned int flags)
{
	__u8 h[XP_PCAP_HDR_LEN];
	__u32 magic, lt;
	size_t n;

	n = fread(h, 1, sizeof(h), p->f);
	if (ferror(p->f))
		return pcap_err(p, -EIO, "read error: %s", strerror(errno));
	if (n == 0)
		return pcap_err(p, -EINVAL, "is empty; was the capture stopped before it started?");
	if (n < sizeof(h))
		return pcap_err(
			p, -EINVAL,
			"is shorter than a pcap header (%zu of %d bytes); was the capture stopped before it started?",
			n, XP_PCAP_HDR_LEN);
	memcpy(&magic, h, 4);
	if (magic == PCAPNG_MAGIC)
		return pcap_err(
			p, -EINVAL,
			"is pcapng, not classic pcap; write it with tcpdump -w (or convert: editcap -F pcap)");
	if (magic == XP_PCAP_MAGIC_USEC || magic == XP_PCAP_MAGIC_NSEC) {
		p->swap = false;
	} else if (magic == __builtin_bswap32(XP_PCAP_MAGIC_USEC) ||
		   magic == __builtin_bswap32(XP_PCAP_MAGIC_NSEC)) {
		p->swap = true;
		magic = __builtin_bswap32(magic);
	} else {
		return pcap_err(
			p, -EINVAL,
			"is not a classic pcap file (magic 0x%08x); write it with tcpdump -w, not pcapng",
			magic);
	}
	p->nsec = magic == XP_PCAP_MAGIC_NSEC;
	p->version_major = rd16(p, h + 4);
	p->version_minor = rd16(p, h + 6);
	if (p->version_major != 2)
		return pcap_err(p, -EINVAL, "has pcap version %u.%u; only 2.x can be read",
				p->version_major, p->version_minor);
	p->snaplen = rd32(p, h + 16);
	lt = rd32(p, h + 20);
	if (lt & LT_RESERVED_MASK)
		return pcap_err(p, -EINVAL, "has a corrupt link type word 0x%08x", lt);
	p->linktype = lt & LT_TYPE_MASK;
	p->fcs_len = lt & LT_FCS_PRESENT ? (lt >> LT_FCS_SHIFT) * 2 : 0;
	if ((flags & XP_PCAP_ETHERNET) && p->linktype != XP_PCAP_LINKTYPE_ETHERNET) {
		if (p->linktype == LINKTYPE_LINUX_SLL || p->linktype == LINKTYPE_LINUX_SLL2)
			return pcap_err(
				p, -EINVAL,
				"has link type %u (Linux cooked capture), not Ethernet (1); capture on the interface itself, not on 'any'",
				p->linktype);
		return pcap_err(p, -EINVAL, "has link type %u, not Ethernet (1)", p->linktype);
	}
	p->offset = XP_PCAP_HDR_LEN;
	return 0;
}

int xp_pcap_open_stream(struct xp_pcap *p, FILE *f, const char *name, unsigned int flags)
{
	memset(p, 0, sizeof(*p));
	p->f = f;
	snprintf(p->name, sizeof(p->name), "%s", name ? name : "pcap");
	return read_header(p, flags);
}

int xp_pcap_open(struct xp_pcap *p, const char *path, unsigned int flags)
{
	FILE *f;
	int err;

	f = fopen(path, "rb");
	if (!f) {
		err = -errno;
		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s", path);
		return pcap_err(p, err, "cannot open: %s", strerror(-err));
	}
	err = xp_pcap_open_stream(p, f, path, flags);
	p->own = true;
	if (err) {
		fclose(f);
		p->f = NULL;
		p->own = false;
	}
	return err;
}

static int grow(struct xp_pcap *p, size_t need)
{
	size_t size = p->buf_size ? p->buf_size : 2048;
	__u8 *b;

	while (size < need)
		size *= 2;
	b = realloc(p->buf, size);
	if (!b)
		return pcap_err(p, -ENOMEM, "out of memory for a %zu-byte record", need);
	p->buf = b;
	p->buf_size = size;
	return 0;
}

int xp_pcap_next(struct xp_pcap *p, struct xp_pcap_rec *r)
{
	unsigned long long rec = (unsigned long long)p->records + 1;
	unsigned long long off = (unsigned long long)p->offset;
	__u8 h[XP_PCAP_REC_HDR_LEN];
	__u32 frac, max_frac;
	size_t n;
	int err;

	if (!p->f)
		return pcap_err(p, -EBADF, "not open");
	n = fread(h, 1, sizeof(h), p->f);
	if (ferror(p->f))
		return pcap_err(p, -EIO, "record %llu at offset %llu: read error: %s", rec, off,
				strerror(errno));
	if (n == 0)
		return 0;
	if (n < sizeof(h))
		return pcap_err(
			p, -EINVAL,
			"record %llu at offset %llu: the file ends inside the record header (%zu of %d bytes); was the capture interrupted?",
			rec, off, n, XP_PCAP_REC_HDR_LEN);
	r->sec = rd32(p, h);
	frac = rd32(p, h + 4);
	r->caplen = rd32(p, h + 8);
	r->len = rd32(p, h + 12);
	max_frac = p->nsec ? 1000000000u : 1000000u;
	if (frac >= max_frac)
		return pcap_err(
			p, -EINVAL,
			"record %llu at offset %llu: time stamp fraction %u is not below %u; the file is corrupt",
			rec, off, frac, max_frac);
	r->nsec = p->nsec ? frac : frac * 1000;
	if (r->caplen > XP_PCAP_MAX_CAPLEN)
		return pcap_err(
			p, -EINVAL,
			"record %llu at offset %llu: captured length %u is over %u; the file is corrupt",
			rec, off, r->caplen, XP_PCAP_MAX_CAPLEN);
	if (r->caplen > r->len)
		return pcap_err(
			p, -EINVAL,
			"record %llu at offset %llu: captured length %u is over the frame's length %u; the file is corrupt",
			rec, off, r->caplen, r->len);
	if (r->caplen > p->buf_size) {
		err = grow(p, r->caplen);
		if (err)
			return err;
	}
	n = r->caplen ? fread(p->buf, 1, r->caplen, p->f) : 0;
	if (ferror(p->f))
		return pcap_err(p, -EIO, "record %llu at offset %llu: read error: %s", rec, off,
				strerror(errno));
	if (n < r->caplen)
		return pcap_err(
			p, -EINVAL,
			"record %llu at offset %llu: the file ends inside the frame (%zu of %u bytes); was the capture interrupted?",
			rec, off, n, r->caplen);
	r->data = p->buf;
	p->records++;
	p->offset += XP_PCAP_REC_HDR_LEN + r->caplen;
	return 1;
}

void xp_pcap_close(struct xp_pcap *p)
{
	if (p->own && p->f)
		fclose(p->f);
	p->f = NULL;
	p->own = false;
	free(p->buf);
	p->buf = NULL;
	p->buf_size = 0;
}
