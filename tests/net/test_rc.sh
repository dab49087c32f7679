#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RC operations over AF_XDP between two namespaces, our rdma_peer
# (tests/interop/rdma_peer.c) on both ends:
#   - RDMA WRITE, READ, WRITE WITH IMMEDIATE, SEND, SEND WITH IMMEDIATE,
#     FETCH AND ADD and COMPARE AND SWAP (one that succeeds, one that
#     fails) at 1 byte .. 1 MiB, every byte checked on both sides, and the
#     server's whole buffer against the client's expectations at the end;
#     without faults no retry counter moves unless the kernel dropped
#     frames below us (the sockets' XDP_STATISTICS, the veth pair's drop
#     counters), and then only as those drops explain;
#   - a client starved of CPU (on the server's CPU at nice 19) loses READ
#     responses in its socket: the kernel counts them, the READs are asked
#     again and complete with correct data;
#   - the same with 1 %, 5 % and 20 % of received frames dropped,
#     duplicated or reordered on both ends (xp_rdma_dev_set_faults), a
#     1 ms local ACK timeout: every transfer completes with correct data,
#     and the counters show the recovery (retransmits with loss, duplicate
#     requests with duplication, out-of-sequence requests with reordering);
#   - negative controls: a client that corrupts one byte of its
#     expectations must make the server fail; the starved run's counters
#     with its drops taken out, or with a sequence error where nothing was
#     lost, must be refused.
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
# both exit 0. Output in $TMP/NAME.{srv,cli}{,.err}, the veth counters'
# growth in $TMP/NAME.{srv,cli}.net. PEER_SW and PEER_CW, when set, are
# put in front of the server's and the client's command.
peer() {
	local name=$1 rc
	# shellcheck disable=SC2206
	local sargs=($2) cargs=($3) sw=(${PEER_SW:-}) cw=(${PEER_CW:-})
	net_before "$name"
	run_pair "$name" "${sw[@]}" timeout 150 "$PEER" -i "$VB" -p $PORT "${sargs[@]}" -- \
		"${cw[@]}" timeout 150 "$PEER" -i "$VA" -p $PORT "${cargs[@]}" "$IPB"
	rc=$?
	net_after "$name"
	note "$name: $(grep -h ' PASS \| FAIL ' "$TMP/$name.srv" "$TMP/$name.cli" | tr '\n' ';')"
	return $rc
}

