#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# UD send and receive over AF_XDP between two namespaces (tests/net/ud_pingpong.c):
#   - N messages from 1 byte to the path MTU, SEND and SEND_WITH_IMM, each
#     echoed back: data byte for byte, status, byte_len, src_qp, GRH and its
#     source GID, immediate data, on both sides;
#   - a wrong Q_Key, a QP without a posted receive and an unknown QPN are
#     dropped and counted by the receiver;
#   - the same again at MTU 9000 (path MTU 2048) and without the probes;
#   - the steering program each side attached is gone afterwards.
set -u
. "$(dirname "$0")/../lib/testlib.sh"

require_root ud
PP=$XP_BUILD/tests/net/ud_pingpong
require_bin "$PP"

PORT=18516
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

pair_bed 198.18.2

# pingpong NAME N "SERVER ARGS" "CLIENT ARGS": server in B, client in A;
# 0 when both exit 0.
pingpong() {
	local name=$1 n=$2 rc
	# shellcheck disable=SC2206
	local sargs=($3) cargs=($4)
	run_pair "$name" "$PP" -i "$VB" -p $PORT -n "$n" "${sargs[@]}" -- \
		timeout 60 "$PP" -i "$VA" -c "$IPB" -p $PORT -n "$n" "${cargs[@]}"
	rc=$?
	note "$(cat "$TMP/$name.srv" "$TMP/$name.cli" | tr '\n' ';')"
	return $rc
}

# field FILE KEY: the number after KEY in ud_pingpong's summary line.
field() {
	grep -o "$2 [0-9]*" "$1" | head -n1 | awk '{print $NF}'
}

N=200
check "UD pingpong: $N messages 1..1024 bytes, checked both ways, with drop probes" \
	pingpong probes $N -x -x
check "server received $N messages" [ "$(field "$TMP/probes.srv" server:)" = $N ]
check "server counted 1 wrong Q_Key drop" [ "$(field "$TMP/probes.srv" qkey)" = 1 ]
check "server counted 1 no-receive drop" [ "$(field "$TMP/probes.srv" no_recv)" = 1 ]
check "server counted 1 unknown-QPN drop" [ "$(field "$TMP/probes.srv" no_qp)" = 1 ]
check "client dropped nothing" [ "$(field "$TMP/probes.cli" qkey)$(field "$TMP/probes.cli" no_recv)$(field "$TMP/probes.cli" no_qp)" = 000 ]
check "client sent $N + 3 frames" [ "$(field "$TMP/probes.cli" tx)" = $((N + 3)) ]
check_pair_detached

# The check can fail: a server expecting the probes from a client that
# sends none must report its drop counters wrong.
if pingpong noprobes 8 -x "" >/dev/null; then
	fail "server expecting drop probes that never came still passed"
else
	check "server expecting absent drop probes fails" \
		grep -q "Q_Key drops 0, expected 1" "$TMP/noprobes.srv.err"
fi

# IPv6: GID index 0 is the link-local address; the GRH is the IPv6 header.
if pair_ll6; then
	check "UD pingpong over IPv6 link-local GIDs (index 0)" pingpong ipv6 64 "-g 0" "-g 0"
else
	skip "IPv6 link-local addresses missing on the veth pair"
fi

# Path MTU 2048 needs a netdev MTU of at least 2128; native XDP on veth
# takes at most about 3.5 KB, so 3000.
if ip -n "$NSA" link set dev "$VA" mtu 3000 && ip -n "$NSB" link set dev "$VB" mtu 3000; then
	check "UD pingpong at MTU 3000 (path MTU 2048)" pingpong mtu3000 64 "" ""
	check "path MTU 2048 reported" grep -q "path MTU 2048" "$TMP/mtu3000.cli.err"
	ip -n "$NSA" link set dev "$VA" mtu 1500
	ip -n "$NSB" link set dev "$VB" mtu 1500
else
	skip "MTU 3000 on veth not accepted"
fi

summary
