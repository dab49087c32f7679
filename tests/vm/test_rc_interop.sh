#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RC interop with kernel rdma_rxe: rdma-core's ibv_rc_pingpong in a 6.1
# guest (rxe on its virtio-net eth0) against our xp-rc-pingpong over
# AF_XDP in a host-side namespace on the same bridge:
#
#   host ns eth0 (198.18.104.1, veth, xdp_steer + AF_XDP) --+- xpbr0 in ns xprn<tag>
#   guest eth0   (198.18.104.11, rdma_rxe rxe0)           --+
#
# For each size (1, 4096 = 4 packets, 65536 = 64 packets at path MTU 1024):
# the guest serves `ibv_rc_pingpong -g 1 -m 1024 -c -s SIZE -n N` and we
# are the client, then we serve and the guest is the client. Each side's
# exit status is its verdict; ibv_rc_pingpong -c's server also must print
# no "invalid data" line; ours checks every echo (client) or message
# (server) byte for byte, and reports its device's drops (none expected).
# Negative controls: our 64-byte client against a 1024-byte guest server
# must fail with a length error (and the guest's server with a NAK), and
# our -c server must refuse a guest client that runs without -c.
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_rc_interop

PP=$XP_BIN/xp-rc-pingpong
require_bin "$PP"

# One guest: 6.1, unless XP_VM_SERIES narrows the VM suites to others
# (then its first series); XP_RC_SERIES overrides both.
SERIES=$(vm_one_series "${XP_RC_SERIES:-}")
NET=$(ns_name rn)
HOSTNS=$(ns_name rh)
HOST_IP=198.18.104.1
GUEST_IP=198.18.104.11
ITERS=${XP_RC_ITERS:-100}
SIZES=${XP_RC_SIZES:-1 4096 65536}
PORT_G=18515 # the guest serves here
PORT_H=18516 # we serve here
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

# ours NAME ARGS...: xp-rc-pingpong in the host namespace; its status.
ours() {
	vm_host_run "$1" 90 "$PP" -d eth0 -g 1 -m 1024 "${@:2}"
}

# drops NAME: the frames our device dropped (its counter line), or 999999.
drops() {
	local d
	d=$(sed -n 's/^xp-rc-pingpong: device: .*drops \([0-9]*\)$/\1/p' "$TMP/$1.err")
	echo "${d:-999999}"
}

# report NAME: our result lines and counters, and what went wrong.
report() {
	note "$1: $(grep -E 'iters in' "$TMP/$1.out" | tr '\n' ';')"
	grep -E '^xp-rc-pingpong: (qp|-c)' "$TMP/$1.err" | sed "s/^xp-rc-pingpong: /    # $1: /"
	grep -vE "ready, listening|^xp-rc-pingpong: (qp|-c|device)" "$TMP/$1.err" |
		sed "s/^/    # $1: /" | head -10
	[[ $(drops "$1") == 0 ]] || note "$1: our device dropped frames: $(grep device: "$TMP/$1.err")"
}

vm_host_bed "rc interop" "$SERIES"

vm_host_guest "rcx-$SERIES" 300 "$XPVM_GUEST/rc_interop.sh" -e "XP_ITERS=$ITERS" -e "XP_SIZES=$SIZES"

# The guest is up when it answers; the ping also resolves its MAC for our QP.
up=0
vm_wait_guest "rc interop" && up=1

declare -A rc_c rc_s
drops_total=0
rc_neg_size=0
rc_neg_chk=0
if ((up)); then
	for s in $SIZES; do
		# -w: retry while the guest does not listen yet (rxe set-up, the run before).
		ours "c$s" -c -s "$s" -n "$ITERS" -p $PORT_G -w 60000 $GUEST_IP
		rc_c[$s]=$?
		report "c$s"
		ours "s$s" -c -s "$s" -n "$ITERS" -p $PORT_H -w 60000
		rc_s[$s]=$?
		report "s$s"
		drops_total=$((drops_total + $(drops "c$s") + $(drops "s$s")))
	done
	# Negative controls: echoes of 1024 bytes into our 64-byte buffers;
	# a guest client without -c for our -c server.
	ours negsize -s 64 -n 5 -p $PORT_G -w 60000 --timeout 5000 $GUEST_IP
	rc_neg_size=$?
	ours negchk -c -s 4096 -n 5 -p $PORT_H -w 60000 --timeout 5000
	rc_neg_chk=$?
fi
vm_guest_done "rc interop" 150

if ((up)); then
	for s in $SIZES; do
		read -r g inv <<<"$(sed -n "s/.*RCRESULT server $s \([0-9]*\) \([0-9]*\)\$/\1 \2/p" "$TMP/guest.log")"
		check "rc interop $KVER -s $s: guest ibv_rc_pingpong -c server passed (status ${g:-none}, ${inv:-?} invalid pages)" \
			test "${g:-x}:${inv:-x}" = 0:0
		check "rc interop $KVER -s $s: our xp-rc-pingpong -c client passed (status ${rc_c[$s]})" \
			test "${rc_c[$s]}" = 0
		check "rc interop $KVER -s $s: our client checked $ITERS echoes" \
			grep -q -- "-c: $ITERS echoes checked byte for byte" "$TMP/c$s.err"
		g=$(sed -n "s/.*RCRESULT client $s \([0-9]*\) .*/\1/p" "$TMP/guest.log")
		check "rc interop $KVER -s $s: guest ibv_rc_pingpong -c client passed (status ${g:-none})" \
			test "${g:-x}" = 0
		check "rc interop $KVER -s $s: our xp-rc-pingpong -c server passed (status ${rc_s[$s]})" \
			test "${rc_s[$s]}" = 0
		check "rc interop $KVER -s $s: our server saw $ITERS messages in ibv_rc_pingpong -c's pattern" \
			grep -Eq -- "-c: $ITERS messages checked: 0 in our client's pattern, [0-9]+ in ibv_rc_pingpong's" "$TMP/s$s.err"
	done
	check "rc interop $KVER: our device dropped no frame in $(wc -w <<<"$SIZES") x 2 runs ($drops_total)" \
		test "$drops_total" = 0
	g=$(sed -n "s/.*RCRESULT negative size \([0-9]*\)\$/\1/p" "$TMP/guest.log")
	check "rc interop $KVER: negative control: our 64-byte client fails on 1024-byte messages (status $rc_neg_size)" \
		bash -c "test $rc_neg_size != 0 && grep -q 'Failed status' '$TMP/negsize.err'"
	check "rc interop $KVER: negative control: the guest's server fails too (status ${g:-none})" \
		bash -c "test '${g:-0}' != 0"
	sed 's/^/    # negative size: /' "$TMP/negsize.err" | head -4
	check "rc interop $KVER: negative control: our -c server refuses a guest client without -c (status $rc_neg_chk)" \
		bash -c "test $rc_neg_chk != 0 && grep -q 'invalid data in page 0' '$TMP/negchk.err'"
	sed 's/^/    # negative -c: /' "$TMP/negchk.err" | grep -v "ready, listening" | head -4
fi
vm_host_checks "rc interop"
summary
