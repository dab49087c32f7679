# SPDX-License-Identifier: GPL-2.0
#
# Guest side of test_ud_interop: kernel rdma_rxe on eth0 and rdma-core's
# ibv_ud_pingpong against xp-ud-pingpong (AF_XDP) in the host namespace.
#   XP_HOST=<host ns IP>  XP_ITERS=<iterations>  XP_SIZES="1 64 ..."
#   XP_PORT_G=<port the guest serves on>  XP_PORT_H=<port the host serves on>
# For each size, in order: serve ibv_ud_pingpong -g 1 -s SIZE -n ITERS (the
# host's client connects), then connect as the client to the host's server
# (retrying while it does not listen yet). One line per run:
#   UDRESULT <server|client> <size> <exit status>
# Then the negative control: serve -s 1024 -n 5 for a client of 64-byte
# buffers (the host's xp-ud-pingpong must fail); its status is only shown
# (UDRESULT mismatch ...), the server waits for messages that never come.
# Exits 0 only when every run above the control exited 0.

: "${XP_HOST:?}" "${XP_ITERS:?}" "${XP_SIZES:?}" "${XP_PORT_G:?}" "${XP_PORT_H:?}"
xp_rxe_host

bad=0
for s in $XP_SIZES; do
	xp_step "server: ibv_ud_pingpong -g 1 -s $s -n $XP_ITERS"
	timeout 25 ibv_ud_pingpong -d rxe0 -g 1 -s "$s" -n "$XP_ITERS" -p "$XP_PORT_G" >/tmp/s.log 2>&1
	rc=$?
	cat /tmp/s.log
	echo "UDRESULT server $s $rc"
	[ $rc = 0 ] || bad=$((bad + 1))

	xp_step "client: ibv_ud_pingpong -g 1 -s $s -n $XP_ITERS $XP_HOST"
	xp_connect 100 /tmp/c.log \
		timeout 25 ibv_ud_pingpong -d rxe0 -g 1 -s "$s" -n "$XP_ITERS" -p "$XP_PORT_H" "$XP_HOST"
	rc=$?
	cat /tmp/c.log
	echo "UDRESULT client $s $rc"
	[ $rc = 0 ] || bad=$((bad + 1))
done
xp_step "negative control: server -s 1024 -n 5 for a 64-byte client"
timeout 6 ibv_ud_pingpong -d rxe0 -g 1 -s 1024 -n 5 -p "$XP_PORT_G" >/tmp/n.log 2>&1
rc=$?
cat /tmp/n.log
echo "UDRESULT mismatch 1024 $rc"
[ $bad = 0 ] || xp_fail "$bad ibv_ud_pingpong runs failed"
exit 0
