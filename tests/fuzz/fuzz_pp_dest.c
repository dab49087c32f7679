// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: what an ibv_rc_pingpong / ibv_ud_pingpong peer sends
 * over TCP, the 52-byte "LLLL:QQQQQQ:PPPPPP:<32 hex>" message
 * (xp_pp_dest_parse), and the server's side of the exchange reading it
 * from a socket (xp_pp_server_recv). Corpus: messages rdma-core's tools
 * send, tests/fuzz/corpus/fuzz_pp_dest.
 *
 * Checks: a refused message is -EPROTO; an accepted one formats back
 * (xp_pp_dest_format) to a message that parses to the same destination,
 * with the QPN and PSN in 24 bits; the socket path agrees with the parser
 * on the same bytes, and never hangs on a short or long message.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "xp_exchange.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

static bool same_dest(const struct xp_pp_dest *a, const struct xp_pp_dest *b)
{
	return a->lid == b->lid && a->qpn == b->qpn && a->psn == b->psn &&
	       !memcmp(a->gid, b->gid, sizeof(a->gid));
}

/* The server reads the message from a socket the "client" wrote data to. */
static int server_recv(const uint8_t *data, size_t size, struct xp_pp_dest *dest)
{
	int sv[2], err;

	require(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	/* At most the socket buffer: a larger write would block here. */
	if (size > 65536)
		size = 65536;
	require(xp_tcp_write_all(sv[0], data, size) == 0);
	close(sv[0]); /* a short message ends in EOF, not a wait */
	err = xp_pp_server_recv(sv[1], dest);
	close(sv[1]);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[XP_PP_MSG_LEN], again[XP_PP_MSG_LEN];
	struct xp_pp_dest d, d2, d3;
	int err, err2;

	fuzz_selftest_point();
	memset(msg, 0, sizeof(msg));
	memcpy(msg, data, size < sizeof(msg) ? size : sizeof(msg));
	memset(&d, 0xa5, sizeof(d));
	err = xp_pp_dest_parse(msg, &d);
	require(err == 0 || err == -EPROTO);
	if (!err) {
		require(d.qpn <= 0xffffff && d.psn <= 0xffffff);
		xp_pp_dest_format(&d, again);
		require(again[XP_PP_MSG_LEN - 1] == '\0');
		memset(&d2, 0, sizeof(d2));
		require(xp_pp_dest_parse(again, &d2) == 0);
		require(same_dest(&d, &d2));
	}

	memset(&d3, 0, sizeof(d3));
	err2 = server_recv(data, size, &d3);
	if (size < XP_PP_MSG_LEN) {
		require(err2 < 0); /* the peer hung up before a whole message */
	} else {
		require(err2 == err);
		if (!err)
			require(same_dest(&d, &d3));
	}
	return 0;
}