# ctr NAME srv|cli KEY: KEY's value in that side's qp_stats or dev_stats
# line, or in the net_stats line of its veth (NAME.srv.net), or -1 when
# missing.
ctr() {
	local v
	v=$(cat "$TMP/$1.$2" "$TMP/$1.$2.net" 2>/dev/null |
		grep -E '^(rdma_peer: (qp|dev)_stats|net_stats) ' | grep -oE "(^| )$3=[0-9]+" |
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
		fault_drops fault_dups fault_reorders other_drops tx_no_frame \
		kernel_rx_dropped kernel_rx_ring_full kernel_fill_empty tx_ring_drops; do
		line+=" $k=$(ctr "$1" srv $k)/$(ctr "$1" cli $k)"
	done
	note "$1 (server/client):$line"
}

# ---- frames lost below the transport ----
#
# Where a frame from one end to the other can be lost before the RC
# transport sees it, and what counts it:
#   - the sender's device gives up on a tx ring that stays full
#     (dev_stats tx_ring_drops);
#   - veth drops it on the way (the sender's tx_dropped: the peer's ring
#     was full or the peer down);
#   - the receiver's veth drops it in its NAPI poll (rx_dropped: among
#     others a redirect the socket refused), or xdp_steer returns XDP_DROP
#     (ethtool -S rx_queue_N_xdp_drops; not counted without ethtool);
#   - the receiving socket has no room: rx ring full (kernel_rx_ring_full)
#     or, in copy mode, no frame on the fill ring (kernel_rx_dropped, which
#     kernel_fill_empty counts too).
# A socket's refusal is a failed redirect, which veth counts in rx_dropped
# as well: the frames lost on the way into one end are at least the larger
# of the two, plus the rest.

HAVE_ETHTOOL=0
command -v ethtool >/dev/null && HAVE_ETHTOOL=1

# veth_counts NS DEV: "rx_dropped tx_dropped xdp_drops" of DEV now
# (xdp_drops 0 without ethtool).
veth_counts() {
	local rx tx xdp=0
	rx=$(ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_dropped")
	tx=$(ip netns exec "$1" cat "/sys/class/net/$2/statistics/tx_dropped")
	if ((HAVE_ETHTOOL)); then
		xdp=$(nsx "$1" ethtool -S "$2" 2>/dev/null |
			awk '/_xdp_drops:/ { s += $2 } END { print s + 0 }')
	fi
	echo "${rx:-0} ${tx:-0} ${xdp:-0}"
}

# net_before NAME, then net_after NAME around a run: the veth counters'
# growth over it in NAME.srv.net (B) and NAME.cli.net (A).
net_before() {
	veth_counts "$NSB" "$VB" >"$TMP/$1.srv.net0"
	veth_counts "$NSA" "$VA" >"$TMP/$1.cli.net0"
}

net_after() {
	local side ns dev r0 t0 x0 r1 t1 x1
	for side in srv cli; do
		ns=$NSB dev=$VB
		[[ $side == cli ]] && ns=$NSA dev=$VA
		read -r r0 t0 x0 <"$TMP/$1.$side.net0"
		read -r r1 t1 x1 < <(veth_counts "$ns" "$dev")
		echo "net_stats veth_rx_dropped=$((r1 - r0)) veth_tx_dropped=$((t1 - t0))" \
			"veth_xdp_drops=$((x1 - x0))" >"$TMP/$1.$side.net"
	done
}

other() { [[ $1 == srv ]] && echo cli || echo srv; }
who() { [[ $1 == srv ]] && echo server || echo client; }

# lost_into NAME srv|cli: frames lost on their way into that side's
# transport (at least; see above).
lost_into() {
	local s=$2 p sock vrx
	p=$(other "$s")
	sock=$(($(ctr "$1" "$s" kernel_rx_dropped) + $(ctr "$1" "$s" kernel_rx_ring_full)))
	vrx=$(ctr "$1" "$s" veth_rx_dropped)
	echo $(((sock > vrx ? sock : vrx) + $(ctr "$1" "$s" veth_xdp_drops) +
		$(ctr "$1" "$p" veth_tx_dropped) + $(ctr "$1" "$p" tx_ring_drops)))
}

# where_into NAME srv|cli: the counters behind lost_into, for a person.
where_into() {
	local s=$2 p
	p=$(other "$s")
	echo "$(lost_into "$1" "$s") into the $(who "$s"): its socket" \
		"rx_dropped $(ctr "$1" "$s" kernel_rx_dropped)" \
		"(fill ring empty $(ctr "$1" "$s" kernel_fill_empty))," \
		"rx_ring_full $(ctr "$1" "$s" kernel_rx_ring_full)," \
		"its veth rx_dropped $(ctr "$1" "$s" veth_rx_dropped)" \
		"xdp_drops $( ((HAVE_ETHTOOL)) && ctr "$1" "$s" veth_xdp_drops || echo "unknown (no ethtool)")," \
		"the $(who "$p")'s veth tx_dropped $(ctr "$1" "$p" veth_tx_dropped)" \
		"and tx ring drops $(ctr "$1" "$p" tx_ring_drops)"
}

REPAIRS="retransmits timeouts seq_naks_rcvd seq_naks_sent dup_requests dup_responses out_of_seq"

# judge NAME: with nothing lost below the transport every repair counter
# must be 0; with losses each one that moved must be a repair they
# explain. One line per counter, "ok TEXT" or "bad TEXT"; 0 when all are ok.
judge() {
	local n=$1 k s p v need why lost line bad rc=0
	for s in srv cli; do
		for k in kernel_rx_dropped kernel_rx_ring_full kernel_fill_empty tx_ring_drops \
			veth_rx_dropped veth_tx_dropped veth_xdp_drops $REPAIRS; do
			if (($(ctr "$n" "$s" "$k") < 0)); then
				echo "bad the $(who "$s")'s counter $k is missing"
				rc=1
			fi
		done
	done
	((rc)) && return 1
	lost=$(($(lost_into "$n" srv) + $(lost_into "$n" cli)))
	for k in $REPAIRS; do
		v="$(ctr "$n" srv "$k")/$(ctr "$n" cli "$k")"
		if [[ $v == 0/0 ]]; then
			echo "ok $k is 0 on both sides ($v)"
			continue
		fi
		if ((lost == 0)); then
			echo "bad $k is 0 on both sides ($v): nothing was dropped below the transport"
			rc=1
			continue
		fi
		line='' bad=0
		for s in srv cli; do
			p=$(other "$s")
			v=$(ctr "$n" "$s" "$k")
			((v == 0)) && continue
			# need > 0: what must have happened for this counter to be a repair.
			case $k in
			retransmits)
				need=$lost why="$lost frames were lost"
				;;
			timeouts) # each expiry waited for at least one lost frame
				need=$((lost - v + 1)) why="at most one per lost frame ($lost)"
				;;
			out_of_seq | seq_naks_sent) # a gap in the requests it received
				need=$(lost_into "$n" "$s")
				why="frames were lost on the way into the $(who "$s") ($need)"
				;;
			seq_naks_rcvd) # the peer saw a gap in our requests
				need=$(lost_into "$n" "$p")
				why="frames were lost on the way into the $(who "$p") ($need)"
				;;
			dup_requests) # only a resent request comes twice
				need=$(ctr "$n" "$p" retransmits)
				why="the $(who "$p") retransmitted ($need)"
				;;
			dup_responses) # answers to requests it resent
				need=$(ctr "$n" "$s" retransmits) why="it retransmitted ($need)"
				;;
			esac
			[[ -n $line ]] && line+="; "
			if ((need > 0)); then
				line+="the $(who "$s")'s $k=$v: $why"
			else
				line+="the $(who "$s")'s $k=$v, but not: $why"
				bad=1
			fi
		done
		if ((bad)); then
			echo "bad $line"
			rc=1
		else
			echo "ok $line"
		fi
	done
	return $rc
}

