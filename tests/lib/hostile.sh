# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Hostile traffic during transfers, shared by net/test_hostile (our
# rdma_peer on both ends, three namespaces on a bridge) and
# vm/test_rc_hostile (kernel rdma_rxe in a guest as the peer): the flooder
# (tests/net/hostile_flood.c) aimed at a server from what its "rdma_peer:
# local/remote" lines say, and the checks of one run against the counters
# the flood's frames name. docs/hostile.md has the method and the figures.
#
# Sourced after testlib.sh. The suite sets TMP, XPCTL, FLOOD (the flooder),
# HF_NS and HF_IF (the receiver's namespace and interface; xdp_steer is
# attached there before the runs, so its counters outlive them). The files
# of run NAME in $TMP: NAME.srv (the receiving server's stdout), NAME.cli
# (its client's), NAME.flood (the flooder's), NAME.x0 and NAME.x1 (xpctl
# stats --json before and after). The run named "control" has no flood.

# hostile_bridge BRNS BR: no netfilter on BR's frames (it drops or trims
# IP whose total length disagrees with the frame, which the trunc kind
# sends on purpose); BRNS's own switches count too (either turns it on).
hostile_bridge() {
	local k
	ip -n "$1" link set "$2" type bridge nf_call_iptables 0 nf_call_ip6tables 0 \
		nf_call_arptables 0 || return 1
	for k in iptables ip6tables arptables; do
		nsx "$1" sysctl -qw "net.bridge.bridge-nf-call-$k=0" 2>/dev/null
	done
	return 0
}

# hostile_port BRNS PORT: the bridge port the flooder sends through learns
# no MACs: frames forged with the peer's MAC would pull its traffic there.
hostile_port() { nsx "$1" bridge link set dev "$2" learning off; }

# hostile_stats NAME 0|1: xdp_steer's counters before (0) or after (1) run NAME.
hostile_stats() { nsx "$HF_NS" "$XPCTL" stats "$HF_IF" --json >"$TMP/$1.x$2"; }

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

# hostile_kind KIND: the flooder's kind (HF_KIND) and options (HF_ARGS)
# for a kind of the suites. forge is split: "forge" has the frames from a
# foreign source IP, to a foreign destination IP or QPN; "forge_live"
# those for the live QPN, at PSNs far ahead of and behind its window (they
# once stalled a READ for good: docs/hostile.md).
hostile_kind() {
	HF_KIND=$1 HF_ARGS=()
	case $1 in
	forge) HF_ARGS=(--only foreign_) ;;
	forge_live) HF_KIND=forge HF_ARGS=(--skip foreign_) ;;
	esac
}

# hostile_flood NAME KIND SPID FLOODNS FLOODIF DMAC SMAC SRC DST SECS: once
# the server SPID of run NAME has printed its peer (it is connected), flood
# it from FLOODIF in FLOODNS with KIND (hostile_kind) for at most SECS, in
# the background (HF_PID; hostile_flood_stop ends it). Frames come from
# SMAC/SRC (the peer's) to DMAC/DST (the server's). 1 when the server ended
# or printed nothing of its peer within 120 s.
hostile_flood() {
	local f=$TMP/$1.srv i
	for ((i = 0; i < 2400; i++)); do
		grep -q "^rdma_peer: remote" "$f" 2>/dev/null && break
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
	done
	grep -q "^rdma_peer: remote" "$f" 2>/dev/null || return 1
	hostile_kind "$2"
	# Not through nsx (a function, so a subshell): $! must be the
	# flooder itself (nsenter execs it) for the kill in hostile_flood_stop.
	nsenter --net="/run/netns/$4" -- "$FLOOD" -i "$5" -k "$HF_KIND" -d "${10}" --dmac "$6" \
		--smac "$7" --src "$8" --dst "$9" --qpn "$(field "$f" "rdma_peer: local" QPN)" \
		--peer-qpn "$(field "$f" "rdma_peer: remote" QPN)" \
		--psn "$(field "$f" "rdma_peer: remote" PSN)" \
		--addr "$(field "$f" "rdma_peer: local" buffer)" \
		--len "$(field "$f" "rdma_peer: local" len)" \
		--rkey "$(field "$f" "rdma_peer: local" rkey)" ${HF_ARGS[@]+"${HF_ARGS[@]}"} \
		${HF_EXTRA[@]+"${HF_EXTRA[@]}"} >"$TMP/$1.flood" 2>"$TMP/$1.flood.err" &
	HF_PID=$!
}

