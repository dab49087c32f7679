# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_kmod for xp_rxe's receive path: the transport core in
# the module takes every RoCEv2 frame for its netdev, through XDP (xdp_rxe
# and its kfunc, $XP_XDP_OBJ) or the rx_handler. tests/net/hostile_flood
# ($XP_FLOOD, shipped with xpvm -b) sends each kind of malformed and forged
# RoCEv2 from one end of a veth pair at xrxe0 on the other end; no QP
# exists, so no frame may do anything but be counted. Checks, from the
# port's counters
# (/sys/class/infiniband/xrxe0/ports/1/hw_counters, what `rdma statistic`
# shows):
#   - every parser reason the flood names ("parse:REASON") counted under
#     rx_parse_REASON; frames to a foreign IP under rx_drop_dgid, to a QPN
#     nobody has under rx_drop_no_qp;
#   - each kind for 1 s through XDP (every frame through the kfunc, none
#     through the rx_handler), then 1 s through the rx_handler (XDP off);
#   - every frame the core took is counted once: rx_frames equals the sum
#     of all rx_parse_* and rx_drop_* (nothing delivered: there is no QP),
#     and rx_xdp_frames + rx_handler_frames;
#   - nothing sent (tx_frames 0) and nothing lost for memory;
#   - the device and the module go cleanly afterwards;
#   - under a flood through XDP, the program detached (frames go on
#     through the rx_handler), then the netdev deleted: the device goes
#     with it;
#   - 50 cycles of insmod, rdma link add, rdma link delete, rmmod;
#   - and through all of it the kernel logged no complaint (nor oopsed:
#     the host sees that).
# Needs ib_core and veth (xpvm -m), iproute2's ip (xpvm -b).

ko=/xp/kmod/xp_rxe.ko
[ -f $ko ] || xp_fail "$ko missing (make kmod)"
[ -x "${XP_FLOOD:-}" ] || xp_fail "no hostile_flood (XP_FLOOD='${XP_FLOOD:-}')"
[ -f "${XP_XDP_OBJ:-}" ] || xp_fail "no xdp_rxe.bpf.o (XP_XDP_OBJ='${XP_XDP_OBJ:-}')"
cnt=/sys/class/infiniband/xrxe0/ports/1/hw_counters

# counter NAME: the port counter NAME, or "none".
counter() { cat "$cnt/$1" 2>/dev/null || echo none; }
# positive V: V is a number above 0.
positive() { [ "$1" != none ] && [ "$1" -gt 0 ]; }
# took_frames: xrxe0's core has taken a frame.
# shellcheck disable=SC2317 # called through xp_retry
took_frames() { positive "$(counter rx_frames)"; }

xp_step "xrxe0 on vb, the flood from va"
xp_run insmod $ko
xp_veth_pair va vb || xp_fail "a veth pair va, vb"
xp_run ip link set va address 02:00:c6:12:01:01
xp_run ip link set vb address 02:00:c6:12:01:02
xp_run ip addr add 198.18.1.1/24 dev va
xp_run ip addr add 198.18.1.2/24 dev vb
xp_run ip link set va up
xp_run ip link set vb up
xp_run rdma link add xrxe0 type xprxe netdev vb
[ -d $cnt ] || xp_fail "xrxe0 has no hw_counters"
for f in "$cnt"/*; do printf '%s ' "${f##*/}"; done
echo

# flood_kinds SECONDS TAG: each kind for SECONDS, its report in
# /tmp/flood.KIND.TAG.
flood_kinds() {
	for kind in icrc trunc opseq forge; do
		xp_step "flood: $kind ($2)"
		"$XP_FLOOD" -i va -k $kind -d "$1" --dmac 02:00:c6:12:01:02 --smac 02:00:c6:12:01:01 \
			--src 198.18.1.1 --dst 198.18.1.2 --foreign 198.18.1.77 --qpn 0x11 \
			--peer-qpn 0x12 --psn 100 --addr 0x10000 --len 65536 --rkey 0x1234 \
			>"/tmp/flood.$kind.$2" 2>/tmp/flood.$kind.err ||
			{
				cat /tmp/flood.$kind.err
				xp_fail "hostile_flood -k $kind failed"
			}
		grep "^hostile_flood: kind" "/tmp/flood.$kind.$2"
	done
}

# First through XDP: xdp_rxe on vb hands every frame to the kfunc (iproute2's
# ip by its path: busybox's sh prefers its own applet).
xp_run /usr/bin/ip link set dev vb xdp obj "$XP_XDP_OBJ" sec xdp
flood_kinds 1 xdp
via_xdp=$(counter rx_xdp_frames)
echo "through XDP: rx_xdp_frames $via_xdp, rx_handler_frames $(counter rx_handler_frames), xdp_declined $(counter xdp_declined)"
positive "$via_xdp" || xp_fail "xdp_rxe on vb handed xrxe0 no frame ($via_xdp)"
[ "$(counter rx_handler_frames)" = 0 ] || xp_fail "frames reached the rx_handler with xdp_rxe on vb"
# Then the same through the rx_handler, without XDP.
xp_run /usr/bin/ip link set dev vb xdp off
flood_kinds 1 handler
echo "through the rx_handler: rx_handler_frames $(counter rx_handler_frames), rx_xdp_frames $(counter rx_xdp_frames)"
positive "$(counter rx_handler_frames)" || xp_fail "no frame through the rx_handler without XDP"
[ "$(counter rx_xdp_frames)" = "$via_xdp" ] || xp_fail "rx_xdp_frames moved without XDP"

