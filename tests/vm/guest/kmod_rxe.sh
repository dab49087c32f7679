# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_kmod for xp_rxe, the soft-RoCE device (issue 15; so far
# the device without verbs): `rdma link add NAME type xprxe netdev DEV`
# makes an Ethernet-link-layer RDMA device whose RoCEv2 GID follows DEV's
# address, with P_Key 0xffff; the port follows DEV down and up; bad links
# are refused with a reason, and so are bad values of the module parameter
# qpn_first; the device goes with `rdma link delete`, with
# DEV, and with the module. Needs ib_core and dummy (xpvm -m).

ko=/xp/kmod/xp_rxe.ko
[ -f $ko ] || xp_fail "$ko missing (make kmod)"
sys=/sys/class/infiniband

# dev_gone NAME: NAME is not (or no longer) an RDMA device.
dev_gone() { [ ! -e "$sys/$1" ]; }

# port_state NAME: the port's state as sysfs words ("ACTIVE", "DOWN").
port_state() { sed 's/^[0-9]*: //' "$sys/$1/ports/1/state"; }

# refused WHY CMD...: CMD fails; its message is shown.
refused() {
	_why=$1
	shift
	echo "+ $* (must fail: $_why)"
	if "$@" 2>&1; then
		xp_fail "'$*' succeeded: $_why"
	fi
}

# find_v2_gid NAME GID: the index of GID, of type RoCE v2, on NAME's port in
# $gid; the table is shown when it is not (yet) there.
# shellcheck disable=SC2317 # called through xp_retry
find_v2_gid() {
	gid=
	_i=0
	while [ "$_i" -lt 8 ]; do
		_g=$(cat "$sys/$1/ports/1/gids/$_i" 2>/dev/null)
		_t=$(cat "$sys/$1/ports/1/gid_attrs/types/$_i" 2>/dev/null)
		if [ "$_g" = "$2" ] && [ "$_t" = "RoCE v2" ]; then
			gid=$_i
			echo "gid $_i: $_g $_t"
			return 0
		fi
		_i=$((_i + 1))
	done
	echo "no RoCE v2 GID $2 on $1 yet"
	return 1
}

xp_step "load"
xp_run insmod $ko
dmesg | grep -q 'xp_rxe: loaded' || xp_fail "no 'xp_rxe: loaded' line"
xp_run ip link add xd0 type dummy
xp_run ip link set xd0 address 02:00:c6:12:00:0a
xp_run ip addr add 198.18.0.10/24 dev xd0
xp_run ip link set xd0 up

xp_step "rdma link add: a RoCEv2 device on xd0"
xp_run rdma link add xrxe0 type xprxe netdev xd0
xp_run rdma link show xrxe0/1
rdma link show xrxe0/1 | grep -q 'state ACTIVE physical_state LINK_UP netdev xd0' ||
	xp_fail "xrxe0/1 is not ACTIVE on xd0"
[ "$(cat $sys/xrxe0/ports/1/link_layer)" = Ethernet ] || xp_fail "link layer is not Ethernet"
[ "$(cat $sys/xrxe0/node_type)" = "1: CA" ] || xp_fail "node type: $(cat $sys/xrxe0/node_type)"
[ "$(cat $sys/xrxe0/node_guid)" = "0000:c6ff:fe12:000a" ] ||
	xp_fail "node GUID $(cat $sys/xrxe0/node_guid) is not the EUI-64 of xd0's MAC"
[ "$(cat $sys/xrxe0/ports/1/pkeys/0)" = 0xffff ] || xp_fail "P_Key 0: $(cat $sys/xrxe0/ports/1/pkeys/0)"
# ib_core fills the GID table from xd0's addresses, from a work item: it
# may come a moment after `rdma link add` returns (xp_rxe_up waits too).
xp_retry 20 0.5 find_v2_gid xrxe0 0000:0000:0000:0000:0000:ffff:c612:000a
[ -n "$gid" ] || xp_fail "no RoCE v2 GID for 198.18.0.10"
[ "$(cat "$sys/xrxe0/ports/1/gid_attrs/ndevs/$gid")" = xd0 ] || xp_fail "GID $gid is not xd0's"
xp_run rdma dev show xrxe0

