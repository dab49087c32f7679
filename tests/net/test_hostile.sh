#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile traffic during transfers. Our rdma_peer (tests/interop/rdma_peer.c)
# runs RC WRITE, READ, WRITE WITH IMMEDIATE, SEND, SEND WITH IMMEDIATE and
# both atomics, 1 B .. 1 MiB, every byte checked, from A (client) to B
# (server, the responder), while a third namespace C floods B with
# malformed and forged RoCEv2 (tests/net/hostile_flood.c, AF_PACKET at the
# highest rate it reaches). A, B and C hang off one bridge in a fourth
# namespace; C's port does not learn MACs, so frames forged with A's MAC
# do not steal A's traffic. One run per kind of hostile frame, after a
# control run without any:
#
#   icrc   bad ICRC
#   trunc  a valid frame cut at every length (raw, and with the IP and
#          UDP lengths made to agree with the cut)
#   opseq  undefined opcodes, operations a transport lacks, UC/UD to an RC
#          QP, MIDDLE/LAST without FIRST
#   forge  correct ICRC, A's MAC, IP and UDP port: requests with unknown
#          rkeys, addresses outside the MR, DMA lengths past the MR and past
#          2^31, from a foreign source IP, to a foreign destination IP, to an
#          unused QPN
#   forge_live  the same requests for the live QPN at PSNs far ahead of and
#          behind B's window
#
# Each run must complete with every byte checked on both sides and both
# sides' guard pages (never registered, around each MR) unchanged. Each
# group of frames the flooder sent names where B must count it (hostile_flood
# works that out with the steering reference and the library's parser):
# xdp_steer's drop counters and "passed" (xpctl stats; the program is
# attached before the runs so it outlives them), B's parse_drops and
# rx_drops by reason, or B's QP stats. Every one named must have moved,
# drop counters by no more than the frames sent for them, and no drop
# reason that no frame of the kind names may have moved (the control run
# shows them all at 0). See docs/hostile.md for what the counters cannot
# tell apart today.
#
# XP_HOSTILE_ITERS (default 8): repeats of the size list per run;
# XP_HOSTILE_KINDS: the kinds to flood with (default all four);
# XP_HOSTILE_KEEP=1: keep the runs' output (the directory is printed);
# XP_HOSTILE_FLOOD_SECS: stop each flood after this long (default: when the
# client ends, at most 120 s).
set -u
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/hostile.sh"

require_root hostile
PEER=$XP_BUILD/tests/interop/rdma_peer
FLOOD=$XP_BUILD/tests/net/hostile_flood
XPCTL=$XP_BIN/xpctl
require_bin "$PEER"
require_bin "$FLOOD"
require_bin "$XPCTL"

PORT=18519
ITERS=${XP_HOSTILE_ITERS:-8}
SIZES=1,3,64,1000,1024,1025,4096,65536,1048576
KINDS=${XP_HOSTILE_KINDS:-icrc trunc opseq forge forge_live}
TMP=$(mktemp -d)
if [[ ${XP_HOSTILE_KEEP:-} == 1 ]]; then
	echo "    # output kept in $TMP"
else
	on_exit rm -rf "$TMP"
fi
t0=$EPOCHREALTIME

# ---- the bed: A, B, C on a bridge in R ----
NSA=$(ns_name a) NSB=$(ns_name b) NSC=$(ns_name c) NSR=$(ns_name r)
VA=xpa$XP_TAG VB=xpb$XP_TAG VC=xpc$XP_TAG BR=xpbr$XP_TAG
IPA=198.18.10.1 IPB=198.18.10.2 IPC=198.18.10.3

# bridge_port NS IF ADDR SIDE: a veth IF in NS, its peer SIDE in the bridge.
bridge_port() {
	ip link add "$2" type veth peer name "$4" &&
		ip link set "$2" netns "$1" && ip link set "$4" netns "$NSR" &&
		ip -n "$1" addr add "$3/24" dev "$2" && ip -n "$1" link set "$2" up &&
		ip -n "$NSR" link set "$4" master "$BR" && ip -n "$NSR" link set "$4" up
}

