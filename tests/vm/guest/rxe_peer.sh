# SPDX-License-Identifier: GPL-2.0
#
# Guest side of test_rxe: one of two guests, each with kernel rdma_rxe on its
# virtio-net eth0, on the same bridge as a host-side namespace.
#   XP_ROLE=server|client  XP_PEER=<other guest's IP>  XP_HOST=<host ns IP>
# The server runs ibv_rc_pingpong and ib_write_bw servers; the client
# connects to them (retrying until the server listens). Both check their
# own side's results and ping the host namespace. The host namespace pings
# both guests for as long as they run; once the RDMA part is over (the peer
# pings no more) each guest waits for 3 more echo requests: the host's.

: "${XP_ROLE:?}" "${XP_PEER:?}" "${XP_HOST:?}"
ITERS=${XP_ITERS:-200}

# in_echos: ICMP echo requests this guest has received (Icmp: InEchos).
in_echos() {
	awk '$1 == "Icmp:" { if ($2 ~ /^[0-9]/) print $col; else for (i = 2; i <= NF; i++) if ($i == "InEchos") col = i }' /proc/net/snmp
}

xp_step "$XP_ROLE: network: host $XP_HOST, peer $XP_PEER"
xp_wait_peer "$XP_HOST" 30
xp_run ping -c 3 -W 2 "$XP_HOST"
xp_wait_peer "$XP_PEER" 60

xp_step "$XP_ROLE: rdma_rxe on eth0"
xp_rxe_up eth0 rxe0
rdma link show

if [ "$XP_ROLE" = server ]; then
	peer=
	tries=1
else
	peer=$XP_PEER
	tries=30
fi

xp_step "$XP_ROLE: ibv_rc_pingpong -g 1 ($ITERS iterations)"
xp_retry $tries 1 sh -c "ibv_rc_pingpong -d rxe0 -g 1 -n $ITERS $peer >/tmp/pp.log 2>&1" || {
	cat /tmp/pp.log
	xp_fail "ibv_rc_pingpong failed"
}
cat /tmp/pp.log
xp_grep "^$ITERS iters in [0-9.]+ seconds" /tmp/pp.log "ibv_rc_pingpong did not complete $ITERS iterations"

xp_step "$XP_ROLE: ib_write_bw -x 1 -F (64 KiB x $ITERS)"
xp_retry $tries 1 sh -c "ib_write_bw -d rxe0 -x 1 -F -s 65536 -n $ITERS $peer >/tmp/bw.log 2>&1" || {
	cat /tmp/bw.log
	xp_fail "ib_write_bw failed"
}
cat /tmp/bw.log
bw=$(awk '$1 == 65536 && $2 == '"$ITERS"' { print $4 }' /tmp/bw.log)
[ -n "$bw" ] || xp_fail "ib_write_bw printed no result line for 65536 bytes x $ITERS"
# The run completed (its line says all iterations); the figure itself comes
# from perftest's cycle counter, which TCG's unsteady TSC can turn into
# 0.00: reported, not judged.
if [ "$XP_ROLE" = client ]; then
	echo "RESULT ib_write_bw_MBps=$bw"
fi

xp_step "$XP_ROLE: the host namespace pings us"
base=$(in_echos)
i=0
while [ "$(in_echos)" -lt $((base + 3)) ]; do
	i=$((i + 1))
	[ $i -le 100 ] || xp_fail "host namespace: $(($(in_echos) - base)) echo requests in 20 s, wanted 3"
	sleep 0.2
done
echo "$XP_ROLE: $(($(in_echos) - base)) echo requests from the host namespace"
exit 0