# repairs NAME WHAT: judge NAME, one check per rule, after a note of what
# was lost where.
repairs() {
	local lost line
	lost=$(($(lost_into "$1" srv) + $(lost_into "$1" cli)))
	note "$1: frames lost below the transport: $(where_into "$1" srv); $(where_into "$1" cli)"
	while read -r line; do
		if [[ $line == ok* ]]; then
			pass "$2, $lost frames lost below us: ${line#ok }"
		else
			fail "$2, $lost frames lost below us: ${line#bad }"
		fi
	done < <(judge "$1")
}

t0=$EPOCHREALTIME

# 1. All operations, 1 byte .. 1 MiB, twice, no faults.
# A 1 s ACK timeout (code 18): a busy machine may stall a process for
# tens of milliseconds, a lost packet never comes back; any retry here is one.
# Nothing loses a frame on purpose, but a busy machine can: a client that
# is not scheduled while a 1 MiB READ streams back runs out of fill ring
# frames. Then the repairs must be the ones those losses explain.
if check "all ops, sizes $ALL_SIZES x 2, data checked on both sides" \
	peer clean "-t 18" "-t 18 -S 11 -n 2 -s $ALL_SIZES"; then
	counters clean
	repairs clean "no faults"
	check "no faults: the server took every receive and compared its buffer" \
		grep -q "rdma_peer: server PASS steps 18 " "$TMP/clean.srv"
