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
	# No netfilter on bridged frames: it would drop or trim malformed IP.
	ip -n "$NSR" link add "$BR" type bridge nf_call_iptables 0 nf_call_ip6tables 0 \
		nf_call_arptables 0 || return 1
	ip -n "$NSR" link set "$BR" up
	# The namespace's switches count too (either one turns it on).
	for k in iptables ip6tables arptables; do
		nsx "$NSR" sysctl -qw "net.bridge.bridge-nf-call-$k=0" 2>/dev/null
	done
	bridge_port "$NSA" "$VA" $IPA "xra$XP_TAG" &&
		bridge_port "$NSB" "$VB" $IPB "xrb$XP_TAG" &&
		bridge_port "$NSC" "$VC" $IPC "xrc$XP_TAG" || return 1
	nsx "$NSR" bridge link set dev "xrc$XP_TAG" learning off
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

# xdp_ctr FILE NAME: packets of counter NAME in an `xpctl stats --json` line.
xdp_ctr() {
	local v
	v=$(grep -oE "\"$2\":\{\"packets\":[0-9]+" "$1" | grep -oE '[0-9]+$')
	echo "${v:--1}"
}

XDP_DROPS="short_bth bth_version ipv4_fragment udp_length ipv6_fragment"
# xdp_delta NAME COUNTER: growth of an xdp_steer counter over run NAME.
xdp_delta() {
	echo $(($(xdp_ctr "$TMP/$1.x1" "$2") - $(xdp_ctr "$TMP/$1.x0" "$2")))
}

# srv NAME LINE KEY: KEY's value in the server's "rdma_peer: LINE" line.
srv() {
	local v
	v=$(grep -E "^rdma_peer: $2 " "$TMP/$1.srv" | grep -oE " $3=[0-9]+" | head -n1 | cut -d= -f2)
	echo "${v:--1}"
}

# field FILE PREFIX WORD: the word after WORD in the first line starting with PREFIX.
field() {
	grep -m1 "^$2" "$1" | awk -v w="$3" '{ for (i = 1; i < NF; i++) if ($i == w) { print $(i + 1); exit } }'
}

# run NAME KIND [SERVER ARGS...]: one transfer, flooded with KIND unless
# KIND is "none". 0 when both peers exit 0.
run() {
	local name=$1 kind=$2 spid cpid fpid='' i rc
	shift 2
	nsx "$NSB" "$XPCTL" stats "$VB" --json >"$TMP/$name.x0"
	nsx "$NSB" timeout 150 "$PEER" -i "$VB" -p $PORT -W 60 "$@" \
		>"$TMP/$name.srv" 2>"$TMP/$name.srv.err" &
	spid=$!
	wait_ready "$TMP/$name.srv.err" $spid
	nsx "$NSA" timeout 150 "$PEER" -i "$VA" -p $PORT -W 60 -S $((RANDOM + 1)) \
		-n "$ITERS" -s $SIZES $IPB >"$TMP/$name.cli" 2>"$TMP/$name.cli.err" &
	cpid=$!
	if [[ $kind != none ]]; then
		# The server names its QP, the client's and its buffer once connected.
		for ((i = 0; i < 200; i++)); do
			grep -q "^rdma_peer: remote" "$TMP/$name.srv" 2>/dev/null && break
			sleep 0.02
		done
		local f=$TMP/$name.srv
		# Not through nsx (a function, so a subshell): $! must be the
		# flooder itself (nsenter execs it) for the kill below.
		nsenter --net="/run/netns/$NSC" -- "$FLOOD" -i "$VC" -k "$kind" -d "${XP_HOSTILE_FLOOD_SECS:-120}" --dmac "$MACB" --smac "$MACA" \
			--src $IPA --dst $IPB --qpn "$(field "$f" "rdma_peer: local" QPN)" \
			--peer-qpn "$(field "$f" "rdma_peer: remote" QPN)" \
			--psn "$(field "$f" "rdma_peer: remote" PSN)" \
			--addr "$(field "$f" "rdma_peer: local" buffer)" \
			--len "$(field "$f" "rdma_peer: local" len)" \
			--rkey "$(field "$f" "rdma_peer: local" rkey)" ${FLOOD_ARGS[@]+"${FLOOD_ARGS[@]}"} \
			>"$TMP/$name.flood" 2>"$TMP/$name.flood.err" &
		fpid=$!
	fi
	wait $cpid
	rc=$?
	[[ -n $fpid ]] && kill -TERM $fpid 2>/dev/null && wait $fpid
	wait $spid || rc=1
	nsx "$NSB" "$XPCTL" stats "$VB" --json >"$TMP/$name.x1"
	note "$name: $(grep -h ' PASS \| FAIL ' "$TMP/$name.srv" "$TMP/$name.cli" | tr '\n' ';')"
	if ((rc)); then
		grep -v "ready, listening" "$TMP/$name.srv.err" | head -8 | sed 's/^/    # srv: /'
		head -8 "$TMP/$name.cli.err" | sed 's/^/    # cli: /'
		head -4 "$TMP/$name.flood.err" 2>/dev/null | sed 's/^/    # flood: /'
	fi
	return $rc
}

# counters NAME: B's counters by reason over run NAME, those not zero.
counters() {
	local n=$1 k v line=''
	for k in passed $XDP_DROPS; do
		v=$(xdp_delta "$n" "$k")
		((v)) && line+=" xdp:$k=$v"
	done
	for k in parse_drops rx_drops qp_stats; do
		for v in $(grep -E "^rdma_peer: $k " "$TMP/$n.srv" | cut -d' ' -f3-); do
			[[ ${v#*=} == 0 ]] && continue
			case $k in
			parse_drops) line+=" parse:$v" ;;
			rx_drops) line+=" drop:$v" ;;
			qp_stats) line+=" qp:$v" ;;
			esac
		done
	done
	note "$n: B's counters by reason (not zero):$line"
}