# hostile_flood_stop: end the flooder hostile_flood started, if any.
hostile_flood_stop() {
	[[ -n ${HF_PID:-} ]] && kill -TERM "$HF_PID" 2>/dev/null && wait "$HF_PID"
	HF_PID=
}

# counters NAME: the receiver's counters by reason over run NAME, those not zero.
counters() {
	local n=$1 k v line=''
	for k in passed $XDP_DROPS; do
		v=$(xdp_delta "$n" "$k")
		((v)) && line+=" xdp:$k=$v"
	done
	for k in parse_drops rx_drops qp_stats; do
		# shellcheck disable=SC2013 # key=value words, not lines
		for v in $(grep -E "^rdma_peer: $k " "$TMP/$n.srv" | cut -d' ' -f3-); do
			[[ ${v#*=} == 0 ]] && continue
			case $k in
			parse_drops) line+=" parse:$v" ;;
			rx_drops) line+=" drop:$v" ;;
			qp_stats) line+=" qp:$v" ;;
			esac
		done
	done
	note "$n: the receiver's counters by reason (not zero):$line"
}

TRANSFERS=0
BYTES=0
# transfer NAME WHAT: the run's data and guard checks, on both sides.
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

# control_checks: the control run (no hostile frames) dropped nothing by any reason.
control_checks() {
	check "control: no xdp_steer drops by any reason" \
		test -z "$(for k in $XDP_DROPS; do [[ $(xdp_delta control "$k") == 0 ]] || echo "$k"; done)"
	check "control: no parse or device drops by any reason" \
		test -z "$(grep -E '^rdma_peer: (parse|rx)_drops ' "$TMP/control.srv" | grep -oE '=[1-9]')"
}

# now_counter NAME WHERE: the receiver's counter a flooder's "expect" names, or -1.
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

# expected NAME: the counters the frames of run NAME's flood name, one a line.
expected() { awk '/^hostile_flood: frames / { print $5 }' "$TMP/$1.flood" 2>/dev/null | sort -u; }

# attribute NAME KIND: each counter the flood's frames name moved, drop
# counters by at most what was sent for them; reasons no frame names stayed 0.
attribute() {
	local n=$1 kind=$2 e sent got k expected
	grep "^hostile_flood: kind \|^hostile_flood: total " "$TMP/$n.flood" | sed "s/^/    # $n: /"
	expected=$(expected "$n")
	check "$kind: the flooder sent frames ($(awk '/^hostile_flood: total/ { print $4 }' "$TMP/$n.flood"))" \
		grep -qE "^hostile_flood: total sent [1-9]" "$TMP/$n.flood"
	for e in $expected; do
		sent=$(awk -v e="$e" '$1 == "hostile_flood:" && $2 == "frames" && $5 == e { s += $7 } END { print s + 0 }' \
			"$TMP/$n.flood")
		got=$(now_counter "$n" "$e")
		note "$kind -> $e: sent $sent ($(grep "^hostile_flood: frames .* $e " "$TMP/$n.flood" |
			awk '{ printf "%s%s %s (%s)", s, $4, $7, $9; s = ", " }')), the receiver counted $got"
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
		# shellcheck disable=SC2013 # key=value words, not lines
		for e in $(grep -E "^rdma_peer: ${k%:*} " "$TMP/$n.srv" | cut -d' ' -f3-); do
			e=${k#*:}:$e
			[[ ${e%=*} == drop:backlog ]] && continue
			grep -qx "${e%=*}" <<<"$expected" && continue
			check "$kind: ${e%=*} stayed 0 (${e#*=})" test "${e#*=}" -eq 0
		done
	done
}

# The QP counters of requests no live requester can send (xp_qp_stats):
# only hostile frames may move them.
QP_HOSTILE="psn_out_of_window dup_too_old dup_read_mismatch"

# qp_clean NAME WHAT: each of QP_HOSTILE that no frame of run NAME's flood
# names stayed 0: the peer's own requests, lost or repeated, never land there.
qp_clean() {
	local k v expected
	expected=$(expected "$1")
	for k in $QP_HOSTILE; do
		grep -qx "qp:$k" <<<"$expected" && continue
		v=$(srv "$1" qp_stats "$k")
		check "$2: qp:$k stayed 0: none of the peer's own requests counted there ($v)" \
			test "$v" -eq 0
	done
}
