#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RC operations over AF_XDP between two namespaces, our rdma_peer
# (tests/interop/rdma_peer.c) on both ends:
#   - RDMA WRITE, READ, WRITE WITH IMMEDIATE, SEND, SEND WITH IMMEDIATE,
#     FETCH AND ADD and COMPARE AND SWAP (one that succeeds, one that
#     fails) at 1 byte .. 1 MiB, every byte checked on both sides, and the
#     server's whole buffer against the client's expectations at the end;
#     without faults no retry counter moves;
#   - the same with 1 %, 5 % and 20 % of received frames dropped,
#     duplicated or reordered on both ends (xp_rdma_dev_set_faults), a
#     1 ms local ACK timeout: every transfer completes with correct data,
#     and the counters show the recovery (retransmits with loss, duplicate
#     requests with duplication, out-of-sequence requests with reordering);
#   - a negative control: a client that corrupts one byte of its
#     expectations must make the server fail.
#   XP_RC_QUICK=1 runs the fault cases at 5 % only.
set -u
. "$(dirname "$0")/../lib/testlib.sh"

require_root rc
PEER=$XP_BUILD/tests/interop/rdma_peer
require_bin "$PEER"

PORT=18517
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"
ALL_SIZES=1,3,64,1000,1024,1025,4096,65536,1048576
# Under 20 % loss a 1 MiB message takes many rounds: one pass there, two below.
TIMEOUT_CODE=8 # 4.096 us * 2^8 = 1 ms

pair_bed 198.18.8

# peer NAME "SERVER ARGS" "CLIENT ARGS": server in B, client in A; 0 when
# both exit 0. Output in $TMP/NAME.{srv,cli}{,.err}.
peer() {
	local name=$1 rc
	# shellcheck disable=SC2206
	local sargs=($2) cargs=($3)
	run_pair "$name" timeout 150 "$PEER" -i "$VB" -p $PORT "${sargs[@]}" -- \
		timeout 150 "$PEER" -i "$VA" -p $PORT "${cargs[@]}" "$IPB"
	rc=$?
	note "$name: $(grep -h ' PASS \| FAIL ' "$TMP/$name.srv" "$TMP/$name.cli" | tr '\n' ';')"
	return $rc
}

# ctr NAME srv|cli KEY: KEY's value in that side's qp_stats or dev_stats
# line, or -1 when missing.
ctr() {
	local v
	v=$(grep -E '^rdma_peer: (qp|dev)_stats ' "$TMP/$1.$2" | grep -oE "(^| )$3=[0-9]+" |
		head -n1 | cut -d= -f2)
	echo "${v:--1}"
}

# both NAME KEY: the sum over both sides (-1 if either is missing).
both() {
	local a b
	a=$(ctr "$1" srv "$2")
	b=$(ctr "$1" cli "$2")
	((a < 0 || b < 0)) && echo -1 || echo $((a + b))
}

counters() {
	local k line=
	for k in retransmits timeouts seq_naks_rcvd rnr_naks_rcvd dup_requests out_of_seq \
		fault_drops fault_dups fault_reorders other_drops tx_no_frame; do
		line+=" $k=$(ctr "$1" srv $k)/$(ctr "$1" cli $k)"
	done
	note "$1 (server/client):$line"
}

t0=$EPOCHREALTIME

# 1. All operations, 1 byte .. 1 MiB, twice, no faults.
# A 1 s ACK timeout (code 18): a busy machine may stall a process for
# tens of milliseconds, a lost packet never comes back; any retry here is one.
if check "all ops, sizes $ALL_SIZES x 2, data checked on both sides" \
	peer clean "-t 18" "-t 18 -S 11 -n 2 -s $ALL_SIZES"; then
	counters clean
	for k in retransmits timeouts seq_naks_rcvd seq_naks_sent dup_requests dup_responses out_of_seq; do
		check "no faults: $k is 0 on both sides ($(both clean $k))" test "$(both clean $k)" = 0
	done
	check "no faults: the server took every receive and compared its buffer" \
		grep -q "rdma_peer: server PASS steps 18 " "$TMP/clean.srv"
else
	counters clean
fi

# 2. Faults on both ends' receive.
if [[ ${XP_RC_QUICK:-} == 1 ]]; then
	PCTS="5"
else
	PCTS="1 5 20"
fi
for kind in drop dup reorder; do
	for pct in $PCTS; do
		name=$kind$pct
		n=2
		((pct >= 20)) && n=1
		fa="--$kind $pct -t $TIMEOUT_CODE -W 60"
		if ! check "$pct % $kind: all ops, sizes $ALL_SIZES x $n, data checked" \
			peer "$name" "$fa -S $((pct + 100))" "$fa -S $((pct + 200)) -n $n -s $ALL_SIZES"; then
			counters "$name"
			continue
		fi
		counters "$name"
		case $kind in
		drop)
			check "$pct % drop: frames were dropped ($(both "$name" fault_drops))" \
				test "$(both "$name" fault_drops)" -gt 0
			check "$pct % drop: requests were retransmitted ($(both "$name" retransmits))" \
				test "$(both "$name" retransmits)" -gt 0
			;;
		dup)
			check "$pct % dup: frames were duplicated ($(both "$name" fault_dups))" \
				test "$(both "$name" fault_dups)" -gt 0
			check "$pct % dup: the server answered duplicate requests ($(ctr "$name" srv dup_requests))" \
				test "$(ctr "$name" srv dup_requests)" -gt 0
			;;
		reorder)
			check "$pct % reorder: frames were reordered ($(both "$name" fault_reorders))" \
				test "$(both "$name" fault_reorders)" -gt 0
			check "$pct % reorder: the server saw requests out of sequence ($(ctr "$name" srv out_of_seq))" \
				test "$(ctr "$name" srv out_of_seq)" -gt 0
			;;
		esac
	done
done

# 3. The check can fail: expectations one byte off must fail the server,
# and through its verdict the client.
if peer corrupt "" "-S 3 -s 1,4096 --corrupt" >/dev/null; then
	fail "negative control: a corrupted expectation still passed"
else
	check "negative control: the server finds the corrupted byte" \
		grep -q "buffer differs from what the client wrote: write area" "$TMP/corrupt.srv.err"
	check "negative control: the client fails on the server's verdict" \
		grep -q "the server reported 1 of" "$TMP/corrupt.cli.err"
fi

check_pair_detached
note "test_rc: $(secs_since "$t0") s"
summary
