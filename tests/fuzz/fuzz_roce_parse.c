// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the RoCEv2 frame parser (xp_roce_parse), whose input
 * is every byte a peer puts on the wire. Corpus: the captured rxe frames
 * of tests/data/rxe (tests/fuzz/corpus/fuzz_roce_parse, one frame a file).
 *
 * Each input is parsed twice, with the ICRC checked and without it (so
 * mutated frames reach the checks behind the ICRC), and every accepted
 * frame must hold together:
 *   - the offsets and the payload lie inside the frame, in header order;
 *   - the opcode's table entry is the one the BTH names;
 *   - built again from what the parser returned (xp_roce_build), the frame
 *     parses to the same headers and payload: parse and build agree.
 * A violation aborts, which libFuzzer reports as a crash with the input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xdpath/steer.h>

#include "fuzz.h"
#include "xp_roce_pkt.h"

#define FRAME_MAX 16384

static void check_layout(const struct xp_roce_pkt *p, const __u8 *frame, size_t len)
{
	require(p->frame == frame);
	require(p->len <= len);
	require(p->l3_off < p->l4_off && p->l4_off < p->bth_off && p->bth_off < p->payload_off);
	require(p->payload_off <= p->len);
	require(p->payload == frame + p->payload_off);
	/* payload, pad (0..3) and the 4-byte ICRC end the frame */
	require((size_t)p->payload_off + p->payload_len + 4 <= p->len);
	require(p->len - p->payload_off - p->payload_len - 4 <= 3);
	require(p->info && p->info == xp_roce_opinfo(p->h.opcode));
	require(p->family == 4 || p->family == 6);
	require(p->dport == XP_ROCEV2_UDP_PORT);
}

/* Build the frame again from the parse and parse that. */
static void check_rebuild(const struct xp_roce_pkt *p)
{
	static __u8 buf[FRAME_MAX];
	struct xp_roce_pkt q;
	struct xp_roce_av av;
	int n;

	memset(&av, 0, sizeof(av));
	memcpy(av.dmac, p->dmac, 6);
	memcpy(av.smac, p->smac, 6);
	memcpy(av.sgid, p->sgid, 16);
	memcpy(av.dgid, p->dgid, 16);
	av.vlan = p->vlan;
	av.vlan_tci = p->vlan_tci;
	av.sport = p->sport;
	av.ttl = p->ttl;
	av.tclass = p->tclass;
	av.flow_label = p->flow_label;
	av.ip_id = p->ip_id;
	n = xp_roce_build(buf, sizeof(buf), &av, &p->h, p->payload, p->payload_len, NULL);
	/* The builder may refuse what it would never send (TTL 0 means its
	 * default, an IPv4-mapped GID on one side only, ...): nothing to compare. */
	if (n < 0)
		return;
	memset(&q, 0, sizeof(q));
	require(xp_roce_parse(buf, (size_t)n, 0, &q) == 0);
	require(q.h.opcode == p->h.opcode && q.h.psn == p->h.psn && q.h.dest_qpn == p->h.dest_qpn);
	require(q.h.ack_req == p->h.ack_req && q.h.se == p->h.se && q.h.pkey == p->h.pkey);
	require(q.payload_len == p->payload_len);
	require(!memcmp(q.payload, p->payload, p->payload_len));
	require(!memcmp(&q.h, &p->h, sizeof(q.h)));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static __u8 frame[FRAME_MAX];
	struct xp_roce_pkt p;
	unsigned int pass;

	fuzz_selftest_point();
	if (size > sizeof(frame))
		return -1; /* larger than any frame the device takes */
	/* A copy of its own size, so that ASan sees any read past the frame. */
	memcpy(frame, data, size);
	for (pass = 0; pass < 2; pass++) {
		unsigned int flags = pass ? XP_PARSE_NO_ICRC : 0;
		__u8 *exact = malloc(size ? size : 1);
		int err;

		require(exact);
		memcpy(exact, frame, size);
		memset(&p, 0, sizeof(p));
		err = xp_roce_parse(exact, size, flags, &p);
		if (err) {
			require(err == -EBADMSG);
			require(p.err > XP_PKT_OK && p.err < XP_PKT_ERR_NR);
			require(xp_pkt_err_str(p.err) != NULL);
		} else {
			require(p.err == XP_PKT_OK);
			check_layout(&p, exact, size);
			check_rebuild(&p);
		}
		free(exact);
	}
	return 0;
}
