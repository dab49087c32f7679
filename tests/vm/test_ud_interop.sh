#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# UD interop with kernel rdma_rxe: rdma-core's ibv_ud_pingpong in a 6.1
# guest (rxe on its virtio-net eth0) against our xp-ud-pingpong over
# AF_XDP in a host-side namespace on the same bridge:
#
#   host ns eth0 (198.18.103.1, veth, xdp_steer + AF_XDP) --+- xpbr0 in ns xpun<tag>
#   guest eth0   (198.18.103.11, rdma_rxe rxe0)           --+
#
# For each size (1, 64, 512, 1024 = the path MTU at 1500): the guest serves
# `ibv_ud_pingpong -g 1 -s SIZE -n N` and we are the client, then we serve
# and the guest is the client. Each side's exit status is its verdict; our
# side also checks every receive (length, source QPN, GRH source GID,
# payload) and reports the frames its device dropped (none expected).
# Negative control: our client with 64-byte buffers against a guest server
# of 1024-byte messages must fail (LOC_LEN_ERR on the echo).
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_ud_interop

PP=$XP_BIN/xp-ud-pingpong
require_bin "$PP"

# One guest: 6.1, unless XP_VM_SERIES narrows the VM suites to others
# (then its first series); XP_UD_SERIES overrides both.
SERIES=$(vm_one_series "${XP_UD_SERIES:-}")
NET=$(ns_name un)
HOSTNS=$(ns_name uh)
HOST_IP=198.18.103.1
GUEST_IP=198.18.103.11
ITERS=${XP_UD_ITERS:-100}
SIZES=${XP_UD_SIZES:-1 64 512 1024}
PORT_G=18515 # the guest serves here
PORT_H=18516 # we serve here
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

# ours_client SIZE [ITERS]: our client against the guest's server, retried
# while the guest does not listen yet; our exit status.
ours_client() {
	local s=$1 n=${2:-$ITERS}
	vm_retry "$TMP/c$s.out" "$TMP/c$s.err" nsx "$HOSTNS" timeout 30 "$PP" -i eth0 -g 1 -s "$s" \
		-n "$n" -p $PORT_G $GUEST_IP
}

# ours_server SIZE: our server for the guest's client; our exit status.
ours_server() {
	vm_host_run "s$1" 45 "$PP" -i eth0 -g 1 -s "$1" -n "$ITERS" -p $PORT_H
}

# drops FILE.out: the frames our device dropped (its last line), or 999999.
drops() {
	local d
	d=$(sed -n 's/^xp-ud-pingpong: .*drops \([0-9]*\)$/\1/p' "$1")
	echo "${d:-999999}"
}

# report NAME FILE.out FILE.err: our output, and the drops our device counted.
report() {
	local drops
	drops=$(sed -n 's/^xp-ud-pingpong: .*drops \([0-9]*\)$/\1/p' "$2")
	note "$1: $(grep -E 'iters in|^xp-ud-pingpong:' "$2" | tr '\n' ';') frames we dropped: ${drops:-?}"
	grep -v ": ready, listening" "$3" | sed "s/^/    # $1: /" | head -10
	[[ ${drops:-x} == 0 ]] || note "$1: our device dropped ${drops:-an unknown number of} RoCE frames"
}

vm_host_bed "ud interop" "$SERIES"

vm_host_guest "udx-$SERIES" 150 "$XPVM_GUEST/ud_interop.sh" -e "XP_ITERS=$ITERS" -e "XP_SIZES=$SIZES"

# The guest is up when it answers; the ping also resolves its MAC for our AH.
up=0
vm_wait_guest "ud interop" && up=1

declare -A rc_c rc_s
drops_total=0
rc_neg=0
if ((up)); then
	for s in $SIZES; do
		ours_client "$s"
		rc_c[$s]=$?
		report "ours client -s $s" "$TMP/c$s.out" "$TMP/c$s.err"
		ours_server "$s"
		rc_s[$s]=$?
		report "ours server -s $s" "$TMP/s$s.out" "$TMP/s$s.err"
		drops_total=$((drops_total + $(drops "$TMP/c$s.out") + $(drops "$TMP/s$s.out")))
	done
	# Negative control: the guest serves 1024-byte messages, we post 64 + 40.
	ours_client 64 5
	rc_neg=$?
	mv "$TMP/c64.err" "$TMP/neg.err"
fi
vm_guest_done "ud interop" 120

if ((up)); then
	for s in $SIZES; do
		g=$(sed -n "s/.*UDRESULT server $s \([0-9]*\)\$/\1/p" "$TMP/guest.log")
		check "ud interop $KVER -s $s: guest ibv_ud_pingpong server passed (status ${g:-none})" \
			test "${g:-x}" = 0
		check "ud interop $KVER -s $s: our xp-ud-pingpong client passed (status ${rc_c[$s]})" \
			test "${rc_c[$s]}" = 0
		g=$(sed -n "s/.*UDRESULT client $s \([0-9]*\)\$/\1/p" "$TMP/guest.log")
		check "ud interop $KVER -s $s: guest ibv_ud_pingpong client passed (status ${g:-none})" \
			test "${g:-x}" = 0
		check "ud interop $KVER -s $s: our xp-ud-pingpong server passed (status ${rc_s[$s]})" \
			test "${rc_s[$s]}" = 0
	done
	check "ud interop $KVER: our device dropped no frame in $(wc -w <<<"$SIZES") x 2 runs ($drops_total)" \
		test "$drops_total" = 0
	check "ud interop $KVER: negative control: our 64-byte client fails on 1024-byte echoes (status $rc_neg)" \
		bash -c "test $rc_neg != 0 && grep -q 'receive status' '$TMP/neg.err'"
	sed 's/^/    # negative control: /' "$TMP/neg.err" | head -5
fi
vm_host_checks "ud interop"
summary
