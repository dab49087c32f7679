// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the classic pcap reader (xp_pcap_open_stream,
 * xp_pcap_next), which xp-ref --check-pcap and the replay tests point at
 * files from anywhere. Corpus: the captures of tests/data/rxe, and the same files
 * in the other byte order and with nanosecond stamps.
 *
 * Checks: the reader ends at a clean end of file, or with -EINVAL/-EIO and
 * a message; every record's caplen is at most the snap length and the
 * reader's limit, at most its wire length, its nanoseconds below 10^9; the
 * bytes it hands out are inside its buffer (ASan); the Ethernet-only open
 * refuses exactly the files whose link type is not Ethernet.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "xp_pcap.h"

#define MAX_RECORDS 100000

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

/* Open and read all records; the link type it reported (or ~0u). */
static __u32 read_all(const uint8_t *data, size_t size, unsigned int flags, int *open_err)
{
	struct xp_pcap p;
	struct xp_pcap_rec r;
	__u32 linktype = ~0u;
	unsigned long n = 0;
	volatile __u8 sink = 0;
	FILE *f;
	int err;

	f = fmemopen((void *)data, size, "rb");
	if (!f) {
		*open_err = -EINVAL;
		return linktype;
	}
	memset(&p, 0, sizeof(p));
	err = xp_pcap_open_stream(&p, f, "fuzz", flags);
	*open_err = err;
	if (err) {
		require(err < 0 && p.err[0]);
		fclose(f);
		return linktype;
	}
	linktype = p.linktype;
	while ((err = xp_pcap_next(&p, &r)) > 0 && n < MAX_RECORDS) {
		n++;
		require(r.caplen <= XP_PCAP_MAX_CAPLEN);
		require(r.caplen <= r.len);
		require(r.nsec < 1000000000u);
		require(p.records == n);
		if (r.caplen) {
			require(r.data);
			sink ^= r.data[0] ^ r.data[r.caplen - 1];
		}
	}
	require(err >= 0 || ((err == -EINVAL || err == -EIO) && p.err[0]));
	(void)sink;
	xp_pcap_close(&p);
	fclose(f);
	return linktype;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int err_any, err_eth;
	__u32 lt;

	fuzz_selftest_point();
	lt = read_all(data, size, 0, &err_any);
	read_all(data, size, XP_PCAP_ETHERNET, &err_eth);
	if (!err_any)
		require(lt == XP_PCAP_LINKTYPE_ETHERNET ? !err_eth : err_eth < 0);
	else
		require(err_eth < 0);
	return 0;
}
