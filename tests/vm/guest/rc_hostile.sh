# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_rc_hostile: kernel rdma_rxe on eth0 and the libibverbs
# build of tests/interop/rdma_peer.c as the client of our xdpath server in
# the host namespace, once per run the host names, in its order. The host
# floods its own server (never this guest) while a run goes on, so all
# this side sees is a slower or lossier peer.
#   XP_PEER=<path of the ibv rdma_peer>  XP_HOST=<host ns IP>
#   XP_PORT_H=<port the host serves on>  XP_RUNS="control icrc ..."
#   XP_SIZES=1,3,...  XP_ITERS=<repeats>  XP_SEED=<pattern seed>
# Per run: the client's output as "RCOUT RUN LINE" lines (the host checks
# its PASS and guard lines), then "RCRESULT RUN <exit status>". The client
# retries the connection until the host's server for the run listens.
# Exits 0 only when every run exited 0.

: "${XP_PEER:?}" "${XP_HOST:?}" "${XP_PORT_H:?}" "${XP_SIZES:?}" "${XP_RUNS:?}"
: "${XP_ITERS:=1}" "${XP_SEED:=1}"
xp_rxe_host

bad=0
seed=$XP_SEED
for run in $XP_RUNS; do
	seed=$((seed + 1))
	xp_step "$run client: rdma_peer -d rxe0 -g 1 -p $XP_PORT_H -s $XP_SIZES -n $XP_ITERS $XP_HOST"
	timeout 150 "$XP_PEER" -d rxe0 -g 1 -p "$XP_PORT_H" -W 90 -s "$XP_SIZES" -n "$XP_ITERS" \
		-S $seed "$XP_HOST" >/tmp/c.log 2>&1
	rc=$?
	sed "s/^/RCOUT $run /" /tmp/c.log
	echo "RCRESULT $run $rc"
	[ $rc = 0 ] || bad=$((bad + 1))
done

[ $bad = 0 ] || xp_fail "$bad rdma_peer runs failed"
exit 0