bed() {
	make_ns "$NSA" && make_ns "$NSB" && make_ns "$NSC" && make_ns "$NSR" || return 1
	ip -n "$NSR" link add "$BR" type bridge && hostile_bridge "$NSR" "$BR" || return 1
	ip -n "$NSR" link set "$BR" up
	bridge_port "$NSA" "$VA" $IPA "xra$XP_TAG" &&
		bridge_port "$NSB" "$VB" $IPB "xrb$XP_TAG" &&
		bridge_port "$NSC" "$VC" $IPC "xrc$XP_TAG" || return 1
	hostile_port "$NSR" "xrc$XP_TAG"
}

if ! bed; then
	fail "test bed: cannot create four namespaces, veths and a bridge"
	summary
	exit 1
fi
mac() { ip -n "$1" link show dev "$2" | awk '/link\/ether/ { print $2 }'; }
MACA=$(mac "$NSA" "$VA")
MACB=$(mac "$NSB" "$VB")

# xdp_steer on B before the runs, so that its counters outlive them.
if ! nsx "$NSB" "$XPCTL" attach "$VB" >/dev/null; then
	fail "cannot attach xdp_steer to $VB"
	summary
	exit 1
fi
on_exit nsx "$NSB" "$XPCTL" detach "$VB"

HF_NS=$NSB HF_IF=$VB

# run NAME KIND [SERVER ARGS...]: one transfer, flooded with KIND unless
# KIND is "none". 0 when both peers exit 0.
run() {
	local name=$1 kind=$2 spid cpid rc
	shift 2
	hostile_stats "$name" 0
	nsx "$NSB" timeout 150 "$PEER" -i "$VB" -p $PORT -W 60 "$@" \
		>"$TMP/$name.srv" 2>"$TMP/$name.srv.err" &
	spid=$!
	wait_ready "$TMP/$name.srv.err" $spid
	nsx "$NSA" timeout 150 "$PEER" -i "$VA" -p $PORT -W 60 -S $((RANDOM + 1)) \
		-n "$ITERS" -s $SIZES $IPB >"$TMP/$name.cli" 2>"$TMP/$name.cli.err" &
	cpid=$!
	# The server names its QP, the client's and its buffer once connected.
	[[ $kind != none ]] && hostile_flood "$name" "$kind" $spid "$NSC" "$VC" "$MACB" "$MACA" \
		$IPA $IPB "${XP_HOSTILE_FLOOD_SECS:-120}"
	wait $cpid
	rc=$?
	hostile_flood_stop
	wait $spid || rc=1
	hostile_stats "$name" 1
	note "$name: $(grep -h ' PASS \| FAIL ' "$TMP/$name.srv" "$TMP/$name.cli" | tr '\n' ';')"
	if ((rc)); then
		grep -v "ready, listening" "$TMP/$name.srv.err" | head -8 | sed 's/^/    # srv: /'
		head -8 "$TMP/$name.cli.err" | sed 's/^/    # cli: /'
		head -4 "$TMP/$name.flood.err" 2>/dev/null | sed 's/^/    # flood: /'
	fi
	return $rc
}

# 1. The control: no hostile frames, nothing dropped by any reason.
if check "control: all ops, sizes $SIZES x $ITERS, data checked" run control none; then
	transfer control control
	counters control
	control_checks
else
	counters control
fi

# 2. One run per kind of hostile frame (hostile_kind says how forge is split).
for kind in $KINDS; do
	if check "$kind flood: all ops, sizes $SIZES x $ITERS, data checked" run "$kind" "$kind"; then
		transfer "$kind" "$kind flood"
	fi
	counters "$kind"
	[[ -s $TMP/$kind.flood ]] && attribute "$kind" "$kind"
done

# 3. The guard check can fail: a byte changed past the server's MR.
if run poke none --poke-guard >/dev/null; then
	fail "negative control: a changed guard byte still passed"
else
	check "negative control: the server finds the changed guard byte" \
		grep -q "memory after the registered buffer changed" "$TMP/poke.srv.err"
fi

note "transfers completed $TRANSFERS, bytes verified $BYTES (both sides)"
note "test_hostile: $(secs_since "$t0") s"
summary
