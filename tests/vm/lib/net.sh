# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The test network: a host network namespace holding a bridge (xpbr0), one
# tap per guest attached to it, and optional host-side namespaces joined to
# the bridge by a veth pair. Guests reach each other and those namespaces,
# and nothing else. Use addresses from 198.18.0.0/15 only.
#
#   net_up NS                      namespace NS with bridge xpbr0
#   net_host_add NS HNS ADDR       namespace HNS, veth into the bridge, ADDR on it
#   net_tap_add NS TAP [MTU]       a tap in NS on the bridge (qemu opens it by name)
#   net_host_mtu NS HNS MTU        the MTU of a host-side namespace's link
#   net_tap_del NS TAP
#   net_down NS...                 delete namespaces (their links go with them)

# shellcheck source=tests/vm/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

XPVM_BRIDGE=xpbr0

net_exists() { [[ -e /run/netns/$1 ]]; }

net_up() {
	local ns=$1
	vm_need ip iproute2 || return 1
	if net_exists "$ns"; then
		vm_err "network namespace $ns exists already (xpvm net down $ns)"
		return 1
	fi
	if ! { ip netns add "$ns" && ip -n "$ns" link set lo up &&
		ip -n "$ns" link add "$XPVM_BRIDGE" type bridge stp_state 0 forward_delay 0 &&
		ip -n "$ns" link set "$XPVM_BRIDGE" up; }; then
		vm_err "cannot create namespace $ns with bridge $XPVM_BRIDGE"
	fi
}

# net_host_add NS HNS ADDR: HNS gets interface "eth0" with ADDR, its peer
# (h-HNS, cut to 15 characters) is a port of NS's bridge.
net_host_add() {
	local ns=$1 hns=$2 addr=$3 peer
	peer=h-$hns
	peer=${peer:0:15}
	if ! { ip netns add "$hns" && ip -n "$hns" link set lo up &&
		ip -n "$ns" link add "$peer" type veth peer name eth0 netns "$hns" &&
		ip -n "$ns" link set "$peer" master "$XPVM_BRIDGE" up &&
		ip -n "$hns" addr add "$addr" dev eth0 &&
		ip -n "$hns" link set eth0 up; }; then
		vm_err "cannot attach host namespace $hns ($addr) to $ns"
	fi
}

net_tap_add() {
	local ns=$1 tap=$2 mtu=${3:-1500}
	if ! { ip -n "$ns" tuntap add dev "$tap" mode tap &&
		ip -n "$ns" link set "$tap" mtu "$mtu" master "$XPVM_BRIDGE" up; }; then
		vm_err "cannot add tap $tap to $XPVM_BRIDGE in $ns"
	fi
}

# net_host_mtu NS HNS MTU: the MTU of HNS's eth0 and of its bridge port.
net_host_mtu() {
	local peer=h-$2
	ip -n "$1" link set "${peer:0:15}" mtu "$3" && ip -n "$2" link set eth0 mtu "$3"
}

net_tap_del() { ip -n "$1" link del "$2" 2>/dev/null || true; }

net_down() {
	local ns
	for ns in "$@"; do
		net_exists "$ns" && ip netns del "$ns"
	done
	return 0
}