TRANSFERS=0
BYTES=0
# transfer NAME WHAT: the run's data and guard checks.
transfer() {
	local n=$1 side s b
	for side in srv cli; do
		s=server
		[[ $side == cli ]] && s=client
		check "$2: the $s checked every byte (rdma_peer: $s PASS)" \
			grep -q "^rdma_peer: $s PASS steps [1-9]" "$TMP/$n.$side"
		check "$2: the $s's guard pages around its MR are unchanged" \
			grep -q "^rdma_peer: guards intact" "$TMP/$n.$side"
		b=$(grep -m1 "^rdma_peer: $s PASS" "$TMP/$n.$side" | awk '{ print $11 }')
		BYTES=$((BYTES + ${b:-0}))
	done
	s=$(grep -m1 "^rdma_peer: client PASS" "$TMP/$n.cli" | awk '{ print $5 }')
	TRANSFERS=$((TRANSFERS + ${s:-0}))
}

# now_counter NAME WHERE: B's counter a flooder's "expect" names, or -1.
now_counter() {
	local n=$1 where=${2#*:}
	case $2 in
	xdp:*) xdp_delta "$n" "$where" ;;
	parse:*) srv "$n" parse_drops "$where" ;;
	drop:*) srv "$n" rx_drops "$where" ;;
	qp:*) srv "$n" qp_stats "$where" ;;
	*) echo -1 ;;
	esac
}

# attribute NAME KIND: each counter the flood's frames name moved, drop
# counters by at most what was sent for them; reasons no frame names stayed 0.
attribute() {
	local n=$1 kind=$2 e sent got k expected
	grep "^hostile_flood: kind \|^hostile_flood: total " "$TMP/$n.flood" | sed "s/^/    # $n: /"
	expected=$(awk '/^hostile_flood: frames / { print $5 }' "$TMP/$n.flood" | sort -u)
	check "$kind: the flooder sent frames ($(awk '/^hostile_flood: total/ { print $4 }' "$TMP/$n.flood"))" \
		grep -qE "^hostile_flood: total sent [1-9]" "$TMP/$n.flood"
	for e in $expected; do
		sent=$(awk -v e="$e" '$1 == "hostile_flood:" && $2 == "frames" && $5 == e { s += $7 } END { print s + 0 }' \
			"$TMP/$n.flood")
		got=$(now_counter "$n" "$e")
		note "$kind -> $e: sent $sent ($(grep "^hostile_flood: frames .* $e " "$TMP/$n.flood" |
			awk '{ printf "%s%s %s (%s)", s, $4, $7, $9; s = ", " }')), B counted $got"
		if [[ $e == xdp:passed ]]; then
			# Shared with the kernel's own traffic (TCP, ARP): more than the control run.
			check "$kind: frames xdp_steer cannot tell as RoCEv2 went to the kernel (passed $got, control run $(xdp_delta control passed))" \
				test "$got" -gt "$(xdp_delta control passed)"
			continue
		fi
		check "$kind -> $e: counted under its own reason ($got of $sent sent)" test "$got" -gt 0
		case $e in
		xdp:* | parse:* | drop:*)
			check "$kind -> $e: not more than sent ($got <= $sent)" test "$got" -le "$sent"
			;;
		esac
	done
	# Drop reasons that no frame of this kind names must stay 0 (backlog
	# aside: see docs/hostile.md).
	for k in $XDP_DROPS; do
		grep -qx "xdp:$k" <<<"$expected" && continue
		check "$kind: xdp_steer $k stayed 0 ($(xdp_delta "$n" "$k"))" test "$(xdp_delta "$n" "$k")" -eq 0
	done
	for k in parse_drops:parse rx_drops:drop; do
		for e in $(grep -E "^rdma_peer: ${k%:*} " "$TMP/$n.srv" | cut -d' ' -f3-); do
			e=${k#*:}:$e
			[[ ${e%=*} == drop:backlog ]] && continue
			grep -qx "${e%=*}" <<<"$expected" && continue
			check "$kind: ${e%=*} stayed 0 (${e#*=})" test "${e#*=}" -eq 0
		done
	done
}

# 1. The control: no hostile frames, nothing dropped by any reason.
if check "control: all ops, sizes $SIZES x $ITERS, data checked" run control none; then
	transfer control control
	counters control
	check "control: no xdp_steer drops by any reason" \
		test -z "$(for k in $XDP_DROPS; do [[ $(xdp_delta control "$k") == 0 ]] || echo "$k"; done)"
	check "control: no parse or device drops by any reason" \
		test -z "$(grep -E '^rdma_peer: (parse|rx)_drops ' "$TMP/control.srv" | grep -oE '=[1-9]')"
else
	counters control
fi

# 2. One run per kind of hostile frame. forge is split: "forge" has the
# frames from a foreign source IP, to a foreign destination IP or QPN;
# "forge_live" those for the live QPN, at PSNs far ahead of and behind its
# window (they once stalled a READ for good: docs/hostile.md).
for kind in $KINDS; do
	FLOOD_ARGS=()
	fkind=$kind
	case $kind in
	forge) FLOOD_ARGS=(--only foreign_) ;;
	forge_live) fkind=forge FLOOD_ARGS=(--skip foreign_) ;;
	esac
	if check "$kind flood: all ops, sizes $SIZES x $ITERS, data checked" run "$kind" "$fkind"; then
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