xp_step "qpn_first: bad values refused with a reason"
_q=/sys/module/xp_rxe/parameters/qpn_first
[ "$(cat $_q)" = 65536 ] || xp_fail "qpn_first is $(cat $_q), not 65536"
# Below 17; 256 QPNs from 0xffff00 would reach the multicast QPN; no number.
for _v in 16 0xffff00 many; do
	refused "qpn_first=$_v" sh -c "echo $_v >$_q"
	dmesg | grep -q "xp_rxe: qpn_first=$_v refused" || xp_fail "no reason logged for qpn_first=$_v"
done
[ "$(cat $_q)" = 65536 ] || xp_fail "a refused value changed qpn_first to $(cat $_q)"

xp_step "bad links are refused with a reason"
refused "xd0 has a device already" rdma link add xrxe1 type xprxe netdev xd0
dmesg | grep -q 'xp_rxe: xd0 already has xrxe0' || xp_fail "no 'already has' reason in the log"
refused "lo is not Ethernet" rdma link add xrxe1 type xprxe netdev lo
dmesg | grep -q 'xp_rxe: lo is not an Ethernet device' || xp_fail "no reason for lo in the log"
refused "no such netdev" rdma link add xrxe1 type xprxe netdev nosuch0
xp_run ip link add xd3 type dummy
refused "the name is taken" rdma link add xrxe0 type xprxe netdev xd3
dev_gone xrxe1 || xp_fail "a refused link left xrxe1 behind"
# The refused xrxe0 on xd3 left nothing holding xd3: it can go at once.
xp_run ip link del xd3

xp_step "the port follows xd0 down and up"
xp_run ip link set xd0 down
[ "$(port_state xrxe0)" = DOWN ] || xp_fail "port state with xd0 down: $(port_state xrxe0)"
xp_run ip link set xd0 up
[ "$(port_state xrxe0)" = ACTIVE ] || xp_fail "port state with xd0 up: $(port_state xrxe0)"
dmesg | grep -q 'xp_rxe: xrxe0 port DOWN' || xp_fail "no port DOWN event logged"
dmesg | grep -q 'xp_rxe: xrxe0 port ACTIVE' || xp_fail "no port ACTIVE event logged"

xp_step "rdma link delete"
xp_run rdma link delete xrxe0
dev_gone xrxe0 || xp_fail "xrxe0 still there after rdma link delete"
dmesg | grep -q 'xp_rxe: xrxe0 removed from xd0' || xp_fail "no 'removed' line"

xp_step "a name longer than an interface's"
xp_run rdma link add xrxe_a_longer_name0 type xprxe netdev xd0
[ -e $sys/xrxe_a_longer_name0 ] || xp_fail "xrxe_a_longer_name0 is not there"
xp_run rdma link delete xrxe_a_longer_name0

xp_step "the device goes with its netdev"
xp_run rdma link add xrxe0 type xprxe netdev xd0
xp_run ip link del xd0
xp_retry 60 0.5 dev_gone xrxe0 || xp_fail "xrxe0 still there 30 s after xd0 went"

xp_step "two devices, then unload: both go"
xp_run ip link add xd1 type dummy
xp_run ip link add xd2 type dummy
xp_run ip link set xd1 up
xp_run rdma link add xrxe1 type xprxe netdev xd1
xp_run rdma link add xrxe2 type xprxe netdev xd2
[ "$(port_state xrxe2)" = DOWN ] || xp_fail "xrxe2 on a down netdev is $(port_state xrxe2)"
xp_run rmmod xp_rxe
if ! dev_gone xrxe1 || ! dev_gone xrxe2; then
	xp_fail "devices left after rmmod"
fi
lsmod | grep -q '^xp_rxe ' && xp_fail "xp_rxe still loaded"
xp_run ip link del xd1
xp_run ip link del xd2

xp_step "the kernel log"
dmesg | grep 'xp_rxe' | tail -n 30
xp_kernel_quiet
echo "xp_rxe: link add/delete, port events, refusals, removal with the netdev and the module"
exit 0