else
	counters clean
fi

# 2. Frames really lost below us: the client on the server's CPU at nice
# 19 does not run while the server streams a 1 MiB READ (1024 packets) at
# it; its fill ring holds 512 frames, the rest the kernel drops. Each READ
# is asked again from the first missing packet after a 67 ms timeout.
CPU=$(awk '/^Cpus_allowed_list/ { split($2, a, /[,-]/); print a[1] }' /proc/self/status)
if ! command -v taskset >/dev/null || [[ -z $CPU ]]; then
	skip "starved client: needs taskset and a CPU to pin to"
elif PEER_SW="taskset -c $CPU" PEER_CW="taskset -c $CPU nice -n 19" \
	check "starved client: READ 1 MiB x 2, data checked" \
	peer starved "-t 14" "-t 14 -S 7 -o read -n 2 -s 1048576"; then
	counters starved
	sock=$(($(ctr starved cli kernel_rx_dropped) + $(ctr starved cli kernel_rx_ring_full)))
	what="rx_dropped $(ctr starved cli kernel_rx_dropped), fill ring empty"
	what+=" $(ctr starved cli kernel_fill_empty), rx_ring_full $(ctr starved cli kernel_rx_ring_full)"
	check "starved client: its socket dropped READ responses ($what)" test "$sock" -gt 0
	check "starved client: the READs were asked again (retransmits $(ctr starved cli retransmits))" \
		test "$(ctr starved cli retransmits)" -gt 0
	repairs starved "starved client"
else
	counters starved
fi

# 3. Faults on both ends' receive.
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

# 4. The checks can fail: expectations one byte off must fail the server,
# and through its verdict the client.
if peer corrupt "" "-S 3 -s 1,4096 --corrupt" >/dev/null; then
	fail "negative control: a corrupted expectation still passed"
else
	check "negative control: the server finds the corrupted byte" \
		grep -q "buffer differs from what the client wrote: write area" "$TMP/corrupt.srv.err"
	check "negative control: the client fails on the server's verdict" \
		grep -q "the server reported 1 of" "$TMP/corrupt.cli.err"
fi

# The starved run's counters, doctored: with every drop taken out, its
# retransmits are refused; with the drops on the way into the server taken
# out (those into the client stay), a sequence error at the server is.
if [[ -s $TMP/starved.cli ]]; then
	zero='s/(kernel_[a-z_]+|tx_ring_drops|veth_[a-z_]+)=[0-9]+/\1=0/g'
	for f in srv cli srv.net cli.net; do
		sed -E "$zero" "$TMP/starved.$f" >"$TMP/nodrops.$f"
	done
	check "negative control: retransmits with nothing dropped are refused" \
		grep -q "^bad retransmits is 0 on both sides" <(judge nodrops)
	sed -E "s/(kernel_[a-z_]+)=[0-9]+/\1=0/g; s/ out_of_seq=[0-9]+/ out_of_seq=1/" \
		"$TMP/starved.srv" >"$TMP/seqgap.srv"
	sed -E "s/(veth_rx_dropped|veth_xdp_drops)=[0-9]+/\1=0/g" \
		"$TMP/starved.srv.net" >"$TMP/seqgap.srv.net"
	sed -E "s/tx_ring_drops=[0-9]+/tx_ring_drops=0/" "$TMP/starved.cli" >"$TMP/seqgap.cli"
	sed -E "s/veth_tx_dropped=[0-9]+/veth_tx_dropped=0/" \
		"$TMP/starved.cli.net" >"$TMP/seqgap.cli.net"
	check "negative control: a sequence error where nothing was lost on the way is refused" \
		grep -q "^bad the server's out_of_seq=1, but not" <(judge seqgap)
else
	skip "negative controls of the repair checks: no starved run to doctor"
fi

check_pair_detached
note "test_rc: $(secs_since "$t0") s"
summary
