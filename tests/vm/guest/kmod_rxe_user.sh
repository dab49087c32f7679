# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Part of test_kmod's second boot (kmod_roce.sh): xp_rxe's user ABI under
# what no rdma-core program sends, through tests/vm/tools/rxe_ucheck on a
# device on a veth end (its loopback path): hostile processes that write
# malformed WQEs and garbage ring indices into their mmap'd rings, then
# inline SENDs and an inline WRITE, every byte checked, and UD SENDs
# through user address handles (another PD's must be refused), on the same
# device afterwards. With rdma_rxe loaded beside it, on the other veth end, so
# that both drivers with one driver id work side by side: rdma_rxe's
# device then runs ibv_rc_pingpong over its own loopback.
#   XP_UCHECK  the tool's path (shipped with xpvm -b)

ko=/xp/kmod/xp_rxe.ko
[ -x "$XP_UCHECK" ] || xp_fail "rxe_ucheck missing ($XP_UCHECK)"

xp_step "xurx0 on uvb, rdma_rxe on uva"
xp_run insmod $ko
xp_veth_pair uva uvb || xp_fail "a veth pair uva, uvb"
xp_run ip addr add 198.18.2.1/24 dev uva
xp_run ip addr add 198.18.2.2/24 dev uvb
xp_run ip link set uva up
xp_run ip link set uvb up
xp_run rdma link add xurx0 type xprxe netdev uvb
xp_retry 50 0.1 grep -qx 'RoCE v2' /sys/class/infiniband/xurx0/ports/1/gid_attrs/types/1 ||
	xp_fail "no RoCE v2 GID on xurx0"
xp_rxe_up uva urxe0

xp_step "rxe_ucheck on xurx0: hostile processes, then inline data"
"$XP_UCHECK" -d xurx0 -g 1 -r 36 || xp_fail "rxe_ucheck found a fault"

xp_step "both drivers side by side: rdma_rxe's urxe0 still works"
ibv_rc_pingpong -d urxe0 -g 1 -n 20 >/tmp/ppS.log 2>&1 &
pp=$!
xp_connect 50 /tmp/ppC.log ibv_rc_pingpong -d urxe0 -g 1 -n 20 127.0.0.1 ||
	{ cat /tmp/ppC.log; xp_fail "ibv_rc_pingpong on rdma_rxe's urxe0 (client)"; }
wait $pp || { cat /tmp/ppS.log; xp_fail "ibv_rc_pingpong on rdma_rxe's urxe0 (server)"; }
grep -E 'iters in' /tmp/ppC.log

xp_step "teardown"
grep -H . /sys/class/infiniband/xurx0/ports/1/hw_counters/* | grep -v ':0$'
xp_run rdma link delete xurx0
xp_run rdma link delete urxe0
xp_run rmmod xp_rxe
xp_run ip link del uva
xp_kernel_quiet
