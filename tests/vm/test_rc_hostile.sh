#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile traffic during transfers against kernel rdma_rxe: net/test_hostile's
# floods with a real rxe as the peer. Our rdma_peer (tests/interop/rdma_peer.c,
# xdpath) serves in a host namespace; the libibverbs build on rdma_rxe in a
# 6.1 guest is the client and runs the whole plan (RDMA WRITE, READ, WRITE
# WITH IMMEDIATE, SEND, SEND WITH IMMEDIATE, both atomics, 1 B .. 1 MiB,
# every byte checked on both sides); a third namespace on the same bridge
# floods our server with malformed and forged RoCEv2 (tests/net/hostile_flood):
#
#   host ns  eth0 (198.18.114.1, veth, xdp_steer + AF_XDP) --+
#   guest    eth0 (198.18.114.11, rdma_rxe rxe0)            --+- xpbr0 in ns xphn<tag>
#   flooder  eth0 (198.18.114.3, AF_PACKET, learning off)   --+
#
# One guest boot: the guest's client runs once per run the host names
# (XP_RUNS), and the host starts a server for each in turn: a control run
# without hostile frames, then one per kind (icrc, trunc, opseq, forge,
# forge_live; tests/net/test_hostile.sh says what each sends). Forged
# frames carry the guest's MAC, IP and QPN, so they pass our path check;
# the flooder's bridge port learns no MACs, so the guest's traffic still
# reaches us, and the bridge runs no netfilter, so malformed IP gets through.
#
# Each run must complete on both sides with every byte checked and both
# sides' guard pages unchanged (tests/lib/hostile.sh: transfer), and every
# counter the flood's frames name must have moved, drop counters by no more
# than the frames sent, other drop reasons (backlog aside) at 0 (attribute);
# and the QP counters of requests no live requester can send
# (psn_out_of_window, dup_too_old, dup_read_mismatch) must stay 0 in a run
# whose frames do not name them (qp_clean): rxe's own requests, lost under
# the flood and sent again, must not be counted as hostile.
#   XP_RC_HOSTILE_KINDS (default all five), XP_RC_HOSTILE_ITERS (default 3),
#   XP_RC_OPS_SIZES (tests/vm/lib/rc_ops.sh), XP_RC_HOSTILE_SERIES.
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_rc_hostile

# The ibv build of rdma_peer, PEER, SIZES, PORT_H and TMP.
# shellcheck source=tests/vm/lib/rc_ops.sh
source "$(dirname "$0")/lib/rc_ops.sh"
# shellcheck source=tests/lib/hostile.sh
source "$XP_ROOT/tests/lib/hostile.sh"

FLOOD=$XP_BUILD/tests/net/hostile_flood
XPCTL=$XP_BIN/xpctl
require_bin "$FLOOD"
require_bin "$XPCTL"

SERIES=$(vm_one_series "${XP_RC_HOSTILE_SERIES:-}")
NET=$(ns_name hn) HOSTNS=$(ns_name hh) FLOODNS=$(ns_name hf)
HOST_IP=198.18.114.1 GUEST_IP=198.18.114.11 FLOOD_IP=198.18.114.3
ITERS=${XP_RC_HOSTILE_ITERS:-3}
RUNS="control ${XP_RC_HOSTILE_KINDS:-icrc trunc opseq forge forge_live}"
HF_NS=$HOSTNS HF_IF=eth0

vm_host_bed "rc hostile" "$SERIES"
on_exit net_down "$FLOODNS"
on_exit hostile_flood_stop
port=h-$FLOODNS
if ! { hostile_bridge "$NET" "$XPVM_BRIDGE" && net_host_add "$NET" "$FLOODNS" "$FLOOD_IP/24" &&
	hostile_port "$NET" "${port:0:15}"; }; then
	fail "rc hostile $KVER: the flooder's namespace on the bridge"
	summary
	exit 1
