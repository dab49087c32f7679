# SPDX-License-Identifier: GPL-2.0
#
# Guest side of test_rc_interop: kernel rdma_rxe on eth0 and rdma-core's
# ibv_rc_pingpong against xp-rc-pingpong (AF_XDP) in the host namespace.
#   XP_HOST=<host ns IP>  XP_ITERS=<iterations>  XP_SIZES="1 4096 ..."
#   XP_PORT_G=<port the guest serves on>  XP_PORT_H=<port the host serves on>
#   XP_PMTU=<path MTU, default 1024>
# For each size, in order: serve ibv_rc_pingpong -g 1 -m PMTU -c -s SIZE
# -n ITERS (the host's client connects), then connect as the client to the
# host's server (retrying while it does not listen yet). One line per run:
#   RCRESULT <server|client> <size> <exit status> <invalid-data lines>
# (ibv_rc_pingpong -c only prints "invalid data in page N" and still
# exits 0, so the count is the server's data verdict.)
# Then two negative controls, whose results are only shown (RCRESULT
# negative ...): serve -s 1024 for a client with 64-byte buffers (our
# client fails with a length error, this server gets a NAK), and a client
# without -c for the host's -c server (which must refuse the data).
# Exits 0 only when every run above the controls exited 0 with no
# invalid data.
# shellcheck disable=SC2086 # $PP is the command and its options, split on purpose

: "${XP_HOST:?}" "${XP_ITERS:?}" "${XP_SIZES:?}" "${XP_PORT_G:?}" "${XP_PORT_H:?}"
PP="ibv_rc_pingpong -d rxe0 -g 1 -m ${XP_PMTU:-1024}"
xp_rxe_host
ibv_devinfo -d rxe0 | grep -E "max_mtu|active_mtu"

# client ARGS...: ibv_rc_pingpong as the host's client, retried while the
# host does not listen yet, each try limited to $CTO s; its status in $rc,
# its output in /tmp/c.log.
CTO=60
client() {
	xp_connect 200 /tmp/c.log timeout $CTO $PP "$@" -p "$XP_PORT_H" "$XP_HOST"
	rc=$?
}

bad=0
for s in $XP_SIZES; do
	xp_step "server: $PP -c -s $s -n $XP_ITERS"
	timeout 60 $PP -c -s "$s" -n "$XP_ITERS" -p "$XP_PORT_G" >/tmp/s.log 2>&1
	rc=$?
	inv=$(grep -c "invalid data" /tmp/s.log)
	cat /tmp/s.log
	echo "RCRESULT server $s $rc $inv"
	[ $rc = 0 ] && [ "$inv" = 0 ] || bad=$((bad + 1))

	xp_step "client: $PP -c -s $s -n $XP_ITERS $XP_HOST"
	client -c -s "$s" -n "$XP_ITERS"
	cat /tmp/c.log
	echo "RCRESULT client $s $rc 0"
	[ $rc = 0 ] || bad=$((bad + 1))
done

# rxe's view of the runs above (non-zero counters: retries, duplicates,
# sequence errors), before the controls add their own.
xp_rxe_counters

xp_step "negative control: server -s 1024 -n 5 for a 64-byte client"
timeout 15 $PP -s 1024 -n 5 -p "$XP_PORT_G" >/tmp/n.log 2>&1
rc=$?
cat /tmp/n.log
echo "RCRESULT negative size $rc"

xp_step "negative control: client without -c -s 4096 -n 5 for a -c server"
CTO=10
client -s 4096 -n 5
cat /tmp/c.log
echo "RCRESULT negative nochk $rc"

[ $bad = 0 ] || xp_fail "$bad ibv_rc_pingpong runs failed"
exit 0
