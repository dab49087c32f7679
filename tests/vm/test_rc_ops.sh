#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RC operations against kernel rdma_rxe: tests/interop/rdma_peer.c built
# twice, against libibverbs (here, on the host; run in a 6.1 guest with
# rxe on its virtio-net eth0) and against xdpath (make; run over AF_XDP in
# a host-side namespace on the same bridge):
#
#   host ns eth0 (198.18.106.1, veth, xdp_steer + AF_XDP) --+- xpbr0 in ns xpon<tag>
#   guest eth0   (198.18.106.11, rdma_rxe rxe0)           --+
#
# The guest first runs its peer against itself over rxe0 (a control: the
# ibv build and rxe agree), then serves while our client runs the plan,
# then is the client of our server. The plan: RDMA WRITE, READ, WRITE WITH
# IMMEDIATE, SEND, SEND WITH IMMEDIATE, FETCH AND ADD and COMPARE AND SWAP
# (equal and not) at each size, every byte checked where it lands and the
# server's whole buffer at the end; each side's exit status is its verdict,
# and a client fails when its server reported a failure. Our device must
# drop no frame for a reason other than injected faults. Then both again
# with our side dropping, duplicating and reordering 2 % each of what it
# receives (both sides' ACK timeout 4 ms, code 10).
#   XP_RC_OPS_SIZES (default 1,3,64,1000,1024,1025,4096,65536,1048576),
#   XP_RC_OPS_ITERS (default 1), XP_RC_OPS_FAULT_SIZES (default
#   1,1025,4096,65536,1048576; empty: no fault runs).
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_rc_ops

PEER=$XP_BUILD/tests/interop/rdma_peer
require_bin "$PEER"

# One guest: 6.1, unless XP_VM_SERIES narrows the VM suites to others
# (then its first series); XP_RC_OPS_SERIES overrides both.
SERIES=$(vm_one_series "${XP_RC_OPS_SERIES:-}")
NET=$(ns_name on)
HOSTNS=$(ns_name oh)
HOST_IP=198.18.106.1
GUEST_IP=198.18.106.11
SIZES=${XP_RC_OPS_SIZES:-1,3,64,1000,1024,1025,4096,65536,1048576}
ITERS=${XP_RC_OPS_ITERS:-1}
# The second pair of runs: our side drops, duplicates and reorders a few
# percent of what it receives (XP_RC_OPS_FAULT_SIZES= skips it).
FAULT_SIZES=${XP_RC_OPS_FAULT_SIZES-1,1025,4096,65536,1048576}
FAULTS=(--drop 2 --dup 2 --reorder 2)
RUNS="plain${FAULT_SIZES:+ faults}"
PORT_G=18517 # the guest serves here
PORT_H=18518 # we serve here
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

# The libibverbs build, made here like tests/vm/capture_rxe.sh makes rxe_imm.
IBV=$XP_BUILD/vm/rdma_peer_ibv
mkdir -p "${IBV%/*}"
if ! gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -DXP_PEER_IBV -I"$XP_ROOT/tests/interop" \
	-o "$IBV" "$XP_ROOT/tests/interop/rdma_peer.c" -libverbs 2>"$TMP/gcc.err"; then
	sed 's/^/    # /' "$TMP/gcc.err" | head -10
	fail "cannot build the libibverbs rdma_peer (apt-get install libibverbs-dev; make deps does)"
	summary
	exit 1
fi

# ours NAME ARGS...: our rdma_peer in the host namespace; its status.
ours() {
	vm_host_run "$1" 150 "$PEER" -i eth0 -g 1 -W 90 "${@:2}"
}

# report NAME: our summary and counters, our error lines.
report() {
	grep -hE '^rdma_peer: (client|server) |_stats ' "$TMP/$1.out" | sed "s/^/    # $1: /"
	grep -v ": ready, listening" "$TMP/$1.err" | head -10 | sed "s/^/    # $1: /"
}