fi
# xdp_steer on our side before the runs, so that its counters outlive them.
if ! nsx "$HOSTNS" "$XPCTL" attach eth0 >/dev/null; then
	fail "cannot attach xdp_steer to eth0 in $HOSTNS"
	summary
	exit 1
fi
on_exit nsx "$HOSTNS" "$XPCTL" detach eth0

vm_host_guest "rchostile-$SERIES" 600 "$XPVM_GUEST/rc_hostile.sh" -f "$IBV:/xp/files/rdma_peer" \
	-e "XP_PEER=/xp/files/rdma_peer" -e "XP_SIZES=$SIZES" -e "XP_ITERS=$ITERS" -e "XP_SEED=43" \
	-e "XP_RUNS=$RUNS"

mac() { ip -n "$1" link show dev eth0 | awk '/link\/ether/ { print $2 }'; }

# hostile_runs: our server for each run in turn, flooded from FLOODNS once
# the guest's client is connected; statuses in rc[], seconds in secs[].
declare -A rc secs
hostile_runs() {
	local run spid t1 ours theirs
	ours=$(mac "$HOSTNS")
	theirs=$(nsx "$HOSTNS" ip neigh show "$GUEST_IP" | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
	note "our MAC $ours, the guest's $theirs"
	for run in $RUNS; do
		t1=$EPOCHREALTIME
		hostile_stats "$run" 0
		nsx "$HOSTNS" timeout 150 "$PEER" -i eth0 -g 1 -W 90 -p "$PORT_H" \
			>"$TMP/$run.srv" 2>"$TMP/$run.srv.err" &
		spid=$!
		if [[ $run != control ]] && ! hostile_flood "$run" "$run" $spid "$FLOODNS" eth0 \
			"$ours" "$theirs" $GUEST_IP $HOST_IP 150; then
			note "$run: the guest's client never connected"
		fi
		wait $spid
		rc[$run]=$?
		hostile_flood_stop
		hostile_stats "$run" 1
		secs[$run]=$(vm_secs "$t1")
		note "$run: our server for the guest's client: ${secs[$run]} s, status ${rc[$run]}"
		grep -v ": ready, listening" "$TMP/$run.srv.err" | head -8 | sed "s/^/    # $run: /"
	done
}

# hostile_checks: per run, both sides' verdicts and data, then the counters.
hostile_checks() {
	local run g steps what
	steps=$(($(tr ',' '\n' <<<"$SIZES" | wc -l) * ITERS))
	for run in $RUNS; do
		what="$run flood"
		[[ $run == control ]] && what=control
		vm_output "$TMP/guest.log" | sed -n "s/^RCOUT $run //p" >"$TMP/$run.cli"
		g=$(guest "$run")
		check "$what: guest ibv client passed (status ${g:-none})" test "${g:-x}" = 0
		check "$what: our server passed all $steps steps (status ${rc[$run]:-none})" \
			grep -q "^rdma_peer: server PASS steps $steps " "$TMP/$run.srv"
		transfer "$run" "$what"
		counters "$run"
		qp_clean "$run" "$what"
		if [[ $run == control ]]; then
			control_checks
		elif [[ -s $TMP/$run.flood ]]; then
			attribute "$run" "$run"
			note "$run: $(awk '/^hostile_flood: total/ { print $6 }' "$TMP/$run.flood") hostile frames" \
				"for ${secs[$run]} s"
		else
			fail "$run: the flooder did not run ($(head -n 2 "$TMP/$run.flood.err" 2>/dev/null))"
		fi
	done
}

up=0
vm_wait_guest "rc hostile" && up=1
((up)) && hostile_runs
vm_guest_done "rc hostile" 20
((up)) && hostile_checks
# Our side's steering program goes before vm_host_checks looks for it.
nsx "$HOSTNS" "$XPCTL" detach eth0 >/dev/null
note "transfers completed $TRANSFERS, bytes verified $BYTES (both sides)"
vm_host_checks "rc hostile"
summary
