# SPDX-License-Identifier: GPL-2.0
#
# Guest side of test_rc_ops: kernel rdma_rxe on eth0 and the libibverbs
# build of tests/interop/rdma_peer.c against our xdpath build in the host
# namespace.
#   XP_PEER=<path of the ibv rdma_peer>  XP_HOST=<host ns IP>
#   XP_PORT_G=<port the guest serves on>  XP_PORT_H=<port the host serves on>
#   XP_SIZES=1,3,...  XP_ITERS=<repeats>  XP_SEED=<pattern seed>
#   XP_SELF=1: first a control, the ibv peer against itself over rxe0
#   XP_FAULT_SIZES=1,...: a second pair of runs (the host injects faults)
# In order: (control,) serve one run on XP_PORT_G (the host's client
# decides the plan), then connect to the host's server on XP_PORT_H as the
# client (rdma_peer retries until it listens); (again for faults). One
# line per run:
#   RCRESULT <self|plain-server|plain-client|faults-server|faults-client> <exit status>
# Exits 0 only when every run exited 0.

: "${XP_PEER:?}" "${XP_HOST:?}" "${XP_PORT_G:?}" "${XP_PORT_H:?}" "${XP_SIZES:?}"
: "${XP_ITERS:=1}" "${XP_SEED:=1}"
TO="timeout 150"
xp_rxe_host

bad=0
if [ "${XP_SELF:-0}" = 1 ]; then
	xp_step "control: the ibv peer against itself over rxe0 (sizes $XP_SIZES)"
	p=$((XP_PORT_G + 10))
	$TO "$XP_PEER" -d rxe0 -g 1 -p $p -W 60 >/tmp/self_s.log 2>&1 &
	sp=$!
	$TO "$XP_PEER" -d rxe0 -g 1 -p $p -W 60 -s "$XP_SIZES" -n "$XP_ITERS" -S "$XP_SEED" \
		127.0.0.1 >/tmp/self_c.log 2>&1
	rc=$?
	wait $sp
	rs=$?
	cat /tmp/self_s.log /tmp/self_c.log
	[ $rc = 0 ] && [ $rs = 0 ] || rc=$((rc + rs + 100))
	echo "RCRESULT self $rc"
	[ $rc = 0 ] || bad=$((bad + 1))
fi

# run NAME SERVER_ARGS CLIENT_ARGS: serve one run, then be the client of one.
run() {
	xp_step "$1 server: rdma_peer -d rxe0 -g 1 -p $XP_PORT_G $2"
	# shellcheck disable=SC2086
	$TO "$XP_PEER" -d rxe0 -g 1 -p "$XP_PORT_G" -W 90 $2 >/tmp/s.log 2>&1
	rc=$?
	cat /tmp/s.log
	echo "RCRESULT $1-server $rc"
	[ $rc = 0 ] || bad=$((bad + 1))

	xp_step "$1 client: rdma_peer -d rxe0 -g 1 -p $XP_PORT_H $3 $XP_HOST"
	# shellcheck disable=SC2086
	$TO "$XP_PEER" -d rxe0 -g 1 -p "$XP_PORT_H" -W 90 $3 "$XP_HOST" >/tmp/c.log 2>&1
	rc=$?
	cat /tmp/c.log
	echo "RCRESULT $1-client $rc"
	[ $rc = 0 ] || bad=$((bad + 1))
}

run plain "" "-s $XP_SIZES -n $XP_ITERS -S $((XP_SEED + 1))"
if [ -n "${XP_FAULT_SIZES:-}" ]; then
	# Our side loses, duplicates and reorders what it receives; rxe
	# retries with a 4 ms ACK timeout (code 10).
	run faults "" "-t 10 -s $XP_FAULT_SIZES -S $((XP_SEED + 2))"
fi

xp_rxe_counters
[ $bad = 0 ] || xp_fail "$bad rdma_peer runs failed"
exit 0