# other_drops NAME: frames our device dropped (not by injection), or 999999.
other_drops() {
	local d
	d=$(grep -oE ' other_drops=[0-9]+' "$TMP/$1.out" 2>/dev/null | cut -d= -f2)
	echo "${d:-999999}"
}

# fault_drops NAME: frames our device threw away on purpose, or 0.
fault_drops() {
	local d
	d=$(grep -oE ' fault_drops=[0-9]+' "$TMP/$1.out" 2>/dev/null | cut -d= -f2)
	echo "${d:-0}"
}

vm_host_bed "rc ops" "$SERIES"

vm_host_guest "rcops-$SERIES" 500 "$XPVM_GUEST/rc_ops.sh" -f "$IBV:/xp/files/rdma_peer" \
	-e "XP_PEER=/xp/files/rdma_peer" -e "XP_SIZES=$SIZES" -e "XP_ITERS=$ITERS" -e "XP_SEED=41" \
	-e "XP_SELF=1" -e "XP_FAULT_SIZES=$FAULT_SIZES"

# The guest is up when it answers; the ping also resolves its MAC.
up=0
vm_wait_guest "rc ops" && up=1

declare -A rc
if ((up)); then
	for run in $RUNS; do
		cargs=(-s "$SIZES" -n "$ITERS" -S 40) sargs=()
		if [[ $run == faults ]]; then
			cargs=(-s "$FAULT_SIZES" -S 50 -t 10 "${FAULTS[@]}")
			sargs=("${FAULTS[@]}")
		fi
		# Our client: rdma_peer retries the connection until the guest listens.
		t1=$EPOCHREALTIME
		ours "$run-client" -p $PORT_G "${cargs[@]}" $GUEST_IP
		rc[$run-client]=$?
		note "$run: our client against the guest's server: $(vm_secs "$t1") s"
		report "$run-client"
		t1=$EPOCHREALTIME
		ours "$run-server" -p $PORT_H ${sargs[@]+"${sargs[@]}"}
		rc[$run-server]=$?
		note "$run: our server for the guest's client: $(vm_secs "$t1") s"
		report "$run-server"
	done
fi
vm_guest_done "rc ops" 60

guest() {
	sed -n "s/.*RCRESULT $1 \([0-9]*\)\$/\1/p" "$TMP/guest.log"
}

g=$(guest self)
check "rc ops $KVER: control: the ibv rdma_peer against itself over rxe (status ${g:-none})" \
	test "${g:-x}" = 0
if ((up)); then
	for run in $RUNS; do
		sz=$SIZES n=$ITERS what="sizes $SIZES x $ITERS"
		if [[ $run == faults ]]; then
			sz=$FAULT_SIZES n=1 what="sizes $FAULT_SIZES, ours with ${FAULTS[*]}"
		fi
		steps=$(($(tr ',' '\n' <<<"$sz" | wc -l) * n))
		g=$(guest "$run-server")
		check "rc ops $KVER: $what: guest ibv server passed (status ${g:-none})" \
			test "${g:-x}" = 0
		check "rc ops $KVER: $what: our client passed all $steps steps (status ${rc[$run-client]})" \
			bash -c "test ${rc[$run-client]} = 0 && grep -q 'client PASS steps $steps ' '$TMP/$run-client.out'"
		g=$(guest "$run-client")
		check "rc ops $KVER: $what: guest ibv client passed (status ${g:-none})" \
			test "${g:-x}" = 0
		check "rc ops $KVER: $what: our server passed all $steps steps (status ${rc[$run-server]})" \
			bash -c "test ${rc[$run-server]} = 0 && grep -q 'server PASS steps $steps ' '$TMP/$run-server.out'"
		d=$(($(other_drops "$run-client") + $(other_drops "$run-server")))
		check "rc ops $KVER: $what: our device dropped no frame but the injected ones ($d)" \
			test "$d" = 0
	done
	f=$(($(fault_drops faults-client) + $(fault_drops faults-server)))
	check "rc ops $KVER: faults: our device threw frames away ($f), so retries happened" \
		test "$f" -gt 0
fi
vm_host_checks "rc ops"
summary