xp_step "counters"
total=0
for f in "$cnt"/rx_parse_* "$cnt"/rx_drop_*; do
	v=$(cat "$f")
	[ "$v" = 0 ] || echo "$(basename "$f") $v"
	total=$((total + v))
done
frames=$(counter rx_frames)
echo "rx_frames $frames, counted drops $total, tx_frames $(counter tx_frames), rx_nomem $(counter rx_nomem)"
positive "$frames" || xp_fail "the core took no frame (rx_frames $frames)"
[ "$frames" = "$total" ] || xp_fail "rx_frames $frames but $total counted drops: some frame went uncounted or twice"
[ "$frames" = $(($(counter rx_xdp_frames) + $(counter rx_handler_frames))) ] ||
	xp_fail "rx_frames $frames is not rx_xdp_frames + rx_handler_frames"
[ "$(counter tx_frames)" = 0 ] || xp_fail "xrxe0 sent $(counter tx_frames) frames without a QP"
[ "$(counter rx_nomem)" = 0 ] || xp_fail "$(counter rx_nomem) frames lost for memory"
# Each parser reason the flood names, under its own counter.
sed -n 's/^hostile_flood: frames [^ ]* [^ ]* parse:\([a-z_0-9]*\) sent [1-9].*/\1/p' \
	/tmp/flood.*.xdp /tmp/flood.*.handler | sort -u >/tmp/reasons
[ -s /tmp/reasons ] || xp_fail "the flood named no parser reason"
while read -r why; do
	v=$(counter "rx_parse_$why")
	positive "$v" || xp_fail "frames for parse:$why sent, rx_parse_$why is $v"
	echo "parse:$why -> rx_parse_$why $v"
done </tmp/reasons
positive "$(counter rx_drop_dgid)" || xp_fail "frames to a foreign IP, rx_drop_dgid is 0"
positive "$(counter rx_drop_no_qp)" || xp_fail "frames to QPs nobody has, rx_drop_no_qp is 0"

xp_step "the device and the module go"
xp_run rdma link delete xrxe0
xp_run rmmod xp_rxe

xp_step "XDP detached, then the netdev deleted, under the flood"
xp_run insmod $ko
xp_run rdma link add xrxe0 type xprxe netdev vb
xp_run /usr/bin/ip link set dev vb xdp obj "$XP_XDP_OBJ" sec xdp
"$XP_FLOOD" -i va -k all -d 20 --dmac 02:00:c6:12:01:02 --smac 02:00:c6:12:01:01 \
	--src 198.18.1.1 --dst 198.18.1.2 --foreign 198.18.1.77 --qpn 0x11 \
	--peer-qpn 0x12 --psn 100 --addr 0x10000 --len 65536 --rkey 0x1234 \
	>/tmp/flood.under 2>&1 &
fpid=$!
xp_retry 50 0.2 took_frames
sleep 1
xp_run /usr/bin/ip link set dev vb xdp off
# shellcheck disable=SC2317 # called through xp_retry
handler_took() { positive "$(counter rx_handler_frames)"; }
xp_retry 50 0.2 handler_took || xp_fail "no frame through the rx_handler after XDP went"
under=$(counter rx_frames)
echo "rx_frames $under when vb goes ($(counter rx_xdp_frames) through XDP, then $(counter rx_handler_frames) through the rx_handler)"
positive "$(counter rx_xdp_frames)" || xp_fail "no frame through XDP under the flood"
xp_run ip link del vb
xp_retry 60 0.5 test ! -e /sys/class/infiniband/xrxe0 ||
	xp_fail "xrxe0 still there 30 s after vb went under the flood"
# The flood loses its interface with the pair and stops.
wait $fpid
echo "hostile_flood ended with status $? when its interface went"
positive "$under" || xp_fail "no frame reached xrxe0 before vb went ($under)"
xp_run rmmod xp_rxe

xp_step "50 load, link add, link delete, unload cycles"
xp_run ip link add xd5 type dummy
xp_run ip link set xd5 up
i=0
while [ $i -lt 50 ]; do
	if ! { insmod $ko && rdma link add xrxe5 type xprxe netdev xd5 &&
		rdma link delete xrxe5 && rmmod xp_rxe; }; then
		xp_fail "cycle $i failed"
	fi
	i=$((i + 1))
done
lsmod | grep -q '^xp_rxe ' && xp_fail "xp_rxe loaded after the cycles"
xp_run ip link del xd5
echo "50 cycles done"
xp_kernel_quiet
echo "xp_rxe: every hostile frame counted under its reason, nothing sent, clean removal, also under the flood and 50 times over"
exit 0
