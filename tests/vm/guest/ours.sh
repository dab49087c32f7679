# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/vm/lib/ours_guest.sh: our tools (/xp/bin/NAME) on
# this guest's eth0, run on the host's command through the 9p share,
# against kernel rdma_rxe in another guest ($XP_PEER). The host writes
# cmd.K (run K, K = 1, 2, ...: the tool's name and its arguments); we leave
# K.out, K.err and K.rc, then done.K. The file stop ends the loop. At the
# end we say whether eth0 still has an XDP program (it must not; bpftool
# says).
#   XP_HOST=<host ns IP>  XP_PEER=<rxe guest IP>
# shellcheck disable=SC2086 # the arguments in cmd.K are split on purpose

: "${XP_HOST:?}" "${XP_PEER:?}"
S=/xp/share

xp_step "network: host $XP_HOST, rxe peer $XP_PEER"
xp_wait_peer "$XP_HOST" 60
xp_wait_peer "$XP_PEER" 120
ethtool -i eth0 2>/dev/null | head -n 1
# The header virtio-net puts in front of zero-copy frames (tests/vm/lib/qemu.sh).
[ -x /xp/files/xsk_hdr ] && /xp/files/xsk_hdr
: >"$S/ready"

k=1
while :; do
	i=0
	while [ ! -e "$S/cmd.$k" ] && [ ! -e "$S/stop" ]; do
		i=$((i + 1))
		[ $i -le 3000 ] || xp_fail "no command from the host for 300 s"
		sleep 0.1
	done
	[ -e "$S/cmd.$k" ] || break
	read -r secs tool args <"$S/cmd.$k"
	# Our QP takes the peer's MAC from the neighbour table: keep it fresh.
	ping -c 1 -W 1 "$XP_PEER" >/dev/null
	echo "run $k: $tool $args"
	timeout "$secs" "/xp/bin/$tool" $args >"$S/$k.out" 2>"$S/$k.err"
	echo $? >"$S/$k.rc"
	ethtool -S eth0 2>/dev/null | grep -v ": 0$" | tr -s ' ' | tr '\n' ' '; echo
	grep eth0 /proc/net/dev
	: >"$S/done.$k"
	k=$((k + 1))
done

xp_step "eth0 after $((k - 1)) runs"
# busybox ip shows no XDP programs: ask bpftool (in the image through -b).
bpftool net show dev eth0 >/tmp/xdp 2>&1 || xp_fail "bpftool net show dev eth0: $(cat /tmp/xdp)"
cat /tmp/xdp
if grep -Eq "eth0\(.*\) (driver|generic|offload) id" /tmp/xdp; then
	echo "XDPRESULT left"
else
	echo "XDPRESULT none"
fi
exit 0
