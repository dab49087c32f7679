# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# RC operations against kernel rdma_rxe, shared by vm/test_rc_ops (our
# rdma_peer in a host-side namespace) and vm/test_rc_ops_zc (ours in a
# guest, zero-copy): tests/interop/rdma_peer.c built against libibverbs
# (here, for the rxe guest, which runs tests/vm/guest/rc_ops.sh) and
# against xdpath (make). The plan, the runs and the checks are described
# in tests/vm/test_rc_ops.sh.
#
# Sourced after vm_require, it sets PEER, IBV (the libibverbs build), SIZES,
# ITERS, FAULT_SIZES, FAULTS, RUNS, PORT_G, PORT_H, TMP and OPS_RUN (the
# host namespace runner). The suite sets KVER, HOSTNS, GUEST_IP (the rxe
# guest), and OPS_RUN if ours runs elsewhere: a command that runs rdma_peer
# with NAME SECONDS ARGS... (output in $TMP/NAME.out and .err, its status).

PEER=$XP_BUILD/tests/interop/rdma_peer
require_bin "$PEER"

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

# The libibverbs build.
IBV=$XP_BUILD/vm/rdma_peer_ibv
if ! vm_ibv_build "$IBV" "$XP_ROOT/tests/interop/rdma_peer.c" -DXP_PEER_IBV -I"$XP_ROOT/tests/interop"; then
	fail "cannot build the libibverbs rdma_peer"
	summary
	exit 1
fi

# ops_host_run NAME SECONDS ARGS...: our rdma_peer in the host namespace.
ops_host_run() {
	vm_host_run "$1" "$2" "$PEER" "${@:3}"
}
OPS_RUN=ops_host_run

# ours NAME ARGS...: our rdma_peer on eth0 wherever the suite runs it,
# with the suite's OURS_ARGS (e.g. -z).
OURS_ARGS=()
ours() {
	"$OPS_RUN" "$1" 150 -i eth0 -g 1 -W 90 ${OURS_ARGS[@]+"${OURS_ARGS[@]}"} "${@:2}"
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

# ops_runs: both runs (plain, faults) in both roles; statuses in rc[].
declare -A rc
ops_runs() {
	local run t1 cargs sargs
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
}

# guest RUN: the rxe guest's exit status for RUN (its last RCRESULT line:
# xpvm shows a failed guest's last lines again, so one may come twice).
guest() {
	sed -n "s/.*RCRESULT $1 \([0-9]*\)\$/\1/p" "$TMP/guest.log" | tail -n 1
}

# ops_checks LABEL: the verdicts of the control and of ops_runs, from the
# rxe guest's RCRESULT lines in $TMP/guest.log and ours. Needs up=1 for
# the runs' checks.
ops_checks() {
	local run g sz n what steps d f
	g=$(guest self)
	check "$1: control: the ibv rdma_peer against itself over rxe (status ${g:-none})" \
		test "${g:-x}" = 0
	if ((up)); then
		for run in $RUNS; do
			sz=$SIZES n=$ITERS what="sizes $SIZES x $ITERS"
			if [[ $run == faults ]]; then
				sz=$FAULT_SIZES n=1 what="sizes $FAULT_SIZES, ours with ${FAULTS[*]}"
			fi
			steps=$(($(tr ',' '\n' <<<"$sz" | wc -l) * n))
			g=$(guest "$run-server")
			check "$1: $what: guest ibv server passed (status ${g:-none})" \
				test "${g:-x}" = 0
			check "$1: $what: our client passed all $steps steps (status ${rc[$run-client]})" \
				bash -c "test ${rc[$run-client]} = 0 && grep -q 'client PASS steps $steps ' '$TMP/$run-client.out'"
			g=$(guest "$run-client")
			check "$1: $what: guest ibv client passed (status ${g:-none})" \
				test "${g:-x}" = 0
			check "$1: $what: our server passed all $steps steps (status ${rc[$run-server]})" \
				bash -c "test ${rc[$run-server]} = 0 && grep -q 'server PASS steps $steps ' '$TMP/$run-server.out'"
			d=$(($(other_drops "$run-client") + $(other_drops "$run-server")))
			check "$1: $what: our device dropped no frame but the injected ones ($d)" \
				test "$d" = 0
		done
	fi
	if ((up)) && [[ $RUNS == *faults* ]]; then
		f=$(($(fault_drops faults-client) + $(fault_drops faults-server)))
		check "$1: faults: our device threw frames away ($f), so retries happened" \
			test "$f" -gt 0
	fi
}
