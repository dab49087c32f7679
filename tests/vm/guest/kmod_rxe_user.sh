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
# device then runs ibv_rc_pingpong over its own loopback. Last, xp_rxe's
# device goes under a process's load, by rdma link delete and then with its
# netdev, and the module unloads.
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

# under_load DEV CMD...: ibv_rc_pingpong on DEV (xp_rxe, on uvb) serving
# itself 64 KiB messages over its loopback path (two devices on the two
# ends of a veth in one namespace cannot reach each other: the route to a
# local address is lo), and once DEV has sent 1000 frames, CMD. CMD must
# succeed within 30 s; the pingpong ends by timeout(1) after 4 s, well
# before the kernel's "waiting for the netdev to become free" after 10. (Its
# variables are its own: xp_retry sets _d and _n.)
under_load() {
	_ul_dev=$1
	shift
	timeout 5 ibv_rc_pingpong -d "$_ul_dev" -g 1 -s 65536 -n 100000000 >/tmp/lS.log 2>&1 &
	_ul_srv=$!
	xp_connect 50 /tmp/lC.log timeout 4 ibv_rc_pingpong -d "$_ul_dev" -g 1 -s 65536 -n 100000000 \
		127.0.0.1 &
	_ul_cli=$!
	_ul_cnt=/sys/class/infiniband/$_ul_dev/ports/1/hw_counters/tx_frames
	xp_retry 100 0.1 sh -c "[ \$(cat $_ul_cnt) -gt 1000 ]" ||
		{ cat /tmp/lS.log /tmp/lC.log; xp_fail "no traffic on $_ul_dev"; }
	echo "$_ul_dev: $(cat "$_ul_cnt") frames sent; now $*"
	_ul_t0=$(xp_now)
	timeout 30 "$@" || xp_fail "'$*' under load: status $?"
	echo "'$*' returned after $(xp_secs "$_ul_t0") s"
	wait $_ul_cli
	wait $_ul_srv
}

xp_step "counters"
grep -H . /sys/class/infiniband/xurx0/ports/1/hw_counters/* | grep -v ':0$'

# ib_uverbs unregisters a device whose driver cannot disassociate user
# contexts (rdma_rxe's cannot either) once the processes that opened it
# are gone: the delete returns after the pingpong's timeout, and then the
# device is gone with everything the processes left open.
xp_step "rdma link delete xurx0 under user load (QPs, MRs, CQs open)"
under_load xurx0 rdma link delete xurx0
[ ! -e /sys/class/infiniband/xurx0 ] || xp_fail "xurx0 is still there"

# The netdev goes (both veth ends, so rdma_rxe's urxe0 with it): our
# device follows it once its processes are gone, as above.
xp_step "the netdev deleted under user load"
xp_run rdma link add xurx1 type xprxe netdev uvb
xp_retry 50 0.1 grep -qx 'RoCE v2' /sys/class/infiniband/xurx1/ports/1/gid_attrs/types/1 ||
	xp_fail "no RoCE v2 GID on xurx1"
under_load xurx1 ip link del uvb
xp_retry 50 0.2 sh -c '[ ! -e /sys/class/infiniband/xurx1 ] && [ ! -e /sys/class/infiniband/urxe0 ]' ||
	xp_fail "xurx1 or urxe0 is still there after its netdev went"

xp_step "teardown: nothing holds the module"
xp_run rmmod xp_rxe
xp_kernel_quiet
