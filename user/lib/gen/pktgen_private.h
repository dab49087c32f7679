/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shared by the generator's two ways out: live frames and AF_PACKET. */
#ifndef PKTGEN_PRIVATE_H
#define PKTGEN_PRIVATE_H

#include <signal.h>
#include <time.h>
#include <linux/types.h>

#include "xp_pktgen.h"

static inline __u64 pktgen_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Sleep until CLOCK_MONOTONIC reads t_ns; a signal ends it early. */
static inline void pktgen_sleep_until(__u64 t_ns)
{
	struct timespec ts = {
		.tv_sec = t_ns / 1000000000ull,
		.tv_nsec = t_ns % 1000000000ull,
	};

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

struct pktgen_packet_run {
	int ifindex;
	const struct xp_pktgen_template *tmpl;
	volatile sig_atomic_t *stop;
	__u64 first_seq; /* stamped on the first frame */
	__u64 count; /* 0: no limit */
	__u64 duration_ns; /* 0: no limit */
	__u64 rate_pps; /* 0: as fast as it goes */
};

/*
 * Send through an AF_PACKET socket (pktgen_packet.c), for kernels that deny
 * BPF_PROG_RUN live frames; res as xp_pktgen_run() fills it.
 */
int pktgen_packet_run(const struct pktgen_packet_run *run, struct xp_pktgen_result *res);

#endif /* PKTGEN_PRIVATE_H */
